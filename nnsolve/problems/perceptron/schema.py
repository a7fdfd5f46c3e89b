"""The problem file of a perceptron trained by the perceptron rule: weights, bias or threshold, rate, data."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field

from ...limits import MAX_PERCEPTRON_EPOCHS
from ..boolean.schema import GATES
from ..common import Common
from ..fields import Matrix, Number, Vector, at_most, register_model


@register_model
class PerceptronProblem(Common):
    problem: Literal["perceptron_learning"]
    weights: Vector = Field(description="initial weights w1 … wn")
    bias: Optional[Number] = Field(default=None, description="initial bias (weight on a constant 1, learned); "
                                                              "leave out for a fixed threshold only")
    threshold: Number = Field(default="0", description="fixed θ: the unit fires when w·x + b > θ (or ≥ θ)")
    compare: Literal[">", ">="] = ">"
    encoding: Literal["binary", "bipolar"] = Field(
        default="binary", description="outputs 0/1 (binary) or −1/+1 (bipolar); targets use the same")
    eta: Number = Field(description="learning rate η in Δw = η (t − y) x")
    inputs: Optional[Matrix] = Field(default=None, description="one sample per row")
    targets: Optional[Vector] = None
    gate: Optional[Literal[GATES]] = Field(default=None, description="or a 2-input gate's truth table, "
                                                                      "in the chosen encoding")
    epochs: Annotated[int, at_most(MAX_PERCEPTRON_EPOCHS)] = Field(
        default=1, ge=1, description="epochs to run (stops early once an epoch makes no update)")


def consistency(p: PerceptronProblem) -> list[tuple[tuple, str]]:
    found = []
    if (p.inputs is None) == (p.gate is None):
        found.append((("inputs",), "give either inputs and targets, or a gate"))
    if p.inputs is not None:
        if p.targets is None:
            found.append((("targets",), "targets are required with inputs"))
        elif len(p.targets) != len(p.inputs):
            found.append((("targets",), f"{len(p.targets)} targets for {len(p.inputs)} input rows"))
        for r, row in enumerate(p.inputs):
            if len(row) != len(p.weights):
                found.append((("inputs", r), f"{len(row)} inputs, but {len(p.weights)} weights"))
    if p.gate is not None and len(p.weights) != 2:
        found.append((("weights",), "a gate has 2 inputs: give 2 weights"))
    allowed = (0, 1) if p.encoding == "binary" else (-1, 1)
    for r, t in enumerate(p.targets or []):
        if t not in allowed:
            found.append((("targets", r), f"a {p.encoding} target is {allowed[0]} or {allowed[1]}, got {t}"))
    if p.eta <= 0:
        found.append((("eta",), "the learning rate must be positive"))
    return found
