"""The problem file of a recurrent network on explicit numbers (Elman or Jordan): named weights, which one
multiplies the input, the fed-back state and the hidden state, a sequence x₁…x_T, the initial state, an
optional output layer, a loss over the sequence or one quantity to differentiate, an optimizer."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..common import Common
from ...training.schema import Activation, ActivationSpec, Conventions, Loss, Training
from ..fields import Model, Tensor, register_model


class Cell(Model):
    activation: ActivationSpec = Field(default=Activation(name="tanh"), description="f in hₜ = f(zₜ)")
    input_weight: str = Field(default="W", description="the name (in weights) of the matrix multiplying xₜ")
    recurrent_weight: str = Field(default="V", description="the matrix multiplying the fed-back hₜ₋₁ (or yₜ₋₁)")
    bias: Optional[str] = Field(default=None, description="the name of the hidden bias; omitted means none")
    feedback: Literal["hidden", "output"] = Field(
        default="hidden", description="hidden: Elman (hₜ₋₁ fed back); output: Jordan (yₜ₋₁ fed back, y0 given)")


class Output(Model):
    weight: str = Field(default="U", description="the matrix multiplying hₜ in yₜ = g(U·hₜ + c)")
    bias: Optional[str] = Field(default=None, description="the name of the output bias; omitted means none")
    activation: ActivationSpec = Field(default=Activation(name="identity"), description="g")


class SequenceLoss(Loss):
    over: Literal["y", "h"] = Field(default="y", description="the loss compares yₜ (or hₜ) with the targets")
    targets: list[Tensor] = Field(description="one target per time step listed in `steps`")
    steps: Optional[list[int]] = Field(default=None, description="the time steps with a target (default: all)")


@register_model
class RecurrentProblem(Common, Training):
    problem: Literal["recurrent"]
    layout: Literal["out_in", "in_out"] = Field(
        default="out_in", description="out_in: a row per unit (z = Wx); in_out: a row per input (z = Wᵀx)")
    weights: dict[str, Tensor] = Field(description="every weight and bias by name: numbers, vectors or matrices")
    time_varying: bool = Field(
        default=False, description="every weight and bias is a list with one entry per time step (exam sheets "
                                   "that index the weights by the step); ids W@1, W@2 … as in gated_rnn")
    x: list[Tensor] = Field(min_length=1, description="the sequence x₁…x_T: numbers or equal-length vectors")
    h0: Tensor = Field(description="the initial hidden state h₀")
    y0: Optional[Tensor] = Field(default=None, description="the initial output y₀ (Jordan feedback)")
    cell: Cell = Cell()
    output: Optional[Output] = None
    loss: Optional[SequenceLoss] = None
    differentiate: Optional[str] = Field(
        default=None, description="a quantity such as h3, y2 or h3[1] whose derivatives are wanted "
                                  "(a vector's elements are summed)")
    conventions: Conventions = Conventions()
