"""The mathematics of a loss surface, on SymPy expressions: evaluating exactly, the kind of a point from
its gradient and Hessian, the closed-form stationary points, where the function goes at infinity, the
learning rates gradient descent tolerates on a quadratic, and regularized optima.

Nothing here records a step; the solver turns these results into the worked solution.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ...engine.number import mp, to_mpf
from ...engine.symbolic import Verdict
from ...expr.symbolic import as_sympy_number, to_exact

DIGIT_LIMIT = 1200          # an exact fraction beyond this many digits is carried as a 50-digit decimal
_ZERO = mp.mpf(10) ** -40   # a 50-digit eigenvalue this small is 0 up to the working precision

MINIMUM = Verdict("local minimum", ("minimum", "local min", "min", "minima", "local minima"))
MAXIMUM = Verdict("local maximum", ("maximum", "local max", "max", "maxima", "local maxima"))
SADDLE = Verdict("saddle point", ("saddle", "saddle pt"))
INCONCLUSIVE = Verdict("inconclusive (semidefinite Hessian)", ("inconclusive", "test fails",
                                                                "second derivative test inconclusive"))
NOT_STATIONARY = Verdict("not stationary", ("not a stationary point", "not a critical point", "non stationary",
                                            "neither"))
FREE = Verdict("any", ("free", "arbitrary", "any value", "anything"), latex=r"\text{any}")


def evaluate(expr: sp.Expr, values: dict[sp.Symbol, object]):
    """The exact value of `expr` at the point (Fractions stay exact; a huge fraction becomes 50 digits)."""
    substituted = expr.xreplace({s: v if isinstance(v, sp.Expr) else as_sympy_number(_bounded(v))
                                 for s, v in values.items()})
    return to_exact(substituted)


def _bounded(v):
    if isinstance(v, Fraction) and max(v.numerator.bit_length(), v.denominator.bit_length()) > DIGIT_LIMIT * 3.33:
        return to_mpf(v)
    return v


def gradient(f: sp.Expr, variables: list[sp.Symbol]) -> list[sp.Expr]:
    return [sp.diff(f, v) for v in variables]


def hessian(f: sp.Expr, variables: list[sp.Symbol]) -> sp.Matrix:
    return sp.Matrix([[sp.diff(f, a, b) for b in variables] for a in variables])


def eigenvalues(matrix: list[list]) -> list:
    """Eigenvalues of a symmetric matrix of exact numbers, ascending: exact (rational or as 50 digits) when
    every entry is rational, else by mpmath's symmetric solver."""
    if all(isinstance(x, Fraction) for row in matrix for x in row):
        exact = sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in matrix])
        values = []
        for value, multiplicity in exact.eigenvals().items():
            values += [to_exact(sp.re(value))] * multiplicity     # symmetric: real, whatever the radicals say
        return sorted(values)
    values, _ = mp.eigsy(mp.matrix([[to_mpf(x) for x in row] for row in matrix]))
    return sorted(values)


def kind_of_point(grad_values: list, eigen: list | None) -> Verdict:
    """Second-derivative test: a stationary point is a minimum when every eigenvalue of the Hessian is
    positive, a maximum when every one is negative, a saddle when there are both signs."""
    if any(_sign(g) != 0 for g in grad_values):
        return NOT_STATIONARY
    if eigen is None:
        return INCONCLUSIVE
    signs = {_sign(v) for v in eigen}
    if signs == {1}:
        return MINIMUM
    if signs == {-1}:
        return MAXIMUM
    if {1, -1} <= signs:
        return SADDLE
    return INCONCLUSIVE


def _sign(x) -> int:
    if isinstance(x, Fraction):
        return (x > 0) - (x < 0)
    return 0 if abs(x) < _ZERO else (1 if x > 0 else -1)


# -- stationary points --------------------------------------------------------------------------
@dataclass
class Stationary:
    solutions: list[dict[sp.Symbol, sp.Expr]]   # each a point; a variable absent from it is free
    complete: bool                             # every real solution was found
    reason: str = ""                           # why no closed form was attempted


MAX_SOLVE_DEGREE = 6


def stationary_points(grads: list[sp.Expr], variables: list[sp.Symbol]) -> Stationary:
    """Real solutions of ∇f = 0 when every component is a rational function of small degree: the
    numerators are solved as a polynomial system and points where a denominator vanishes dropped (SymPy's
    solver on anything else may take unbounded time, so it is not tried)."""
    equations = [g for g in grads if g != 0]
    used = [v for v in variables if any(g.has(v) for g in equations)]
    if not equations:
        return Stationary([{}], True)
    if not all(g.is_rational_function(*used) for g in equations):
        return Stationary([], False, "the gradient equations are not a polynomial or rational system: no closed "
                                     "form is attempted")
    fractions = [sp.fraction(sp.together(g)) for g in equations]
    numerators = [n for n, _ in fractions]
    degree = max(sp.Poly(n, *used).total_degree() for n in numerators)
    if degree > MAX_SOLVE_DEGREE or len(used) > 3:
        return Stationary([], False, f"the gradient equations have degree {degree} in {len(used)} unknowns: too "
                                     "large to solve in closed form here")
    found = sp.solve(numerators, used, dict=True)
    real = [s for s in found if all(value.is_real is not False and sp.im(value) == 0 for value in s.values())
            and all(d.xreplace(s) != 0 for _, d in fractions)]
    return Stationary(sorted(real, key=lambda s: [sp.N(s.get(v, 0)) for v in used if not s.get(v, v).free_symbols]),
                      True)


# -- behaviour at infinity -----------------------------------------------------------------------
@dataclass
class Extent:
    """Where a polynomial goes far away: unbounded below along `direction`, or coercive (→ +∞ in every
    direction, so its smallest stationary value is the global minimum), or not established."""
    unbounded_below: bool = False
    coercive: bool = False
    direction: tuple | None = None


def extent(f: sp.Expr, variables: list[sp.Symbol]) -> Extent | None:
    if not variables or not f.is_polynomial(*variables):
        return None
    poly = sp.Poly(f, *variables)
    degree = poly.total_degree()
    if degree == 0:
        return None
    top = sum((c * sp.prod([v ** k for v, k in zip(variables, m)])
               for m, c in zip(poly.monoms(), poly.coeffs()) if sum(m) == degree), sp.Integer(0))
    # along t·v the function behaves as t^degree · top(v): a direction where that is negative sends it to −∞
    for v in _directions(len(variables)):
        value = top.xreplace(dict(zip(variables, v)))
        if value < 0 or (degree % 2 == 1 and value != 0):
            sign = 1 if value < 0 else -1
            return Extent(unbounded_below=True, direction=tuple(sign * c for c in v))
    diagonal = all(sum(1 for k in m if k) == 1 for m in sp.Poly(top, *variables).monoms())
    if degree % 2 == 0 and diagonal and len(sp.Poly(top, *variables).monoms()) == len(variables) \
            and all(c > 0 for c in sp.Poly(top, *variables).coeffs()):
        return Extent(coercive=True)       # Σ cᵢ xᵢ^d with every cᵢ > 0 and d even dominates everything else
    return Extent()


def _directions(n: int):
    """Axis directions first, then every ±1 combination (enough for exam polynomials)."""
    for i in range(n):
        yield tuple(int(i == j) for j in range(n))
    for signs in itertools.product((1, -1, 0), repeat=n):
        if sum(1 for s in signs if s) >= 2:
            yield signs


def direction_text(direction: tuple, names: list[str]) -> str:
    parts = [f"{name} → {'+' if d > 0 else '−'}∞" for name, d in zip(names, direction) if d]
    fixed = [name for name, d in zip(names, direction) if not d]
    same = " with " + " = ".join(n for n, d in zip(names, direction) if d) if len(parts) > 1 else ""
    return ", ".join(parts) + same + (f" ({', '.join(fixed)} fixed)" if fixed else "")


# -- learning rates on a quadratic ----------------------------------------------------------------
def is_quadratic(f: sp.Expr, variables: list[sp.Symbol]) -> bool:
    return f.is_polynomial(*variables) and sp.Poly(f, *variables).total_degree() <= 2


# -- regularized optima ----------------------------------------------------------------------------
def l2_optimum(grads: list[sp.Expr], variables: list[sp.Symbol], alpha: sp.Expr) -> dict | None:
    """The solution of ∇f + α w = 0 for a quadratic f (a linear system)."""
    solution = sp.solve([g + alpha * v for g, v in zip(grads, variables)], variables, dict=True)
    return solution[0] if len(solution) == 1 and all(v in solution[0] for v in variables) else None


def soft_threshold(w: Fraction, threshold: Fraction) -> Fraction:
    """sign(w)·max(|w| − t, 0): the L1 optimum of a separable quadratic."""
    if abs(w) <= threshold:
        return Fraction(0)
    return w - threshold if w > 0 else w + threshold
