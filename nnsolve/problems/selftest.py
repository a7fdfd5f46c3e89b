"""Every family tests itself the same way, on each of its golden examples (as a PrairieLearn question is
tested with a correct, an incorrect and an invalid submission):

- the solution answers every group it declares, and only those;
- its exact answers, submitted as a key, all agree; one of them changed is flagged, and only that one;
  an unreadable one is a format error, not a wrong answer;
- a pinned quantity is taken as given and what is computed from it changes (or, for a family whose
  values are not computed from one another, pins are refused);
- `--round-intermediates 2` rounds every computed number to 2 decimals and says so.

`selftest(family, path)` returns what failed, in words; an empty list is a pass.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.number import mp, round_decimal
from ..engine.symbolic import Symbolic
from .errors import ProblemError


def selftest(family, path) -> list[str]:
    from ..api import load, solve

    failures: list[str] = []
    loaded = load(path)
    base = solve(loaded)
    undeclared = set(base.groups) - set(family.ask_groups)
    if undeclared:
        failures.append(f"groups not declared by the family: {sorted(undeclared)}")
    if not base.asked:
        failures.append("nothing is asked by default")
    failures += _submissions(loaded, base)
    failures += _pins(family, loaded, base)
    failures += _rounding(loaded, base)
    return failures


def _written(value) -> object:
    """An exact value as a key would write it: fractions as n/d, irrationals to 40 decimals, formulas as text."""
    def one(v):
        if isinstance(v, Symbolic):
            return v.text
        if isinstance(v, Fraction):
            return str(v)
        if not mp.isfinite(v):
            return str(v)
        scaled = round_decimal(v, 40) * 10 ** 40
        digits = str(abs(scaled.numerator)).rjust(41, "0")
        return f"{'-' if scaled < 0 else ''}{digits[:-40]}.{digits[-40:]}"
    array = np.asarray(value, dtype=object)
    return one(array[()]) if array.ndim == 0 else np.vectorize(one, otypes=[object])(array).tolist()


def _numeric(value) -> bool:
    flat = np.asarray(value, dtype=object).reshape(-1)
    return flat.size > 0 and all(not isinstance(v, Symbolic) and mp.isfinite(v) for v in flat)


def _submissions(loaded, base) -> list[str]:
    from ..check import check

    failures = []
    key = {q: _written(base.value(q)) for q in base.asked}
    correct = check(loaded, answers=key)
    if not correct.ok:
        failures.append(f"its own exact answers do not all agree: {[r.name for r in correct.results if not r.ok]}")
    changed = next((q for q in base.asked if _numeric(base.value(q))), None)
    if changed is not None:
        wrong = dict(key, **{changed: _written(_moved(base.value(changed)))})
        report = check(loaded, answers=wrong)
        flagged = [r.name for r in report.results if not r.ok]
        if flagged != [changed]:
            failures.append(f"{changed} changed by 1 should be the one answer flagged, got {flagged}")
    try:
        check(loaded, answers={base.asked[0]: {"not": "a value"}})
        failures.append("an unreadable answer was not refused as a format error")
    except ProblemError:
        pass
    return failures


def _moved(value) -> np.ndarray:
    """The value with its first entry moved away: v → v + 1 + |v| changes it, leaves its sign positive
    (a ReLU that was off turns on), and moves one entry only (a softmax ignores a shift of all)."""
    moved = np.array(value, dtype=object)
    first = moved.reshape(-1)
    first[0] = first[0] + 1 + abs(first[0])
    return moved


def _pin_target(base):
    """A computed numeric quantity that something later is computed from."""
    used = {arg for s in base.steps if s.formula is not None for arg in s.formula.args}
    for step in base.steps:
        if step.section != "Given" and step.formula is not None and step.id in used and _numeric(step.value):
            return step
    return None


def _pins(family, loaded, base) -> list[str]:
    from ..api import solve

    target = _pin_target(base)
    if target is None:
        return []
    pinned = _moved(target.value)
    if not family.pins:
        try:
            solve(loaded, pins={target.id: pinned})
            return [f"pins are not honoured by {family.name} but were accepted"]
        except ProblemError:
            return []
    solution = solve(loaded, pins={target.id: pinned})
    failures = []
    if not np.array_equal(np.asarray(solution.value(target.id), dtype=object), pinned):
        failures.append(f"pinned {target.id} is not the pinned value")
    if "pinned" not in dict(solution.conventions):
        failures.append("the header does not say what was pinned")
    dependents = [s.id for s in base.steps if s.formula is not None and target.id in s.formula.args]
    if dependents and all(np.array_equal(np.asarray(solution.value(d), dtype=object),
                                         np.asarray(base.value(d), dtype=object)) for d in dependents):
        failures.append(f"nothing computed from {target.id} changed when it was pinned ({dependents})")
    return failures


def _rounding(loaded, base) -> list[str]:
    from ..api import solve

    solution = solve(loaded, round_intermediates=2)
    failures = []
    if "rounding" not in dict(solution.conventions):
        failures.append("the header does not state the rounding")
    for step in solution.steps:
        if step.section == "Given":
            continue
        for v in np.asarray(step.value, dtype=object).reshape(-1):
            rounded = isinstance(v, Fraction) and (v * 100).denominator == 1
            if not rounded and not isinstance(v, Symbolic) and mp.isfinite(v):
                failures.append(f"{step.id} = {v} is not rounded to 2 decimals")
                break
    return failures
