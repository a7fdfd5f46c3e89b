"""The kind of a point when the function has symbols (f = a·x²): the second-derivative test run once for
every combination of signs of the symbols involved (a > 0, a < 0, a = 0), each symbol replaced by a
positive unknown, its negative or 0, with SymPy's sign rules deciding the gradient and the Hessian's
definiteness. The answer is one verdict when all combinations agree, else the cases ("local minimum if
a > 0, local maximum if a < 0, inconclusive if a = 0"); when signs alone do not decide (f'' = 2a − 2),
the cases are written on the one quantity that does, or the verdict says what it depends on.
"""
from __future__ import annotations

import itertools

import sympy as sp

from ...engine.symbolic import Symbolic, Verdict
from ...expr.cases import by_cases, sign_of
from ...expr.symbolic import text_of
from . import analysis as A

MAX_CASE_SYMBOLS = 3          # 27 sign combinations
MAX_MINORS_SIZE = 3           # leading minors of a symbolic Hessian up to 3×3


def kind_with_symbols(gradient: list[sp.Expr], hessian: sp.Matrix | None, symbols: list[sp.Symbol],
                      nonzero: set) -> Symbolic:
    """The kind of a point from its gradient and Hessian (formulas in `symbols`); a symbol in `nonzero`
    is assumed ≠ 0 (a stationary point found by dividing by it)."""
    entries = [*gradient, *(hessian if hessian is not None else [])]
    used = set().union(*(e.free_symbols for e in entries))
    present = [s for s in symbols if s in used]
    if len(present) <= MAX_CASE_SYMBOLS:
        positive = [sp.Dummy(str(s), positive=True) for s in present]
        table: dict[tuple[int, ...], Verdict] = {}
        for signs in itertools.product((1, -1, 0), repeat=len(present)):
            if any(sign == 0 and s in nonzero for s, sign in zip(present, signs)):
                continue
            values = {s: sign * p for s, sign, p in zip(present, signs, positive)}
            verdict = _kind_under(gradient, hessian, values)
            if verdict is None:
                break
            table[signs] = verdict
        else:
            return by_cases(present, table, A.KINDS)
    return _on_one_quantity(gradient, hessian) or depends_on(present)


DEPENDS = "depends on "


def depends_on(symbols: list[sp.Symbol]) -> Verdict:
    names = ", ".join(map(str, symbols))
    return Verdict(DEPENDS + names, ("depends", DEPENDS + names, "it depends", "undetermined"),
                   latex=rf"\text{{{DEPENDS}}}" + ", ".join(map(sp.latex, symbols)))     # a name may be w_1


def _kind_under(gradient: list[sp.Expr], hessian: sp.Matrix | None, values: dict) -> Verdict | None:
    """The test with the symbols replaced by signed unknowns; None when signs do not decide it."""
    signs = [_sign(g.xreplace(values)) for g in gradient]
    if any(s not in (0, None) for s in signs):
        return A.NOT_STATIONARY
    if None in signs:
        return None
    return A.kind_from_signs(signs, None) if hessian is None else _definiteness(hessian.xreplace(values))


def _definiteness(H: sp.Matrix) -> Verdict | None:
    """The test's verdict at a stationary point from the signs of a symbolic Hessian: its diagonal when it
    is diagonal (the eigenvalues), else Sylvester's leading minors (all > 0: positive definite; alternating
    from < 0: negative definite; otherwise, with det H ≠ 0, indefinite)."""
    n = H.rows
    if H.is_diagonal():
        signs = [_sign(H[i, i]) for i in range(n)]
        return None if None in signs else A.kind_from_signs([0], signs)
    if n > MAX_MINORS_SIZE:
        return None
    minors = [_sign(H[:k, :k].det()) for k in range(1, n + 1)]
    if None in minors:
        return None
    if minors[-1] == 0:
        # a singular 2×2 has eigenvalues 0 and its trace: semidefinite; a larger one may still be a saddle
        return A.INCONCLUSIVE if n == 2 else None
    if all(m == 1 for m in minors):
        return A.MINIMUM
    if all(m == (-1) ** k for k, m in enumerate(minors, start=1)):
        return A.MAXIMUM
    return A.SADDLE


def _on_one_quantity(gradient: list[sp.Expr], hessian: sp.Matrix | None) -> Symbolic | None:
    """With one variable and ∇f = 0 at the point, the test is the sign of f'' there: cases on that formula
    with its positive factor divided out (f'' = 2a − 2: "local minimum if a − 1 > 0")."""
    if hessian is None or hessian.shape != (1, 1) or any(g != 0 for g in gradient):
        return None
    content, quantity = sp.factor_terms(hessian[0, 0]).as_content_primitive()
    if quantity.could_extract_minus_sign():
        quantity, content = -quantity, -content
    up, down = (A.MINIMUM, A.MAXIMUM) if content > 0 else (A.MAXIMUM, A.MINIMUM)
    return by_cases([quantity], {(1,): up, (-1,): down, (0,): A.INCONCLUSIVE}, A.KINDS)


def _sign(value: sp.Expr) -> int | None:
    if A.expandable(value, list(value.free_symbols)):
        value = sp.expand(value)
    return sign_of(value)


def eigenvalue_formulas(H: sp.Matrix) -> tuple[list[sp.Expr], str] | None:
    """The eigenvalues of a symbolic Hessian as formulas, with a note: the diagonal of a diagonal one, the
    closed form of a 2×2; None for anything larger (their formulas are no help to a reader)."""
    n = H.rows
    if H.is_diagonal():
        return [H[i, i] for i in range(n)], "the diagonal entries (H is diagonal), in the order of the variables"
    if n == 2:
        trace, det = sp.expand(H.trace()), H.det()
        root = sp.sqrt(sp.expand(trace ** 2 - 4 * det))
        return [(trace - root) / 2, (trace + root) / 2], f"(tr H ∓ √(tr² H − 4 det H))/2 with tr H = {text_of(trace)}"
    return None
