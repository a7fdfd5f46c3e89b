"""Sinusoidal positional encoding (Vaswani et al. 2017) of given positions and dimensions."""
from .. import Family
from .schema import PositionalProblem, consistency
from .solver import solve_positional

FAMILY = Family(
    "positional_encoding", PositionalProblem, consistency, solve_positional,
    ask_groups={"encoding": "every PE(pos, dim) value"}, default_ask=("encoding",),
    golden=("tests/render/cases/positional-encoding.yaml",),
)
