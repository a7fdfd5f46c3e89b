"""The stationary points of a function: the real solutions of ∇f = 0, in closed form when the equations
are small enough that SymPy's solvers finish (a polynomial or rational system of small degree), and
with symbols (a, b …) in the coefficients only where the cases are clear: one equation in one unknown,
factored, or a linear system — each under the assumption, stated, that what the formula divides by is
not 0 (x = −b/(2a) for a ≠ 0)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ...expr.symbolic import text_of
from ...limits import MAX_EXPANDED_DEGREE, MAX_EXPANDED_TERMS
from .analysis import MAX_ROOT_BITS, expandable, small_coefficients

MAX_SOLVE_DEGREE = 6
MAX_UNKNOWNS = 3
MAX_SYMBOLS = 4


@dataclass
class Stationary:
    solutions: list[dict[sp.Symbol, sp.Expr]]   # each a point; a variable absent from it is free
    complete: bool                             # every real solution was found
    reason: str = ""                           # why no closed form was attempted, or what is special
    assumed: list[sp.Expr] = field(default_factory=list)   # factors of the symbols assumed ≠ 0

    def assumption(self) -> str:
        return "assuming " + ", ".join(f"{text_of(a)} ≠ 0" for a in self.assumed) if self.assumed else ""


def stationary_points(grads: list[sp.Expr], variables: list[sp.Symbol]) -> Stationary:
    """Real solutions of ∇f = 0 when every component is a rational function of small degree: the
    numerators are solved as a polynomial system and points where a denominator vanishes dropped (SymPy's
    solver on anything else may take unbounded time, so it is not tried)."""
    equations = [g for g in grads if g != 0]
    if not equations:
        return Stationary([{}], True, "∇ = 0 identically: every point is stationary")
    constant = [g for g in equations if not g.has(*variables)]
    if constant:
        return _constant_gradient(constant, len(constant) == len(equations))
    used = [v for v in variables if any(g.has(v) for g in equations)]
    symbols = set().union(*(g.free_symbols for g in equations)) - set(variables)
    if not all(g.is_rational_function(*used) for g in equations):
        return Stationary([], False, "the gradient equations are not a polynomial or rational system: no closed "
                                     "form is attempted")
    if not all(expandable(g, used) for g in equations):
        return Stationary([], False, "the gradient equations are too large to expand: no closed form is attempted "
                                     f"(raise it with {MAX_EXPANDED_TERMS.variable} and {MAX_EXPANDED_DEGREE.variable})")
    fractions = [sp.fraction(sp.together(g)) for g in equations]
    numerators = [n for n, _ in fractions]
    degree = max(sp.Poly(n, *used).total_degree() for n in numerators)
    if degree > MAX_SOLVE_DEGREE or len(used) > MAX_UNKNOWNS:
        return Stationary([], False, f"the gradient equations have degree {degree} in {len(used)} unknowns: too "
                                     "large to solve in closed form here")
    if not symbols and not all(small_coefficients(sp.Poly(n, *used)) for n in numerators):
        return Stationary([], False, f"the gradient equations have coefficients of more than {MAX_ROOT_BITS} bits: "
                                     "too large to solve in closed form here")
    if symbols:
        found = _with_symbols(numerators, used, symbols, degree)
    elif len(used) == 1 and len(numerators) == 1:
        # SymPy's solve writes a sextic's roots in radicals for minutes; the real roots come exactly (as
        # rationals, radicals of a quadratic factor or CRootOf of a larger one) in milliseconds
        roots = sp.Poly(numerators[0], used[0]).real_roots()
        found = Stationary([{used[0]: r} for r in dict.fromkeys(roots)], True)
    else:
        found = Stationary(sp.solve(numerators, used, dict=True), True)
    found.solutions = [s for s in found.solutions if all(d.xreplace(s) != 0 for _, d in fractions)]
    if not symbols:
        found.solutions = sorted([s for s in found.solutions if all(_real(value) for value in s.values())],
                                 key=lambda s: [sp.N(s.get(v, 0)) for v in used if not s.get(v, v).free_symbols])
    return found


def _real(value: sp.Expr) -> bool:
    return value.is_real is not False and sp.im(value) == 0


def _constant_gradient(constant: list[sp.Expr], whole: bool) -> Stationary:
    """A component of ∇f with no variable in it (all of them for a linear function): no stationary point
    — unless it is a formula in symbols that may be 0, which the solution then assumes it is not."""
    said = "none: the gradient is a nonzero constant" if whole else \
        "none: a component of the gradient is a nonzero constant"
    if any(not g.free_symbols for g in constant):
        return Stationary([], True, said)
    if len(constant) == 1:
        return Stationary([], True, said, _factors(constant[0]))
    return Stationary([], True, f"{said} (assuming {', '.join(map(text_of, constant))} are not all 0)")


def _with_symbols(numerators: list[sp.Expr], used: list[sp.Symbol], symbols: set, degree: int) -> Stationary:
    names = ", ".join(sorted(map(str, symbols)))
    if len(symbols) > MAX_SYMBOLS:
        return Stationary([], False, f"the equations have {len(symbols)} symbols ({names}): give numbers for them "
                                     "under constants to solve them")
    if len(used) == 1 and len(numerators) == 1:
        return _one_unknown(numerators[0], used[0], names)
    if degree == 1 and len(numerators) == len(used):
        return _linear(numerators, used, names)
    shape = "a linear system that is not square" if degree == 1 else "nonlinear equations"
    return Stationary([], False, f"{shape} with symbolic coefficients ({names}): no closed form is attempted; "
                                 "give numbers for them under constants to solve them")


def _one_unknown(equation: sp.Expr, x: sp.Symbol, names: str) -> Stationary:
    """The roots of one polynomial equation factor by factor: a factor without x is assumed ≠ 0, a
    linear factor gives its root, a quadratic its two roots when they are real for every value of the
    symbols (or none when they never are); anything else is left unsolved."""
    _, factors = sp.factor_list(equation)
    roots, assumed = [], []
    for factor, _ in factors:
        if not factor.has(x):
            assumed += _factors(factor)
            continue
        coefficients = sp.Poly(factor, x).all_coeffs()
        leading = coefficients[0]
        assumed += _factors(leading)
        if len(coefficients) == 2:
            roots.append(sp.cancel(-coefficients[1] / leading))
            continue
        if len(coefficients) != 3:
            return Stationary([], False, f"{text_of(factor)} = 0 has degree {len(coefficients) - 1} in {x} with "
                                         f"symbols ({names}): no closed form is attempted")
        a, b, c = coefficients
        discriminant = sp.expand(b ** 2 - 4 * a * c)
        if discriminant.is_negative:
            continue
        if not discriminant.is_nonnegative:
            deciding = sp.factor_terms(discriminant).as_content_primitive()[1]
            return Stationary([], False, f"whether {text_of(factor)} = 0 has real solutions depends on the sign "
                                         f"of {text_of(deciding)}: give numbers for {names} under constants")
        roots += [(-b - sp.sqrt(discriminant)) / (2 * a), (-b + sp.sqrt(discriminant)) / (2 * a)]
    unique = list(dict.fromkeys(roots))
    return Stationary([{x: r} for r in unique], True, assumed=_distinct(assumed))


def _linear(equations: list[sp.Expr], unknowns: list[sp.Symbol], names: str) -> Stationary:
    """A square linear system A·v = b with symbolic coefficients: the unique solution where det A ≠ 0."""
    A, b = sp.linear_eq_to_matrix(equations, unknowns)
    det = sp.factor(A.det())
    if det == 0:
        return Stationary([], False, f"the equations are dependent for every value of {names}: no closed form is "
                                     "attempted; give numbers for them under constants")
    solution = A.LUsolve(b)
    return Stationary([{v: sp.factor(sp.cancel(x)) for v, x in zip(unknowns, solution)}], True,
                      assumed=_factors(det))


def _factors(expr: sp.Expr) -> list[sp.Expr]:
    """The factors of `expr`'s numerator that contain symbols (2a(b − 1)/c → a, b − 1), each with a positive
    leading sign: what must not be 0 for `expr` not to be."""
    _, factors = sp.factor_list(sp.fraction(sp.together(expr))[0])
    out = []
    for factor, _ in factors:
        if factor.free_symbols:
            out.append(-factor if factor.could_extract_minus_sign() else factor)
    return out


def _distinct(items: list) -> list:
    return list(dict.fromkeys(items))
