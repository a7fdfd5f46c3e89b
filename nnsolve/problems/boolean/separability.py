"""Exact linear separability of labelled points by Fourier–Motzkin elimination over Fractions.

A labelled set is separable iff some (w, b) gives s·(w·x + b) ≥ 1 for every point with sign s = ±1
(strict separation of a finite set can always be scaled to a margin of 1). Eliminating the variables one
by one decides feasibility exactly; back-substitution then picks a witness, preferring small integers.
"""
from __future__ import annotations

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
