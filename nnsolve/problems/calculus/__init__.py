"""Calculus of a loss: gradient and Hessian of a formula, the kind of a point, stationary points,
descent iterations on the function, learning rates of a quadratic and regularized optima."""
from .. import Family
from .schema import CalculusProblem, consistency


def _solve(problem, policy=None):
    # SymPy is imported only when a calculus problem is solved: the CLI starts fast for every other family
    from .solver import solve_calculus
    return solve_calculus(problem, policy)


FAMILY = Family("calculus", CalculusProblem, consistency, _solve)
