"""LSTM and GRU cells on explicit numbers: every gate, cell and hidden value per step; loss, BPTT, updates."""
from .. import Family
from .consistency import consistency
from .schema import GatedRnnProblem
from .solver import solve_gated_rnn

FAMILY = Family("gated_rnn", GatedRnnProblem, consistency, solve_gated_rnn)
