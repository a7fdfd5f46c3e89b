"""Closed forms on a quadratic surface f(w) = ½ wᵀHw + bᵀw + c: the learning rates gradient descent tolerates
(per eigen-direction λ: fastest 1/λ, convergent below 2/λ) and the optimum with an L2 or L1 penalty.

A linear function (H = 0) is a quadratic too: it has no curvature, so no learning-rate bound follows, and
only a penalty gives it an optimum (f + α/2‖w‖² is minimal at w = −∇f/α)."""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ...engine.computation import Symbol
from ...engine.formula import Formula
from ...engine.number import exact_string
from ...engine.symbolic import Verdict
from ...expr.symbolic import as_sympy_number, to_exact
from . import analysis as A
from .local import per_variable

NOT_QUADRATIC = "the learning-rate analysis needs a quadratic function (a constant Hessian)"
NO_MINIMUM = Verdict("none: the surface has no minimum", ("none", "no minimum", "does not exist"))
NO_UNIQUE = Verdict("no unique minimum", ("none", "no unique minimum", "not unique"))


def _constant_hessian(solver, variables) -> list[list] | None:
    if not A.is_quadratic(solver.f, variables):
        return None
    H = A.hessian(solver.f, variables)
    return [[to_exact(H[i, j]) for j in range(H.shape[1])] for i in range(H.shape[0])]


def _has_minimum(solver) -> bool:
    """Whether ∇f = 0 has a solution (a quadratic whose Hessian is positive semidefinite then has its
    minimum there; without one, its linear part slopes along a flat direction and it falls forever)."""
    return bool(sp.solve(solver.grads, solver.vars, dict=True))


def learning_rates(solver) -> None:
    title = "Learning rates (gradient descent on a quadratic)"
    if A.is_quadratic(solver.f, solver.active) and A.hessian(solver.f, solver.active).free_symbols:
        _symbolic_rates(solver, title)
        return
    # a variable f does not use never moves under gradient descent: only the others have curvature
    H = _constant_hessian(solver, solver.active)
    analysis = Symbol(r"\eta", "η analysis")
    if H is None:
        solver.value_node("lr_analysis", analysis, Verdict("not a quadratic"), title, note=NOT_QUADRATIC)
        return
    if all(x == 0 for row in H for x in row):
        moving = any(g != 0 for g in solver.grads)
        solver.value_node("lr_analysis", analysis, Verdict("no curvature", ("no curvature", "no bound", "none")), title,
                          note="H = 0: every update is the same step −η∇f, so no learning-rate bound follows; "
                               + ("gradient descent never converges (f decreases without bound along −∇f)" if moving
                                  else "f is constant and nothing moves"))
        return
    per_variable(solver, H, title)      # a diagonal H: the variables are the eigen-directions, each its own rate
    eigen = A.eigenvalues(H)
    lam = solver.value_node("eigenvalues(H)", Symbol(r"\lambda", "λ"), eigen, title,
                            note="eigenvalues of the constant Hessian, ascending: the curvature along each eigenvector")
    signs = [A.sign(v) for v in eigen]
    if -1 in signs or (0 in signs and not _has_minimum(solver)):
        why = f"eigenvalue(s) {', '.join(exact_string(v) for v, s in zip(eigen, signs) if s < 0)} < 0: along such a " \
              "direction the surface curves down" if -1 in signs else \
              "an eigenvalue is 0 and the linear part slopes along that flat direction"
        note = f"{why}, so f has no minimum and gradient descent cannot converge for any η > 0"
        if "minimum" in solver.comp.nodes:          # the global picture said so already
            solver.value_node("lr_analysis", analysis, Verdict("no convergent rate"), title, note=note)
        else:
            solver.value_node("minimum", Symbol(rf"\min {solver.name}", f"min {solver.name}"), NO_MINIMUM, title,
                              note=note)
        return
    curved = [v for v, s in zip(eigen, signs) if s > 0]
    flat = "" if len(curved) == len(eigen) else \
        "; along an eigenvalue 0 the surface is flat (a valley of minima) and no η moves the iterate along it"
    solver.value_node("eta_opt", Symbol(r"\eta^{*}_i", "η*ᵢ"), [1 / v for v in curved], title,
                      Formula(r"1 / {0}", "1 / {0}", (lam.id,)) if not flat else None,
                      "per eigen-direction: η = 1/λ reaches that direction's minimum in one step" + flat)
    solver.value_node("eta_max", Symbol(r"\eta^{\max}_i", "ηmaxᵢ"), [2 / v for v in curved], title,
                      Formula(r"2 / {0}", "2 / {0}", (lam.id,)) if not flat else None,
                      "per eigen-direction: it converges for η < 2/λ, oscillates at 2/λ, diverges above")
    low, high = curved[0], curved[-1]
    solver.value_node("eta_converge", Symbol(r"\eta_{\mathrm{conv}}", "η_conv"), 2 / high, title,
                      note="every direction converges exactly when η < 2/λmax; above it gradient descent diverges")
    solver.value_node("eta_best", Symbol(r"\eta_{\mathrm{best}}", "η_best"), 2 / (low + high), title,
                      note="2/(λmin + λmax): the fastest rate for the slowest direction (= 1/λ with one variable)"
                           + ("; λmin the smallest positive eigenvalue" if flat else ""))
    if not flat:
        solver.value_node("condition_number", Symbol(r"\kappa", "κ"), high / low, title, note="λmax / λmin")


def _symbolic_rates(solver, title: str) -> None:
    """A diagonal Hessian with symbols (f = a·x² + b·y²): each variable's rates as formulas, for h > 0."""
    from .local import eta_symbol
    from ...expr.symbolic import text_of

    H = A.hessian(solver.f, solver.active)
    for i, v in enumerate(solver.active):
        h = H[i, i]
        if h == 0:
            solver.value_node(f"eta_max({v})", eta_symbol("max", v), Verdict("no bound"), title,
                              note=f"h_{v}{v} = 0: no curvature along {v}")
            continue
        content, sign_part = h.as_content_primitive()       # 2·a > 0 exactly when a > 0
        deciding = text_of(sign_part if content > 0 else h)
        assumed = f"for {deciding} > 0 (with {deciding} ≤ 0 this direction does not curve up: no bound)"
        solver.value_node(f"eta_max({v})", eta_symbol("max", v), solver.shown(2 / h, expand=False), title,
                          note=f"the Hessian is diagonal: along {v}, η < 2/h_{v}{v} converges, {assumed}")
        solver.value_node(f"eta_opt({v})", eta_symbol("opt", v), solver.shown(1 / h, expand=False), title,
                          note=f"η = 1/h_{v}{v} reaches the minimum along {v} in one step, {assumed}")


def regularized_optimum(solver) -> None:
    spec = solver.p.regularized
    title = f"Optimum with an {spec.penalty.upper()} penalty"
    H = _constant_hessian(solver, solver.vars)
    if H is None:
        solver.value_node("w*", Symbol("w^*", "w*"), Verdict("no closed form"), title, note=NOT_QUADRATIC)
        return
    smallest = min(A.eigenvalues(H))
    if A.sign(smallest) > 0:
        plain = sp.solve(solver.grads, solver.vars, dict=True)[0]
        w = solver.value_node("w*", Symbol("w^*", "w*"), [to_exact(plain[v]) for v in solver.vars], title,
                              note="∇f = 0 without the penalty")
    else:
        w = solver.value_node("w*", Symbol("w^*", "w*"), NO_UNIQUE, title,
                              note="the unregularized quadratic has no unique minimum (H is not positive definite)")
    alpha = Fraction(spec.strength)
    if spec.penalty == "l2":
        _l2(solver, title, alpha, smallest)
    else:
        _l1(solver, title, alpha, H, w)


def _l2(solver, title: str, alpha: Fraction, smallest) -> None:
    """f + α/2‖w‖² has Hessian H + αI: a unique optimum, solving ∇f + αw = 0, when that is positive definite."""
    spec = solver.p.regularized
    weight = alpha if spec.half else 2 * alpha
    penalty = "α/2·‖w‖²" if spec.half else "α‖w‖²"
    node, symbol = "w*_l2", Symbol(r"w^*_{L2}", "w*_L2")
    if A.sign(smallest + weight) <= 0:
        solver.value_node(node, symbol, NO_UNIQUE, title,
                          note=f"f + {penalty} with α = {exact_string(alpha)}: H + {exact_string(weight)}·I is not "
                               "positive definite, so there is no unique minimum")
        return
    shrunk = A.l2_optimum(solver.grads, solver.vars, as_sympy_number(weight))
    solver.value_node(node, symbol, [to_exact(shrunk[v]) for v in solver.vars], title,
                      note=f"f + {penalty} with α = {exact_string(alpha)}: solves ∇f + {exact_string(weight)}·w = 0")


def _zeroing(solver, title: str, slopes: list, H: list[list]) -> None:
    """For each weight where f curves up, the smallest α for which its L1 optimum is 0: soft-thresholding zeroes
    it when |bᵢ| ≤ α (bᵢ = ∂f/∂wᵢ at 0), an inequality in the symbol α solved exactly."""
    from .thresholds import smallest_where

    a = sp.Symbol("alpha", nonnegative=True)
    for v, b, h in zip(solver.vars, slopes, (H[i][i] for i in range(len(H)))):
        if h <= 0:
            continue
        least = smallest_where(sp.Le(sp.Abs(as_sympy_number(b)) - a, 0), a)
        solver.value_node(f"alpha_zero({v})", Symbol(rf"\alpha_{{0,{v}}}", f"α₀({v})"), to_exact(least), title,
                          note=f"the smallest α with {v}* = 0: soft-thresholding zeroes {v} when |∂f/∂{v}(0)| ≤ α")


def _l1(solver, title: str, alpha: Fraction, H: list[list], w) -> None:
    """f + α‖w‖₁ of a separable quadratic, weight by weight: soft-thresholding where it curves up; where it
    is linear (Hᵢᵢ = 0, slope bᵢ) the optimum is 0 when |bᵢ| < α, and there is none when |bᵢ| > α."""
    node, symbol = "w*_l1", Symbol(r"w^*_{L1}", "w*_L1")
    if any(H[i][j] != 0 for i in range(len(H)) for j in range(len(H)) if i != j):
        solver.value_node(node, symbol, Verdict("no closed form"), title,
                          note="the L1 optimum has a closed form only when the Hessian is diagonal (separable)")
        return
    origin = {v: sp.Integer(0) for v in solver.vars}
    slopes = [A.evaluate(g, origin) for g in solver.grads]        # bᵢ = ∂f/∂wᵢ at w = 0
    said = f"f + α‖w‖₁ with α = {exact_string(alpha)}, separable"
    if any(H[i][i] < 0 or (H[i][i] == 0 and abs(slopes[i]) > alpha) for i in range(len(H))):
        solver.value_node(node, symbol, NO_MINIMUM, title,
                          note=f"{said}: along a weight where f curves down, or is linear with a slope steeper than α, "
                               "it decreases without bound")
        return
    if any(H[i][i] == 0 and abs(slopes[i]) == alpha for i in range(len(H))):
        solver.value_node(node, symbol, NO_UNIQUE, title,
                          note=f"{said}: a weight where f is linear with slope ±α is flat on one side of 0")
        return
    optimum = [A.soft_threshold(-b / h, alpha / h) if h > 0 else Fraction(0) for b, h in
               ((slopes[i], H[i][i]) for i in range(len(H)))]
    _zeroing(solver, title, slopes, H)
    curved = all(H[i][i] > 0 for i in range(len(H)))
    solver.value_node(node, symbol, optimum, title,
                      Formula(r"\operatorname{sign}({0}) \max(|{0}| - \alpha / H_{ii}, 0)",
                              "sign({0})·max(|{0}| − α/Hᵢᵢ, 0)", (w.id,)) if curved else None,
                      f"{said}: each weight soft-thresholded" +
                      ("" if curved else "; a weight where f is linear (Hᵢᵢ = 0, |slope| < α) stays at 0"))
