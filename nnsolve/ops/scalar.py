"""Scalar functions on exact numbers: rational in, rational out where the answer is rational."""
from __future__ import annotations

from fractions import Fraction

from ..engine.number import mp, to_mpf

# e^x is computed for |x| ≤ 10^300: e^(10^300) ≈ 10^(4.3·10^299) is still a number with an exponent one can
# write down and compute with. Past that the result can neither be printed nor computed in reasonable time
# (e^(e^(e^7)) has an exponent of 476 digits' worth of digits), so it is refused with its place.
EXP_ARGUMENT_LIMIT = 10 ** 300
INEXACT_EXP_ARGUMENT_LIMIT = 10 ** 16


class DomainError(ValueError):
    """A value outside a function's domain (log of 0 with no clamp, sqrt of a negative …)."""


def _beyond(what: str, x) -> DomainError:
    kind = "a positive number too small" if x < 0 else "too large"
    return DomainError(f"{what} for x = {mp.nstr(to_mpf(x), 5)} is {kind} to represent: e^x is computed for "
                       "|x| ≤ 10^300 (e^(10^300) already has 4.3·10^299 digits)")


def _too_far(x) -> bool:
    """|x| > 10^300 and finite (e^−∞ = 0 is a mask's value, not an overflow)."""
    return abs(x) > EXP_ARGUMENT_LIMIT and (isinstance(x, Fraction) or bool(mp.isfinite(x)))


def exp(x):
    """e^x to 50 significant digits. An exact x is carried with as many more bits as its integer part has (e^x's
    relative error is x's absolute one: 10^300 + 1/3 rounded to 50 digits would lose the 1/3); a 50-digit x must
    lie below 10^16 (see `_reliable`)."""
    if x == 0:
        return Fraction(1)
    if _too_far(x):
        raise _beyond("e^x", x)
    if isinstance(x, Fraction):
        with mp.extraprec(max(x.numerator.bit_length() - x.denominator.bit_length(), 0) + 10):
            value = mp.exp(to_mpf(x))
        return +value
    _reliable("e^x", x)
    return mp.exp(x)


def _reliable(what: str, x) -> None:
    """Refuse e^x for a 50-digit x past 10^16: x's last digit alone moves e^x by more than its 34th digit (past
    10^50, by a factor: e^(e^(e^6)) has no correct digit at all)."""
    if not isinstance(x, Fraction) and mp.isfinite(x) and abs(x) >= INEXACT_EXP_ARGUMENT_LIMIT:
        raise DomainError(f"{what} for x = {mp.nstr(x, 5)}, itself known to 50 significant digits, is not known to "
                          f"the digits shown: x's last digit alone moves e^x by a factor of "
                          f"e^{mp.nstr(abs(x) * mp.eps * 2, 2)} (e^x is computed from a 50-digit x below 10^16)")


def log(x, base="e", log_zero=None):
    """Logarithm in the stated base; `log_zero` is the value an exam key substitutes for log(0)."""
    if x == 0:
        if log_zero is None:
            raise DomainError("log(0) is undefined; state the clamp the exam uses (e.g. log_zero: -1e9)")
        return log_zero
    if x < 0:
        raise DomainError(f"log of a negative number ({x})")
    if x == 1:
        return Fraction(0)
    value = mp.ln(to_mpf(x))
    return value if base == "e" else value / ln_of_base(base)


def ln_of_base(base):
    """The factor ln(base) that turns a natural-log derivative into one in `base`."""
    return Fraction(1) if base == "e" else mp.ln(to_mpf(Fraction(base)))


def sqrt(x):
    if x < 0:
        raise DomainError(f"square root of a negative number ({x})")
    if isinstance(x, Fraction):
        n, d = x.numerator, x.denominator
        rn, rd = _isqrt_exact(n), _isqrt_exact(d)
        if rn is not None and rd is not None:
            return Fraction(rn, rd)
    return mp.sqrt(to_mpf(x))


def _isqrt_exact(n: int):
    from math import isqrt
    r = isqrt(n)
    return r if r * r == n else None


def tanh(x):
    return Fraction(0) if x == 0 else mp.tanh(to_mpf(x))


def sech_squared(x):
    """1 − tanh²(x) without the cancellation: tanh(30) is 1 − 10⁻²⁶, and 1 − tanh² must not lose it."""
    if x == 0:
        return Fraction(1)
    e = exp(-2 * abs(x))        # sech²(x) = 4e^(−2|x|)/(1 + e^(−2|x|))², e^x's care for its digits included
    return 4 * e / (1 + e) ** 2


def sigmoid(x):
    """σ(x), also where it is a positive number too small to print (σ(−10⁶) ≈ 3.3·10^−434295) and where it is
    1 to every one of its 50 digits (x > 10^300)."""
    if x == 0:
        return Fraction(1, 2)
    if x > EXP_ARGUMENT_LIMIT or (x >= INEXACT_EXP_ARGUMENT_LIMIT and not isinstance(x, Fraction)):
        return mp.mpf(1)        # 1 − σ(x) < e^−(10^16): σ(x) is 1 to every one of its 50 digits
    if x < 0:
        e = exp(x)
        return e / (1 + e)
    return 1 / (1 + exp(-x))


def softplus(x):
    """ln(1 + eˣ), without losing a tiny result (softplus(−10⁶) ≈ e^−10⁶) or a huge one to e^x."""
    if x > EXP_ARGUMENT_LIMIT or (x >= INEXACT_EXP_ARGUMENT_LIMIT and not isinstance(x, Fraction)):
        return to_mpf(x)        # x + ln(1 + e^−x): the second term is past x's 50th digit
    if x > 0:
        return to_mpf(x) + mp.log1p(exp(-x))
    return mp.log1p(exp(x))


def absolute(x):
    return -x if x < 0 else x


def sign(x, at_zero=Fraction(0)):
    return Fraction(1) if x > 0 else Fraction(-1) if x < 0 else at_zero


PI = mp.pi


def complement(y, u):
    """1 − y for y = σ(u): from y as written when it is an exact number (given, pinned, or rounded as a person
    does), else as σ(−u), which keeps the digits 1 − y loses where σ(u) is 1 to 50 digits (u = 200)."""
    return 1 - y if isinstance(y, Fraction) else sigmoid(-u)
