"""The training conventions keys disagree on, shared by every family that trains: each alternative is a
modified copy of the problem, named the way `check` states it ("matches if: log base 10")."""
from __future__ import annotations

from fractions import Fraction

from ..optim.alternatives import Alternative, optimizer_alternatives
from ..problems.fields import replaced  # noqa: F401  (re-exported for families)
from .activation import RELU_FAMILY
from .loss import LossSetting


def training_alternatives(p, activations: set[str]) -> list[Alternative]:
    """The loss's ½, sums and means, log base; the penalty's ½ and biases; ReLU'(0) where a ReLU is used;
    the optimizer's forms. `activations` are the canonical names the problem uses."""
    out: list[Alternative] = []

    def alternative(statement: str, path: str, value) -> None:
        out.append((statement, replaced(p, path, value)))

    if p.loss is not None:
        setting = LossSetting.of(p.loss)
        if setting.kind == "squared_error":
            alternative("loss without ½" if setting.half else "loss with ½", "loss.half", not setting.half)
        for field, current, what in (("over_outputs", setting.over_outputs, "outputs"),
                                     ("over_samples", setting.over_samples, "samples")):
            other = "sum" if current == "mean" else "mean"
            alternative(f"loss {'averaged' if other == 'mean' else 'summed'} over {what}", f"loss.{field}", other)
        if setting.kind in ("binary_cross_entropy", "cross_entropy"):
            for base, statement in (("e", "natural log"), (10, "log base 10"), (2, "log base 2")):
                if base != p.loss.log_base:
                    alternative(statement, "loss.log_base", base)
    if activations & RELU_FAMILY:
        other = Fraction(0) if Fraction(p.conventions.relu_derivative_at_zero) != 0 else Fraction(1)
        alternative(f"ReLU'(0) = {other}", "conventions.relu_derivative_at_zero", other)
    penalty = getattr(p, "penalty", None)
    if penalty is not None:
        if penalty.type == "l2":
            alternative("L2 penalty without ½" if penalty.half else "L2 penalty with ½", "penalty.half", not penalty.half)
        alternative("penalty excluding biases" if penalty.include_biases else "penalty including biases",
                    "penalty.include_biases", not penalty.include_biases)
    return out + optimizer_alternatives(p, "optimizer")


def frozen_biases_alternative(p) -> list[Alternative]:
    """A key that updated only the weights (textbook backprop examples often leave the biases as they are): the
    same problem with every bias frozen. Only where an optimizer updates biases the file did not freeze already."""
    if getattr(p, "optimizer", None) is None or "biases" in p.frozen:
        return []
    return [("the biases left frozen (only the weights updated)", replaced(p, "frozen", [*p.frozen, "biases"]))]


def layout_alternative(p, path: str = "layout") -> Alternative:
    """The weights read the other way round (a key that took W as [out][in] where the file says [in][out])."""
    current = p
    for part in path.split("."):
        current = current[int(part)] if isinstance(current, list) else getattr(current, part)
    swapped = "out_in" if current == "in_out" else "in_out"
    statement = ("weights read as W[out][in] (u = Wx + b)" if swapped == "out_in"
                 else "weights read as W[in][out] (u = Wᵀx + b)")
    return statement, replaced(p, path, swapped)


def locate(quantity: str) -> tuple:
    """Where in the file the settings that produced a training quantity live: the loss and every gradient
    → loss; the penalty → penalty; a parameter after an update → optimizer. () when not a training one."""
    if quantity.startswith(("loss", "data_loss", "dL/d", "yhat")):
        return ("loss",)
    if quantity.startswith("penalty"):
        return ("penalty",)
    if quantity.endswith(")") and "(" in quantity and not quantity.startswith("d"):
        return ("optimizer",)
    return ()
