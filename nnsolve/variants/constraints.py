"""The constraints of a `variants:` block, compiled once against the problem as the file gives it (so a constraint
the problem cannot honour is refused with its line before any variant is drawn) and then checked on each variant's
solution, exactly.

What each constraint reads in a Solution:
- no_kink_at_zero: every step whose formula applies ReLU, leaky ReLU, ELU, sign or |·| to a named quantity (and
  the 𝟙[u > 0] of their derivatives): no entry of that quantity is exactly 0, where the function has no
  derivative and the key would depend on a convention.
- no_pool_ties: every max-pooling step's windows (its expansion): the largest value is there once, so the
  gradient's routing does not depend on the tie rule.
- loss_falls: `loss(1)` < `loss` (the solver is told to compute the loss after the first update).
- unique_solution: the conv_unknowns verdict is "unique".
"""
from __future__ import annotations

import re

from ..engine.number import format_number
from ..problems.errors import Issue, ProblemError, suggestion
from .expression import ExpressionError, compile_comparison

# a kinked function applied to one quantity in a step's formula text: ReLU({0}), LeakyReLU_0.1({0}), ELU_1({0}),
# sign({0}), abs({0}), relu({0}); and the indicator of their derivatives, 𝟙[{2} > 0]
_KINKED = re.compile(r"(?:ReLU|LeakyReLU|ELU|relu|leaky_relu|elu|sign|abs)[^(){}\s]*\(\{(\d+)\}\)|𝟙\[\{(\d+)\} > 0\]")
_MAX_POOL = re.compile(r"max_?pool", re.IGNORECASE)
LOSS_AFTER = "loss(1)"
_AFTER_UPDATE = re.compile(r"[A-Za-z_][\w/]*\(\d+\)")       # loss(1), W1(2), dL/dW1(1): after an update


def told(block) -> list[str]:
    """The quantities the solver is told to compute besides the asked ones (as a derived ask tells it): the loss
    after the update for `loss_falls`, and what an expression names after an update."""
    out = [LOSS_AFTER] if any(c.kind == "loss_falls" for c in block.constraints) else []
    for c in block.constraints:
        if c.kind == "expression":
            out += [m for m in _AFTER_UPDATE.findall(c.expression) if m not in out]
    return out


def is_number(x) -> bool:
    from fractions import Fraction
    return isinstance(x, (int, Fraction)) and not isinstance(x, bool) or hasattr(x, "_mpf_")


def numbers(solution, qid: str) -> list:
    return solution.value(qid).reshape(-1).tolist()


def key_of(solution) -> dict[str, object]:
    """The key of a variant: each asked answer's numbers as the worked solution shows them (its digits), in the
    answer's shape."""
    digits = solution.digits
    return {qid: _shown(solution.value(qid).tolist(), digits) for qid in solution.asked}


def _shown(value, digits: int):
    if isinstance(value, list):
        return [_shown(v, digits) for v in value]
    return format_number(value, digits)


class Constraints:
    def __init__(self, block, loaded, solution):
        self.block = block
        self.constraints = list(block.constraints)
        self.labels = [c.label() for c in self.constraints]
        self.tell = told(block)
        self.seen_keys: set = set()
        self.comparisons: dict[int, object] = {}
        self.answers: dict[int, list[str]] = {}
        doc = loaded.document
        issues = []
        for qid in solution.asked:
            if not all(is_number(x) for x in numbers(solution, qid)):
                issues.append(Issue("ask", f"the answer {qid} is not a number: `vary` writes numeric keys only",
                                    doc.line_of(("ask",))))
        for i, c in enumerate(self.constraints):
            why = self._compile(i, c, loaded, solution)
            if why:
                issues.append(Issue(f"variants.constraints[{i}]", why, doc.line_of(("variants", "constraints", i))))
        if issues:
            raise ProblemError(issues, doc.source)

    def _compile(self, i: int, c, loaded, solution) -> str | None:
        kind = c.kind
        if kind == "no_kink_at_zero" and not self._kinked(solution):
            return "this problem applies no ReLU-like function (ReLU, leaky ReLU, ELU, sign, |·|) to a quantity"
        if kind == "no_pool_ties":
            pools = [s for s in solution.steps if s.formula and _MAX_POOL.search(s.formula.text)]
            if not pools:
                return "this problem has no max pooling"
            if any(not any(e.kind == "max" for e in s.expansion) for s in pools):
                return "the max-pooling windows are too large to be written out, so their ties cannot be checked"
        if kind == "loss_falls" and not (solution.has(LOSS_AFTER) and solution.has("loss")):
            return "this problem has no loss after an update (it needs a loss and an optimizer)"
        if kind == "unique_solution" and loaded.family.name != "conv_unknowns":
            return f"only conv_unknowns problems solve for unknowns; this is a {loaded.family.name} problem"
        if kind in ("within", "decimals"):
            chosen = c.answers or list(solution.asked)
            unknown = [a for a in chosen if not solution.has(a)]
            if unknown:
                return f"no quantity {unknown[0]!r}" + suggestion(unknown[0], solution.ids)
            self.answers[i] = [solution.aliases.get(a, a) for a in chosen]
        if kind == "expression":
            try:
                self.comparisons[i] = compile_comparison(c.expression, solution)
            except ExpressionError as e:
                return str(e)
        return None

    @staticmethod
    def _kinked(solution) -> list[str]:
        out = []
        for s in solution.steps:
            if s.formula is None:
                continue
            for m in _KINKED.finditer(s.formula.text):
                arg = s.formula.args[int(m.group(1) or m.group(2))]
                if arg not in out:
                    out.append(arg)
        return out

    def failing(self, solution, key: dict) -> list[int]:
        """The indices of the constraints `solution` breaks, those over the variant's key too when it is given."""
        return [i for i, c in enumerate(self.constraints)
                if (key or not self._across(c)) and not self._holds(i, c, solution, key)]

    def failing_across(self, key: dict) -> list[int]:
        """The indices of the constraints over every variant's key (no two the same) that `key` breaks."""
        return [i for i, c in enumerate(self.constraints) if self._across(c) and not self._holds(i, c, None, key)]

    @staticmethod
    def _across(c) -> bool:
        return c.kind == "distinct_answers" and c.distinct_answers == "across"

    def accept(self, key: dict) -> None:
        self.seen_keys.add(_frozen(key))

    def _holds(self, i: int, c, solution, key: dict) -> bool:
        kind = c.kind
        try:
            if kind == "no_kink_at_zero":
                return not any(x == 0 for arg in self._kinked(solution) for x in numbers(solution, arg))
            if kind == "no_pool_ties":
                return not any(_tied(e) for s in solution.steps for e in s.expansion if e.kind == "max")
            if kind == "within":
                low, high = c.within
                return all(low <= x <= high for qid in self.answers[i] for x in numbers(solution, qid))
            if kind == "decimals":
                scale = 10 ** c.decimals
                return all(_rational(x) and (x * scale).denominator == 1
                           for qid in self.answers[i] for x in numbers(solution, qid))
            if kind == "distinct_answers" and c.distinct_answers == "across":
                return _frozen(key) not in self.seen_keys
            if kind == "distinct_answers":
                flat = [x for qid in solution.asked for x in numbers(solution, qid)]
                return len(set(flat)) == len(flat) if all(_rational(x) for x in flat) else _pairwise_distinct(flat)
            if kind == "loss_falls":
                return numbers(solution, LOSS_AFTER)[0] < numbers(solution, "loss")[0]
            if kind == "unique_solution":
                return dict(solution.conventions).get("solution") == "unique"
            if kind == "expression":
                return self.comparisons[i].holds(solution)
        except (ArithmeticError, ValueError, KeyError):
            # log of a negative in an expression, or a quantity this variant does not have (the unknowns of a
            # system without a solution): not satisfied
            return False
        raise AssertionError(f"unchecked constraint {kind}")


def _rational(x) -> bool:
    from fractions import Fraction
    return isinstance(x, (int, Fraction)) and not isinstance(x, bool)


def _pairwise_distinct(values: list) -> bool:
    return all(a != b for i, a in enumerate(values) for b in values[i + 1:])


def _tied(expansion) -> bool:
    values = [t[0] if isinstance(t, tuple) else t for t in expansion.terms]
    return sum(1 for v in values if v == expansion.value) > 1


def _frozen(value):
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
