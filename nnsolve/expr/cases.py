"""A verdict that depends on signs: "local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0".

The value holds a table from the signs of a few quantities (symbols a, b, or a formula such as a − 1)
to the verdict under them, and writes it as cases. A written answer matches when each of its clauses
("VERDICT if CONDITION") is right for every sign combination its condition allows: the condition is
read with our own expression parser (a > 0, 0 < a, 2a > 0, a ≠ 0, a >= 0, a positive, … joined by and/or),
so "minimum if a > 0" agrees however it is spelled, and a key that states only some of the cases is right
as far as it goes.
"""
from __future__ import annotations

import itertools
import re

import sympy as sp

from ..engine.symbolic import Symbolic, Verdict
from .symbolic import text_of, to_sympy
from .parser import parse

SIGNS = (1, -1, 0)
# the sets of signs one condition on a quantity allows, and how each is written
RELATIONS = {
    frozenset({1}): (">", ">"), frozenset({-1}): ("<", "<"), frozenset({0}): ("=", "="),
    frozenset({1, -1}): ("≠", r"\neq"), frozenset({1, 0}): ("≥", r"\geq"), frozenset({-1, 0}): ("≤", r"\leq"),
}
_WRITTEN_RELATIONS = {">": {1}, "<": {-1}, "=": {0}, "==": {0}, "≠": {1, -1}, "!=": {1, -1}, "<>": {1, -1},
                      "≥": {1, 0}, ">=": {1, 0}, "≤": {-1, 0}, "<=": {-1, 0}}
_WORDS = {"positive": {1}, "negative": {-1}, "zero": {0}, "0": {0}, "nonzero": {1, -1}, "not zero": {1, -1},
          "nonnegative": {1, 0}, "non negative": {1, 0}, "nonpositive": {-1, 0}, "non positive": {-1, 0}}
_RELATION = re.compile(r"(>=|<=|!=|<>|==|≥|≤|≠|>|<|=)")
_CLAUSE = re.compile(r"^(?P<verdict>.+?)\s+(?:if|when|for|where)\s+(?P<condition>.+)$", re.IGNORECASE)
_CLAUSE_FIRST = re.compile(r"^(?:if|when|for)\s+(?P<condition>.+?)\s*(?::|then|→|->)\s*(?P<verdict>.+)$",
                           re.IGNORECASE)
_OTHERWISE = re.compile(r"^(?:otherwise|else)\s+(?P<verdict>.+)$|^(?P<verdict2>.+?)\s+otherwise$", re.IGNORECASE)


class ByCases(Symbolic):
    """A verdict for each combination of signs of `quantities` (those left out of `table` are excluded by
    an assumption, e.g. a ≠ 0 where a stationary point divides by a)."""

    def __init__(self, quantities: list[sp.Expr], table: dict[tuple[int, ...], Verdict], order: list | None = None):
        self.quantities = list(quantities)
        self.table = dict(table)
        self.names = [text_of(q) for q in self.quantities]
        self.cases = _grouped(self.table, order or [])
        self.text = ", ".join(f"{_short(v)} if {self._condition(cubes, False)}" for v, cubes in self.cases)
        self.latex = r",\ ".join(rf"\text{{{_short(v)} if }} {self._condition(cubes, True)}" for v, cubes in self.cases)

    def __eq__(self, other) -> bool:
        return isinstance(other, ByCases) and other.quantities == self.quantities and other.table == self.table

    def __hash__(self) -> int:
        return hash(self.text)

    # -- writing --------------------------------------------------------------------------------
    def _condition(self, cubes: list[tuple[frozenset, ...]], latex: bool) -> str:
        joined = r" \text{ or } " if latex else " or "
        return joined.join(self._cube(cube, latex) for cube in cubes)

    def _cube(self, cube: tuple[frozenset, ...], latex: bool) -> str:
        atoms = []
        for q, name, allowed in zip(self.quantities, self.names, cube):
            if allowed in RELATIONS:
                relation = RELATIONS[allowed][1 if latex else 0]
                atoms.append(f"{sp.latex(q) if latex else name} {relation} 0")
        return (r" \text{ and } " if latex else " and ").join(atoms) or "always"

    # -- reading an answer -------------------------------------------------------------------------
    def matches(self, written: str) -> bool:
        return self._judge(written) is None

    def mismatch(self, written: str) -> str:
        return self._judge(written) or ""

    def _judge(self, written: str) -> str | None:
        """None when every clause of `written` is right; else why not."""
        clauses = [c.strip() for c in re.split(r"[;,\n]", str(written)) if c.strip()]
        if not clauses:
            return f"expected {self.text}"
        left = set(self.table)          # sign combinations no clause has named yet, for "otherwise"
        for clause in clauses:
            parsed = _clause(clause)
            if parsed is None:
                return f"expected {self.text}; {clause!r} states no condition (the verdict depends on " \
                       f"{', '.join(self.names)})"
            verdict_text, condition = parsed
            where = left if condition is None else self._condition_set(condition)
            if where is None:
                return f"cannot read the condition {condition!r} (expected e.g. {self.names[0]} > 0)"
            wrong = [signs for signs in where if not self.table[signs].matches(verdict_text)]
            if wrong:
                return f"expected {self.text}; under {self._cube(tuple(frozenset({s}) for s in wrong[0]), False)} " \
                       f"it is {_short(self.table[wrong[0]])}"
            left -= where
        return None

    def _condition_set(self, text: str) -> set | None:
        """The sign combinations of the table a written condition allows (None: not readable)."""
        found: set = set()
        for alternative in re.split(r"\s+or\s+|\|\||∨", text):
            allowed = set(self.table)
            for atom in re.split(r"\s+and\s+|&&|∧|&", alternative):
                limited = self._atom_set(atom.strip())
                if limited is None:
                    return None
                allowed &= limited
            found |= allowed
        return found

    def _atom_set(self, atom: str) -> set | None:
        word = re.fullmatch(r"(?P<lhs>.+?)\s+(?:is\s+)?(?P<word>positive|negative|zero|nonzero|not zero|"
                            r"non-?negative|non-?positive)", atom, re.IGNORECASE)
        if word:
            return self._relation(word.group("lhs"), "0", _WORDS[word.group("word").lower().replace("-", " ")])
        parts = _RELATION.split(atom)
        if len(parts) < 3 or len(parts) % 2 == 0:
            return None
        allowed = set(self.table)
        for i in range(0, len(parts) - 2, 2):          # 0 < a < 1 is 0 < a and a < 1
            limited = self._relation(parts[i], parts[i + 2], _WRITTEN_RELATIONS[parts[i + 1]])
            if limited is None:
                return None
            allowed &= limited
        return allowed

    def _relation(self, lhs: str, rhs: str, signs: set) -> set | None:
        """lhs − rhs has one of `signs`: which table rows that is, when lhs − rhs is a nonzero multiple of
        one of the quantities (a > 1 is a − 1 > 0)."""
        try:
            difference = to_sympy(parse(lhs.strip())) - to_sympy(parse(rhs.strip()))
        except (ValueError, ArithmeticError):
            return None
        for i, q in enumerate(self.quantities):
            ratio = sp.cancel(difference / q)
            if ratio.is_number and ratio.is_real and ratio != 0:
                wanted = signs if ratio > 0 else {-s for s in signs}
                return {row for row in self.table if row[i] in wanted}
        if not all(q.is_Symbol for q in self.quantities) or not difference.free_symbols <= set(self.quantities):
            return None
        # a·b < 0: the sign of a formula in the symbols themselves, row by row
        positive = [sp.Dummy(positive=True) for _ in self.quantities]
        allowed = set()
        for row in self.table:
            value = difference.xreplace({q: s * p for q, s, p in zip(self.quantities, row, positive)})
            sign = sign_of(value)
            if sign is None:
                return None
            if sign in signs:
                allowed.add(row)
        return allowed


def sign_of(value: sp.Expr) -> int | None:
    """1, −1 or 0 when SymPy's assumptions decide it, else None."""
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def by_cases(quantities: list[sp.Expr], table: dict[tuple[int, ...], Verdict], order: list | None = None) -> Symbolic:
    """The verdict itself when it is the same under every sign, else the cases."""
    verdicts = set(table.values())
    return next(iter(verdicts)) if len(verdicts) == 1 else ByCases(quantities, table, order)


def _short(verdict: Verdict) -> str:
    """The verdict's name without its parenthesised reason: "inconclusive", not "inconclusive (…)"."""
    return verdict.label.split(" (")[0]


def _clause(clause: str) -> tuple[str, str | None] | None:
    """(verdict, condition) of one clause; condition None for "otherwise …"."""
    for pattern in (_CLAUSE_FIRST, _CLAUSE):
        m = pattern.match(clause)
        if m:
            return m.group("verdict").strip(), m.group("condition").strip()
    m = _OTHERWISE.match(clause)
    if m:
        return (m.group("verdict") or m.group("verdict2")).strip(), None
    return None


def _grouped(table: dict[tuple[int, ...], Verdict], order: list) -> list[tuple[Verdict, list[tuple[frozenset, ...]]]]:
    """Each verdict (in the given order, then as the table first meets it) with a few sign boxes covering
    where it holds: a box fixes, for each quantity, a set of signs (> 0, ≠ 0, ≥ 0 …, or anything)."""
    present = set(table.values())
    order = [v for v in order if v in present] + [v for v in dict.fromkeys(table.values()) if v not in order]
    width = len(next(iter(table)))
    choices = [frozenset(c) for c in ({1}, {-1}, {0}, {1, -1}, {1, 0}, {-1, 0}, {1, -1, 0})]
    boxes = [(box, {row for row in table if all(s in allowed for s, allowed in zip(row, box))})
             for box in itertools.product(choices, repeat=width)]
    out = []
    for verdict in order:
        holds = {row for row, v in table.items() if v == verdict}
        fitting = [(box, rows) for box, rows in boxes if rows and rows <= holds]
        uncovered, cover = set(holds), []
        while uncovered:
            # the box covering the most of what is left; among equals, the one with the fewest conditions
            box, rows = max(fitting, key=lambda item: (len(item[1] & uncovered),
                                                       -sum(len(a) < 3 for a in item[0]), -sum(map(len, item[0]))))
            cover.append(box)
            uncovered -= rows
        out.append((verdict, cover))
    return out
