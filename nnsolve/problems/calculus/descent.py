"""Iterations of an optimizer on the function itself: at each iterate the function's value and its
gradient from the derivative formulas, then the optimizer's update — the same optimizers (and the same
recorded steps) as for networks, so momentum, Nesterov, Adagrad, RMSProp, Adam and Rprop all work.

An iteration that runs away (the iterate or the value beyond 10¹² times where it started) or leaves the
function's domain stops with a verdict that says so, instead of numbers that mean nothing; with `tolerance`
it stops where ‖∇f‖ falls below it. A run of more than SHOWN_IN_FULL updates records its first HEAD and
carries the others by the optimizer's rule on plain numbers (carried.py), shown as the table's last rows.
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Symbol
from ...engine.number import exact_string, to_mpf
from ...engine.symbolic import Verdict
from ...limits import MAX_DESCENT_WORK
from ..errors import Issue, ProblemError
from ...expr.symbolic import BeyondRange, symbol
from ...ops.scalar import DomainError, sqrt as scalar_sqrt
from ...optim import Pass, make_optimizer
from .analysis import undefined_part
from . import kernel
from .carried import HIGH, LOW, PRECISION, at_shown_precision, trace
from .run_keys import Schedule
from .schema import start_values

RUNAWAY = 10 ** 12
DIVERGED = Verdict("diverges", ("diverge", "diverged", "divergent", "does not converge", "unbounded"))
UNDEFINED = Verdict("leaves the domain", ("undefined", "not defined", "domain error"))


SHOWN_IN_FULL = kernel.SHOWN_IN_FULL     # a run of at most this many updates is recorded update by update
HEAD, TAIL = 5, 5       # a longer one: the first HEAD updates recorded, the last TAIL iterates shown as rows


def run_descent(solver) -> None:
    p, comp = solver.p, solver.comp
    spec = p.descent
    schedule = Schedule(spec)
    parts = _distinct_parts([solver.f, *solver.grads])
    long = spec.steps > SHOWN_IN_FULL and kernel.supported(spec) and not comp.policy.pins and \
        comp.policy.round_places is None
    recorded = min(HEAD, spec.steps) if long else spec.steps
    shown_cost = SHOWN_UNITS * (ITERATE_COST + parts)
    traced_cost = TRACED_COST + parts + (ROW_COST if spec.trace == "full" else 0)
    if long:      # the whole run's work is known before it starts: refused at once if it cannot fit
        _check_work(recorded * shown_cost + spec.steps * traced_cost, spec.steps, shown_cost, traced_cost)
    params = {}
    for v, value in start_values(p).items():
        params[v] = comp.given(v, Symbol(v, v), value, differentiable=True)
        solver.section("Start", params[v])
    optimizer = make_optimizer(schedule.recorded_spec(p, recorded), comp, solver)
    run = Run(solver, spec)
    for s in range(recorded + 1):
        if not long:
            _check_work(s * shown_cost, spec.steps, shown_cost, None)
        title = "Start" if s == 0 else f"Update {s}: {optimizer.title}"
        try:
            at = _evaluate(solver, params, s, title)
        except BeyondRange:
            run.diverged_beyond(s, title)
            break
        except (DomainError, ValueError):
            run.undefined(s, {v: n.value[()] for v, n in params.items()}, title)
            break
        iterate = [n.value[()] for n in params.values()]
        grads = [g.value[()] for g in at.grads.values()]
        if run.row(s, iterate, at.loss.value[()], grads, title) or s == recorded:
            break
        before = set(comp.nodes)
        ahead = None
        shifted = optimizer.lookahead(s + 1, params)
        if shifted:
            ahead = _evaluate(solver, shifted, f"ahead{s + 1}", f"Look-ahead point of update {s + 1}")
        params = optimizer.step(s + 1, params, at, ahead)
        solver.section(f"Update {s + 1}: {optimizer.title}", *[comp.nodes[i] for i in comp.nodes if i not in before])
    if long and not run.stopped:
        trace(solver, run, optimizer, schedule, {v: n.value[()] for v, n in params.items()}, traced_cost)
    run.table(long)
    solver.conventions.extend(c for c in optimizer.conventions() if c[0] not in ("updates", "hyperparameters"))
    solver.conventions.append(("hyperparameters", _settings(optimizer, schedule)))
    solver.conventions.append(("iterations", _iterations_said(spec, long)))
    if run.verification:
        solver.conventions.append(("verification", run.verification))


class Run:
    """The rows of the iterations table as the run goes, and how it ends: a divergence, a point outside the
    domain, the gradient's norm below the tolerance, or the last update."""

    def __init__(self, solver, spec):
        self.solver, self.spec = solver, spec
        self.rows: list[list] = []
        self.stopped = False
        self.verification = ""      # what a carried run's check at higher precision found
        self.scale = max([abs(Fraction(x)) for x in start_values(solver.p).values()] + [Fraction(1)])
        self.first_value = None

    def row(self, s: int, iterate: list, value, grads: list, title: str) -> bool:
        """Record iterate s's row; True when the run ends at it."""
        if self.first_value is None:
            self.first_value = value
            # beyond 10¹² times the start's size, or 10¹² times the first value's: the bounds of a runaway
            self.bounds = (RUNAWAY * to_mpf(self.scale), RUNAWAY * max(1, abs(to_mpf(value))))
        self.rows.append([Fraction(s), *iterate, value, *grads])
        if s and self.runaway(iterate, value):
            _stop(self.solver, DIVERGED, f"the iteration diverges: after {s} update{'s' if s > 1 else ''} the iterate "
                                         f"or the value is beyond 10¹² times its start (η = {exact_string(self.spec.lr)};"
                                         " on a quadratic, gradient descent diverges when η > 2/λmax)", title)
            self.stopped = True
        elif self.spec.tolerance is not None and _below(grads, self.spec.tolerance):
            self.converged(s, grads, title)
        return self.stopped

    def runaway(self, iterate: list, value) -> bool:
        """The iterate or the value past its bound (or not a finite number)."""
        largest, most = self.bounds
        if any(not abs(x) <= largest for x in iterate):
            return True
        return not abs(value) <= most

    def converged(self, s: int, grads: list, title: str) -> None:
        solver = self.solver
        norm = norm_of(grads)
        node = solver.comp.derived("stopped_at", Symbol(r"k_{\text{stop}}", "k_stop"), Fraction(s), None, "update",
                                   f"‖∇{solver.name}‖ = {exact_string(norm)} < tol = {exact_string(self.spec.tolerance)} "
                                   f"at iterate {s}: the descent stops there"
                                   + (f" ({self.spec.steps - s} of the {self.spec.steps} updates not needed)"
                                      if s < self.spec.steps else ""))
        solver.section(title, node)
        self.stopped = True

    def diverged_beyond(self, s: int, title: str) -> None:
        _stop(self.solver, DIVERGED, f"the iteration diverges: at iterate {s} {self.solver.name} or its gradient is "
                                     f"beyond 10^±1000 (η = {exact_string(self.spec.lr)})", title)
        self.stopped = True

    def undefined(self, s: int, at: dict, title: str) -> None:
        solver = self.solver
        where = ", ".join(f"{v} = {exact_string(x)}" for v, x in at.items())
        values = {symbol(v): x for v, x in at.items()}
        reason = next(filter(None, (undefined_part(e, values) for e in [solver.f, *solver.grads])), None)
        _stop(solver, UNDEFINED, f"the iteration stops: at iterate {s} ({where}) {solver.name} or its gradient is "
                                 f"not a real number ({reason or 'outside the function' + chr(39) + 's domain'})", title)
        self.stopped = True

    def table(self, long: bool) -> None:
        solver = self.solver
        names = [str(v) for v in solver.vars]
        columns = ["k", *names, solver.name, *(f"∂{solver.name}/∂{v}" for v in names)]
        rows, note = self.rows, "one row per iterate: " + ", ".join(columns)
        if long and self.spec.trace != "full" and len(rows) > HEAD + TAIL + 2:
            left_out = len(rows) - HEAD - 1 - TAIL
            rows = rows[:HEAD + 1] + [[ELLIPSIS] * len(columns)] + rows[-TAIL:]
            note += f"; iterates {HEAD + 1}–{len(self.rows) - TAIL - 1} ({left_out:,} rows) left out at ⋮ " \
                    "(descent.trace: full lists every one)"
        rows = [[at_shown_precision(x) for x in row] for row in rows]
        node = solver.comp.derived("iterations", Symbol(r"\text{iterations}", "iterations"), rows, None, "update", note)
        solver.section("Iterations", node)


ELLIPSIS = Verdict("⋮", ("...", "…"), latex=r"\vdots")


def _iterations_said(spec, long: bool) -> str:
    said = f"{spec.steps} update{'s' if spec.steps > 1 else ''} of the variables themselves; each gradient from " \
           "the derivative formulas at the iterate"
    if not long:
        return said
    return said + f"; updates 1–{min(HEAD, spec.steps)} recorded step by step, the others carried by the same rule " \
                  f"in mpmath arithmetic at {LOW} significant digits (f and ∇f by one compiled evaluation of their " \
                  f"formulas, again at {HIGH} digits where a sum cancels), shown to {PRECISION}; the carried run is " \
                  f"checked against the recorded one at update {min(HEAD, spec.steps)}"


def _settings(optimizer, schedule) -> str:
    said = []
    for name, value in optimizer.settings():
        if name == "η" and schedule.text is not None:      # a formula in t: stated as written, not its head
            value = f"{schedule.text} at update t"
        said.append(f"{name} = {value if isinstance(value, str) else exact_string(value)}")
    return ", ".join(said)


def norm_of(grads: list):
    total = sum((g * g for g in grads), Fraction(0))
    return scalar_sqrt(total)


def _below(grads: list, tolerance) -> bool:
    """‖∇f‖ < tol, compared as ‖∇f‖² < tol² (exact for exact gradients)."""
    return sum((g * g for g in grads), Fraction(0)) < tolerance * tolerance


# The work of a descent in units of about 2 µs. An iterate recorded and shown in full costs SHOWN_UNITS units for
# each evaluated part of f and ∇f (about 0.1 ms each, with SymPy's bookkeeping) and for each of ITERATE_COST more
# (the optimizer's recorded steps, their formulas and their printing); an iterate carried in a long run's trace
# one unit per part and TRACED_COST for its update's arithmetic.
ITERATE_COST = 20
SHOWN_UNITS = 50
TRACED_COST = 20
ROW_COST = 50          # a row of the table printed for every iterate (trace: full)


def _check_work(work: int, steps: int, shown: int, traced: int | None) -> None:
    """Refuse a descent whose work passes MAX_DESCENT_WORK: an iterate recorded and shown in full costs `shown`
    units (about 2 µs each), one carried in the trace `traced`. A short run's bound is met as the iterates go
    (one that diverges or leaves the domain stops before it); a long run's is known before it starts."""
    if work > MAX_DESCENT_WORK.value:
        if traced is None:
            said = f"{steps:,} iterates worked and shown in full cost {steps * shown:,} units"
            fitting = max(MAX_DESCENT_WORK.value // shown, 1)
        else:
            said = f"{steps:,} iterates cost {work:,} units ({traced} each, the first {HEAD} shown in full {shown})"
            fitting = max((MAX_DESCENT_WORK.value - HEAD * shown) // traced, 1)
        raise ProblemError([Issue("descent.steps", MAX_DESCENT_WORK.refusal(said) + f": give at most {fitting:,}")])


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


def _stop(solver, verdict: Verdict, why: str, title: str) -> None:
    node = solver.comp.derived("convergence", Symbol(r"\text{convergence}", "convergence"), verdict, None,
                               "update", why)
    solver.section(title, node)
