"""Exact scalars: rationals stay `Fraction`, transcendental results are 50-digit mpmath floats.

Exam numbers are decimals a person typed (0.1 means 1/10), so every input is read as a Fraction;
only exp/log/sqrt/tanh produce an `mpf`, carried at 50 significant digits so that 30 are shown safely.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Union

import mpmath
import numpy as np

from .symbolic import Symbolic

# A private context so nnsolve never changes the precision of a user's own mpmath session.
mp = mpmath.MPContext()
mp.dps = 50

_from_rational = mpmath.libmp.from_rational
_ROUND_AS_MPMATH_CONVERTS = mpmath.libmp.libmpf.round_fast


@lru_cache(maxsize=4096)
def _rational_mpf(numerator: int, denominator: int, prec: int, rounding: str):
    """Cached: the same weights and constants meet many mpfs."""
    return _from_rational(numerator, denominator, prec, rounding)


# Let mpmath accept Fractions on either side of + − × ÷ and comparisons (it knows only its own mpq).
# Never write `Fraction ** mpf`: Fraction.__pow__ goes through float; use mp.power(to_mpf(a), b).
Fraction._mpmath_ = lambda self, prec, rounding: mp.make_mpf(  # type: ignore[attr-defined]
    _rational_mpf(self.numerator, self.denominator, prec, rounding))


def _convert_fractions_first(x, strings=True, _general=mp.convert):
    """`mpf ∘ Fraction` in the private context gives the value mpmath's own `convert` gives (through its
    mpq at the context's precision, rounding as it does) without its chain of type tests. This is the
    hot path of exact-meets-irrational arithmetic; a user's own mpmath contexts are left alone."""
    if type(x) is Fraction:
        return mp.make_mpf(_rational_mpf(x.numerator, x.denominator, mp._prec_rounding[0],
                                         _ROUND_AS_MPMATH_CONVERTS))
    return _general(x, strings)


mp.convert = _convert_fractions_first

Real = Union[Fraction, "mpmath.mpf"]
SHOWN_DIGITS = 32   # significant digits of an irrational "exact" value in JSON and tests

ZERO = Fraction(0)
ONE = Fraction(1)


def parse_number(text: str | int | float | Fraction) -> Fraction:
    """Read a decimal, integer, fraction ("3/4") or scientific literal exactly."""
    if isinstance(text, Fraction):
        return text
    if isinstance(text, bool):
        raise ValueError(f"expected a number, got {text!r}")
    if isinstance(text, int):
        return Fraction(text)
    if isinstance(text, float):
        # A float only reaches here from Python callers; its shortest repr is what they typed.
        if not math.isfinite(text):
            raise ValueError(f"expected a finite number, got {text!r}")
        return Fraction(Decimal(repr(text)))
    s = str(text).strip().replace("−", "-").replace("_", "")
    if s.count("/") > 1:
        # 1/2/3 is (1/2)/3 to one reader and 1/(2/3) to another: no exam number is written so
        raise ValueError(f"expected one fraction such as 3/4, got {text!r} (more than one '/')")
    if "/" in s:
        num, _, den = s.partition("/")
        numerator, denominator = parse_number(num), parse_number(den)
        if denominator == 0:
            raise ValueError(f"division by zero in {text!r}")
        return numerator / denominator
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"expected a number, got {text!r}") from None
    if not d.is_finite():
        raise ValueError(f"expected a finite number, got {text!r}")
    return Fraction(d)


def is_exact(x) -> bool:
    return isinstance(x, (Fraction, int))


def to_mpf(x):
    if isinstance(x, Fraction):
        return mp.mpf(x.numerator) / x.denominator
    return mp.mpf(x)


def simplify(x):
    """An mpf that is an integer stays exact; anything else is returned unchanged."""
    if isinstance(x, int) and not isinstance(x, bool):
        return Fraction(x)
    return x


def to_float(x) -> float | None:
    """A float for programs; None for a formula or a verdict."""
    if isinstance(x, Symbolic):
        return None
    if isinstance(x, Fraction):
        try:
            return x.numerator / x.denominator
        except OverflowError:       # 2^1560 dropout sub-networks: exact as text, infinite as a float
            return math.inf if x > 0 else -math.inf
    return float(x)


def beyond_double(x) -> bool:
    """|x| past the largest float64 (≈ 1.8·10^308), or not a number: where a float64 run overflows."""
    f = to_float(x)
    return f is not None and not math.isfinite(f)


def round_decimal(x, places: int):
    """Round half away from zero to `places` decimals, as a person with a calculator does. A number past
    10^1000 (an mpf: its 50 significant digits all lie far left of the decimal point) is its own rounding."""
    if is_huge(x) and not isinstance(x, Fraction):
        return x
    if _far_below_half_unit(x, places):
        return Fraction(0)
    negative, numerator, denominator = _exact_parts(x)
    unit = 10 ** places
    whole, rest = divmod(numerator * unit, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Fraction(-whole if negative else whole, unit)


def _exact_parts(x) -> tuple[bool, int, int]:
    """(negative, |numerator|, denominator) of a Fraction, or of an mpf's exact binary value: integer
    arithmetic on these is what rounding and display need, without building Fractions step by step."""
    if isinstance(x, Fraction):
        return x.numerator < 0, abs(x.numerator), x.denominator
    sign, man, exp, _ = mp.mpf(x)._mpf_
    return (bool(sign), man << exp, 1) if exp >= 0 else (bool(sign), man, 1 << -exp)


def _far_below_half_unit(x, places: int) -> bool:
    """|x| < ½·10^−places for sure, read off an mpf's binary exponent: |x| < 2^(exp + bits) ≤ 16^−places / 2.
    Spares the exact conversion of something like σ(−10¹⁰) ≈ 10^−(4·10⁹), whose Fraction would not fit in memory."""
    if isinstance(x, Fraction):
        return False
    _, man, exp, bits = mp.mpf(x)._mpf_
    return man != 0 and exp + bits <= -4 * places - 1


def _below_half_unit(x, places: int) -> bool:
    _, numerator, denominator = _exact_parts(x)
    return 2 * numerator * 10 ** places < denominator


def _to_fraction(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    sign, man, exp, _ = mp.mpf(x)._mpf_
    if man == 0:
        return Fraction(0)
    man = -man if sign else man
    # an mpf's mantissa is odd (mpmath normalises it), so man/2^−exp is already in lowest terms
    return Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)


def to_fraction(x) -> Fraction:
    """The exact binary value of an mpf (or the Fraction itself)."""
    return _to_fraction(x)


HUGE_BITS = 3322       # 2^3322 ≈ 10^1000: beyond it a number is written in scientific form, never digit by digit
# The exact range: a rational whose numerator or denominator has more than EXACT_DIGITS decimal digits
# (EXACT_BITS binary ones) is carried as a 50-significant-digit mpf from there on. Exam arithmetic never comes
# near it; a run that grows without bound (1,000 diverging updates, a velocity multiplied by 10^999) would
# otherwise build million-digit integers that take minutes to multiply and cannot be printed.
EXACT_DIGITS = 2000
EXACT_BITS = 6644      # ⌈2000·log₂10⌉
BEYOND_EXACT_RANGE = f"beyond the exact range: {mp.dps} significant digits"
# An mpf is written digit by digit only below 10^20: its digits past the 50th are binary noise, not the number.
FIXED_MAGNITUDE_BITS = 66     # 2^66 ≈ 7·10^19
MAX_SHOWN_PLACES = SHOWN_DIGITS   # decimals of a display; more would only print an mpf's noise (or a million zeros)
MAX_WRITTEN_PLACES = 4000         # a terminating decimal longer than this is written p/q (Python writes ≤ 4,300 digits)


def beyond_exact_range(x) -> bool:
    """A Fraction whose numerator or denominator has more than EXACT_DIGITS digits."""
    return type(x) is Fraction and (x.numerator.bit_length() > EXACT_BITS or x.denominator.bit_length() > EXACT_BITS)


def within_exact_range(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """The values with every Fraction beyond the exact range made a 50-digit mpf, and whether any was."""
    flat = values.reshape(-1).tolist()
    if not any(beyond_exact_range(v) for v in flat):
        return values, False
    out = values.copy()
    out_flat = out.reshape(-1)
    for i, v in enumerate(flat):
        if beyond_exact_range(v):
            out_flat[i] = to_mpf(v)
    return out, True


def is_huge(x) -> bool:
    """|x| ≥ about 10^1000, read off the binary sizes (writing such a number out in full is a million-digit
    string, and Python refuses int → text conversions of more than 4300 digits)."""
    if isinstance(x, Fraction):
        return x.numerator.bit_length() - x.denominator.bit_length() > HUGE_BITS
    mpf = mp.mpf(x)
    if not mp.isfinite(mpf) or mpf == 0:
        return False
    _, man, exp, _ = mpf._mpf_
    return exp + man.bit_length() > HUGE_BITS


def decimal_string(x, digits: int = SHOWN_DIGITS) -> str:
    """Exact value as text: a terminating decimal in full, otherwise `digits` significant digits."""
    if isinstance(x, Symbolic):
        return x.text
    if is_huge(x):
        return mpmath.nstr(to_mpf(x), digits)
    if isinstance(x, Fraction):
        places = _decimal_places(x)
        if places is not None and places <= MAX_WRITTEN_PLACES:
            return _terminating(x)
        if places is not None:          # 1/2^6000: exact as p/q; its 6,000 decimals are no one's reading
            return f"{x.numerator}/{x.denominator}"
        return mpmath.nstr(to_mpf(x), digits, strip_zeros=True, min_fixed=-5, max_fixed=20)
    return mpmath.nstr(x, digits, strip_zeros=True, min_fixed=-5, max_fixed=20)


def _terminating(x: Fraction) -> str:
    sign = "-" if x < 0 else ""
    numerator, denominator = abs(x.numerator), x.denominator
    whole, rest = divmod(numerator, denominator)
    if rest == 0:
        return f"{sign}{whole}"
    places = _decimal_places(x)     # the least with denominator | 10^places
    return f"{sign}{whole}.{rest * 10 ** places // denominator:0{places}d}"


def _decimal_places(x: Fraction) -> int | None:
    """How many decimals a rational's decimal expansion has, or None when it does not terminate."""
    d = x.denominator
    twos = (d & -d).bit_length() - 1
    d >>= twos
    fives = _multiplicity(d, 5)
    return max(twos, fives) if d == 5 ** fives else None


def _multiplicity(n: int, p: int) -> int:
    """The exponent of p in n, by repeated squaring: a denominator of 10^2000 takes a few dozen divisions, not
    2,000 of them."""
    count = 0
    while n % p == 0:
        power, times = p, 1
        while n % (power * power) == 0:
            power, times = power * power, times * 2
        n //= power
        count += times
    return count


def exact_string(x) -> str:
    """`p/q` for a rational that has no short decimal form, else the decimal form."""
    if isinstance(x, Fraction) and x.denominator != 1:
        text = decimal_string(x)
        if is_terminating(x) and len(text) <= 24:
            return text
        return f"{x.numerator}/{x.denominator}"
    return decimal_string(x)


def is_terminating(x: Fraction) -> bool:
    return _decimal_places(x) is not None


def format_number(x, places: int = 4) -> str:
    """Rounded for display: `places` decimals; tiny non-zero values keep `places` significant digits, and
    an mpf from 10^20 on (or any number past 10^1000) is written in scientific form."""
    if isinstance(x, Symbolic):
        return x.text
    places = max(0, min(places, MAX_SHOWN_PLACES))
    if is_huge(x) or _large_mpf(x):
        return mpmath.nstr(to_mpf(x), max(places, 1) + 1)
    needed = _decimal_places(x) if isinstance(x, Fraction) else None
    if needed is not None and needed <= places:
        return _terminating(x)      # a given like 3.2 is shown as written, not as 3.2000
    if x != 0 and (_far_below_half_unit(x, places) or _below_half_unit(x, places)):
        return mpmath.nstr(to_mpf(x), max(places, 1), min_fixed=1, max_fixed=0)
    r = round_decimal(x, places)
    if r == 0:
        return "0" if x == 0 else ("-0." if x < 0 else "0.") + "0" * places
    whole, _, decimals = _terminating(r).partition(".")   # exact: a float would garble digits past the 16th
    return f"{whole}.{decimals.ljust(places, '0')}" if places > 0 else whole


def _large_mpf(x) -> bool:
    if isinstance(x, Fraction):
        return False
    _, man, exp, bits = mp.mpf(x)._mpf_
    return man != 0 and exp + bits > FIXED_MAGNITUDE_BITS


def exact_array(values) -> np.ndarray:
    """A numpy object array of Fractions from nested lists of numbers or literals."""
    arr = np.array(values, dtype=object)
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        flat[i] = parse_number(v)
    return arr
