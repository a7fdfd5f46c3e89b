"""Thresholds: the values of one symbol for which a condition holds, solved exactly — `solve_for: [{symbol:
alpha, condition: "abs(1 - 2 alpha) < 1"}]` gives `solve(alpha)` (the set, as a condition: 0 < alpha < 1)
and, where it has them, `smallest(alpha)` and `largest(alpha)`. The L1 optimum uses the same solver for the
smallest penalty that zeroes each weight.

A condition is relations (<, ≤, >, ≥, =, ≠) between formulas of the expression language, joined by `and`;
it is solved over the reals by SymPy's solveset, after a size check (a polynomial or rational condition of
degree at most MAX_DEGREE, |·| and √ of such), so it cannot run unbounded.
"""
from __future__ import annotations

import re

import sympy as sp

from ...engine.computation import Symbol
from ...engine.symbolic import Symbolic
from ...expr import parse_declared
from ...expr.symbolic import symbol, text_of, to_exact, to_sympy

MAX_DEGREE = 6
_RELATION = re.compile(r"(<=|>=|!=|==|≤|≥|≠|<|>|=)")
_RELATIONS = {"<": sp.Lt, "<=": sp.Le, "≤": sp.Le, ">": sp.Gt, ">=": sp.Ge, "≥": sp.Ge, "=": sp.Eq, "==": sp.Eq,
              "!=": sp.Ne, "≠": sp.Ne}


class ConditionError(ValueError):
    pass


def condition_set(text: str, name: str, definitions: dict, declared: set) -> sp.Set:
    """The real values of `name` for which `text` holds (ConditionError when it cannot be read or solved)."""
    s = symbol(name)
    found: sp.Set = sp.S.Reals
    for clause in re.split(r"\s+and\s+|∧|&&", text.strip()):
        parts = _RELATION.split(clause)
        if len(parts) < 3 or len(parts) % 2 == 0:
            raise ConditionError(f"{clause.strip()!r} is no relation (write e.g. {name} >= 0)")
        try:
            sides = [to_sympy(parse_declared(part.strip(), declared | {name})[0], definitions)
                     for part in parts[::2]]
        except ValueError as e:
            raise ConditionError(str(e)) from None
        for left, relation, right in zip(sides, parts[1::2], sides[1:]):     # 0 < a < 1: both relations
            found = found.intersect(_solved(_RELATIONS[relation](left, right), left - right, s))
    return found


def _solved(relation, difference: sp.Expr, s: sp.Symbol) -> sp.Set:
    others = difference.free_symbols - {s}
    if others:
        raise ConditionError(f"it has other names without a value ({', '.join(sorted(map(str, others)))}): give them "
                             "under constants")
    plain = difference.replace(sp.Abs, lambda x: x).replace(sp.sqrt, lambda x: x)
    if not plain.is_rational_function(s) or sp.degree(sp.fraction(sp.together(plain))[0], s) > MAX_DEGREE:
        raise ConditionError(f"only conditions that are polynomial or rational in {s} (with |·| and √) of degree at most "
                             f"{MAX_DEGREE} are solved")
    if relation in (sp.true, sp.false):
        return sp.S.Reals if relation == sp.true else sp.S.EmptySet
    return sp.solveset(relation, s, domain=sp.S.Reals)


class Solutions(Symbolic):
    """A set of values of one symbol, written as a condition (0 < alpha ≤ 2); a written condition matches when
    it describes the same set."""

    def __init__(self, values: sp.Set, name: str, definitions: dict, declared: set):
        self.values, self.name, self.definitions, self.declared = values, name, definitions, declared
        self.text = described(values, name)
        self.latex = rf"\text{{{self.text}}}"

    def matches(self, written: str) -> bool:
        try:
            return condition_set(str(written), self.name, self.definitions, self.declared) == self.values
        except (ConditionError, ValueError, TypeError):
            return False

    def mismatch(self, written: str) -> str:
        return f"expected {self.text}"


def described(values: sp.Set, name: str) -> str:
    """`a >= 4`, `0 < a < 1`, `a = 2 or a = 3`, `any a`, `no a`: a set of reals as a condition."""
    if values == sp.S.Reals:
        return f"any {name}"
    if values == sp.S.EmptySet:
        return f"no {name}"
    if isinstance(values, sp.Union):
        return " or ".join(described(part, name) for part in values.args)
    if isinstance(values, sp.FiniteSet):
        return " or ".join(f"{name} = {text_of(v)}" for v in values)
    if isinstance(values, sp.Interval):
        low, high = values.start, values.end
        left = "" if low == -sp.oo else f"{text_of(low)} {'<' if values.left_open else '≤'} "
        right = "" if high == sp.oo else f" {'<' if values.right_open else '≤'} {text_of(high)}"
        if not left:
            return f"{name}{right}"
        if not right:
            return f"{name} {'>' if values.left_open else '≥'} {text_of(low)}"
        return f"{left}{name}{right}"
    return str(values)


def record_threshold(solver, name: str, values: sp.Set, title: str, note: str, definitions: dict,
                     declared: set) -> None:
    """`solve(name)`, and `smallest(name)` / `largest(name)` where the set is bounded on that side."""
    solver.value_node(f"solve({name})", Symbol(rf"\{{{name}\}}", f"{{{name}}}"),
                      Solutions(values, name, definitions, declared), title, note=note)
    if values == sp.S.EmptySet:
        return
    for key, bound, attained in (("smallest", values.inf, values.inf in values),
                                 ("largest", values.sup, values.sup in values)):
        if bound.is_finite:
            word = ("min" if attained else "inf") if key == "smallest" else ("max" if attained else "sup")
            solver.value_node(f"{key}({name})", Symbol(rf"\{word} {name}", f"{word} {name}"), to_exact(bound),
                              title, note="" if attained else
                              f"the {'infimum' if key == 'smallest' else 'supremum'}: not attained ({described(values, name)})")


def smallest_where(relation, s: sp.Symbol):
    """The least value of `s` for which `relation` holds (None when there is none), by the same solver."""
    values = _solved(relation, relation.lhs - relation.rhs, s)
    return None if values == sp.S.EmptySet or not values.inf.is_finite else values.inf


def solve_for(solver) -> None:
    from .schema import declared

    title = "Thresholds"
    names = declared(solver.p)
    for spec in solver.p.solve_for:      # each condition was solved once already, to refuse what cannot be
        values = condition_set(spec.condition, spec.symbol, dict(solver.definitions), names)
        record_threshold(solver, spec.symbol, values, title, f"every real {spec.symbol} with {spec.condition}",
                         dict(solver.definitions), names)
