"""The mathematics of a loss surface, on SymPy expressions: evaluating exactly, the kind of a point from
its gradient and Hessian, the closed-form stationary points, where the function goes at infinity, the
learning rates gradient descent tolerates on a quadratic, and regularized optima.

Nothing here records a step; the solver turns these results into the worked solution.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from ...engine.number import exact_string, mp, to_mpf
from ...engine.symbolic import Verdict
from ...expr.symbolic import BeyondRange, as_sympy_number, text_of, to_exact, value_at
from ...limits import MAX_EXPANDED_DEGREE, MAX_EXPANDED_TERMS

_ZERO = mp.mpf(10) ** -40   # a 50-digit eigenvalue this small is 0 up to the working precision

MINIMUM = Verdict("local minimum", ("minimum", "local min", "min", "minima", "local minima"))
MAXIMUM = Verdict("local maximum", ("maximum", "local max", "max", "maxima", "local maxima"))
SADDLE = Verdict("saddle point", ("saddle", "saddle pt"))
INCONCLUSIVE = Verdict("inconclusive (semidefinite Hessian)", ("inconclusive", "test fails",
                                                                "second derivative test inconclusive"))
NOT_STATIONARY = Verdict("not stationary", ("not a stationary point", "not a critical point", "non stationary",
                                            "neither"))
FREE = Verdict("any", ("free", "arbitrary", "any value", "anything"), latex=r"\text{any}")
NOT_REAL = Verdict("not a real number", ("undefined", "not defined", "does not exist", "dne", "not real"))
TOO_LARGE = Verdict("beyond 10^±1000", ("too large", "overflow", "infinite", "inf"),
                    latex=r"\text{beyond } 10^{\pm 1000}")
NOT_CLASSIFIED = Verdict("not classified", ("not classified", "unknown"))
UNTESTABLE = Verdict("inconclusive (Hessian not defined)", ("inconclusive", "test fails", "not defined",
                                                             "second derivative test inconclusive"))
NOT_DEFINED = Verdict("not defined", ("undefined", "not defined", "does not exist", "dne", "not differentiable"))
KINDS = [MINIMUM, MAXIMUM, SADDLE, NOT_STATIONARY, INCONCLUSIVE]      # the order cases are written in


def substitute(expr: sp.Expr, values: dict[sp.Symbol, object]) -> sp.Expr:
    """`expr` at the point: each value a number (Fraction or mpf) or a SymPy expression."""
    return expr.xreplace({s: v if isinstance(v, sp.Expr) else as_sympy_number(v) for s, v in values.items()})


def evaluate(expr: sp.Expr, values: dict[sp.Symbol, object]):
    """The exact value of `expr` at the point (ValueError when it is not a real number)."""
    fast = value_at(expr, values)
    return fast if fast is not None else to_exact(substitute(expr, values))


def undefined_part(expr: sp.Expr, values: dict[sp.Symbol, object]) -> str | None:
    """Why `expr` has no real value at the point, in words: its innermost part without one there — "log x
    is undefined at x = 0", "1/x is undefined at x = 0, a division by 0" — or None when no part says."""
    for part in sp.postorder_traversal(expr):
        if not isinstance(part, sp.Expr) or part.is_Atom or not part.free_symbols & set(values):
            continue
        if _real_at(part, values):
            continue
        at = ", ".join(f"{v} = {_number_text(values[v])}" for v in values if v in part.free_symbols)
        if isinstance(part, sp.log):
            operand = _operand(part.args[0])
            return f"log{'' if operand.startswith('(') else ' '}{operand} is undefined at {at}"
        if part.is_Pow and part.exp.is_negative and _real_at(part.base, values) and \
                substitute(part.base, values) == 0:
            power = part.base if part.exp == -1 else part.base ** -part.exp
            return f"1/{_operand(power)} is undefined at {at}, a division by 0"
        if part.is_Pow and not part.exp.is_integer:
            root = part if not part.exp.is_negative else part.base ** -part.exp
            return f"{text_of(root)} is undefined at {at}, the root of a negative number"
        if any(not _real_at(a, values) for a in part.args):      # a part inside said it already
            continue
        return f"{text_of(part)} is undefined at {at}"
    return None


def _real_at(expr: sp.Expr, values: dict) -> bool:
    try:
        value = substitute(expr, values)
        if value.has(sp.zoo, sp.nan, sp.I):
            return False
        if not value.free_symbols:
            to_exact(value)
        return True
    except BeyondRange:          # a real value, only a large one
        return True
    except (ValueError, TypeError, ArithmeticError):
        return False


def _operand(expr: sp.Expr) -> str:
    text = text_of(expr)
    return text if expr.is_Atom or (expr.is_Pow and expr.base.is_Atom) else f"({text})"


def _number_text(value) -> str:
    return text_of(value) if isinstance(value, sp.Expr) else exact_string(value)


def expandable(expr: sp.Expr, variables: list[sp.Symbol]) -> bool:
    """Whether `expr` is a rational function in `variables` small enough that expanding, collecting over a
    common denominator or making a Poly of it stays quick (SymPy has no time bound on any of these): at most
    MAX_EXPANDED_TERMS monomials ((x + y)^40 is fine, (x + y + z)^1000 is not) of degree at most
    MAX_EXPANDED_DEGREE ((x + 1)^999 has only 1000 terms, but of 300 digits each)."""
    present = [v for v in variables if expr.has(v)]
    size = _size(expr, set(present))
    return size is not None and size <= MAX_EXPANDED_DEGREE.value and \
        math.comb(size + len(present), len(present)) <= MAX_EXPANDED_TERMS.value


def _size(expr: sp.Expr, variables: set) -> int | None:
    """A bound on the degree of the numerator and the denominator of `expr` over a common denominator,
    read off the tree without expanding (None: not a rational function of the variables)."""
    if not variables or not expr.has(*variables):
        return 0
    if expr in variables:
        return 1
    if expr.is_Add or expr.is_Mul:
        sizes = [_size(a, variables) for a in expr.args]
        return None if None in sizes else sum(sizes)
    if expr.is_Pow and expr.exp.is_Integer:
        base = _size(expr.base, variables)
        return None if base is None else base * abs(int(expr.exp))
    return None


def gradient(f: sp.Expr, variables: list[sp.Symbol]) -> list[sp.Expr]:
    return [sp.diff(f, v) for v in variables]


def hessian(f: sp.Expr, variables: list[sp.Symbol]) -> sp.Matrix:
    return sp.Matrix([[sp.diff(f, a, b) for b in variables] for a in variables])


def eigenvalues(matrix: list[list]) -> list:
    """Eigenvalues of a symmetric matrix of exact numbers, ascending: exact (rational or as 50 digits) when
    every entry is a rational of at most MAX_ROOT_BITS bits, else by mpmath's symmetric solver."""
    if all(isinstance(x, Fraction) and _small(x) for row in matrix for x in row):
        found = _exact_eigenvalues(tuple(tuple(row) for row in matrix), mp.prec)
        if found is not None:
            return list(found)
    values, _ = mp.eigsy(mp.matrix([[to_mpf(x) for x in row] for row in matrix]))
    return sorted(values)


@lru_cache(maxsize=256)
def _exact_eigenvalues(matrix: tuple, precision: int) -> tuple | None:
    """The exact path of `eigenvalues`, kept per matrix (and working precision): a Hessian that is the same at many
    points (a quadratic's, a point listed many times) is solved once."""
    exact = sp.Matrix([[sp.Rational(x.numerator, x.denominator) for x in row] for row in matrix])
    # the real roots of the characteristic polynomial (all of them: the matrix is symmetric), exactly
    # and at once; eigenvals() writes them in radicals, which for a sextic takes minutes
    roots = sp.Poly(exact.charpoly(sp.Dummy("t")).as_expr()).real_roots()
    return tuple(sorted(to_exact(r) for r in roots)) if len(roots) == len(matrix) else None


MAX_ROOT_BITS = 128    # exact roots of a polynomial with larger coefficients: SymPy factors them, unboundedly


def _small(x: Fraction) -> bool:
    return max(x.numerator.bit_length(), x.denominator.bit_length()) <= MAX_ROOT_BITS


def small_coefficients(poly: sp.Poly) -> bool:
    """Whether exact root finding on `poly` stays quick: SymPy looks for an integer basis among the divisors
    of its coefficients (millions of them for 2^998·3^1000, a factorization for a 600-digit prime)."""
    return all(c.is_Rational and _small(Fraction(int(c.p), int(c.q))) for c in poly.coeffs())


def kind_of_point(grad_values: list, eigen: list | None) -> Verdict:
    return kind_from_signs([sign(g) for g in grad_values], None if eigen is None else [sign(v) for v in eigen])


def kind_from_signs(gradient: list[int], curvature: list[int] | None) -> Verdict:
    """Second-derivative test: a stationary point is a minimum when every eigenvalue of the Hessian is
    positive, a maximum when every one is negative, a saddle when there are both signs (`curvature`: the
    eigenvalues' signs, None without a Hessian)."""
    if any(gradient):
        return NOT_STATIONARY
    if curvature is None:
        return INCONCLUSIVE
    signs = set(curvature)
    if signs == {1}:
        return MINIMUM
    if signs == {-1}:
        return MAXIMUM
    if {1, -1} <= signs:
        return SADDLE
    return INCONCLUSIVE


def sign(x) -> int:
    """The sign of an exact number; a 50-digit one within 10⁻⁴⁰ of 0 is 0."""
    if isinstance(x, Fraction):
        return (x > 0) - (x < 0)
    return 0 if abs(x) < _ZERO else (1 if x > 0 else -1)


# -- behaviour at infinity -----------------------------------------------------------------------
@dataclass
class Extent:
    """Where a polynomial goes far away: unbounded below along `direction`, or coercive (→ +∞ in every
    direction, so its smallest stationary value is the global minimum), constant, or not established."""
    unbounded_below: bool = False
    coercive: bool = False
    direction: tuple | None = None
    linear: bool = False          # unbounded below along −∇f, a constant direction
    constant: bool = False


def extent(f: sp.Expr, variables: list[sp.Symbol]) -> Extent | None:
    if not variables:
        return Extent(constant=True)
    if not f.is_polynomial(*variables) or not expandable(f, variables):
        return None
    poly = sp.Poly(f, *variables)
    degree = poly.total_degree()
    if degree == 0:
        return Extent(constant=True)
    top = sum((c * sp.prod([v ** k for v, k in zip(variables, m)])
               for m, c in zip(poly.monoms(), poly.coeffs()) if sum(m) == degree), sp.Integer(0))
    if top.free_symbols - set(variables):
        return Extent()          # the leading coefficients are symbols: where f goes depends on their signs
    if degree == 1:
        # f(w − t∇f) = f(w) − t‖∇f‖²: down without bound along −∇f
        return Extent(unbounded_below=True, direction=tuple(-top.coeff(v) for v in variables), linear=True)
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
    """`x → −∞ (y fixed)` along an axis, `(x, y) = t·(1, −1) with t → +∞` along any other direction."""
    moving = [(name, d) for name, d in zip(names, direction) if d]
    fixed = [name for name, d in zip(names, direction) if not d]
    if len(moving) == 1:
        name, d = moving[0]
        text = f"{name} → {'+' if d > 0 else '−'}∞"
    else:
        text = f"({', '.join(names)}) = t·({', '.join(_signed(d) for d in direction)}) with t → +∞"
        fixed = []
    return text + (f" ({', '.join(fixed)} fixed)" if fixed else "")


def _signed(x) -> str:
    return str(x).replace("-", "−")


# -- learning rates on a quadratic ----------------------------------------------------------------
def is_quadratic(f: sp.Expr, variables: list[sp.Symbol]) -> bool:
    """A polynomial of degree ≤ 2 in the variables (a linear or constant one too: its Hessian is 0)."""
    present = [v for v in variables if f.has(v)]
    if not present:
        return True
    return f.is_polynomial(*present) and expandable(f, present) and sp.Poly(f, *present).total_degree() <= 2


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
