"""Recurrent networks (Elman and Jordan) on explicit numbers: unrolling, backpropagation through time, updates."""
from .. import Family
from .consistency import consistency
from .schema import RecurrentProblem
from .solver import solve_recurrent

FAMILY = Family("recurrent", RecurrentProblem, consistency, solve_recurrent)
