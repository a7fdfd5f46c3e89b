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
from ...training.schema import Activation, ActivationSpec, Conventions, Training
from ..fields import Model, Tensor, register_model

LSTM_GATES = ("i", "f", "g", "o")
GRU_GATES = ("r", "z", "n")
GATE_ALIASES = {"c": "g", "c_tilde": "g", "h": "n"}     # Keras names the candidates c (LSTM) and h (GRU)
# Textbook sheets that number the LSTM's gates (BITS 001: cₜ = g₂ ∘ cₜ₋₁ + g₃ ∘ c̃ₜ, hₜ = g₁ ∘ …, the key
# assigns g₁ output, g₂ forget, g₃ update/input); role → the sheet's name, the candidate being c̃ (W_c, U_c)
NUMBERED_LSTM = {"o": "g1", "f": "g2", "i": "g3", "g": "c"}
NUMBERED_ROLES = {**{name: role for role, name in NUMBERED_LSTM.items()}, "c_tilde": "g"}
SQUASHES = ("tanh", "sigmoid", "relu", "identity")


class GateWeights(Model):
    input: Optional[Tensor] = Field(default=None, description="the weights multiplying xₜ (layout as `layout` says)")
    recurrent: Optional[Tensor] = Field(default=None, description="the weights multiplying hₜ₋₁")
    concatenated: Optional[Tensor] = Field(
        default=None, description="instead of input and recurrent: one matrix over the concatenation of hₜ₋₁ and xₜ "
                                  "in the order `concatenation` names (W_f · [hₜ₋₁, xₜ]); split by the solver")
    bias: Optional[Tensor] = Field(default=None, description="the bias (PyTorch b_i*; omitted: none)")
    recurrent_bias: Optional[Tensor] = Field(default=None, description="a second bias (PyTorch b_h*)")


class OutputLayer(Model):
    W: Tensor = Field(description="yₜ = activation(W·sourceₜ + b), layout as the cell's")
    b: Optional[Tensor] = None
    activation: ActivationSpec = Field(default=Activation(name="identity"),
                                       description="any activation (softmax for a classifier at each step)")
    source: Literal["hidden", "cell"] = Field(default="hidden", description="read hₜ or the cell state cₜ")


@register_model
class GatedRnnProblem(Common, Training):
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
    projection: Optional[Tensor] = Field(
        default=None, description="LSTM with a cell size different from the hidden size: hₜ = W_hr (oₜ ⊙ tanh(cₜ)), "
                                  "W_hr hidden × cell in out_in (PyTorch weight_hr, proj_size = hidden size)")
    concatenation: Optional[Literal["h_x", "x_h"]] = Field(
        default=None, description="the order of the vector `concatenated` weights multiply: h_x for [hₜ₋₁; xₜ] "
                                  "(W_f · [hₜ₋₁, xₜ] + b_f, as the common blog notation), x_h for [xₜ; hₜ₋₁]")
    weights: Optional[GateWeights] = Field(default=None, description="stacked weights in gate order")
    gates: Optional[dict[str, GateWeights]] = Field(default=None, description="weights per gate name")
    time_varying: bool = Field(default=False, description="every weight is a list with one entry per step")
    gate_activation: Literal[SQUASHES] = "sigmoid"  # type: ignore[valid-type]
    candidate_activation: Literal[SQUASHES] = "tanh"  # type: ignore[valid-type]
    cell_activation: Literal[SQUASHES] = Field(default="tanh", description="LSTM: hₜ = oₜ ⊙ act(cₜ)")
    output: Optional[OutputLayer] = None
    target: Optional[Tensor] = Field(default=None, description="one target per step (or for the last)")
    loss_at: Literal["every", "last"] = Field(default="every", description="loss over every step or the last")
    conventions: Conventions = Conventions()

    @property
    def gate_names(self) -> tuple[str, ...]:
        return LSTM_GATES if self.cell == "lstm" else GRU_GATES

    @property
    def weight_layout(self) -> str:
        return self.layout or ("in_out" if self.formulation == "keras" else "out_in")

    @property
    def numbered_gates(self) -> bool:
        """A textbook LSTM whose file names its gates g1, g2, g3 (ids then follow those names)."""
        names = set(self.gates or ()) | set(self.gate_order or ())
        return self.cell == "lstm" and self.formulation == "textbook" and bool(names & {"g1", "g2", "g3"})

    def gate_name(self, role: str) -> str:
        return NUMBERED_LSTM[role] if self.numbered_gates else role

    def gate_role(self, name: str) -> str | None:
        """The gate (i, f, g, o / r, z, n) a name in the file stands for; None if the formulation has no such gate."""
        if self.numbered_gates:
            return NUMBERED_ROLES.get(name)
        role = GATE_ALIASES.get(name, name)
        return role if role in self.gate_names else None

    @property
    def file_gate_names(self) -> str:
        if self.numbered_gates:
            return "g1 (output), g2 (forget), g3 (input), c or c_tilde (candidate)"
        return ", ".join(self.gate_names)

    @property
    def stacked_order(self) -> tuple[str, ...]:
        if self.gate_order:
            return tuple(self.gate_role(g) or g for g in self.gate_order)
        if self.cell == "gru" and self.formulation == "keras":
            return ("z", "r", "n")
        return self.gate_names
