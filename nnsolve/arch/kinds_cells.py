"""Recurrent cells: one time step of a recurrent layer, called by the model's own loop
(`h, c = self.cell(x_t, (h, c))` for each step), PyTorch's nn.RNNCell, nn.LSTMCell and nn.GRUCell.

A cell of G weight blocks (RNN 1, GRU 3, LSTM 4) and h units reading d features holds G·(h·(d + h) + B·h)
parameters (B = 2 bias vectors in PyTorch, b_ih and b_hh) and does G·h·(d + h) multiply-accumulates per
call; the loop's calls of one cell share its weights (the layer's `shares`), so each call counts its MACs
and only the first its parameters.
"""
from __future__ import annotations

from .conventions import Conventions
from .ir import Layer
from .kinds import _one, bias_vectors, kind, recurrent_macs_per_step, recurrent_params, recurrent_params_formula
from .rules import ArchitectureError, Effect

CELLS = {"simple_rnn_cell": "simple_rnn", "lstm_cell": "lstm", "gru_cell": "gru"}


@kind(*CELLS, required=("units",), optional=("bias", "input_size", "reset_after"))
def cell(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    if len(shape) != 1:
        raise ArchitectureError(f"reads one time step's features (features,), got shape {tuple(shape)}", layer)
    features, units, family = shape[0], int(layer.get("units")), CELLS[layer.kind]
    biases = bias_vectors(family, conv.rnn, layer.get("bias", True), layer.get("reset_after", True))
    macs, macs_formula = recurrent_macs_per_step(family, features, units)
    return Effect((units,), trainable=recurrent_params(family, features, units, biases), macs=macs,
                  bias_adds=biases * units * (4 if family == "lstm" else 3 if family == "gru" else 1),
                  global_view=True, params_formula=recurrent_params_formula(family, features, units, biases),
                  macs_formula=macs_formula)
