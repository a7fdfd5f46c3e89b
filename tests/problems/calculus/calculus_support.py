"""Shared by the calculus-family tests: solve a problem given as YAML text, and read exact values."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

import nnsolve


def solved(text: str):
    """The Solution of a calculus problem written as YAML text."""
    return nnsolve.solve(text)


def flat(solution, quantity: str) -> list:
    """The exact values of a quantity, flattened (a scalar gives one item)."""
    return list(np.asarray(solution.value(quantity), dtype=object).reshape(-1))


def high_precision(x) -> mpmath.mpf:
    """An exact value (Fraction or the package's 50-digit mpf) in the global mpmath context."""
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x)


def close(a, b, rel: float, scale: float = 1.0) -> bool:
    """|a − b| ≤ rel·max(|b|, scale): relative, with an absolute floor for values near 0 (where float64
    cancellation leaves an absolute, not a relative, error)."""
    return abs(float(a) - float(b)) <= rel * max(abs(float(b)), scale)
