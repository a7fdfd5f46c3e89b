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

from ..engine.number import decimal_string, mp, to_fraction
from .answers import WideNumber, shape_text

HAND_ROUNDING = (2, 3, 4, 5)          # decimals a person with a calculator plausibly keeps
_HAIR = Fraction(1, 10 ** 40)         # an mpf sitting on a rounding boundary is not a miss
# Past 2^±EXACT_COMPARE_BITS an mpf is compared as the 50-digit number it is: its exact binary value (σ(−10⁹) is
# 2^−1,442,695,041) would be an integer of millions of digits. Keys written past 10^±1000 come as 50-digit numbers too.
EXACT_COMPARE_BITS = 4 * 3322
_SLACK_LIMIT = 1000                    # decimals past which a key's slack ½·10^−d is a 50-digit number


def real(x):
    """A key's number or a computed value, for comparing: a Fraction where exact arithmetic is cheap, else a 50-digit
    mpf (a value past 10^±4000, an infinity, a key written past the exact range). Mixed arithmetic and comparisons of
    the two are mpmath's, so every rule below is total."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, WideNumber):
        return x.value
    value = mp.mpf(x)
    _, man, exp, bits = value._mpf_
    if not mp.isfinite(value) or abs(exp) > EXACT_COMPARE_BITS:
        return value
    return to_fraction(value)


def slack(decimals: int | None):
    """How far a number written with `decimals` decimals may be from the value it rounds."""
    if decimals is None:
        return Fraction(0)
    if abs(decimals) > _SLACK_LIMIT:
        return mp.mpf(10) ** (-decimals) / 2
    return Fraction(1, 2) * Fraction(10) ** (-decimals)


def close(key, value, bound) -> bool:
    exact, written = real(value), real(key)
    if _infinite(exact) or _infinite(written):
        return bool(written == exact)      # ∞ agrees with ∞ only (∞ − ∞ is no distance)
    return bool(abs(written - exact) <= bound + _hair(exact))


def _hair(exact):
    """The slack for an mpf on a rounding boundary: relative to the value, and never below 10^−40, since an mpf
    that should be 0 can carry noise from the cancellation of order-1 operands. A value past 2^−13288 (σ(−10⁶)) is
    no such noise: its slack is relative only, so 3.4e-434295 is not 3.2968e-434295, nor is 0."""
    if not isinstance(exact, Fraction):
        return _HAIR * abs(exact)
    return _HAIR * max(1, abs(exact))


def _infinite(x) -> bool:
    return not isinstance(x, Fraction) and bool(mp.isinf(x))


def all_close(key: np.ndarray, value: np.ndarray, bound) -> bool:
    return all(close(k, v, bound) for k, v in zip(key.reshape(-1), value.reshape(-1)))


def truncated(key, value, decimals: int | None) -> bool:
    """The key is the value cut (not rounded) after `decimals` decimals: tanh(3.6) = 0.998508… as 0.99850."""
    if decimals is None:
        return False
    exact, written = real(value), real(key)
    if isinstance(exact, Fraction) and isinstance(written, Fraction) and abs(decimals) <= _SLACK_LIMIT:
        unit = Fraction(10) ** decimals
        return written == Fraction(int(exact * unit)) / unit      # int() truncates toward zero
    if not mp.isfinite(exact):
        return False
    unit = mp.mpf(10) ** decimals
    cut = mp.sign(exact) * mp.floor(abs(exact) * unit) / unit
    return bool(abs(written - cut) <= _HAIR * abs(cut))


def all_right(key: np.ndarray, value: np.ndarray, bound, decimals: int | None) -> bool:
    return all(close(k, v, bound) or truncated(k, v, decimals) for k, v in zip(key.reshape(-1), value.reshape(-1)))


def largest_difference(key: np.ndarray, value: np.ndarray):
    return max(abs(real(k) - real(v)) for k, v in zip(key.reshape(-1), value.reshape(-1)))


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


def _inside_band(key: np.ndarray, exact: np.ndarray, rounded: list[np.ndarray], bound) -> bool:
    """Every element is right to the key's precision or between the hand-rounded values (widened)."""
    flats = [r.reshape(-1) for r in rounded]
    for i, (k, v) in enumerate(zip(key.reshape(-1), exact.reshape(-1))):
        if close(k, v, bound):
            continue
        candidates = [real(f[i]) for f in flats]
        hair = _hair(real(v))
        if not min(candidates) - bound - hair <= real(k) <= max(candidates) + bound + hair:
            return False
    return True
