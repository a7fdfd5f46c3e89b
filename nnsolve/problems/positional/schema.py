"""The problem file of a sinusoidal positional encoding: which positions, which dimensions, which d_model."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BeforeValidator, Field

from ...limits import MAX_ENCODING_VALUES     # each value is a 50-digit sine: more is a table for floating point
from ..common import Common
from ..fields import Number, register_model


def _ints(value):
    return value if isinstance(value, list) else [value]


@register_model
class PositionalProblem(Common):
    problem: Literal["positional_encoding"]
    positions: Annotated[list[int], BeforeValidator(_ints)] = Field(
        alias="pos", min_length=1, description="a position (counted from 0) or a list of them")
    d_model: int = Field(ge=1, description="width of the encoding (the model dimension d)")
    dimensions: Optional[list[int]] = Field(
        default=None, description="[first, last] dimension indices (from 0), both included; default all")
    base: Number = Field(default="10000", description="the wavelength base (10000 in the paper)")
    angle_unit: Literal["radians", "degrees"] = Field(
        default="radians", description="radians as defined; degrees only for a key that set its calculator so")


def consistency(p: PositionalProblem) -> list[tuple[tuple, str]]:
    found = []
    if any(pos < 0 for pos in p.positions):
        found.append((("pos",), "positions count from 0"))
    if p.dimensions is not None:
        if len(p.dimensions) != 2 or not 0 <= p.dimensions[0] <= p.dimensions[1]:
            found.append((("dimensions",), "expected [first, last] with 0 ≤ first ≤ last"))
        elif p.dimensions[1] >= p.d_model:
            found.append((("dimensions",), f"dimension {p.dimensions[1]} is beyond d_model = {p.d_model} "
                                           f"(dimensions are 0 … {p.d_model - 1})"))
    if p.base <= 0:
        found.append((("base",), "the base must be positive"))
    first, last = p.dimensions if p.dimensions and len(p.dimensions) == 2 else (0, p.d_model - 1)
    if len(p.positions) * (last - first + 1) > MAX_ENCODING_VALUES.value:
        found.append((("dimensions",), f"more than {MAX_ENCODING_VALUES.shown} values: give fewer positions or "
                                       f"dimensions {MAX_ENCODING_VALUES.hint}"))
    return found
