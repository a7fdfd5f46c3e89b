"""The cap on credit carried forward from a convenient wrong value: a student who writes h1 = 0 (or pre-activations
that switch every unit off) makes every later part trivial, and those parts then follow "correctly" from it. An
answer carried forward is capped at the scheme's `ecf_degenerate` fraction when the problem re-solved from the
student's own pinned numbers is degenerate on the way to it, where the true solution is not:

- a pinned earlier answer that is not right on its own is 0 where the true value is not (a unit written off), or
  is 1 in every element, or the identity matrix, or infinite somewhere (everything after it infinite or undefined),
  where the true value is not;
- a quantity computed from those pins (the answer itself, or any quantity it is computed from) is 0 where the
  true value is not (a ReLU/step unit switched off, a zero gradient).

Only exact values count (a sigmoid never saturates to exactly 0 or 1 in exact arithmetic). An honest slip can
switch a unit off too: the report then says so, and a scheme that does not want the cap sets ecf_degenerate: 1."""
from __future__ import annotations

from fractions import Fraction
from weakref import WeakKeyDictionary

import numpy as np
from mpmath import mp

CARRIED = "carried forward"
_PINNED: WeakKeyDictionary = WeakKeyDictionary()    # a student's checker → the problem solved from their pins


def capped_ecf(checker, answers, results, column, parts, pins) -> tuple[Fraction, str]:
    """(the ECF fraction this answer earns, why it is capped or ''). Only an answer with a part carried forward,
    whose scheme's cap is below its ECF fraction, is looked at: one re-solve from the student's pins."""
    ecf, cap = Fraction(column.scheme.ecf), Fraction(column.scheme.ecf_degenerate)
    if cap >= ecf or checker is None or not any(verdict == CARRIED for verdict, *_ in parts):
        return ecf, ""
    found = _degenerate(checker, answers, results, column.quantity, pins)
    if not found:
        return ecf, ""
    return cap, f"{found}: ECF credit capped at {_percent(cap)}"


def _degenerate(checker, answers, results, quantity: str, pins) -> str:
    from ..check.variants import Variants, value_at

    base = checker.base
    wrong = [a for a in answers if results[a.name].aligned_key is not None
             and (not results[a.name].ok or results[a.name].follows)]
    if not wrong:
        return ""
    on_the_way = checker._ancestors.of(quantity) | {quantity}
    for answer in wrong:
        if answer.quantity not in on_the_way or answer.quantity == quantity:
            continue
        true = value_at(base, answer.quantity, answer.index)
        trivial = _trivial(results[answer.name].aligned_key, true, answer.target)
        if trivial:
            return f"carried forward from {answer.name} = {_written(answer)}, which {trivial}"
    if checker not in _PINNED:      # one re-solve per student, whichever of their answers asks
        _PINNED[checker] = Variants(checker.family, checker.model, base, base.ids).solve("", None, None, pins)
    pinned = _PINNED[checker]
    if pinned is None:
        return ""
    for step in base.steps:
        q = step.id
        if q not in on_the_way or not pinned.has(q):
            continue
        causes = [a for a in wrong if a.quantity in checker._ancestors.of(q)]
        if not causes:
            continue
        off = _zeroed(pinned.value(q), base.value(q))
        if off:
            cause = causes[-1]
            return (f"carried forward from {cause.name} = {_written(cause)}, which makes {q} 0{off} "
                    f"(the true {q} is not)")
    return ""


def _trivial(written: np.ndarray, true: np.ndarray, name: str) -> str:
    """How a student's own value is a convenient one the true value is not: the identity, all 1, 0 (somewhere),
    infinite (somewhere)."""
    from ..check.compare import real
    infinite = [v for v in map(real, written.reshape(-1)) if not isinstance(v, Fraction) and v in (mp.inf, -mp.inf)]
    if infinite and all(isinstance(real(t), Fraction) for t in true.reshape(-1)):
        return f"is infinite where the true {name} is finite"
    if written.ndim == 2 and written.shape[0] == written.shape[1] > 1:
        identity = [[int(i == j) for j in range(written.shape[1])] for i in range(written.shape[0])]
        if _equals(written, identity) and not _equals(true, identity):
            return f"is the identity where the true {name} is not"
    if all(w == 1 for w in written.reshape(-1)) and not all(t == 1 for t in true.reshape(-1)):
        return f"is 1 in every element where the true {name} is not"
    off = _zeroed(written, true)
    return f"is 0{off} where the true {name} is not" if off else ""


def _zeroed(value: np.ndarray, true: np.ndarray) -> str:
    """'' when no element is 0 where the true one is not; else where: ' in every element' or ' at [1]'."""
    if value.shape != true.shape:
        return ""
    at = [position for position in np.ndindex(value.shape) if value[position] == 0 and true[position] != 0]
    if not at:
        return ""
    if len(at) == value.size and value.size > 1:
        return " in every element"
    return "".join(f" at {''.join(f'[{i}]' for i in position)}" if position else "" for position in at[:1]) + \
        (f" and {len(at) - 1} more" if len(at) > 1 else "")


def _equals(value: np.ndarray, rows) -> bool:
    return all(value[i, j] == rows[i][j] for i in range(len(rows)) for j in range(len(rows[0])))


def _written(answer) -> str:
    """The student's numbers as typed: 0, [0, 0], [[1, 0], [0, 1]]."""
    def shown(value) -> str:
        if isinstance(value, np.ndarray) and value.ndim:
            return "[" + ", ".join(shown(v) for v in value) + "]"
        number = value[()] if isinstance(value, np.ndarray) else value
        return getattr(number, "text", str(number))
    return shown(answer.value)


def _percent(fraction: Fraction) -> str:
    percent = fraction * 100
    return f"{percent.numerator}%" if percent.denominator == 1 else f"{float(percent):.4g}%"
