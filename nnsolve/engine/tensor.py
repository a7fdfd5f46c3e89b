"""Tensors are numpy object arrays of exact scalars (Fraction or mpf); a scalar is a 0-d array."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .number import mp

_MPF = type(mp.mpf(1))
_EXACT_TYPES = frozenset((Fraction, _MPF))


def _exact(v):
    if isinstance(v, Fraction):
        return Fraction(v.numerator, v.denominator)   # a Literal from a file: plain Fraction for arithmetic
    if isinstance(v, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(v, (int, np.integer)):
        return Fraction(int(v))
    if isinstance(v, (float, str)):     # a pin or a Python caller's 0.86 or "0.86": the decimal as written
        from .number import parse_number
        return parse_number(v)
    return v


def as_tensor(value) -> np.ndarray:
    """Nested lists, a scalar or an array → an object array of exact scalars (ints become Fractions)."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        arr = value
    else:
        arr = np.empty((), dtype=object)
        if isinstance(value, (list, tuple, np.ndarray)):
            arr = np.array(value, dtype=object)
        else:
            arr[()] = value
    flat = arr.reshape(-1)
    if not _EXACT_TYPES.issuperset(map(type, flat.tolist())):    # tolist: iterating numpy itself is slow
        arr = arr.copy()
        flat = arr.reshape(-1)
        for i, v in enumerate(flat):
            flat[i] = _exact(v)
    return arr


def emap(fn, *arrays: np.ndarray) -> np.ndarray:
    """Apply a scalar function element by element (broadcasting like numpy)."""
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=object) for a in arrays])
    out = np.empty(arrays[0].shape, dtype=object)
    flat_out = out.reshape(-1)
    flats = [a.reshape(-1) for a in arrays]
    for i in range(flat_out.size):
        flat_out[i] = fn(*(f[i] for f in flats))
    return out


def same_shape(a: np.ndarray, b: np.ndarray) -> bool:
    return tuple(np.shape(a)) == tuple(np.shape(b))


def total(a: np.ndarray):
    """Exact sum of all elements (numpy's sum of an empty object array would be int 0)."""
    result = Fraction(0)
    for v in np.asarray(a, dtype=object).reshape(-1):
        result = result + v
    return result


def to_nested(a: np.ndarray):
    """A plain nested list (or a scalar) of the elements."""
    return a.tolist() if a.ndim else a[()]
