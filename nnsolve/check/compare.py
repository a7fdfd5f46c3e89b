"""When a given answer agrees with a computed one: named rules with explicit tolerances.

A key's decimals are the precision it claims: with d decimals it agrees when it is the exact value
rounded or truncated to d decimals ("exact to d dp"; keys truncate as often as they round). A key
that rounded as it went may be off by more; it still agrees when it matches the value a person gets
by rounding every intermediate to K decimals (K = 2…5, or only the K the key says it used), or lies in
the range those hand-rounded values span for K ≥ d (a key does not claim more precision than it
worked with). Integers and fractions claim to be exact.
An explicit tolerance replaces all of this with one absolute bound.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional

import numpy as np

from ..engine.number import decimal_string, to_fraction
from .answers import shape_text

HAND_ROUNDING = (2, 3, 4, 5)          # decimals a person with a calculator plausibly keeps
_HAIR = Fraction(1, 10 ** 40)         # an mpf sitting on a rounding boundary is not a miss


def slack(decimals: int | None) -> Fraction:
    """How far a number written with `decimals` decimals may be from the value it rounds."""
    return Fraction(0) if decimals is None else Fraction(1, 2) * Fraction(10) ** (-decimals)


def close(key, value, bound: Fraction) -> bool:
    exact = to_fraction(value)
    return abs(Fraction(key) - exact) <= bound + _HAIR * max(1, abs(exact))


def all_close(key: np.ndarray, value: np.ndarray, bound: Fraction) -> bool:
    return all(close(k, v, bound) for k, v in zip(key.reshape(-1), value.reshape(-1)))


def truncated(key, value, decimals: int | None) -> bool:
    """The key is the value cut (not rounded) after `decimals` decimals: tanh(3.6) = 0.998508… as 0.99850."""
    if decimals is None:
        return False
    scaled = to_fraction(value) * 10 ** decimals
    cut = Fraction(int(scaled), 10 ** decimals)      # int() truncates toward zero
    return Fraction(key) == cut


def all_right(key: np.ndarray, value: np.ndarray, bound: Fraction, decimals: int | None) -> bool:
    return all(close(k, v, bound) or truncated(k, v, decimals) for k, v in zip(key.reshape(-1), value.reshape(-1)))


def largest_difference(key: np.ndarray, value: np.ndarray) -> Fraction:
    return max(abs(Fraction(k) - to_fraction(v)) for k, v in zip(key.reshape(-1), value.reshape(-1)))


def aligned(key: np.ndarray, shape: tuple) -> tuple[np.ndarray | None, str]:
    """The key reshaped to the computed shape when that only drops or adds axes of length 1
    (a scalar for a 1-element vector, a row for a 2×1 gradient); otherwise None and what differs."""
    if key.shape == tuple(shape):
        return key, ""
    squeeze = lambda s: tuple(n for n in s if n != 1)  # noqa: E731
    if squeeze(key.shape) == squeeze(shape):
        # a key writing 0.54 for a one-element output is not worth a remark; a row for a column is
        note = "" if key.size == 1 else f"given as {shape_text(key.shape)}, read as {shape_text(tuple(shape))}"
        return key.reshape(shape), note
    return None, f"shape: expected {shape_text(tuple(shape))}, got {shape_text(key.shape)}"


def agreement(key: np.ndarray, exact: np.ndarray, hand_rounded: Callable[[int], Optional[np.ndarray]],
              decimals: int | None, tolerance: Fraction | None, declared: tuple[int, ...] = ()) -> str | None:
    """The rule under which `key` agrees with the computed value, or None if none does.

    `hand_rounded(K)` gives the value with every intermediate rounded to K decimals (None when that
    computation is impossible, e.g. a rounded probability hits 0 inside a log).
    """
    if tolerance is not None:
        return f"within ±{decimal_string(tolerance)}" if all_close(key, exact, tolerance) else None
    bound = slack(decimals)
    if all_close(key, exact, bound):
        return "exact" if decimals is None else f"exact to {decimals} dp"
    if all_right(key, exact, bound, decimals):
        return f"exact to {decimals} dp (truncated)"
    # A key most likely rounded its intermediates to the decimals it writes; try that first.
    # A key that states its own rounding ("I used 5 DP") is held to it.
    preferred = sorted(declared or HAND_ROUNDING, key=lambda k: (k != decimals, k))
    values = {}
    for places in preferred:
        value = hand_rounded(places)
        if value is None:
            continue
        values[places] = value
        if all_close(key, value, bound):
            return f"matches with intermediates rounded to {places} dp"
    # The band allows mixed rounding along the way, but not far coarser than the key's own claim:
    # a key writing 10 decimals that lies between the 2-dp and 5-dp values merely lies near them.
    band = {k: v for k, v in values.items() if decimals is None or k >= decimals}
    if len(band) >= 2 and _inside_band(key, exact, list(band.values()), bound):
        low, high = min(band), max(band)
        return f"within the range of hand-rounded values (intermediates rounded to {low}–{high} dp)"
    return None


def _inside_band(key: np.ndarray, exact: np.ndarray, rounded: list[np.ndarray], bound: Fraction) -> bool:
    """Every element is right to the key's precision or between the hand-rounded values (widened)."""
    flats = [r.reshape(-1) for r in rounded]
    for i, (k, v) in enumerate(zip(key.reshape(-1), exact.reshape(-1))):
        if close(k, v, bound):
            continue
        candidates = [to_fraction(f[i]) for f in flats]
        hair = _HAIR * max(1, abs(to_fraction(v)))
        if not min(candidates) - bound - hair <= Fraction(k) <= max(candidates) + bound + hair:
            return False
    return True
