"""One point of the function, given or stationary: its coordinates, f, the gradient, the Hessian with its
determinant and eigenvalues, and its kind.

Values are exact numbers, or formulas when the function has symbols (f(P1) = a + c), or "not a real
number" where the function leaves its domain (log at 0) — then the kind says the test does not apply,
instead of a number that means nothing.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ...engine.computation import Symbol
from ...engine.symbolic import Symbolic
from ...expr.symbolic import BeyondRange, as_sympy_number
from . import analysis as A
from .signs import DEPENDS, eigenvalue_formulas, kind_with_symbols

MAX_SYMBOLIC_DET = 4      # a determinant of formulas beyond 4×4 has too many terms to be worth showing


def record_point(solver, name: str, at: dict, title: str, stationary: bool = False, nonzero: frozenset = frozenset(),
                 assumption: str = "") -> None:
    """The point `at` (for each variable a number, a SymPy number or formula, or FREE) under `name`."""
    coords, values = [], {}
    for v in solver.vars:
        x = at[v]
        if x is A.FREE or (isinstance(x, sp.Expr) and x.free_symbols & set(solver.vars)):
            coords.append(x if x is A.FREE else solver.shown(x))
            if x is A.FREE and not solver.f.has(v):
                values[v] = sp.Integer(0)     # the function does not depend on it: any value, 0 stands in
            continue
        shown = solver.value_of(x, A.NOT_REAL) if isinstance(x, sp.Expr) else x
        coords.append(shown)
        values[v] = x if isinstance(x, sp.Expr) else as_sympy_number(x)
        solver.value_node(f"{v}({name})", Symbol(sp.latex(v), str(v)), shown, title)
    solver.value_node(name, Symbol(name, name), coords, title, note=assumption)
    kind = Symbol(rf"\text{{type}}({name})", f"type({name})")
    if len(values) < len(solver.vars):
        solver.value_node(f"type({name})", kind, A.INCONCLUSIVE, title, note="a family of points: the test needs numbers")
        return
    ids = {str(v): f"{v}({name})" for v in solver.vars if f"{v}({name})" in solver.comp.nodes}
    # at a stationary point the gradient is 0 by construction: no need to show each part
    f_node, by_variable = solver.values_at(name, f"({name})", values, ids, title, partials=not stationary,
                                           undefined=A.NOT_REAL)
    grads = [g.value[()] if not stationary else Fraction(0) for g in by_variable.values()]
    shown_grads = [g.value[()] if not stationary else g for g in by_variable.values()]
    solver.value_node(f"gradient({name})", Symbol(rf"\nabla {solver.name}({name})", f"∇{solver.name}({name})"),
                      shown_grads, title, note="0 at a stationary point" if stationary else "")
    if any(v is A.TOO_LARGE for v in [f_node.value[()], *grads]):
        solver.value_node(f"type({name})", kind, A.NOT_CLASSIFIED, title,
                          note=f"{solver.name} or its gradient is beyond 10^±1000 at {name}: no test is carried out")
        return
    if any(v is A.NOT_REAL for v in [f_node.value[()], *grads]):
        reason = next(filter(None, (A.undefined_part(expr, values) for expr, v in
                                    zip([solver.f, *solver.grads], [f_node.value[()], *grads]) if v is A.NOT_REAL)), "")
        why = f"{reason}" if reason else "outside the function's domain, or where it has no derivative"
        solver.value_node(f"type({name})", kind, A.NOT_DEFINED, title,
                          note=f"{solver.name} or its gradient is not a real number at {name} ({why}): the test "
                               "does not apply")
        return
    _curvature(solver, name, values, grads, title, nonzero)


def _curvature(solver, name: str, values: dict, grads: list, title: str, nonzero: frozenset) -> None:
    """The Hessian at the point, its determinant and eigenvalues (of the variables f depends on), the kind."""
    kind = Symbol(rf"\text{{type}}({name})", f"type({name})")
    if solver.H is None:
        verdict = _kind(solver, grads, None, None, nonzero)
        solver.value_node(f"type({name})", kind, verdict, title,
                          note="∇ = 0, and without the Hessian (hessian: false) the test decides nothing"
                          if verdict == A.INCONCLUSIVE else _reason(verdict))
        return
    n = len(solver.vars)
    matrix = [[solver.value_of(solver.H[i, j], A.NOT_REAL, values) for j in range(n)] for i in range(n)]
    solver.value_node(f"hessian({name})", Symbol(f"H({name})", f"H({name})"), matrix, title)
    keep = [i for i, v in enumerate(solver.vars) if v in solver.active]
    of = "" if len(keep) == n else \
        f"of the Hessian in {', '.join(str(solver.vars[i]) for i in keep)} ({solver.name} does not depend on the others)"
    unusable = [matrix[i][j] for i in keep for j in keep if matrix[i][j] in (A.NOT_REAL, A.TOO_LARGE)]
    if unusable:
        verdict = _kind(solver, grads, None, None, nonzero)
        verdict = A.UNTESTABLE if verdict == A.INCONCLUSIVE else verdict
        what = "beyond 10^±1000" if A.TOO_LARGE in unusable else "not a real number"
        solver.value_node(f"type({name})", kind, verdict, title,
                          note=f"the Hessian is {what} at {name}: " +
                               ("∇ ≠ 0" if verdict == A.NOT_STATIONARY else "the second-derivative test does not apply"))
        return
    if not keep:
        verdict = _kind(solver, grads, None, None, nonzero)
        solver.value_node(f"type({name})", kind, verdict, title,
                          note=f"{solver.name} is constant: every point is stationary and the second-derivative test "
                               "is inconclusive")
        return
    active = sp.Matrix([[_formula(matrix[i][j]) for j in keep] for i in keep])
    symbolic = bool(active.free_symbols)
    eigen = None
    if not symbolic:
        numbers = [[matrix[i][j] for j in keep] for i in keep]
        det = sp.Matrix([[as_sympy_number(x) for x in row] for row in numbers]).det()
        solver.value_node(f"det_hessian({name})", Symbol(rf"\det H({name})", f"det H({name})"),
                          solver.value_of(det, A.NOT_REAL), title, note=of)
        try:
            eigen = A.eigenvalues(numbers)
        except BeyondRange:
            solver.value_node(f"eigenvalues({name})", Symbol(rf"\lambda({name})", f"λ({name})"), A.TOO_LARGE, title)
            solver.value_node(f"type({name})", kind, A.NOT_CLASSIFIED, title,
                              note=f"the Hessian's eigenvalues are beyond 10^±1000 at {name}: no test is carried out")
            return
        solver.value_node(f"eigenvalues({name})", Symbol(rf"\lambda({name})", f"λ({name})"), eigen, title,
                          note=of or "ascending")
    else:
        if len(keep) <= MAX_SYMBOLIC_DET:
            solver.value_node(f"det_hessian({name})", Symbol(rf"\det H({name})", f"det H({name})"),
                              solver.value_of(sp.factor(active.det())), title, note=of)
        formulas = eigenvalue_formulas(active)
        if formulas is not None:
            solver.value_node(f"eigenvalues({name})", Symbol(rf"\lambda({name})", f"λ({name})"),
                              [solver.value_of(x) for x in formulas[0]], title, note=of or formulas[1])
    verdict = _kind(solver, grads, active, eigen, nonzero)
    solver.value_node(f"type({name})", kind, verdict, title, note=_reason(verdict))


def _kind(solver, grads: list, active: sp.Matrix | None, eigen: list | None, nonzero: frozenset):
    """The verdict, by numbers when the point's gradient and Hessian are numbers, else by signs."""
    if not any(isinstance(g, Symbolic) for g in grads) and (active is None or not active.free_symbols):
        return A.kind_of_point(grads, eigen)
    formulas = [_formula(g) for g in grads]
    return kind_with_symbols(formulas, active, solver.symbols, nonzero)


def _formula(value) -> sp.Expr:
    """A recorded value back as SymPy: an Expression's own formula, a number exactly."""
    return value.meaning if isinstance(value, Symbolic) else as_sympy_number(value)


def _reason(kind) -> str:
    if kind.text.startswith(DEPENDS):
        return f"the signs of {kind.text.removeprefix(DEPENDS)} alone do not decide the test here: give numbers " \
               "for them under constants to classify the point"
    if kind not in A.KINDS:
        return "the second-derivative test under each sign of the symbols"
    return {A.MINIMUM.label: "∇ = 0 and every eigenvalue > 0", A.MAXIMUM.label: "∇ = 0 and every eigenvalue < 0",
            A.SADDLE.label: "∇ = 0 and eigenvalues of both signs", A.NOT_STATIONARY.label: "∇ ≠ 0",
            }.get(kind.label, "∇ = 0 but an eigenvalue is 0: the second-derivative test decides nothing")
