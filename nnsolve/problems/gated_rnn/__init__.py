"""LSTM and GRU cells on explicit numbers: every gate, cell and hidden value per step; loss, BPTT, updates."""
from .. import lazy
from ...training.pipeline import training_family
from .consistency import consistency
from .schema import GatedRnnProblem
from .solver import solve_gated_rnn

FAMILY = training_family(
    "gated_rnn", GatedRnnProblem, consistency, solve_gated_rnn,
    default_ask=("forward", "loss", "gradients", "input_gradient", "update"),
    alternatives=lazy(".gated_rnn.checker", "alternatives"),
    golden=("tests/render/cases/lstm-two-steps.yaml",),
)
