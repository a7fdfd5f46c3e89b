"""The problem file of an LSTM or GRU layer unrolled over a given sequence.

Weights come per gate (`gates: {i: {input: …, recurrent: …, bias: …}}`) or stacked in the
formulation's gate order (`weights: {input: …, recurrent: …}` as PyTorch's weight_ih/weight_hh or
Keras' kernel/recurrent_kernel). A matrix of one entry may be written as a number; with
`time_varying: true` every weight and bias is a list with one entry per time step (exam sheets that
index the weights by the step)."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..common import Common
from ..conv.schema import Tensor
from ..dense.schema import Loss, Optimizer
from ..fields import Model, register_model

LSTM_GATES = ("i", "f", "g", "o")
GRU_GATES = ("r", "z", "n")
GATE_ALIASES = {"c": "g", "c_tilde": "g", "h": "n"}     # Keras names the candidates c (LSTM) and h (GRU)
SQUASHES = ("tanh", "sigmoid", "relu", "identity")


class GateWeights(Model):
    input: Tensor = Field(description="the weights multiplying xₜ (layout as `layout` says)")
    recurrent: Tensor = Field(description="the weights multiplying hₜ₋₁")
    bias: Optional[Tensor] = Field(default=None, description="the bias (PyTorch b_i*; omitted: none)")
    recurrent_bias: Optional[Tensor] = Field(default=None, description="a second bias (PyTorch b_h*)")


class OutputLayer(Model):
    W: Tensor = Field(description="yₜ = activation(W·sourceₜ + b), layout as the cell's")
    b: Optional[Tensor] = None
    activation: Literal[SQUASHES] = "identity"  # type: ignore[valid-type]
    source: Literal["hidden", "cell"] = Field(default="hidden", description="read hₜ or the cell state cₜ")


@register_model
class GatedRnnProblem(Common):
    problem: Literal["gated_rnn"]
    cell: Literal["lstm", "gru"]
    formulation: Literal["pytorch", "keras", "textbook"] = Field(
        default="pytorch", description="names the stacked gate order and the default weight layout")
    gate_order: Optional[list[str]] = Field(default=None, description="stacked order overriding the formulation's")
    layout: Optional[Literal["out_in", "in_out"]] = Field(
        default=None, description="out_in: a row per unit (PyTorch, default); in_out: a row per input (Keras)")
    reset: Literal["after", "before"] = Field(
        default="after", description="GRU: r scales U_n·hₜ₋₁ + b_hn (after, PyTorch/Keras reset_after) or "
                                     "hₜ₋₁ before the product (the original GRU)")
    x: Tensor = Field(description="the sequence: one vector (or number) per time step")
    h0: Tensor = Field(description="the initial hidden state h₀")
    c0: Optional[Tensor] = Field(default=None, description="LSTM: the initial cell state c₀")
    weights: Optional[GateWeights] = Field(default=None, description="stacked weights in gate order")
    gates: Optional[dict[str, GateWeights]] = Field(default=None, description="weights per gate name")
    time_varying: bool = Field(default=False, description="every weight is a list with one entry per step")
    gate_activation: Literal[SQUASHES] = "sigmoid"  # type: ignore[valid-type]
    candidate_activation: Literal[SQUASHES] = "tanh"  # type: ignore[valid-type]
    cell_activation: Literal[SQUASHES] = Field(default="tanh", description="LSTM: hₜ = oₜ ⊙ act(cₜ)")
    output: Optional[OutputLayer] = None
    target: Optional[Tensor] = Field(default=None, description="one target per step (or for the last)")
    loss_at: Literal["every", "last"] = Field(default="every", description="loss over every step or the last")
    loss: Optional[Loss] = None
    optimizer: Optional[Optimizer] = None

    @property
    def gate_names(self) -> tuple[str, ...]:
        return LSTM_GATES if self.cell == "lstm" else GRU_GATES

    @property
    def weight_layout(self) -> str:
        return self.layout or ("in_out" if self.formulation == "keras" else "out_in")

    @property
    def stacked_order(self) -> tuple[str, ...]:
        if self.gate_order:
            return tuple(GATE_ALIASES.get(g, g) for g in self.gate_order)
        if self.cell == "gru" and self.formulation == "keras":
            return ("z", "r", "n")
        return self.gate_names
