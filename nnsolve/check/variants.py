"""The same problem solved the ways a key may have solved it: rounding as it went, carrying its own
earlier (possibly wrong) numbers forward, or under another convention. Each re-solve is cached."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..engine.computation import Policy
from ..ops.scalar import DomainError
from ..solution import Solution
from .answers import WideNumber

# What a re-solve under an alternative convention may run into (a layout that no longer fits,
# a rounded probability of 0 inside a log): that variant is then simply not the key's.
_IMPOSSIBLE = (ArithmeticError, ValueError, KeyError, IndexError, DomainError)


@dataclass(frozen=True)
class Pin:
    """A quantity (or one element of it) replaced by the key's number."""

    quantity: str
    index: tuple[int, ...]
    value: np.ndarray            # already in the shape of quantity[index]


@dataclass
class KeyPolicy(Policy):
    """A Policy whose pins may cover single elements: the rest of the tensor is still computed."""

    elements: dict[str, list[tuple[tuple[int, ...], np.ndarray]]] = field(default_factory=dict)

    def settle(self, node_id: str, value: np.ndarray) -> np.ndarray:
        value = super().settle(node_id, value)
        if node_id in self.elements:
            value = value.copy()
            for index, given in self.elements[node_id]:
                if index == () and value.ndim == 0:
                    value[()] = given[()]
                else:
                    value[index] = given
        return value


class Variants:
    """Re-solves of one problem, keyed by (convention variant, rounding, pinned answers)."""

    def __init__(self, family, model, base: Solution):
        self.family = family
        self.model = model
        self.base = base
        self._cache: dict[tuple, Solution | None] = {("", None, ()): base}

    def solve(self, variant: str = "", model=None, places: int | None = None,
              pins: tuple[Pin, ...] = ()) -> Solution | None:
        """`variant` names `model` (a modified copy of the problem) for the cache; '' is the problem."""
        key = (variant, places, tuple((p.quantity, p.index) for p in pins))
        if key not in self._cache:
            self._cache[key] = self._solve(model if model is not None else self.model, places, pins)
        return self._cache[key]

    def _solve(self, model, places, pins) -> Solution | None:
        elements: dict[str, list] = {}
        for pin in pins:
            plain = np.vectorize(_plain, otypes=[object])(pin.value)
            elements.setdefault(pin.quantity, []).append((pin.index, np.asarray(plain, dtype=object)))
        try:
            return self.family.solve(model, KeyPolicy(round_places=places, elements=elements))
        except _IMPOSSIBLE:
            return None


def _plain(number):
    """A key's number as the engine takes it: a plain Fraction (a Literal is one that remembers its text), or the
    50-digit value of a number written past the exact range."""
    return number.value if isinstance(number, WideNumber) else Fraction(number.numerator, number.denominator)


def value_at(solution: Solution | None, quantity: str, index: tuple[int, ...]) -> np.ndarray | None:
    """quantity[index] as an array (0-d for one element), or None if that solve failed or lacks it."""
    if solution is None or not solution.has(quantity):
        return None
    value = solution.value(quantity)
    if index:
        picked = value[index]
        if not isinstance(picked, np.ndarray):
            out = np.empty((), dtype=object)
            out[()] = picked
            return out
        return picked
    return value
