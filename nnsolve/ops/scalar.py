"""Scalar functions on exact numbers: rational in, rational out where the answer is rational."""
from __future__ import annotations

from fractions import Fraction

from ..engine.number import mp, to_mpf


class DomainError(ValueError):
    """A value outside a function's domain (log of 0 with no clamp, sqrt of a negative …)."""


def exp(x):
    return Fraction(1) if x == 0 else mp.exp(to_mpf(x))


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


def sigmoid(x):
    if x == 0:
        return Fraction(1, 2)
    return 1 / (1 + mp.exp(-to_mpf(x)))


def softplus(x):
    return mp.log(1 + mp.exp(to_mpf(x)))


def absolute(x):
    return -x if x < 0 else x


def sign(x, at_zero=Fraction(0)):
    return Fraction(1) if x > 0 else Fraction(-1) if x < 0 else at_zero


PI = mp.pi
