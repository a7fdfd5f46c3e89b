"""Check given answers against the solution: agree or not, where the key first parts from the
solution, which later slips only carry an earlier one forward, and which convention explains a miss."""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.number import decimal_string, format_number, to_mpf
from ..engine.symbolic import Symbolic
from ..problems import LoadedProblem
from ..problems.loader import Literal
from .answers import KeyAnswer, decimals_written, parse_tolerance, quantity_name, read_answers
from .compare import agreement, aligned, close, largest_difference, slack
from .conventions import alternatives
from .report import AnswerResult, Report
from .variants import Pin, Variants, value_at


def check(problem_or_path, answers: dict | None = None, tolerance=None) -> Report:
    """Compare answers with the computed solution.

    `answers` (id → number / nested list) checks a student's answers against the problem; by default
    the file's own `answers:` are checked. `tolerance` (e.g. "0.005") replaces the default rule
    (the key's own decimals, allowing for intermediates rounded to 2–5 dp) by one absolute bound.
    """
    from ..api import load, solve

    loaded = load(problem_or_path)
    bound = parse_tolerance(tolerance)
    raw = dict(loaded.model.answers if answers is None else answers)
    locate, source = loaded.locate, loaded.document.source
    if answers is not None:
        locate = lambda loc: None  # noqa: E731  (the answers are not in the file)
        source = "<answers>"
    # The solver computes some quantities (gradients after the last update) only when an answer
    # names them, so it is told the answered quantities, without their element indices.
    model = loaded.model.model_copy(update={"answers": {quantity_name(name): v for name, v in raw.items()}})
    loaded = LoadedProblem(loaded.family, model, loaded.document)
    base = solve(loaded)
    given = read_answers(raw, base, locate, source)
    return Checker(loaded.family, model, base, bound).run(given, loaded.document.source)


def check_file(path, tolerance=None) -> Report:
    return check(path, tolerance=tolerance)


class Checker:
    def __init__(self, family, model, base, tolerance: Fraction | None):
        self.family = family
        self.base = base
        self.tolerance = tolerance
        self.model = model
        self.variants: Variants | None = None
        self._alternatives = None
        self._ancestors = Ancestors(base)
        self.declared = tuple(getattr(model, "key_rounding", ()) or ())

    def run(self, answers: list[KeyAnswer], source: str | None) -> Report:
        self.variants = Variants(self.family, self.model, self.base, {a.quantity for a in answers})
        judged = [self.judge(answer) for answer in answers]
        results = [result for result, _ in judged]
        wrong = [r for r in results if not r.ok]
        if wrong:
            wrong[0].first_divergence = True
        for answer, result in zip(answers, results):
            if result.ok or result.aligned_key is None:
                continue
            before = [(a, r, pin) for a, (r, pin) in zip(answers, judged) if a.order < answer.order]
            result.follows = self.follow_through(answer, result, before)
            if not result.follows:
                result.alternatives = self.explain(answer, result)
        return Report(self.base.title, source, self.tolerance, results, self.base.digits, self.declared)

    # -- one answer against the solution --------------------------------------------------------
    def judge(self, answer: KeyAnswer) -> tuple[AnswerResult, Pin | None]:
        exact = value_at(self.base, answer.quantity, answer.index)
        key, shape_note = aligned(answer.value, exact.shape)
        result = AnswerResult(answer.name, answer.target, answer.line, answer.decimals, answer.value, exact,
                              shape_note=shape_note)
        if key is None:
            result.reason = shape_note
            return result, None
        if any(isinstance(v, Symbolic) for v in exact.reshape(-1)):
            result.ok, result.reason = symbolic_agreement(key, exact)
            result.rule = "same formula or verdict" if result.ok else ""
            return result, None
        result.aligned_key = key
        rule = self.agree(key, answer, result.decimals, "", None, ())
        result.ok, result.rule = rule is not None, rule or ""
        if not result.ok:
            result.reason = "differs by " + _difference(largest_difference(key, exact), result.decimals)
        return result, Pin(answer.quantity, answer.index, key)

    def agree(self, key, answer: KeyAnswer, decimals, variant: str, model, pins: tuple[Pin, ...]) -> str | None:
        """The rule under which the key agrees with the problem solved as (variant, pins), or None."""
        exact = value_at(self.variants.solve(variant, model, None, pins), answer.quantity, answer.index)
        if exact is None or exact.shape != key.shape:
            return None

        def hand_rounded(places: int):
            value = value_at(self.variants.solve(variant, model, places, pins), answer.quantity, answer.index)
            return value if value is not None and value.shape == key.shape else None

        return agreement(key, exact, hand_rounded, decimals, self.tolerance, self.declared)

    # -- why a wrong answer is wrong ------------------------------------------------------------
    def follow_through(self, answer: KeyAnswer, result: AnswerResult, before: list) -> list[str]:
        """The key's earlier wrong answers this one is consistent with: those it is computed from,
        if carrying all of the key's earlier numbers forward makes it agree."""
        upstream = self._ancestors.of(answer.quantity)
        wrong_before = [a for a, r, _ in before if not r.ok and a.quantity in upstream]
        if not wrong_before or not self.family.pins:
            return []
        pins = tuple(pin for _, _, pin in before if pin is not None)
        rule = self.agree(result.aligned_key, answer, result.decimals, "", None, pins)
        if rule is None:
            return []
        result.follow_rule = rule
        # name the nearest slips only: a wrong u2 behind a wrong δ2 is already said by δ2
        return [w.name for w in wrong_before
                if not any(w.quantity in self._ancestors.of(o.quantity) for o in wrong_before)]

    def _agree_any_rounding(self, answer: KeyAnswer, result: AnswerResult) -> str | None:
        declared, self.declared = self.declared, ()
        try:
            rule = self.agree(result.aligned_key, answer, result.decimals, "", None, ())
        finally:
            self.declared = declared
        return rule

    def explain(self, answer: KeyAnswer, result: AnswerResult) -> list[str]:
        """The alternative conventions under which this answer agrees."""
        if self._alternatives is None:
            self._alternatives = alternatives(self.family, self.variants.model)
        found = []
        if self.declared:
            # the key said how it rounded; say so if another rounding is what it really did
            hand = self._agree_any_rounding(answer, result)
            if hand:
                found.append(f"{hand.removeprefix('matches with ')} (though the key says it kept "
                             f"{', '.join(map(str, self.declared))} dp)")
        for statement, model in self._alternatives:
            if not self._changes(answer, statement, model):
                continue
            rule = self.agree(result.aligned_key, answer, result.decimals, statement, model, ())
            if rule is not None:
                found.append(statement if rule.startswith("exact") else f"{statement} ({rule})")
        return found


    def _changes(self, answer: KeyAnswer, statement: str, model) -> bool:
        """Whether a convention changes this answer's exact value at all: one that does not (a loss's ½ for a
        forward quantity) cannot explain a miss, and its hand-rounded re-solves are not worth doing."""
        other = value_at(self.variants.solve(statement, model, None, ()), answer.quantity, answer.index)
        if other is None:
            return False
        exact = value_at(self.base, answer.quantity, answer.index)
        return other.shape != exact.shape or any(a != b for a, b in zip(other.reshape(-1), exact.reshape(-1)))


def symbolic_agreement(key: np.ndarray, exact: np.ndarray) -> tuple[bool, str]:
    """Formulas agree when they are the same function, verdicts when they are synonyms, numbers beside
    them (a stationary point's 3/2 next to its free "any") when equal to the key's own decimals."""
    for written, value in zip(key.reshape(-1), exact.reshape(-1)):
        if isinstance(value, Symbolic):
            if not value.matches(written.text):
                return False, value.mismatch(written.text)
            continue
        try:
            number = Literal(written.text)
        except (ValueError, ZeroDivisionError):
            return False, f"expected the number {format_number(value, 4)}, got {written.text!r}"
        if not close(number, value, slack(decimals_written(number))):
            return False, f"expected {format_number(value, 4)}, got {written.text}"
    return True, ""


class Ancestors:
    """Every quantity a step is computed from, following the formulas back to the givens — found for the answered
    quantities only, when asked: the sets of every step of a 300-layer network would hold millions of ids."""

    def __init__(self, solution):
        self._args = {step.id: step.formula.args if step.formula is not None else () for step in solution.steps}
        self._found: dict[str, set[str]] = {}

    def of(self, quantity: str) -> set[str]:
        if quantity not in self._found:
            seen: set[str] = set()
            stack = list(self._args.get(quantity, ()))
            while stack:
                arg = stack.pop()
                if arg not in seen:
                    seen.add(arg)
                    stack.extend(self._args.get(arg, ()))
            self._found[quantity] = seen
        return self._found[quantity]


def _difference(value, decimals: int | None) -> str:
    """How far apart, to two decimals past the key's own; a difference past 10^15 in scientific form (a key of
    1e400 against a loss of 1.68 differs by 1.0e+400, not by 400 nines)."""
    if abs(value) >= 10 ** 15:
        return decimal_string(to_mpf(value), 5)
    return format_number(value, (decimals if decimals is not None else 4) + 2)

