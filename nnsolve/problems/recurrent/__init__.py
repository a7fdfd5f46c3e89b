"""Recurrent networks (Elman and Jordan) on explicit numbers: unrolling, backpropagation through time, updates."""
from .. import lazy
from ...training.pipeline import training_family
from .consistency import consistency
from .schema import RecurrentProblem
from .solver import solve_recurrent

FAMILY = training_family(
    "recurrent", RecurrentProblem, consistency, solve_recurrent,
    default_ask=("forward", "loss", "gradients", "input_gradient", "update"),
    alternatives=lazy(".recurrent.checker", "alternatives"),
    golden=("tests/render/cases/relu-rnn-bptt.yaml",),
)
