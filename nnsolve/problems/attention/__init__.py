"""Scaled dot-product attention on explicit numbers: self- or cross-attention, masks, several heads,
the output projection, and the backward pass to X and every weight."""
from .. import Family
from .consistency import consistency
from .schema import AttentionProblem
from .solver import solve_attention

FAMILY = Family("attention", AttentionProblem, consistency, solve_attention)
