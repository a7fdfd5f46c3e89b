"""Closed forms on a quadratic surface f(w) = ½ wᵀHw + … : the learning rates gradient descent tolerates
(per eigen-direction λ: fastest 1/λ, convergent below 2/λ) and the optimum with an L2 or L1 penalty."""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ...engine.computation import Symbol
from ...engine.formula import Formula
from ...engine.number import exact_string
from ...engine.symbolic import Verdict
from ...expr.symbolic import as_sympy_number, to_exact
from . import analysis as A

NOT_QUADRATIC = "the learning-rate analysis needs a quadratic function (a constant Hessian)"


def _constant_hessian(solver) -> list[list] | None:
    if not A.is_quadratic(solver.f, solver.vars):
        return None
    H = A.hessian(solver.f, solver.vars)
    return [[to_exact(H[i, j]) for j in range(H.shape[1])] for i in range(H.shape[0])]


def learning_rates(solver) -> None:
    title = "Learning rates (gradient descent on a quadratic)"
    H = _constant_hessian(solver)
    if H is None:
        solver.value_node("lr_analysis", Symbol(r"\eta", "η analysis"), Verdict("not a quadratic"), title,
                          note=NOT_QUADRATIC)
        return
    eigen = A.eigenvalues(H)
    lam = solver.value_node("eigenvalues(H)", Symbol(r"\lambda", "λ"), eigen, title,
                            note="eigenvalues of the constant Hessian, ascending: the curvature along each eigenvector")
    if min(eigen) <= 0:
        flat = [exact_string(v) for v in eigen if v <= 0]
        solver.value_node("minimum", Symbol(rf"\min {solver.name}", f"min {solver.name}"),
                          Verdict("none: the surface has no minimum", ("none", "no minimum", "does not exist")), title,
                          note=f"eigenvalue(s) {', '.join(flat)} ≤ 0: along such a direction the surface is flat or "
                               "curves down, so gradient descent cannot converge to a minimum for any η > 0")
        return
    solver.value_node("eta_opt", Symbol(r"\eta^{*}_i", "η*ᵢ"), [1 / v for v in eigen], title,
                      Formula(r"1 / {0}", "1 / {0}", (lam.id,)),
                      "per eigen-direction: η = 1/λ reaches that direction's minimum in one step")
    solver.value_node("eta_max", Symbol(r"\eta^{\max}_i", "ηmaxᵢ"), [2 / v for v in eigen], title,
                      Formula(r"2 / {0}", "2 / {0}", (lam.id,)),
                      "per eigen-direction: it converges for η < 2/λ, oscillates at 2/λ, diverges above")
    low, high = eigen[0], eigen[-1]
    solver.value_node("eta_converge", Symbol(r"\eta_{\mathrm{conv}}", "η_conv"), 2 / high, title,
                      note="every direction converges exactly when η < 2/λmax; above it gradient descent diverges")
    solver.value_node("eta_best", Symbol(r"\eta_{\mathrm{best}}", "η_best"), 2 / (low + high), title,
                      note="2/(λmin + λmax): the fastest rate for the slowest direction (= 1/λ with one variable)")
    solver.value_node("condition_number", Symbol(r"\kappa", "κ"), high / low, title, note="λmax / λmin")


def regularized_optimum(solver) -> None:
    spec = solver.p.regularized
    title = f"Optimum with an {spec.penalty.upper()} penalty"
    H = _constant_hessian(solver)
    if H is None:
        solver.value_node("w*", Symbol("w^*", "w*"), Verdict("no closed form"), title, note=NOT_QUADRATIC)
        return
    plain = sp.solve(solver.grads, solver.vars, dict=True)
    if len(plain) != 1 or any(v not in plain[0] for v in solver.vars) or min(A.eigenvalues(H)) <= 0:
        solver.value_node("w*", Symbol("w^*", "w*"), Verdict("no unique minimum"), title,
                          note="the unregularized quadratic has no unique minimum (H is not positive definite)")
        return
    optimum = [to_exact(plain[0][v]) for v in solver.vars]
    w = solver.value_node("w*", Symbol("w^*", "w*"), optimum, title, note="∇f = 0 without the penalty")
    alpha = Fraction(spec.strength)
    if spec.penalty == "l2":
        weight = alpha if spec.half else 2 * alpha
        shrunk = A.l2_optimum(solver.grads, solver.vars, as_sympy_number(weight))
        penalty = "α/2·‖w‖²" if spec.half else "α‖w‖²"
        solver.value_node("w*_l2", Symbol(r"w^*_{L2}", "w*_L2"), [to_exact(shrunk[v]) for v in solver.vars], title,
                          note=f"f + {penalty} with α = {exact_string(alpha)}: solves ∇f + {exact_string(weight)}·w = 0")
        return
    if any(H[i][j] != 0 for i in range(len(H)) for j in range(len(H)) if i != j):
        solver.value_node("w*_l1", Symbol(r"w^*_{L1}", "w*_L1"), Verdict("no closed form"), title,
                          note="the L1 optimum has a closed form only when the Hessian is diagonal (separable)")
        return
    solver.value_node("w*_l1", Symbol(r"w^*_{L1}", "w*_L1"),
                      [A.soft_threshold(o, alpha / H[i][i]) for i, o in enumerate(optimum)], title,
                      Formula(r"\operatorname{sign}({0}) \max(|{0}| - \alpha / H_{ii}, 0)",
                              "sign({0})·max(|{0}| − α/Hᵢᵢ, 0)", (w.id,)),
                      f"f + α‖w‖₁ with α = {exact_string(alpha)}, separable: each weight soft-thresholded")
