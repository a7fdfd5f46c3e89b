"""The named comparators a marking scheme may give an answer (PrairieLearn's and STACK's names; Moodle's nominal
tolerance is `absolute`, its relative one `relative`), applied exactly to every number of the answer."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..check.compare import real
from .scheme import Tolerance


def within(tolerance: Tolerance, given: np.ndarray, value: np.ndarray) -> bool:
    """Every number of `given` is close enough to the number of `value` in its place."""
    return all(_close(tolerance, real(g), real(v)) for g, v in zip(given.reshape(-1), value.reshape(-1)))


def _close(tolerance: Tolerance, given, value) -> bool:
    if not isinstance(given, Fraction) or not isinstance(value, Fraction):
        return bool(given == value)          # an infinity or a number past the exact range: only itself
    return abs(given - value) <= allowance(tolerance, value)


def allowance(tolerance: Tolerance, value: Fraction) -> Fraction:
    """How far from `value` a number may be under the comparator, exactly (what Moodle calls a nominal
    tolerance): significant figures are half a unit in the last of them, and 0 is matched only by 0."""
    name, bound = tolerance.name, tolerance.value
    if name == "absolute":
        return Fraction(bound)
    if name == "relative":
        return Fraction(bound) * abs(value)
    if name == "decimals":
        return Fraction(1, 2) * Fraction(10) ** -bound
    if value == 0:
        return Fraction(0)
    return Fraction(1, 2) * Fraction(10) ** (_exponent(abs(value)) - bound + 1)


def _exponent(x: Fraction) -> int:
    """The e with 10^e ≤ x < 10^(e+1), exactly."""
    e = len(str(x.numerator)) - len(str(x.denominator))
    while Fraction(10) ** e > x:
        e -= 1
    while Fraction(10) ** (e + 1) <= x:
        e += 1
    return e
