"""The long middle of a descent: after the recorded head, the updates carried by kernel.Rule on plain numbers
(with f and ∇f from one compiled program), as rows of the iterations table; the last iterate, and any iterate an
answer or `ask` names, recorded as quantities. The carried run starts from the start itself, so the recorded
head checks it."""
from __future__ import annotations

import re
from fractions import Fraction

from ...engine.computation import Symbol
from ...engine.number import beyond_exact_range, mp, to_mpf
from ...expr.symbolic import PRECISION, BeyondRange
from ...ops.scalar import DomainError
from ..errors import Issue, ProblemError
from . import kernel
from .schema import start_values
from .run_keys import given_state

LOW, HIGH = PRECISION + 15, PRECISION + 40        # the working precisions of expr.program


AUTO_VERIFIED_WORK = 50_000      # a carried run is verified unless asked not to, up to this work (about 0.1 s)


def trace(solver, run, optimizer, schedule, head: dict, cost: int) -> None:
    """The updates after the recorded head, by kernel.Rule from the start (so the head checks it), as rows;
    the last iterate, and any iterate an answer or `ask` names, recorded as quantities. `cost`: the work of
    one carried update, which decides whether the run is verified when `verify` is not given."""
    from ...expr.program import Program, Unreliable

    p, spec = solver.p, solver.p.descent
    program = Program([solver.f, *solver.grads], solver.vars)
    n = len(solver.vars)
    rule = kernel.Rule(spec, n, given_state(p))
    recorded = len(run.rows) - 1
    start = list(start_values(p).values())

    def at(point: list) -> list:
        try:
            return program.run(point)
        except Unreliable:           # cancellation beyond both precisions: SymPy's evaluation, as a point's
            from .analysis import evaluate
            values = {v: x for v, x in zip(solver.vars, point)}
            return [mp.mpf(evaluate(e, values)) for e in [solver.f, *solver.grads]]

    kept: dict[int, list] = {}
    wanted = _wanted_iterates(solver)
    last = None
    with mp.workdps(LOW):
        w = [Fraction(x) for x in start]
        for s in range(spec.steps + 1):
            title = f"Update {s}: {optimizer.title} (carried)"
            try:
                values = at(w)
            except BeyondRange:
                run.diverged_beyond(s, title)
                break
            except (DomainError, ValueError):
                run.undefined(s, {str(v): at_shown_precision(x) for v, x in zip(solver.vars, w)}, title)
                break
            if s == recorded:
                _check_head(w, list(head.values()), s)
            if s <= recorded:        # the head's rows are the recorded ones
                if s == spec.steps:
                    break
                w = _within_range(rule.step(s + 1, w, values[1:], schedule.carried(s + 1), lambda q: at(q)[1:],
                                            values[0]))
                continue
            row = [*w, *values]         # rounded to the digits shown only where shown
            if s in wanted:
                kept[s] = row
            if run.row(s, row[:n], row[n], row[n + 1:], title) or s == spec.steps:
                kept[s] = row
                last = s
                break
            w = _within_range(rule.step(s + 1, w, values[1:], schedule.carried(s + 1), lambda q: at(q)[1:],
                                        values[0]))
    note = ""
    verify = spec.verify if spec.verify is not None else spec.steps * cost <= AUTO_VERIFIED_WORK
    if verify and last is not None:
        note = _verified(solver, program, schedule, start, last, kept[last][:n])
        run.verification = f"the carried run made again at {VERIFIED} digits: {note[10:]}"
    elif last is not None:
        run.verification = "the carried run is not made again at higher precision (a run that magnifies rounding " \
                           f"would lose digits unseen); descent.verify: true makes it again at {VERIFIED} digits"
    for s, row in sorted(kept.items()):
        _record_iterate(solver, optimizer, s, [at_shown_precision(x) for x in row], n, note if s == last else "")


VERIFIED = PRECISION + 50          # the working digits of the verifying run


def _verified(solver, program, schedule, start: list, last: int, iterate: list) -> str:
    """The run again at VERIFIED digits (f and ∇f at VERIFIED and VERIFIED + 25): how many significant digits
    of the last iterate the two runs share. Fewer than the digits a solution shows is refused, not shown."""
    from ...engine.number import SHOWN_DIGITS

    rule = kernel.Rule(solver.p.descent, len(start), given_state(solver.p))
    with mp.workdps(VERIFIED):
        w = [Fraction(x) for x in start]
        try:
            for s in range(last):
                values = program.run(w, VERIFIED, VERIFIED + 25)
                w = _within_range(rule.step(s + 1, w, values[1:], schedule.carried(s + 1),
                                            lambda q: program.run(q, VERIFIED, VERIFIED + 25)[1:], values[0]))
        except (ValueError, ArithmeticError):       # the verifying run left the domain or the range: no digit shared
            w = None
        worst = mp.inf if w is not None else mp.zero
        for a, b in zip(iterate, w or []):
            a, b = mp.mpf(a), mp.mpf(b)
            if a != b:
                worst = min(worst, -mp.log10(abs(a - b) / abs(b)) if b else mp.zero)
    shared = LOW if worst == mp.inf else int(worst)
    if shared < SHOWN_DIGITS:
        raise ProblemError([Issue("descent.verify", f"the run magnifies rounding: after {last:,} updates the iterate "
                                                    f"carried at {LOW} digits shares only {max(shared, 0)} significant "
                                                    f"digits with the run at {VERIFIED} (at least {SHOWN_DIGITS} are "
                                                    "shown): give fewer steps")])
    return f"verified: the run at {VERIFIED} digits agrees to {min(shared, PRECISION)} significant digits"


def _within_range(iterate: list) -> list:
    """Each Fraction past the exact range (a denominator of 10^1200 after 1,200 updates by η = 0.1) as a number
    of the working precision, as a recorded update makes it one of 50 digits."""
    return [to_mpf(x) if beyond_exact_range(x) else x for x in iterate]


def at_shown_precision(x):
    """A carried value at the precision every value of a solution has."""
    return +x if isinstance(x, mp.mpf) else x


def _check_head(carried: list, recorded: list, s: int) -> None:
    """The carried iterate after the recorded updates equals the recorded one (to 45 of its 50 digits)."""
    for a, b in zip(carried, recorded):
        b = mp.mpf(b)
        if abs(a - b) > mp.mpf(10) ** -45 * max(abs(b), mp.mpf(10) ** -20):
            raise RuntimeError(f"internal check failed: the carried descent reaches {mp.nstr(a, 20)} at update {s}, "
                               f"the recorded one {mp.nstr(b, 20)}")


def _wanted_iterates(solver) -> set[int]:
    """Iterates an answer or `ask` names (x(500), f(500), df/dx(500)), beyond the recorded ones."""
    p, name = solver.p, solver.name
    stems = {str(v) for v in solver.vars} | {name} | {f"d{name}/d{v}" for v in solver.vars}
    found = set()
    for quantity in [*p.answers, *(p.ask or [])]:
        m = re.fullmatch(r"(.+)\((\d+)\)", str(quantity))
        if m and m.group(1) in stems:
            found.add(int(m.group(2)))
    return found


def _record_iterate(solver, optimizer, s: int, row: list, n: int, verified: str = "") -> None:
    title = f"Update {s}: {optimizer.title} (carried)"
    note = "carried by the same update rule; the iterations table shows the run" + (f"; {verified}" if verified else "")
    nodes = [solver.comp.derived(f"{v}({s})", Symbol(f"{v}^{{[{s}]}}", f"{v}[{s}]"), x, None, "update", note)
             for v, x in zip(solver.vars, row[:n])]
    nodes.append(solver.comp.derived(f"{solver.name}({s})", Symbol(f"{solver.name}^{{({s})}}", f"{solver.name}({s})"),
                                     row[n], None, "update", note))
    for v, g in zip(solver.vars, row[n + 1:]):
        latex, text = solver.partial(v)
        nodes.append(solver.comp.derived(f"d{solver.name}/d{v}({s})", Symbol(latex + f"^{{({s})}}", f"{text}({s})"),
                                         g, None, "update", note))
    solver.section(title, *nodes)
