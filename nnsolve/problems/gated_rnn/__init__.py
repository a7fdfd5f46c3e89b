"""LSTM and GRU cells on explicit numbers: every gate, cell and hidden value per step; loss, BPTT, updates."""
from .. import Family, lazy
from ...training.pipeline import GROUPS
from .consistency import consistency
from .schema import GatedRnnProblem
from .solver import solve_gated_rnn

FAMILY = Family(
    "gated_rnn", GatedRnnProblem, consistency, solve_gated_rnn,
    ask_groups=GROUPS, default_ask=("forward", "loss", "gradients", "input_gradient", "update"),
    alternatives=lazy(".gated_rnn.checker", "alternatives"),
    locate=lazy("..training.alternatives", "locate"),
    golden=("tests/render/cases/lstm-two-steps.yaml",),
)
