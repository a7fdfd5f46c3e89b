"""The function near one point: its Taylor polynomials of order 1 and 2, and the learning rates its local
curvature allows (the Hessian's largest eigenvalue there; per variable when the Hessian is diagonal).

Taylor ids (the point named by `taylor.at`, coordinates a): `taylor.f(a)`, `taylor.gradient`, `taylor.hessian`,
`taylor1` = f(a) + ∇f(a)·(w − a) and `taylor2` = taylor1 + ½ (w − a)ᵀ H(a) (w − a) — formulas in the variables
(and the symbols). Local rates (`learning_rate: {at: …}`): `hessian(at)`, `eigenvalues(at)`, `lambda_max(at)`,
`eta_max(at)` = 2/λmax, `eta_opt(at)` = 1/λmax, and with a diagonal Hessian `eta_max(x)` = 2/hₓₓ and
`eta_opt(x)` = 1/hₓₓ for every variable x.
"""
from __future__ import annotations

import sympy as sp

from ...engine.computation import Symbol
from ...engine.formula import Formula
from ...engine.symbolic import Symbolic, Verdict
from ...expr.symbolic import CONSTANTS, as_sympy_number, symbol
from . import analysis as A


def point_of(solver, given) -> dict:
    """{variable: SymPy number or symbol} of a point written as a list (in the variables' order) or by name; a
    coordinate written as a name is a symbol (a Taylor polynomial around w0), a constant's name its number."""
    values = [given[str(v)] for v in solver.vars] if isinstance(given, dict) else list(given)
    return {v: (solver.definitions.get(x, CONSTANTS.get(x, symbol(x))) if isinstance(x, str) else as_sympy_number(x))
            for v, x in zip(solver.vars, values)}


def taylor(solver) -> None:
    spec = solver.p.taylor
    title = "Taylor polynomials"
    at = point_of(solver, spec.at)
    where = ", ".join(f"{v} = {A._number_text(x)}" for v, x in at.items())
    value = solver.value_of(solver.f, undefined=A.NOT_REAL, at=at)
    f0 = solver.value_node("taylor.f", Symbol(rf"{solver.name}(a)", f"{solver.name}(a)"), value, title,
                           note=f"at a: {where}")
    grads = [solver.value_of(g, undefined=A.NOT_REAL, at=at) for g in solver.grads]
    g0 = solver.value_node("taylor.gradient", Symbol(rf"\nabla {solver.name}(a)", f"∇{solver.name}(a)"), grads, title)
    if any(x in (A.NOT_REAL, A.TOO_LARGE) for x in [value, *grads]):
        solver.value_node("taylor1", Symbol("T_1", "T₁"), Verdict("not defined"), title,
                          note=f"{solver.name} or its gradient has no real value at a")
        return
    # the polynomial's coefficients exactly (sin(1), not its 50 digits): the steps above show their numbers
    shift = [v - x for v, x in at.items()]
    first = A.substitute(solver.f, at) + sum((A.substitute(g, at) * d for g, d in zip(solver.grads, shift)),
                                             sp.Integer(0))
    solver.value_node("taylor1", Symbol("T_1", "T₁"), solver.shown(first, expand=False), title,
                      Formula(r"{0} + {1} \cdot (w - a)", "{0} + {1}·(w − a)", (f0.id, g0.id)),
                      "first order: the tangent plane at a")
    if spec.order < 2:
        return
    H = A.hessian(solver.f, solver.vars) if solver.H is None else solver.H
    n = len(solver.vars)
    matrix = [[solver.value_of(H[i, j], undefined=A.NOT_REAL, at=at) for j in range(n)] for i in range(n)]
    h0 = solver.value_node("taylor.hessian", Symbol("H(a)", "H(a)"), matrix, title)
    if any(x in (A.NOT_REAL, A.TOO_LARGE) for row in matrix for x in row):
        solver.value_node("taylor2", Symbol("T_2", "T₂"), Verdict("not defined"), title,
                          note="the Hessian has no real value at a")
        return
    quadratic = sum((A.substitute(H[i, j], at) * shift[i] * shift[j] for i in range(n) for j in range(n)),
                    sp.Integer(0)) / 2
    solver.value_node("taylor2", Symbol("T_2", "T₂"), solver.shown(first + quadratic, expand=False), title,
                      Formula(r"{0} + {1} \cdot (w - a) + \tfrac{1}{2} (w - a)^\top {2} (w - a)",
                              "{0} + {1}·(w − a) + ½ (w − a)ᵀ {2} (w − a)", (f0.id, g0.id, h0.id)),
                      "second order: the quadratic model at a (exact for a quadratic function)")


def local_rates(solver, given) -> None:
    """The rates gradient descent tolerates near the point: from the Hessian's eigenvalues there."""
    title = "Learning rates from the local curvature"
    at = point_of(solver, given)
    H = A.hessian(solver.f, solver.vars) if solver.H is None else solver.H
    n = len(solver.vars)
    matrix = [[solver.value_of(H[i, j], undefined=A.NOT_REAL, at=at) for j in range(n)] for i in range(n)]
    where = ", ".join(f"{v} = {A._number_text(x)}" for v, x in at.items())
    solver.value_node("hessian(at)", Symbol("H(a)", "H(a)"), matrix, title, note=f"the curvature at a: {where}")
    if any(isinstance(x, Symbolic) for row in matrix for x in row):
        solver.value_node("eta_max(at)", Symbol(r"\eta_{\max}(a)", "ηmax(a)"), Verdict("needs numbers"), title,
                          note="the Hessian at a is not a number (it has no real value, or has symbols)")
        return
    per_variable(solver, matrix, title, "at a")
    eigen = A.eigenvalues(matrix)
    lam = solver.value_node("eigenvalues(at)", Symbol(r"\lambda(a)", "λ(a)"), eigen, title, note="ascending")
    top = eigen[-1]
    solver.value_node("lambda_max(at)", Symbol(r"\lambda_{\max}(a)", "λmax(a)"), top, title,
                      Formula(r"\max {0}", "max {0}", (lam.id,)))
    if A.sign(top) <= 0:
        solver.value_node("eta_max(at)", Symbol(r"\eta_{\max}(a)", "ηmax(a)"), Verdict("no bound"), title,
                          note="no direction curves up at a (λmax ≤ 0): the curvature sets no bound on η there")
        return
    solver.value_node("eta_max(at)", Symbol(r"\eta_{\max}(a)", "ηmax(a)"), 2 / top, title,
                      Formula(r"2 / {0}", "2 / {0}", ("lambda_max(at)",)),
                      "near a, gradient descent is stable for η < 2/λmax (the steepest curvature); a bound "
                      "that holds where the curvature is as at a")
    solver.value_node("eta_opt(at)", Symbol(r"\eta^{*}(a)", "η*(a)"), 1 / top, title,
                      Formula(r"1 / {0}", "1 / {0}", ("lambda_max(at)",)),
                      "1/λmax: the steepest direction's minimum of the quadratic model in one step")


def eta_symbol(kind: str, v) -> Symbol:
    return Symbol(rf"\eta_{{\max,{v}}}", f"ηmax_{v}") if kind == "max" else Symbol(rf"\eta^{{*}}_{{{v}}}", f"η*_{v}")


def per_variable(solver, matrix: list[list], title: str, where: str = "") -> bool:
    """With a diagonal Hessian the variables are independent directions: for each, η < 2/hᵢᵢ converges and
    η = 1/hᵢᵢ reaches that direction's minimum in one step (a variable with hᵢᵢ ≤ 0 has no bound)."""
    n = len(matrix)
    if n < 2 or any(matrix[i][j] != 0 for i in range(n) for j in range(n) if i != j):
        return False
    suffix = f" {where}" if where else ""
    for i, v in enumerate(solver.vars):
        h = matrix[i][i]
        if A.sign(h) <= 0:
            solver.value_node(f"eta_max({v})", eta_symbol("max", v), Verdict("no bound"), title,
                              note=f"h_{v}{v} ≤ 0{suffix}: this direction does not curve up")
            continue
        solver.value_node(f"eta_max({v})", eta_symbol("max", v), 2 / h, title,
                          note=f"the Hessian is diagonal{suffix}: along {v}, η < 2/h_{v}{v} converges")
        solver.value_node(f"eta_opt({v})", eta_symbol("opt", v), 1 / h, title,
                          note=f"η = 1/h_{v}{v} reaches the minimum along {v} in one step")
    return True
