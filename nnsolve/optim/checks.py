"""What an optimizer's settings must satisfy, each finding with its place under `optimizer`."""
from __future__ import annotations

COMMON = {"type", "steps"}
RATE = {"lr", "lr_schedule", "lr_decay"}
APPLIES = {     # the keys each optimizer reads; any other key given is refused (it would be silently ignored)
    "sgd": RATE,
    "momentum": RATE | {"momentum", "form", "initial_state", "previous_weights"},
    "nesterov": RATE | {"momentum", "form", "initial_state", "previous_weights"},
    "adagrad": RATE | {"eps", "eps_inside_sqrt", "initial_accumulator", "initial_state"},
    "rmsprop": RATE | {"rho", "eps", "eps_inside_sqrt", "initial_state"},
    "adam": RATE | {"beta1", "beta2", "eps", "eps_inside_sqrt", "bias_correction", "initial_state",
                    "previous_steps"},
    "rprop": {"variant", "eta_plus", "eta_minus", "step_init", "step_min", "step_max"},
    "perceptron": RATE,
}
STATE = {"momentum": {"v"}, "nesterov": {"v"}, "adagrad": {"G"}, "rmsprop": {"s"}, "adam": {"m", "s"}}
STATE_NAMES = {"momentum": "v (the velocity)", "nesterov": "v (the velocity)", "adagrad": "G (the sum of squares)",
               "rmsprop": "s (the squared-gradient mean)", "adam": "m and s (the moments)"}
FORMS = {"momentum": ("pytorch", "sutskever", "ema"), "nesterov": ("pytorch", "lookahead", "sutskever")}


def optimizer_issues(spec, place: str = "optimizer", own: frozenset = frozenset()) -> list[tuple[tuple, str]]:
    """`place` is the key the settings sit under; `own` the keys a family adds to them (descent's start)."""
    found: list[tuple[tuple, str]] = []

    def refuse(key: str, message: str) -> None:
        # the field's name; the loader reports it under the spelling the file used (beta, learning_rate)
        found.append(((place, key), message))

    kind = spec.type
    for key in sorted(spec.model_fields_set - COMMON - own - APPLIES[kind]):
        hint = " (rprop's first step size is step_init)" if kind == "rprop" and key == "lr" else ""
        refuse(key, f"does not apply to {kind}{hint}")
    if kind in FORMS and spec.form not in FORMS[kind]:
        refuse("form", f"{kind} has the forms {', '.join(FORMS[kind])}, not {spec.form}")
    if "lr" in APPLIES[kind] and spec.lr <= 0:
        refuse("lr", "the learning rate must be positive")
    _rate_issues(spec, refuse)
    for letter in sorted(set(spec.initial_state) - STATE.get(kind, set())):
        refuse("initial_state", f"{kind} keeps no state {letter}: its state is {STATE_NAMES.get(kind, 'none')}")
    if "previous_weights" in spec.model_fields_set:
        if "v" in spec.initial_state:
            refuse("previous_weights", "gives the initial velocity a second time: give initial_state.v or "
                                       "previous_weights, not both")
        if kind == "nesterov" and spec.form == "pytorch":
            refuse("previous_weights", "Nesterov's PyTorch form moves w by η·(g + β·v): the previous weights do "
                                       "not determine v; give initial_state.v, or use form: lookahead")
    if kind == "adam" and spec.previous_steps and not spec.bias_correction:
        refuse("previous_steps", "counts the updates for the bias correction, which is off here")
    if kind == "adagrad" and "G" in spec.initial_state and "initial_accumulator" in spec.model_fields_set:
        refuse("initial_state", "gives G₀ a second time: give initial_state.G or initial_accumulator, not both")
    if kind in ("momentum", "nesterov") and not 0 <= spec.momentum <= 1:
        # PyTorch takes any β ≥ 0, but past 1 every update multiplies the velocity by β: it grows without bound
        # (β = 1e999 would overflow a float run at once), so such a β is a slip for 0.9 rather than a question
        refuse("momentum", "β must lie in [0, 1]" + (": past 1 every update multiplies the velocity by β, so it "
                                                     "grows without bound" if spec.momentum > 1 else ""))
    if "eps" in APPLIES[kind] and spec.eps is not None and spec.eps < 0:
        refuse("eps", "ε must be at least 0")
    if kind == "adagrad" and spec.initial_accumulator < 0:
        refuse("initial_accumulator", "G₀ must be at least 0 (it sits under a square root)")
    if kind == "rmsprop" and not 0 <= spec.rho <= 1:
        refuse("rho", "ρ must lie in [0, 1]")
    if kind == "adam":
        for key in ("beta1", "beta2"):
            if not 0 <= getattr(spec, key) < 1:
                refuse(key, "must lie in [0, 1) (bias correction divides by 1 − βᵗ)")
    if kind == "rprop":
        if not 0 < spec.eta_minus < 1:
            refuse("eta_minus", "η⁻ must lie strictly between 0 and 1")
        if not spec.eta_plus > 1:
            refuse("eta_plus", "η⁺ must be greater than 1")
        if not 0 <= spec.step_min <= spec.step_init <= spec.step_max:
            refuse("step_init", "needs 0 ≤ step_min ≤ step_init ≤ step_max")
    return found


def _rate_issues(spec, refuse) -> None:
    """A schedule replaces lr (one rate per update, each positive); a decay multiplies lr."""
    others = [key for key in ("lr", "lr_decay") if key in spec.model_fields_set]
    if spec.lr_schedule is not None and others:
        refuse("lr_schedule", f"gives the learning rates a second time: give lr_schedule or {others[0]}, not both")
    if isinstance(spec.lr_schedule, list):           # (calculus also takes a formula in t, checked there)
        if len(spec.lr_schedule) != spec.steps:
            refuse("lr_schedule", f"has {len(spec.lr_schedule)} rates, one per update: steps is {spec.steps}")
        if any(rate <= 0 for rate in spec.lr_schedule):
            refuse("lr_schedule", "every learning rate must be positive")
    if spec.lr_decay is not None and spec.lr_decay.factor <= 0:
        refuse("lr_decay", "the decay factor must be positive")
