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
    return out
