"""What shapes a descent besides its optimizer's constants, in the keys every training family uses: the
learning rate of each update (`lr_schedule`, `lr_decay`) and the optimizer's state before the first one
(`initial_state`, `previous_steps`), read by variable. The recorded updates take them through the shared
optimizers; a long run's carried updates (kernel.py) take the same numbers from here."""
from __future__ import annotations

from fractions import Fraction

from ...engine.number import exact_string, mp
from ...expr import parse
from ...expr.symbolic import symbol, to_sympy
from ..errors import Issue, ProblemError
from .schema import variables_of


class Schedule:
    """The learning rate of each update: `lr`, a step decay, or `lr_schedule` — a list (update t uses its t-th
    number) or a formula in t, evaluated exactly for the recorded updates and compiled for the carried ones."""

    def __init__(self, spec):
        self.spec = spec
        given = getattr(spec, "lr_schedule", None)
        self.text = None            # the formula, as the header states it
        self.formula = self.program = None
        if isinstance(given, str):
            from ...expr.program import Program
            self.formula = to_sympy(parse(given))
            self.program = Program([self.formula], [symbol("t")])
            self.text = f"η(t) = {given}"

    def exact(self, t: int):
        spec = self.spec
        if self.formula is None:
            if isinstance(spec.lr_schedule, list):
                return spec.lr_schedule[t - 1]
            if spec.lr_decay is not None:
                return spec.lr * spec.lr_decay.factor ** ((t - 1) // spec.lr_decay.every)
            return spec.lr
        from .analysis import evaluate
        value = evaluate(self.formula, {symbol("t"): Fraction(t)})
        if not value > 0:
            raise ProblemError([Issue("descent.lr_schedule", f"η({t}) = {exact_string(value)}: a learning rate is "
                                                            "positive")])
        return value

    def carried(self, t: int):
        if self.program is None:
            return self.exact(t)
        value = self.program.run([Fraction(t)])[0]
        if not value > 0:
            raise ProblemError([Issue("descent.lr_schedule", f"η({t}) = {mp.nstr(value, 8)}: a learning rate is "
                                                            "positive")])
        return value

    def recorded_spec(self, p, recorded: int):
        """The spec the shared optimizer records the first `recorded` updates with: a formula's rates as the list
        it names them from (η⁽ᵗ⁾ = the formula at t), and a state given as a list keyed by variable."""
        update = {}
        if self.formula is not None:
            update["lr_schedule"] = [self.exact(t) for t in range(1, recorded + 1)] or [self.exact(1)]
        variables = variables_of(p)
        state = {letter: dict(zip(variables, values)) if isinstance(values, list) else values
                 for letter, values in self.spec.initial_state.items()}
        if state != self.spec.initial_state:
            update["initial_state"] = state
        return self.spec.model_copy(update=update) if update else self.spec


def given_state(p) -> dict:
    """The state before the first update for the carried run, each a list in the variables' order, and t: the
    updates already made (Adam's `previous_steps`)."""
    variables, out = variables_of(p), {}
    for letter, values in p.descent.initial_state.items():
        out[letter] = [values[v] for v in variables] if isinstance(values, dict) else \
            list(values) if isinstance(values, list) else [values] * len(variables)
    if p.descent.previous_steps:
        out["t"] = p.descent.previous_steps
    return out
