"""Small classics: entropy and divergences, softmax and cross-entropy, weight-initialization variances, training
arithmetic, dropout counts and scales, output-layer and loss choices, depth and width of a stack of dense layers."""
from .. import Family, lazy
from .schema import ClassicsProblem, consistency
from .solver import solve_classics

FAMILY = Family(
    "classics", ClassicsProblem, consistency, solve_classics,
    ask_groups={"results": "every quantity each item of `compute` gives"}, default_ask=("results",),
    alternatives=lazy(".classics.checker", "alternatives"),
    golden=("examples/bits-001/qb-js-divergence.yaml",),
)
