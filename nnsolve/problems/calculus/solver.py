"""The worked solution of a calculus problem: the function, its gradient and Hessian as formulas, their
values and the kind of every given point, the stationary points, where the function goes far away, then
(when asked) descent iterations, learning rates and regularized optima.

Ids (function named f, variables x, y; a point P1): `f`, `df/dx`, `gradient`, `hessian`; at a point
`P1`, `f(P1)`, `df/dx(P1)`, `gradient(P1)`, `hessian(P1)`, `det_hessian(P1)`, `eigenvalues(P1)`,
`type(P1)`; stationary points `S1`, `S2` … with the same quantities and `stationary_count`; `minimum`
(a verdict), `global_minimum` and `infimum` (numbers); `delta_x` for the symbolic update; descent
`x` (start), `f(0)`, `df/dx(0)`, `x(1)` …; learning rates `eigenvalues(H)`, `eta_opt`, `eta_max`,
`eta_converge`, `eta_best`, `condition_number`, per variable `eta_max(x)`, `eta_opt(x)`, at a point
`hessian(at)`, `eigenvalues(at)`, `lambda_max(at)`, `eta_max(at)`, `eta_opt(at)`; regularized optima `w*`,
`w*_l2` or `w*_l1` and `alpha_zero(w1)`; Taylor polynomials `taylor1`, `taylor2` (with `taylor.f`,
`taylor.gradient`, `taylor.hessian`); thresholds `solve(alpha)`, `smallest(alpha)`, `largest(alpha)`; a
descent's `stopped_at` and, for a long run, the last iterate `x(N)` (see descent.py).
"""
from __future__ import annotations

import sympy as sp

from ...engine.computation import Computation, Policy, Symbol
from ...engine.formula import Formula
from ...engine.number import mp
from ...engine.symbolic import Symbolic, Verdict
from ...expr.symbolic import BeyondRange, Expression, formula_of, text_of, to_exact, to_sympy
from ...solution import Solution
from ..common import solution_of
from . import analysis as A
from .analysis import expandable
from .descent import run_descent
from .function import function_of, names
from .local import local_rates, taylor
from .thresholds import solve_for
from .optima import learning_rates, regularized_optimum
from .points import record_point
from .schema import CalculusProblem, point_list, read, readings, variables_of
from .stationary import stationary_points

MAX_SHOWN_TERMS = 60       # a derived polynomial is shown expanded when it has at most this many terms

NO_MINIMUM = Verdict("none: unbounded below", ("none", "no minimum", "does not exist", "unbounded below",
                                               "no global minimum", "-inf", "−∞"))


class CalculusSolver:
    def __init__(self, problem: CalculusProblem, policy: Policy):
        self.p = problem
        self.name = problem.name
        self.comp = Computation(policy, Symbol(problem.name, problem.name))
        self.sections: dict[str, str] = {}
        self.conventions: list[tuple[str, str]] = []
        self.names = variables_of(problem)
        function = function_of(problem)
        self.f, self.vars, self.symbols = function.f, function.variables, function.symbols
        self.definitions, self.parts, self.where_count = function.definitions, function.parts, function.where_count
        self.active = [v for v in self.vars if self.f.has(v)]

    # -- recording -----------------------------------------------------------------------------
    def section(self, title: str, *nodes) -> None:
        for node in nodes:
            self.sections.setdefault(node.id, title)

    def shown(self, expr: sp.Expr, as_written: bool = False, expand: bool = True) -> Expression:
        """A derived formula written with the problem's named parts (z, y) where they occur, a polynomial
        expanded (12x² − 64 as keys write it, not SymPy's 4(3x² − 16)); the function itself as written."""
        if expand and not as_written and expr.is_polynomial(*self.vars) and \
                expandable(expr, self.vars + self.symbols):
            expanded = sp.expand(expr)
            # (x + y)^99 has 100 terms of 30 digits: no reader follows that, and its printing takes seconds
            if len(sp.Add.make_args(expanded)) <= MAX_SHOWN_TERMS:
                expr = expanded
        for part, name in self.parts[:self.where_count] if as_written else self.parts:
            expr = expr.subs(part, name)
        return Expression(expr, self.definitions)

    def formula_node(self, node_id: str, latex: str, text: str, expr: sp.Expr, title: str, note: str = "",
                     as_written: bool = False, expand: bool = True):
        node = self.comp.derived(node_id, Symbol(latex, text), self.shown(expr, as_written, expand), None, "given",
                                 note)
        self.section(title, node)
        return node

    def value_node(self, node_id: str, symbol_: Symbol, value, title: str, formula: Formula | None = None,
                   note: str = ""):
        node = self.comp.derived(node_id, symbol_, value, formula, "forward", note)
        self.section(title, node)
        return node

    def value_of(self, expr: sp.Expr, undefined: Verdict | None = None, at: dict | None = None):
        """`expr` (at the point `at`) as an exact number, a formula when symbols remain (f(P1) = a + c), or
        `undefined` where it is not a real number (without it, ValueError)."""
        try:
            fast = A.value_at(expr, at) if at is not None else None
            if fast is not None:
                return fast
            if at is not None:
                expr = A.substitute(expr, at)
            if expr.has(sp.zoo, sp.nan, sp.I):              # a/0 with a symbol a: ∞̃·a is no formula to show
                raise ValueError("not a real number")
            return self.shown(expr) if expr.free_symbols else to_exact(expr)
        except BeyondRange:
            if undefined is None:
                raise
            return A.TOO_LARGE
        except (ValueError, TypeError, ArithmeticError):     # also SymPy's min(∞̃, 1): "not comparable"
            if undefined is None:
                raise ValueError("not a real number") from None
            return undefined

    def values_at(self, tag: str, latex_tag: str, values: dict, ids: dict[str, str], title: str,
                  partials: bool = True, undefined: Verdict | None = None) -> tuple:
        """f and each ∂f/∂v at one place — a point P1 (`f(P1)`) or an iterate 0 (`f(0)`, written f⁽⁰⁾) —
        with formulas showing the place's numbers (`ids` names the quantity of each variable there).
        Returns f's node and, by variable, the partials' nodes (their values alone with partials=False)."""
        value = self.value_of(self.f, undefined, values)
        f = self.value_node(f"{self.name}({tag})", Symbol(f"{self.name}{latex_tag}", f"{self.name}({tag})"),
                            value, title, formula_of(self.f, ids), note=self.why_undefined(self.f, value, values))
        grads = {}
        for v, g in zip(self.vars, self.grads):
            value = self.value_of(g, undefined, values)
            if partials:
                latex, text = self.partial(v)
                value = self.value_node(f"d{self.name}/d{v}({tag})", Symbol(latex + latex_tag, f"{text}({tag})"),
                                        value, title, formula_of(g, ids), note=self.why_undefined(g, value, values))
            grads[str(v)] = value
        return f, grads

    def why_undefined(self, expr: sp.Expr, value, values: dict) -> str:
        """For a value that is not a real number, the part of `expr` that has none at the point."""
        return (A.undefined_part(expr, values) or "") if value is A.NOT_REAL else ""

    def partial(self, v: sp.Symbol) -> tuple[str, str]:
        return rf"\frac{{\partial {self.name}}}{{\partial {sp.latex(v)}}}", f"∂{self.name}/∂{v}"

    # -- the solution --------------------------------------------------------------------------
    def solve(self) -> Solution:
        p = self.p
        where = "; ".join(f"{k} = {v}" for k, v in {**p.where, **p.in_terms_of}.items())
        self.formula_node(self.name, self.name, self.name, self.f, "Function", f"where {where}" if where else "",
                          as_written=True)
        self.grads = A.gradient(self.f, self.vars)
        title = "Gradient"
        for v, g in zip(self.vars, self.grads):
            self.formula_node(f"d{self.name}/d{v}", *self.partial(v), g, title)
        self.value_node("gradient", Symbol(rf"\nabla {self.name}", f"∇{self.name}"),
                        [self.shown(g) for g in self.grads], title)
        self.H = A.hessian(self.f, self.vars) if p.hessian else None
        if self.H is not None:
            matrix = [[self.shown(entry) for entry in self.H.row(i)] for i in range(self.H.rows)]
            self.value_node("hessian", Symbol("H", "H"), matrix, "Hessian",
                            note=f"H[i][j] = ∂²{self.name}/∂vᵢ∂vⱼ in the order " + ", ".join(self.names))
        if p.update is not None:
            self.symbolic_update()
        for name, _, coords in point_list(p):
            record_point(self, name, dict(zip(self.vars, coords)), f"At {name}")
        extent = self.stationary()
        self.global_behaviour(extent)
        if p.taylor is not None:
            taylor(self)
        if p.solve_for:
            solve_for(self)
        if p.learning_rate is True:
            learning_rates(self)
        elif p.learning_rate:
            local_rates(self, p.learning_rate.at)
        if p.regularized is not None:
            regularized_optimum(self)
        if p.descent is not None:
            run_descent(self)
        return self.solution()

    def symbolic_update(self) -> None:
        rate_text = self.p.update.learning_rate
        rate = to_sympy(read(self.p, rate_text), self.definitions)
        for v, g in zip(self.vars, self.grads):
            self.formula_node(f"delta_{v}", rf"\Delta {sp.latex(v)}", f"Δ{v}", sp.factor_terms(-rate * g),
                              "Gradient-descent update", f"Δ{v} = −{rate_text} · ∂{self.name}/∂{v}", expand=False)
        self.conventions.append(("update", f"gradient descent: w ← w + Δw with Δw = −{rate_text} ∇{self.name}"))

    # -- stationary points and the global picture ----------------------------------------------
    def stationary(self) -> A.Extent | None:
        if not self.p.stationary_points:
            return None
        found = stationary_points(self.grads, self.vars)
        title = f"Stationary points (∇{self.name} = 0)"
        self.stationary_found = found
        count = Symbol("n_S", "number of stationary points")
        if not found.complete:
            self.value_node("stationary_count", count, Verdict("not solved in closed form"), title, note=found.reason)
            return A.extent(self.f, self.active)
        note = found.reason or f"every real solution of ∇{self.name} = 0; a variable not in the equations is free (any value)"
        assumption = found.assumption()
        self.value_node("stationary_count", count, len(found.solutions), title,
                        note=f"{note}; {assumption}" if assumption else note)
        # a symbol the solution divides by is ≠ 0 at these points: its cases leave 0 out
        nonzero = frozenset(a for a in found.assumed if a.is_Symbol)
        for k, solution in enumerate(found.solutions, start=1):
            at = {v: solution.get(v, A.FREE) for v in self.vars}
            record_point(self, f"S{k}", at, f"Stationary point S{k}", stationary=True, nonzero=nonzero,
                         assumption=assumption)
        return A.extent(self.f, self.active)

    def global_behaviour(self, extent: A.Extent | None) -> None:
        title = "Global minimum"
        minimum = Symbol(rf"\min {self.name}", f"min {self.name}")
        if extent is None:
            return
        if extent.constant:
            self.value_node("global_minimum", minimum, self.value_of(self.f), title,
                            note=f"{self.name} is constant: every point is a global minimum (and maximum)")
            return
        if extent.unbounded_below:
            if extent.linear:
                down = ", ".join(text_of(-g) for g in self.grads)
                along = f"along −∇{self.name} = ({down}): {self.name}(w − t∇{self.name}) = {self.name}(w) − " \
                        f"t‖∇{self.name}‖² for t → +∞ (a nonconstant linear function)"
            else:
                along = "as " + A.direction_text(extent.direction, [str(v) for v in self.active])
            self.value_node("infimum", Symbol(rf"\inf {self.name}", f"inf {self.name}"), -mp.inf, title,
                            note=f"{self.name} → −∞ {along}: no minimum exists")
            self.value_node("minimum", minimum, NO_MINIMUM, title, note="so no local minimum is a global one")
            return
        found = getattr(self, "stationary_found", None)
        if extent.coercive and found is not None and found.complete:
            kinds = [n for n in self.comp.order if n.id.startswith("type(S")]
            minima = [n for n in kinds if n.value[()] == A.MINIMUM]
            values = {n.id[5:-1]: self.comp.value(f"{self.name}({n.id[5:-1]})")[()] for n in minima}
            # with symbols a point's kind may depend on them, and of two formulas neither need be the smaller
            if not minima or any(n.value[()] not in A.KINDS for n in kinds) or \
                    (len(minima) > 1 and any(isinstance(v, Symbolic) for v in values.values())):
                return
            best = next(iter(values.values())) if len(minima) == 1 else min(values.values())
            where = [k for k, v in values.items() if v == best]
            self.value_node("global_minimum", minimum, best, title,
                            note=f"at {', '.join(where)}: {self.name} → +∞ in every direction, so the smallest "
                                 "local minimum is the global one")

    # -- assembling ------------------------------------------------------------------------------
    def solution(self) -> Solution:
        steps = self.comp.to_steps(lambda n: self.sections.get(n.id, "Given"), givens_first=False)
        conventions = [("derivatives", "symbolic (exact); relu'(0) = 0, |x|' = sign(x); e and pi are the "
                                       "constants unless named as variables")]
        said = readings(self.p)
        if said:
            conventions.insert(0, ("implicit multiplication", "; ".join(said) + " (the names the file declares decide it)"))
        if self.symbols:
            one = len(self.symbols) == 1
            conventions.insert(0, ("symbols", f"{names(self.symbols)} "
                                              f"{'is a constant (not a variable)' if one else 'are constants (not variables)'}"
                                              f": the answers are formulas in {'it' if one else 'them'}"))
        if any(n.id.startswith("type(") for n in self.comp.order):
            conventions.append(("classification", "second-derivative test: all Hessian eigenvalues > 0 → local "
                                                  "minimum, all < 0 → local maximum, both signs → saddle, a 0 → "
                                                  "inconclusive"))
        solution = solution_of(self.p, "calculus", conventions + self.conventions, steps, policy=self.comp.policy)
        solution.aliases = {f"{v}(0)": str(v) for v in self.vars if solution.has(str(v)) and not solution.has(f"{v}(0)")}
        solution.groups = {
            "gradient": [s.id for s in solution.steps if s.section == "Gradient"],
            "hessian": ["hessian"] if solution.has("hessian") else [],
            "points": [s.id for s in solution.steps if s.id.startswith("type(")] +
                      [i for i in ("minimum", "global_minimum", "infimum") if solution.has(i)],
            "descent": [s.id for s in solution.steps if s.section.startswith("Update")],
            "taylor": [i for i in ("taylor1", "taylor2") if solution.has(i)],
            "learning_rates": [s.id for s in solution.steps if s.section.startswith("Learning rates")],
            "thresholds": [s.id for s in solution.steps if s.section == "Thresholds"],
        }
        return solution


def solve_calculus(problem: CalculusProblem, policy: Policy | None = None) -> Solution:
    return CalculusSolver(problem, policy or Policy()).solve()
