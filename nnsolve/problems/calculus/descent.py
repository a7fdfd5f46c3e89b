"""Iterations of an optimizer on the function itself: at each iterate the function's value and its
gradient from the derivative formulas, then the optimizer's update — the same optimizers (and the same
recorded steps) as for networks, so momentum, Nesterov, Adagrad, RMSProp, Adam and Rprop all work.

An iteration that runs away (the iterate or the value beyond 10¹² times where it started) or leaves the
function's domain stops with a verdict that says so, instead of numbers that mean nothing.
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Symbol
from ...engine.number import exact_string, mp, to_mpf
from ...engine.symbolic import Verdict
from ...limits import MAX_DESCENT_WORK
from ..errors import Issue, ProblemError
from ...expr.symbolic import BeyondRange, symbol
from ...ops.scalar import DomainError
from ...optim import Pass, make_optimizer
from .analysis import undefined_part
from .schema import start_values

RUNAWAY = 10 ** 12
DIVERGED = Verdict("diverges", ("diverge", "diverged", "divergent", "does not converge", "unbounded"))
UNDEFINED = Verdict("leaves the domain", ("undefined", "not defined", "domain error"))


def run_descent(solver) -> None:
    p, comp, name = solver.p, solver.comp, solver.name
    spec = p.descent
    cost = ITERATE_COST + _distinct_parts([solver.f, *solver.grads])
    params = {}
    for v, value in start_values(p).items():
        params[v] = comp.given(v, Symbol(v, v), value, differentiable=True)
        solver.section("Start", params[v])
    optimizer = make_optimizer(spec, comp, solver)
    scale = max([abs(Fraction(x)) for x in start_values(p).values()] + [Fraction(1)])
    first_value = None
    rows = []
    for s in range(spec.steps + 1):
        _check_work(s, spec.steps, cost)
        title = "Start" if s == 0 else f"Update {s}: {optimizer.title}"
        try:
            at = _evaluate(solver, params, s, title)
        except BeyondRange:
            _stop(solver, DIVERGED, f"the iteration diverges: at iterate {s} {name} or its gradient is beyond 10^±1000 "
                                    f"(η = {exact_string(spec.lr)})", title)
            break
        except (DomainError, ValueError):
            where = ", ".join(f"{v} = {exact_string(n.value[()])}" for v, n in params.items())
            values = {symbol(v): n.value[()] for v, n in params.items()}
            reason = next(filter(None, (undefined_part(e, values) for e in [solver.f, *solver.grads])), None)
            _stop(solver, UNDEFINED, f"the iteration stops: at iterate {s} ({where}) {name} or its gradient is "
                                     f"not a real number ({reason or 'outside the function' + chr(39) + 's domain'})",
                  title)
            break
        first_value = at.loss.value[()] if first_value is None else first_value
        rows.append([Fraction(s)] + [n.value[()] for n in params.values()] + [at.loss.value[()]]
                    + [g.value[()] for g in at.grads.values()])
        if s and _runaway(params, at, scale, first_value):
            _stop(solver, DIVERGED, f"the iteration diverges: after {s} update{'s' if s > 1 else ''} the iterate or the value "
                             f"is beyond 10¹² times its start (η = {exact_string(spec.lr)}; on a quadratic, gradient "
                             "descent diverges when η > 2/λmax)", title)
            break
        if s == spec.steps:
            break
        before = set(comp.nodes)
        ahead = None
        shifted = optimizer.lookahead(s + 1, params)
        if shifted:
            ahead = _evaluate(solver, shifted, f"ahead{s + 1}", f"Look-ahead point of update {s + 1}")
        params = optimizer.step(s + 1, params, at, ahead)
        solver.section(f"Update {s + 1}: {optimizer.title}", *[comp.nodes[i] for i in comp.nodes if i not in before])
    columns = ["k", *params, f"{name}", *(f"∂{name}/∂{v}" for v in params)]
    table = comp.derived("iterations", Symbol(r"\text{iterations}", "iterations"), rows, None, "update",
                         "one row per iterate: " + ", ".join(columns))
    solver.section("Iterations", table)
    solver.conventions.extend(c for c in optimizer.conventions() if c[0] != "updates")
    solver.conventions.append(("iterations", f"{spec.steps} update{'s' if spec.steps > 1 else ''} of the variables "
                                             "themselves; each gradient from the derivative formulas at the iterate"))


# what one iterate costs besides evaluating f and its gradient: the optimizer's recorded steps, their formulas
# and their printing, in units of one evaluated part (about 0.1 ms)
ITERATE_COST = 20


def _check_work(done: int, steps: int, cost: int) -> None:
    """Refuse a descent once its iterates would take more than about two seconds to solve and print: each
    evaluates every distinct part of f and its gradient, and records and shows its update. The bound is met as
    the iterates go, not estimated up front: a run that diverges, or leaves the domain, stops before it."""
    if done * cost > MAX_DESCENT_WORK.value:
        fitting = max(MAX_DESCENT_WORK.value // cost, 1)
        raise ProblemError([Issue("descent.steps", MAX_DESCENT_WORK.refusal(
            f"{steps:,} iterates worked and shown in full cost {steps * cost:,} units") + f": give at most {fitting:,}")])


def _distinct_parts(formulas: list) -> int:
    seen: set = set()
    stack = list(formulas)
    while stack:
        part = stack.pop()
        if part not in seen:
            seen.add(part)
            stack.extend(part.args)
    return len(seen)


def _evaluate(solver, params: dict, s, title: str) -> Pass:
    """f and ∇f at the iterate: `f(s)`, `df/dx(s)` (their formulas show the iterate's numbers)."""
    values = {symbol(v): node.value[()] for v, node in params.items()}
    f, grads = solver.values_at(str(s), f"^{{({s})}}", values, {v: node.id for v, node in params.items()}, title)
    return Pass(None, None, f, f, grads)


def _runaway(params: dict, at: Pass, scale: Fraction, first_value) -> bool:
    """The iterate beyond 10¹² times the start's size, or the value beyond 10¹² times the first value's."""
    iterate = [to_mpf(node.value[()]) for node in params.values()]
    value = to_mpf(at.loss.value[()])
    if not all(mp.isfinite(x) for x in iterate + [value]):
        return True
    return max(abs(x) for x in iterate) > RUNAWAY * to_mpf(scale) or \
        abs(value) > RUNAWAY * max(1, abs(to_mpf(first_value)))


def _stop(solver, verdict: Verdict, why: str, title: str) -> None:
    node = solver.comp.derived("convergence", Symbol(r"\text{convergence}", "convergence"), verdict, None,
                               "update", why)
    solver.section(title, node)
