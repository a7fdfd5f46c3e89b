"""Exact scalars: rationals stay `Fraction`, transcendental results are 50-digit mpmath floats.

Exam numbers are decimals a person typed (0.1 means 1/10), so every input is read as a Fraction;
only exp/log/sqrt/tanh produce an `mpf`, carried at 50 significant digits so that 30 are shown safely.
"""
from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Union

import mpmath
import numpy as np

# A private context so nnsolve never changes the precision of a user's own mpmath session.
mp = mpmath.MPContext()
mp.dps = 50

# Let mpmath accept Fractions on either side of + − × ÷ and comparisons (it knows only its own mpq).
# Never write `Fraction ** mpf`: Fraction.__pow__ goes through float; use mp.power(to_mpf(a), b).
Fraction._mpmath_ = lambda self, prec, rounding: mp.make_mpf(  # type: ignore[attr-defined]
    mpmath.libmp.from_rational(self.numerator, self.denominator, prec, rounding))

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


def to_float(x) -> float:
    if isinstance(x, Fraction):
        return x.numerator / x.denominator
    return float(x)


def round_decimal(x, places: int) -> Fraction:
    """Round half away from zero to `places` decimals, as a person with a calculator does."""
    q = Fraction(1, 10 ** places)
    value = _to_fraction(x)
    n = abs(value) / q
    whole = math.floor(n)
    if n - whole >= Fraction(1, 2):
        whole += 1
    return (whole * q) if value >= 0 else -(whole * q)


def _to_fraction(x) -> Fraction:
    if isinstance(x, Fraction):
        return x
    sign, man, exp, _ = mp.mpf(x)._mpf_
    if man == 0:
        return Fraction(0)
    value = Fraction(man) * (Fraction(2) ** exp)
    return -value if sign else value


def to_fraction(x) -> Fraction:
    """The exact binary value of an mpf (or the Fraction itself)."""
    return _to_fraction(x)


def decimal_string(x, digits: int = SHOWN_DIGITS) -> str:
    """Exact value as text: a terminating decimal in full, otherwise `digits` significant digits."""
    if isinstance(x, Fraction):
        d = x.denominator
        while d % 2 == 0:
            d //= 2
        while d % 5 == 0:
            d //= 5
        if d == 1:
            return _terminating(x)
        return mpmath.nstr(to_mpf(x), digits, strip_zeros=True, min_fixed=-5, max_fixed=20)
    return mpmath.nstr(x, digits, strip_zeros=True, min_fixed=-5, max_fixed=20)


def _terminating(x: Fraction) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    whole, rest = divmod(x.numerator, x.denominator)
    if rest == 0:
        return f"{sign}{whole}"
    places = 0
    frac = Fraction(rest, x.denominator)
    while frac.denominator != 1:
        frac *= 10
        places += 1
    return f"{sign}{whole}.{int(frac):0{places}d}"


def exact_string(x) -> str:
    """`p/q` for a rational that has no short decimal form, else the decimal form."""
    if isinstance(x, Fraction) and x.denominator != 1:
        text = decimal_string(x)
        if _is_terminating(x) and len(text) <= 24:
            return text
        return f"{x.numerator}/{x.denominator}"
    return decimal_string(x)


def _is_terminating(x: Fraction) -> bool:
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def format_number(x, places: int = 4) -> str:
    """Rounded for display: `places` decimals; tiny non-zero values keep `places` significant digits."""
    if isinstance(x, Fraction) and _is_terminating(x):
        text = _terminating(x)
        if len(text.partition(".")[2]) <= places:
            return text     # a given like 3.2 is shown as written, not as 3.2000
    if x != 0 and abs(_to_fraction(x)) < Fraction(1, 10 ** places) / 2:
        return mpmath.nstr(to_mpf(x), max(places, 1), min_fixed=1, max_fixed=0)
    r = round_decimal(x, places)
    if r == 0:
        return "0" if x == 0 else ("-0." if x < 0 else "0.") + "0" * places
    return f"{to_float(r):.{places}f}" if places > 0 else str(int(r))


def exact_array(values) -> np.ndarray:
    """A numpy object array of Fractions from nested lists of numbers or literals."""
    arr = np.array(values, dtype=object)
    flat = arr.reshape(-1)
    for i, v in enumerate(flat):
        flat[i] = parse_number(v)
    return arr
