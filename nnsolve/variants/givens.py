"""Drawing the givens of one variant: each varied number (or each varied matrix, under `per: matrix`) gets one of its
candidate values, exactly, and the file's data is copied with them in place."""
from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from ..engine.number import exact_string
from ..problems.errors import Issue, ProblemError, format_path, parse_path
from ..problems.loader import Document, Literal
from .schema import Vary, resolve


SPACE_SHOWN = 10 ** 18


@dataclass(frozen=True)
class Draw:
    """One choice made per variant: the places it fills (all of a matrix's numbers under `per: matrix`)."""
    places: tuple[tuple, ...]
    how: Vary


class Givens:
    """The draws of a `variants.vary` block over the file's data."""

    def __init__(self, block, doc: Document):
        self.doc = doc
        self.draws: list[Draw] = []
        self._written: dict[tuple[int, int], Literal] = {}      # (draw, value index) → the value as a Literal
        issues, taken = [], []
        for path, how in block.vary.items():
            loc = parse_path(path)
            line = doc.line_of(("variants", "vary", path))
            inside = [other for other in taken if loc[:len(other)] == other or other[:len(loc)] == loc]
            if inside:
                issues.append(Issue(f"variants.vary.{path}", f"overlaps {format_path(inside[0])}, also varied: vary "
                                                             f"each number once", line))
                continue
            taken.append(loc)
            leaves = [loc + sub for sub in _number_places(resolve(doc.data, path))]
            if how.per == "matrix":
                self.draws.append(Draw(tuple(leaves), how))
            else:
                self.draws += [Draw((leaf,), how) for leaf in leaves]
        if issues:
            raise ProblemError(issues, doc.source)

    def space(self) -> int:
        """How many different variants the draws can make, up to SPACE_SHOWN (a product of a million ranges would
        be a number of millions of digits; past this bound only "more" matters)."""
        size = 1
        for d in self.draws:
            size *= d.how.candidates_count()
            if size >= SPACE_SHOWN:
                return SPACE_SHOWN
        return size

    def draw(self, rng: random.Random) -> tuple[int, ...]:
        """The index of each draw's value."""
        return tuple(rng.randrange(d.how.candidates_count()) for d in self.draws)

    def values(self, choice: tuple[int, ...]) -> list[tuple[tuple, Fraction]]:
        """(place, exact value) of every varied number."""
        out = []
        for d, index in zip(self.draws, choice):
            value = d.how.candidate(index)
            out += [(place, value) for place in d.places]
        return out

    def data(self, choice: tuple[int, ...]) -> dict:
        """The file's data with the chosen values in place (copied only along the places that change) and no
        `answers` (the variant's key is its own) or `variants` block."""
        data = {k: v for k, v in self.doc.data.items() if k not in ("answers", "variants")}
        for n, (d, index) in enumerate(zip(self.draws, choice)):
            value = self._written.get((n, index))
            if value is None:
                value = d.how.candidate(index)
                value = self._written[(n, index)] = value if isinstance(value, Literal) else \
                    Literal(exact_string(value))
            for place in d.places:
                _put(data, place, value)
        return data


def _number_places(value, at: tuple = ()) -> list[tuple]:
    """The places of the numbers inside a given (a number, or lists of them; text such as an unknown `a` stays)."""
    if isinstance(value, list):
        return [place for i, v in enumerate(value) for place in _number_places(v, at + (i,))]
    if isinstance(value, Fraction):
        return [at]
    return []


def _put(data: dict, place: tuple, value) -> None:
    node = data
    for i, part in enumerate(place):
        if i == len(place) - 1:
            node[part] = value
            return
        child = node[part]
        child = dict(child) if isinstance(child, dict) else list(child)     # never change the file's own data
        node[part] = child
        node = child
