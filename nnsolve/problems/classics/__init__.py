"""Small classics: entropy and divergences, weight-initialization variances, training arithmetic,
depth and width of a stack of dense layers."""
from .. import Family
from .schema import ClassicsProblem, consistency
from .solver import solve_classics

FAMILY = Family("classics", ClassicsProblem, consistency, solve_classics)
