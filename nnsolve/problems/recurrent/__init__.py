"""Recurrent networks (Elman and Jordan) on explicit numbers: unrolling, backpropagation through time, updates."""
from .. import Family, lazy
from ...training.pipeline import GROUPS
from .consistency import consistency
from .schema import RecurrentProblem
from .solver import solve_recurrent

FAMILY = Family(
    "recurrent", RecurrentProblem, consistency, solve_recurrent,
    ask_groups=GROUPS, default_ask=("forward", "loss", "gradients", "input_gradient", "update"),
    alternatives=lazy(".recurrent.checker", "alternatives"),
    locate=lazy("..training.alternatives", "locate"),
    golden=("tests/render/cases/relu-rnn-bptt.yaml",),
)
