"""When a given answer agrees with a computed one: named rules with explicit tolerances.

A key's decimals are the precision it claims, number by number: a vector written [0.5, 0.3333] claims 1
decimal for its first element and 4 for its second, and 138M its 3 significant figures (decimals −6). It
agrees when every number is the exact value rounded to its own decimals, or every number is the exact value
truncated to them ("exact to d dp"; keys truncate as often as they round, but one answer is worked one way:
rounding one element and truncating the next is no rule). A key that rounded as it went may be off by more;
it still agrees when it matches the value a person gets by rounding every intermediate to K decimals (K = 2…5,
or only the K the key says it used), or lies in the range those hand-rounded values span for K ≥ d (a key
does not claim more precision than it worked with). Integers, fractions and formulas claim to be exact, and
lie in no range. An explicit tolerance replaces all of this with one absolute bound.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, Optional

import numpy as np

from ..engine.number import decimal_string, mp, to_fraction
from .answers import shape_text
from .numbers import WideNumber

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


def all_close(key: np.ndarray, value: np.ndarray, bounds) -> bool:
    """Every number within its bound (one bound for all, or one per number)."""
    return all(close(k, v, b) for k, v, b in zip(key.reshape(-1), value.reshape(-1), _each(bounds, key)))


def places_of(decimals, key: np.ndarray) -> list:
    """The decimals each number of `key` claims: one count for all of them, or one per number."""
    return _each(decimals, key)


def _each(per_number, key: np.ndarray) -> list:
    if isinstance(per_number, (list, tuple, np.ndarray)):
        flat = list(np.asarray(per_number, dtype=object).reshape(-1))
        assert len(flat) == key.size
        return flat
    return [per_number] * key.size


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


def all_truncated(key: np.ndarray, value: np.ndarray, places: list) -> bool:
    """Every number is the value cut after its own decimals (a number claiming exactness is the value itself)."""
    return all(close(k, v, 0) if d is None else truncated(k, v, d)
               for k, v, d in zip(key.reshape(-1), value.reshape(-1), places))


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
              decimals, tolerance: Fraction | None, declared: tuple[int, ...] = ()) -> str | None:
    """The rule under which `key` agrees with the computed value, or None if none does.

    `decimals` is the precision claimed: one count (None = exact) or one per number of `key`.
    `hand_rounded(K)` gives the value with every intermediate rounded to K decimals (None when that
    computation is impossible, e.g. a rounded probability hits 0 inside a log).
    """
    if tolerance is not None:
        return f"within ±{decimal_string(tolerance)}" if all_close(key, exact, tolerance) else None
    places = places_of(decimals, key)
    bounds = [slack(d) for d in places]
    precision = precision_text(places)
    if all_close(key, exact, bounds):
        return "exact" if precision is None else f"exact to {precision}"
    if all_truncated(key, exact, places):
        return f"exact to {precision} (truncated)"
    # A key most likely rounded its intermediates to the decimals it writes; try that first.
    # A key that states its own rounding ("I used 5 DP") is held to it.
    finest = max((d for d in places if d is not None), default=None)
    preferred = sorted(declared or HAND_ROUNDING, key=lambda k: (k != finest, k))
    values = {}
    for k in preferred:
        value = hand_rounded(k)
        if value is None:
            continue
        values[k] = value
        if all_close(key, value, bounds):
            return f"matches with intermediates rounded to {k} dp"
    # The band allows mixed rounding along the way, but not far coarser than the key's own claim:
    # a key writing 10 decimals that lies between the 2-dp and 5-dp values merely lies near them, and one
    # claiming exactness (1/3, e^2/(1 + e^2)) lies near none of them.
    if finest is None:
        return None
    band = {k: v for k, v in values.items() if k >= finest}
    if len(band) >= 2 and _inside_band(key, exact, list(band.values()), bounds):
        low, high = min(band), max(band)
        return f"within the range of hand-rounded values (intermediates rounded to {low}–{high} dp)"
    return None


def precision_text(places: list) -> str | None:
    """The precision numbers claim, in words: "2 dp", "1–4 dp" (each number its own), "3 significant figures"
    is said by the caller, who knows how the number was written; None when every number claims exactness."""
    counts = sorted({d for d in places if d is not None})
    if not counts:
        return None
    if len(counts) == 1:
        d = counts[0]
        if d >= 0:
            return f"{d} dp"
        return f"the nearest {10 ** -d:,}" if -d <= 12 else f"the nearest 10^{-d}"
    return f"{counts[0]}–{counts[-1]} dp, each number to its own"


def _inside_band(key: np.ndarray, exact: np.ndarray, rounded: list[np.ndarray], bounds: list) -> bool:
    """Every element is right to its own precision or between the hand-rounded values (widened)."""
    flats = [r.reshape(-1) for r in rounded]
    for i, (k, v, bound) in enumerate(zip(key.reshape(-1), exact.reshape(-1), bounds)):
        if close(k, v, bound):
            continue
        candidates = [real(f[i]) for f in flats]
        hair = _hair(real(v))
        if not min(candidates) - bound - hair <= real(k) <= max(candidates) + bound + hair:
            return False
    return True
