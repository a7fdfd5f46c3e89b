"""Calculus of a loss: gradient and Hessian of a formula, the kind of a point, stationary points,
descent iterations on the function, learning rates of a quadratic and regularized optima."""
from .. import Family
from .schema import CalculusProblem, consistency

GROUPS = {"gradient": "the partial derivatives", "hessian": "the Hessian matrix",
          "points": "the kind of every given and stationary point, and the global minimum or infimum",
          "descent": "every descent iterate", "taylor": "the Taylor polynomials",
          "learning_rates": "the learning rates the curvature allows", "thresholds": "the solved thresholds"}


def _solve(problem, policy=None):
    # SymPy is imported only when a calculus problem is solved: the CLI starts fast for every other family
    from .solver import solve_calculus
    return solve_calculus(problem, policy)


def _alternatives(problem):
    from ...optim.alternatives import optimizer_alternatives
    return optimizer_alternatives(problem, "descent")


FAMILY = Family(
    "calculus", CalculusProblem, consistency, _solve,
    ask_groups=GROUPS, default_ask=lambda problem, solution: [*problem.answers] or list(GROUPS),
    alternatives=_alternatives,
    golden=("tests/render/cases/calculus-gradient-descent.yaml",),
)
