"""Rosenblatt's perceptron learning rule, sample by sample, as the exam's table."""
from .. import Family
from .schema import PerceptronProblem, consistency
from .solver import solve_perceptron

FAMILY = Family(
    "perceptron_learning", PerceptronProblem, consistency, solve_perceptron,
    default_ask=lambda problem, solution: (["w", "b"] if solution.has("b") else ["w"]) + ["converged"],
    golden=("examples/perceptron/bits-mk-q3a-xnor-perceptron-epoch.yaml",),
)
