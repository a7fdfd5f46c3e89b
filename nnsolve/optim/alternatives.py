"""The optimizer conventions keys disagree on, as modified copies of a problem: what `check` tries when a
key's update does not match ("matches if: Adam without bias correction")."""
from __future__ import annotations

from ..problems.fields import replaced

Alternative = tuple[str, object]      # (statement, modified problem model)


def optimizer_alternatives(p, place: str = "optimizer") -> list[Alternative]:
    """For the optimizer settings at `place` (optimizer; calculus: descent)."""
    opt = getattr(p, place, None)
    if opt is None:
        return []
    out: list[Alternative] = []

    def alternative(statement: str, key: str, value) -> None:
        out.append((statement, replaced(p, f"{place}.{key}", value)))

    if opt.type == "adam":
        alternative("Adam without bias correction" if opt.bias_correction else "Adam with bias correction",
                    "bias_correction", not opt.bias_correction)
    if opt.type in ("adam", "rmsprop", "adagrad"):
        alternative("ε outside the square root" if opt.eps_inside_sqrt else "ε inside the square root",
                    "eps_inside_sqrt", not opt.eps_inside_sqrt)
    if opt.type == "adam":
        both = replaced(replaced(p, f"{place}.bias_correction", not opt.bias_correction),
                        f"{place}.eps_inside_sqrt", not opt.eps_inside_sqrt)
        out.append((f"Adam {'without' if opt.bias_correction else 'with'} bias correction and ε "
                    f"{'outside' if opt.eps_inside_sqrt else 'inside'} the square root", both))
    if opt.type in ("momentum", "nesterov"):
        for form in ("pytorch", "sutskever", "ema", "lookahead"):
            if form != opt.form:
                alternative(f"momentum in the {form!r} form", "form", form)
    sign_flipped = _rate_negated(p, place, opt)
    if sign_flipped is not None:
        out.append((SIGN_FLIPPED, sign_flipped))
    return out


SIGN_FLIPPED = "the update's sign flipped (θ + η·step for θ − η·step)"
RATE_KEYS = ("lr", "lr_schedule", "lr_decay")


def _rate_negated(p, place: str, opt):
    """A key that added the step instead of subtracting it: every update of the optimizer is its own with −η for
    η (each of a schedule's rates; a decay multiplies −η alike). Rprop has no rate (its steps follow the signs)."""
    if opt.type == "rprop":
        return None
    if isinstance(opt.lr_schedule, list):
        return replaced(p, f"{place}.lr_schedule", [-rate for rate in opt.lr_schedule])
    if opt.lr_schedule is not None:      # a formula in t (calculus): not negated term by term here
        return None
    return replaced(p, f"{place}.lr", -opt.lr)


def refused(family, statement: str, model) -> bool:
    """Whether the family refuses a modified copy (a swapped layout may not fit). A sign-flipped update's negative
    rate is the slip it stands for, not a misfit: only what else it is refused for counts."""
    found = family.consistency(model)
    if statement == SIGN_FLIPPED:
        found = [(loc, message) for loc, message in found if not (loc and loc[-1] in RATE_KEYS)]
    return bool(found)
