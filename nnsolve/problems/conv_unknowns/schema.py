"""The problem file of a convolution with unknown kernel entries: the input, the kernel (numbers and
names), the bias, the convolution's settings and the outputs that are known."""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Literal, Optional, Union

from pydantic import BeforeValidator, Field
from typing_extensions import Annotated

from ..common import Common
from ..fields import Model, Number, _located, _matrix, describe, register_model
from ..loader import read_number

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Unknown(str):
    """A kernel or bias entry given by name: the quantity to solve for."""


def _entry(value: Any) -> Fraction | Unknown:
    if isinstance(value, bool):
        raise ValueError(f"expected a number or an unknown's name, got {describe(value)}: YAML reads "
                         f"yes/no/on/off as true/false, so quote such a name ('on')")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        try:
            return read_number(value)
        except ValueError:
            pass
        if NAME.match(value.strip()):
            return Unknown(value.strip())
        raise ValueError(f"expected a number or an unknown's name (a plain identifier such as a or w12), got "
                         f"{describe(value)}: expressions are not supported, name each unknown entry")
    if isinstance(value, (int, float)):
        return read_number(repr(value))
    raise ValueError(f"expected a number or an unknown's name, got {describe(value)}")


def _channels(value: Any, entry) -> list:
    """A matrix (one channel) or a list of matrices (one per channel), entries read by `entry`."""
    if isinstance(value, list) and value and all(isinstance(c, list) for c in value) \
            and any(isinstance(r, list) for c in value for r in c):
        out, bad = [], []
        for k, channel in enumerate(value):
            try:
                out.append(_grid(channel, entry))
            except ValueError as e:
                bad += _sub_issues(e, (k,))
        if bad:
            raise _located("not a list of equal-sized matrices", bad)
        shapes = {(len(c), len(c[0])) for c in out}
        if len(shapes) > 1:
            raise ValueError(f"the channels have different sizes {sorted(shapes)}; every channel must be "
                             f"the same size")
        return out
    return [_grid(value, entry)]


def _sub_issues(error: Exception, prefix: tuple) -> list[tuple[tuple, str]]:
    ctx = getattr(error, "context", None) or {}
    if "entries" in ctx:
        return [(prefix + sub, message) for sub, message in ctx["entries"]]
    return [(prefix, str(error))]


def _grid(value: Any, entry) -> list[list]:
    """A rectangular matrix whose entries `entry` reads (numbers; or numbers and names)."""
    if entry is None:
        return _matrix(value)
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ValueError(f"expected a matrix (a list of rows such as [[a, 1], [0, b]]), got {describe(value)}")
    widths = {len(r) for r in value}
    if len(widths) > 1 or 0 in widths:
        raise ValueError(f"the rows have {sorted(widths)} entries: a matrix's rows must have equal, nonzero "
                         f"lengths")
    out, bad = [], []
    for i, row in enumerate(value):
        cells = []
        for j, v in enumerate(row):
            try:
                cells.append(entry(v))
            except ValueError as e:
                bad.append(((i, j), str(e)))
        out.append(cells)
    if bad:
        raise _located("entries are neither numbers nor names", bad)
    return out


def _input(value: Any):
    return _channels(value, None)


def _kernel(value: Any):
    return _channels(value, _entry)


def _pair(value: Any):
    # one number for both axes, or [rows, columns]
    if isinstance(value, list):
        if len(value) != 2:
            raise ValueError(f"expected one whole number or a pair [rows, columns], got {describe(value)}")
        return [_whole(v) for v in value]
    return [_whole(value), _whole(value)]


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or Fraction(value).denominator != 1:
        raise ValueError(f"expected a whole number, got {describe(value)}")
    return int(value)


def _padding(value: Any):
    if isinstance(value, str) and value.strip().lower() in ("valid", "same"):
        return value.strip().lower()
    return _pair(value)


def _position(value: Any) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"expected a position [row, column], got {describe(value)}")
    return (_whole(value[0]), _whole(value[1]))


Pair = Annotated[Any, BeforeValidator(_pair)]
Entry = Annotated[Any, BeforeValidator(_entry)]


class KnownOutput(Model):
    at: Annotated[Any, BeforeValidator(_position)] = Field(
        description="the output's position [row, column], counted from index_base")
    value: Number = Field(description="the output's value there")


@register_model
class ConvUnknownsProblem(Common):
    input: Annotated[Any, BeforeValidator(_input)] = Field(
        description="the input: a matrix, or a list of matrices (one per channel)")
    kernel: Annotated[Any, BeforeValidator(_kernel)] = Field(
        description="the kernel: numbers and unknowns' names, e.g. [[a, 1], [0, b]]; a list of matrices for "
                    "several input channels")
    bias: Optional[Entry] = Field(default=None, description="a number or an unknown's name; omitted means 0")
    stride: Pair = Field(default=1, description="a whole number, or [rows, columns]")
    padding: Annotated[Any, BeforeValidator(_padding)] = Field(
        default=0, description="zeros added on each side: a whole number, [rows, columns], valid or same")
    dilation: Pair = Field(default=1, description="spacing of the kernel's taps: a whole number or [rows, columns]")
    operation: Literal["cross_correlation", "convolution"] = Field(
        default="cross_correlation",
        description="cross_correlation (the deep-learning convention: no flip) or convolution (kernel rotated 180°)")
    index_base: Union[Literal[0], Literal[1]] = Field(
        default=0, description="whether output positions count from 0 or from 1")
    outputs: list[KnownOutput] = Field(description="the known outputs: a list of {at: [row, column], value: …}")
