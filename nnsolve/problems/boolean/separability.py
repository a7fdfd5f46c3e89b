"""Exact linear separability of labelled points by Fourier–Motzkin elimination over Fractions.

A labelled set is separable iff some (w, b) gives s·(w·x + b) ≥ 1 for every point with sign s = ±1
(strict separation of a finite set can always be scaled to a margin of 1). Eliminating the variables one
by one decides feasibility exactly; back-substitution then picks a witness, preferring small integers.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

from ...limits import MAX_INEQUALITIES     # beyond this the elimination is too large to be a hand problem


class TooLarge(Exception):
    pass


def _normalised(a: tuple, c: Fraction) -> tuple[tuple, Fraction]:
    scale = max((abs(v) for v in a), default=Fraction(0))
    if scale == 0:
        return a, c
    return tuple(v / scale for v in a), c / scale


def _prune(system):
    # for one direction a only the tightest right-hand side matters
    best: dict[tuple, Fraction] = {}
    for a, c in system:
        a, c = _normalised(a, c)
        if a not in best or c > best[a]:
            best[a] = c
    return list(best.items())


def _pick(low: Fraction | None, high: Fraction | None) -> Fraction:
    # the simplest value in [low, high]: 0, else the integer nearest 0, else the midpoint
    if (low is None or low <= 0) and (high is None or high >= 0):
        return Fraction(0)
    if low is not None and low > 0:
        candidate = Fraction(math.ceil(low))
        return candidate if high is None or candidate <= high else (low + high) / 2
    candidate = Fraction(math.floor(high))
    return candidate if low is None or candidate >= low else (low + high) / 2


def separating_weights(points: list[tuple], labels: list[bool]) -> tuple[list[Fraction], Fraction] | None:
    """(w, b) with w·x + b ≥ 1 on the True points and ≤ −1 on the False ones, or None if none exists."""
    n = len(points[0]) if points else 0
    system = []
    for x, positive in zip(points, labels):
        s = 1 if positive else -1
        system.append((tuple(Fraction(s * v) for v in x) + (Fraction(s),), Fraction(1)))
    stages, most = [_prune(system)], MAX_INEQUALITIES.value
    for k in range(n + 1):
        current = stages[-1]
        keep = [(a, c) for a, c in current if a[k] == 0]
        up = [(a, c) for a, c in current if a[k] > 0]
        down = [(a, c) for a, c in current if a[k] < 0]
        if len(keep) + len(up) * len(down) > most:
            raise TooLarge(f"more than {most} inequalities")
        for ap, cp in up:
            for an, cn in down:
                # positive combination cancelling variable k
                fp, fn = -an[k], ap[k]
                keep.append((tuple(fp * p + fn * q for p, q in zip(ap, an)), fp * cp + fn * cn))
        stages.append(_prune(keep))
    if any(c > 0 for _, c in stages[-1]):
        return None
    values = [Fraction(0)] * (n + 1)
    for k in range(n, -1, -1):
        low = high = None
        for a, c in stages[k]:
            if a[k] == 0 or any(a[j] != 0 for j in range(k)):
                continue
            rest = c - sum(a[j] * values[j] for j in range(k + 1, n + 1))
            bound = rest / a[k]
            if a[k] > 0:
                low = bound if low is None else max(low, bound)
            else:
                high = bound if high is None else min(high, bound)
        values[k] = _pick(low, high)
    return values[:n], values[n]


def contradiction(rows, outputs, largest: int = 3):
    """A proof that no single unit separates the rows, when a short one exists: k rows with t = 1 and k rows
    with t ≠ 1 whose inputs add up to the same vector (k ≤ `largest`). Adding the k inequalities of each side
    gives the same expression Σ w·x + k·b both > 0 and ≤ 0. Returns (rows with t = 1, other rows, the common
    sum), or None. For XOR and every parity two opposite pairs of corners do it."""
    positive = [tuple(x) for x, y in zip(rows, outputs) if y == 1]
    negative = [tuple(x) for x, y in zip(rows, outputs) if y != 1]
    for k in range(2, largest + 1):
        if math.comb(len(positive), k) + math.comb(len(negative), k) > 50_000:
            break           # a hand-sized argument or none: the elimination has already decided
        sums: dict[tuple, tuple] = {}
        for chosen in itertools.combinations(positive, k):
            sums.setdefault(tuple(map(sum, zip(*chosen))), chosen)
        for chosen in itertools.combinations(negative, k):
            total = tuple(map(sum, zip(*chosen)))
            if total in sums:
                return list(sums[total]), list(chosen), total
    return None


def _linear(coefficients, bias_count) -> str:
    """c1·w1 + … + k·b as a person writes it (1·w1 is w1, 0 terms left out)."""
    terms = [(c, f"w{i + 1}") for i, c in enumerate(coefficients) if c] + [(bias_count, "b")]
    text = ""
    for c, name in terms:
        sign = "−" if c < 0 else "+"
        size = "" if abs(c) == 1 else str(abs(c))
        text += (("−" if c < 0 else "") if not text else f" {sign} ") + size + name
    return text


def argument_text(positive, negative, compare: str, low_text: str = "0") -> str:
    """The contradiction written out: each side's inequalities and their sum."""
    strict, weak = (">", "≤") if compare == ">" else ("≥", "<")
    k = len(positive)

    def side(chosen, relation):
        each = ", ".join(f"{_linear(x, 1)} {relation} 0" for x in chosen)
        rows = ", ".join("(" + ", ".join(str(v) for v in x) + ")" for x in chosen)
        return rows, each, f"{_linear([sum(c) for c in zip(*chosen)], k)} {relation} 0"

    rows_1, each_1, sum_1 = side(positive, strict)
    rows_0, each_0, sum_0 = side(negative, weak)
    total = _linear([sum(c) for c in zip(*positive)], k)
    return (f"suppose one unit realised the function: w·x + b {strict} 0 on the rows with t = 1 and {weak} 0 on "
            f"the rows with t = {low_text}. Rows {rows_1} have t = 1: {each_1}; added: {sum_1}. Rows {rows_0} have "
            f"t = {low_text}: {each_0}; added: {sum_0}. Both rows' inputs add up to the same vector, so the two sums "
            f"are the same expression {total}, which cannot be both {strict} 0 and {weak} 0: no (w, b) exists, "
            "the function is not linearly separable")
