"""Check given answers against the solution: agree or not, where the key first parts from the
solution, which later slips only carry an earlier one forward, and which convention explains a miss."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import numpy as np

from ..engine.number import decimal_string, format_number, to_mpf
from ..engine.symbolic import Symbolic, Verdict
from ..problems import LoadedProblem
from ..problems.loader import Literal
from .answers import KeyAnswer, KeyNumber, decimals_written, parse_tolerance, quantity_name, read_answers
from .compare import HAND_ROUNDING, agreement, aligned, close, largest_difference, real, slack, truncated
from .conventions import alternatives
from .report import AnswerResult, Report
from .variants import FORGET, TRUNCATE, Pin, SharedSolves, Variants, forgotten, value_at


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
    def __init__(self, family, model, base, tolerance: Fraction | None, shared: SharedSolves | None = None):
        """`shared`: re-solves shared with the other checkers of a class (`nnsolve grade`), by exact values."""
        self.family = family
        self.shared = shared
        self.base = base
        self.tolerance = tolerance
        self.model = model
        self.variants: Variants | None = None
        self._alternatives = None
        self._ancestors = Ancestors(base)
        self.declared = tuple(getattr(model, "key_rounding", ()) or ())

    def run(self, answers: list[KeyAnswer], source: str | None) -> Report:
        self.variants = Variants(self.family, self.model, self.base, {a.quantity for a in answers}, self.shared)
        judged = [self.judge(answer) for answer in answers]
        results = [result for result, _ in judged]
        self._answers = list(zip(answers, results))
        self._differing, self._upstream = None, {}      # found once per answer (_upstream_as_written)
        self._pin_of = [pin for _, pin in judged]
        self._pins = tuple(pin for pin in self._pin_of if pin is not None)
        # an answer computed from the key's own earlier numbers agrees: only where the key first parts from
        # the solution is it wrong (topological order: each answer's upstream is settled before it)
        for answer, result in self._answers:
            if not result.ok and result.aligned_key is not None:
                self.carry_forward(answer, result)
        wrong = [r for r in results if not r.ok]
        if wrong:
            wrong[0].first_divergence = True
        for answer, result in self._answers:
            if not result.ok and result.aligned_key is not None:
                result.alternatives = self.explain(answer, result)
        return Report(self.base.title, source, self.tolerance, results, self.base.digits, self.declared)

    # -- one answer against the solution --------------------------------------------------------
    def judge(self, answer: KeyAnswer) -> tuple[AnswerResult, Pin | None]:
        """Within a class (`shared`), an answer written as another student wrote it at the same place is judged
        once: the others take a copy of that judgement and its re-solves."""
        if self.shared is None:
            return self._judge(answer)
        question = (answer.name, answer.quantity, answer.index, answer.line, _as_written_key(answer.value),
                    self.tolerance, self.declared)
        answered = self.shared.judged.get(question)
        if answered is not None and self.variants.replay(answered[1]):
            return _judged_again(answered[0], answer)
        (result, pin), requests = self.variants.recording(lambda: self._judge(answer))
        if requests is not None:
            self.shared.judged[question] = (replace(result, follows=[], places=list(result.places),
                                                    alternatives=[]), requests)
        return result, pin

    def _judge(self, answer: KeyAnswer) -> tuple[AnswerResult, Pin | None]:
        exact = value_at(self.base, answer.quantity, answer.index)
        key, shape_note = aligned(answer.value, exact.shape)
        result = AnswerResult(answer.name, answer.target, answer.line, answer.decimals, answer.value, exact,
                              shape_note=shape_note)
        if key is None:
            result.reason = shape_note
            return result, None
        if any(isinstance(v, Symbolic) for v in exact.reshape(-1)):
            result.ok, result.reason = symbolic_agreement(key, exact, answer.index)
            result.rule = "same formula or verdict" if result.ok else ""
            return result, None
        result.aligned_key = key
        result.places = answer.places
        rule = self.agree(key, answer, "", None)
        result.ok, result.rule = rule is not None, _as_written(rule, key) if rule else ""
        if not result.ok:
            result.reason = wrong_entries(key, exact, result.places, answer.index, result.decimals)
        return result, Pin(answer.quantity, answer.index, key)

    def agree(self, key, answer: KeyAnswer, variant: str, model, pins: tuple[Pin, ...] = (),
              carry: bool = False, working: str = "", places_tried=None) -> str | None:
        """The rule under which the key agrees with the problem solved as (variant, pins, working), or None. With
        `carry`, the value compared is the one computed from the key's own pinned numbers before it.

        Within a class (`shared`), the same question — the same numbers as written, at the same place, against
        the same re-solves — is answered once: the others take its answer and its re-solves (Variants.replay)."""
        def work():
            return self._agree(key, answer, variant, model, pins, carry, working, places_tried)

        if self.shared is None:
            return work()
        question = (answer.quantity, answer.index, tuple(answer.places), answer.decimals, _as_written_key(key),
                    variant, working, places_tried,
                    self.variants._shared_key(variant, None, pins, carry, working), self.tolerance, self.declared)
        answered = self.shared.agreed.get(question)
        if answered is not None and self.variants.replay(answered[1]):
            return answered[0]
        rule, requests = self.variants.recording(work)
        if requests is not None:
            self.shared.agreed[question] = (rule, requests)
        return rule

    def _agree(self, key, answer: KeyAnswer, variant: str, model, pins: tuple[Pin, ...] = (),
               carry: bool = False, working: str = "", places_tried=None) -> str | None:
        def solved(places):
            found = value_at(self.variants.solve(variant, model, places, pins, carry, working),
                             answer.quantity, answer.index)
            return found if found is not None and found.shape == key.shape else None

        if working == TRUNCATE:     # every intermediate cut after K decimals: the answer must be that computation's
            for places in places_tried or HAND_ROUNDING:
                value = solved(places)
                if value is not None and agreement(key, value, lambda k: None, answer.places, None) is not None:
                    return f"intermediates truncated to {places} dp"
            return None
        exact = solved(None)
        if exact is None:
            return None
        if (variant or working) and not self._within_drift(key, answer, exact, pins, carry):
            return agreement(key, exact, lambda places: None, answer.places, self.tolerance, self.declared)
        return agreement(key, exact, solved, answer.places, self.tolerance, self.declared)

    def _within_drift(self, key, answer: KeyAnswer, exact, pins: tuple[Pin, ...] = (), carry: bool = False) -> bool:
        """Whether hand rounding could bring another convention's value to the key: the key is nearer to it than
        to the problem's own value, and within twice the drift hand rounding makes in the problem itself (and the
        key's own precision). Otherwise the hand-rounded re-solves of that convention are not worth making.
        Carrying the key's own earlier numbers, the problem's own value is the one computed from those numbers too:
        a key that carried a slip forward under the problem's convention is nearer to that than to another's."""
        own = value_at(self.base, answer.quantity, answer.index)
        mine = value_at(self.variants.solve("", None, None, pins, carry), answer.quantity, answer.index) \
            if pins and carry else None
        off = largest_difference(key, exact)
        if off >= largest_difference(key, own if mine is None or mine.shape != own.shape else mine):
            return False
        drift = [largest_difference(rounded, own) for rounded in
                 (value_at(self.variants.solve("", None, places), answer.quantity, answer.index)
                  for places in HAND_ROUNDING) if rounded is not None and rounded.shape == own.shape]
        return bool(drift) and off <= 2 * max(drift) + slack(answer.decimals)

    # -- an answer that carries the key's own earlier numbers forward ---------------------------
    def carry_forward(self, answer: KeyAnswer, result: AnswerResult) -> None:
        """Agree when the key's answer follows (within its rounding) from the key's own earlier answers as written,
        rounded or wrong: the problem re-solved with those numbers pinned, in the solution's order. An explicit
        tolerance is one bound around the exact value, so it carries nothing forward."""
        upstream = self._upstream_as_written(answer)
        if not upstream or self.tolerance is not None:
            return
        pins = self._pins
        if self.variants.solve("", None, None, pins, carry=True) is None:
            # a later number of the key may be impossible to carry on with (a probability of 0 inside a log):
            # then only the answers before this one are pinned
            pins = tuple(p for (a, _), p in zip(self._answers, self._pin_of) if p is not None and a.order < answer.order)
        rule = self.agree(result.aligned_key, answer, "", None, pins, carry=True)
        if rule is None:
            return
        result.ok, result.follows, result.follow_rule = True, upstream, rule
        how = "" if rule.startswith("exact") else f" ({rule})"
        result.rule = f"follows from the key's {', '.join(upstream)} as written{how}"

    def _upstream_as_written(self, answer: KeyAnswer) -> list[str]:
        """The key's earlier answers whose numbers differ from the computed ones (rounded or wrong) and that this
        answer is computed from; only the nearest (a δ2 computed from the key's u2 already says u2). None of them
        (or a family whose values are not recomputed from one another): nothing to carry forward, and no re-solve."""
        if not self.family.pins or not self._pins:
            return []
        if id(answer) not in self._upstream:
            if self._differing is None:     # the key's numbers and the computed ones are fixed once judged
                self._differing = [a for a, r in self._answers if r.aligned_key is not None and any(
                    real(k) != real(v) for k, v in zip(r.aligned_key.reshape(-1), r.computed.reshape(-1)))]
            differing = [a for a in self._differing if a.order < answer.order]
            ancestors = self._ancestors.of(answer.quantity)
            named = [a for a in differing if a.quantity in ancestors] or (differing if not ancestors else [])
            self._upstream[id(answer)] = (answer, [w.name for w in named if not any(
                w.quantity in self._ancestors.of(o.quantity) for o in named if o is not w)])
        return list(self._upstream[id(answer)][1])

    # -- why a wrong answer is wrong ------------------------------------------------------------
    def _agree_any_rounding(self, answer: KeyAnswer, result: AnswerResult) -> str | None:
        declared, self.declared = self.declared, ()
        try:
            rule = self.agree(result.aligned_key, answer, "", None)
        finally:
            self.declared = declared
        return rule

    def explain(self, answer: KeyAnswer, result: AnswerResult) -> list[str]:
        """The alternative conventions under which this answer agrees — and every other answer the convention
        changes agrees too: one coincidental number is no explanation."""
        if self._alternatives is None and self.shared is not None and self.shared.alternatives is not None:
            self._alternatives = self.shared.alternatives
        if self._alternatives is None:
            self._alternatives = [(s, m, "") for s, m in alternatives(self.family, self.variants.model)]
            if self.shared is not None:
                self.shared.alternatives = self._alternatives
        found = []
        if self.declared:
            # the key said how it rounded; say so if another rounding is what it really did
            hand = self._agree_any_rounding(answer, result)
            if hand:
                found.append(f"{hand.removeprefix('matches with ')} (though the key says it kept "
                             f"{', '.join(map(str, self.declared))} dp)")
        for statement, model, working in self._alternatives + self._forgotten_derivatives():
            if not self._changes(answer, statement, model, working):
                continue
            rule = self._agree_under(answer, result.aligned_key, statement, model, working)
            if rule is not None and self._holds(answer, statement, model, working):
                found.append(statement if rule.startswith("exact") else f"{statement} ({rule})")
        if self.tolerance is None and not found:
            truncated = self._truncated_intermediates(answer, result)
            if truncated:
                found.append(truncated)
        return found

    def _forgotten_derivatives(self) -> list[tuple[str, object, str]]:
        """A key that left one activation's derivative out of backprop (σ′ forgotten): one alternative per
        activation the backward pass goes through, where the family's values are recomputed from one another."""
        if not self.family.pins or self.tolerance is not None:
            return []
        return [(forgotten(name), None, FORGET + name) for name in self.variants.activations()]

    def _agree_under(self, answer: KeyAnswer, key, statement: str, model, working: str = "") -> str | None:
        """Agreement under a convention, as computed or carrying the key's own earlier numbers forward under it."""
        rule = self.agree(key, answer, statement, model, working=working)
        if rule is None and self._upstream_as_written(answer):
            rule = self.agree(key, answer, statement, model, self._pins, carry=True, working=working)
        return rule

    def _holds(self, answer: KeyAnswer, statement: str, model, working: str = "") -> bool:
        """Every other numeric answer this convention changes agrees under it (one it gives another shape — a
        batch of one sample has no second row — is not comparable, and neither for nor against it)."""
        for other, result in self._answers:
            if other is answer or result.aligned_key is None or not self._changes(other, statement, model, working):
                continue
            under = value_at(self.variants.solve(statement, model, None, (), working=working), other.quantity,
                             other.index)
            if under is None or under.shape != result.aligned_key.shape:
                continue
            if self._agree_under(other, result.aligned_key, statement, model, working) is None:
                return False
        return True

    def _truncated_intermediates(self, answer: KeyAnswer, result: AnswerResult) -> str | None:
        """A key that cut every intermediate after the K decimals it writes (a calculator's display copied): it
        explains this answer only when every wrong numeric answer of the key is that computation's too."""
        if answer.decimals is None or answer.decimals not in HAND_ROUNDING:
            return None
        wrong = [(a, r) for a, r in self._answers if not r.ok and r.aligned_key is not None]
        # cut to the decimals the key writes (a calculator's display copied as it stands)
        rule = self.agree(result.aligned_key, answer, "", None, working=TRUNCATE, places_tried=(answer.decimals,))
        if rule is None:
            return None
        places = int(rule.split(" to ")[1].split()[0])
        for other, r in wrong:
            if other is not answer and self.agree(r.aligned_key, other, "", None, working=TRUNCATE,
                                                  places_tried=(places,)) is None:
                return None
        return rule

    def _changes(self, answer: KeyAnswer, statement: str, model, working: str = "") -> bool:
        """Whether a convention changes this answer's exact value at all: one that does not (a loss's ½ for a
        forward quantity) cannot explain a miss, and its hand-rounded re-solves are not worth doing."""
        other = value_at(self.variants.solve(statement, model, None, (), working=working), answer.quantity,
                         answer.index)
        if other is None:
            return False
        exact = value_at(self.base, answer.quantity, answer.index)
        return other.shape != exact.shape or any(a != b for a, b in zip(other.reshape(-1), exact.reshape(-1)))


def _as_written_key(value: np.ndarray) -> tuple:
    """A key's numbers as written, hashable: the shape, and each number's kind and text (0.5 and 0.50 claim
    different decimals, 1/2 exactness)."""
    return value.shape, tuple((type(v).__name__, repr(v)) for v in value.reshape(-1))


def _judged_again(judged: AnswerResult, answer: KeyAnswer) -> tuple[AnswerResult, Pin | None]:
    """Another student's judgement of the same written answer, made this student's: its own numbers (equal, as
    written) in it and in the pin."""
    result = replace(judged, key=answer.value, follows=[], places=list(judged.places), alternatives=[])
    if judged.aligned_key is None:
        return result, None
    result.aligned_key = aligned(answer.value, judged.computed.shape)[0]
    return result, Pin(answer.quantity, answer.index, result.aligned_key)


def _as_written(rule: str, key: np.ndarray) -> str:
    """An abbreviated magnitude says the precision it claims: 138M is 3 significant figures."""
    abbreviated = [v for v in key.reshape(-1) if isinstance(v, KeyNumber) and v.figures]
    if len(abbreviated) == 1 and rule.startswith("exact"):
        number = abbreviated[0]
        return f"{rule} ({number.text}: {number.figures} significant figure{'s' if number.figures != 1 else ''})"
    return rule


MAX_NAMED_ENTRIES = 6      # wrong entries a reason names; past them, how many more


def wrong_entries(key: np.ndarray, exact: np.ndarray, places: list, index: tuple[int, ...],
                  decimals: int | None) -> str:
    """Why a numeric answer is wrong: by how much, and for a vector or a matrix which entries (`[2][2]: 8 vs 9`,
    the key's number, then the computed one to the key's precision)."""
    reason = "differs by " + _difference(largest_difference(key, exact), decimals)
    if key.size == 1:
        return reason
    entries, rounded_at, cut_at = [], [], []
    for position in np.ndindex(key.shape):
        k, v, d = key[position], exact[position], places[int(np.ravel_multi_index(position, key.shape))]
        where = "".join(f"[{i}]" for i in index + position)
        near, cut = close(k, v, slack(d)), d is not None and truncated(k, v, d)
        if not (near or cut):
            entries.append(f"{where}: {k.text} vs {_shown(v, d)}")
        elif near != cut:
            (rounded_at if near else cut_at).append(where)
    if not entries:
        if rounded_at and cut_at:
            return (f"{reason} (rounded at {', '.join(rounded_at)} but truncated at {', '.join(cut_at)}: an answer "
                    f"is rounded or truncated throughout)")
        return reason
    more = len(entries) - MAX_NAMED_ENTRIES
    listed = "; ".join(entries[:MAX_NAMED_ENTRIES]) + (f"; and {more} more" if more > 0 else "")
    return f"{reason} ({listed})"


def _shown(value, places: int | None) -> str:
    """A computed number at the key's decimals (two more when the key claims exactness, exact when it is an
    integer or a short fraction)."""
    if isinstance(value, Fraction) and (value.denominator == 1 or places is None and value.denominator < 1000):
        return str(value)
    return format_number(value, max(places, 0) if places is not None else 4)


def symbolic_agreement(key: np.ndarray, exact: np.ndarray, index: tuple[int, ...] = ()) -> tuple[bool, str]:
    """Formulas agree when they are the same function, verdicts when they are synonyms, numbers beside
    them (a stationary point's 3/2 next to its free "any") when equal to the key's own decimals. Every
    component that does not agree is named."""
    misses = []
    for position in np.ndindex(key.shape):
        miss = _component_miss(key[position], exact[position])
        if miss:
            where = "".join(f"[{i}]" for i in index + position)
            misses.append(f"{where}: {miss}" if where else miss)
    return not misses, "; ".join(misses)


def _component_miss(written, value) -> str:
    if isinstance(value, Symbolic):
        if value.matches(written.text) or (isinstance(value, Verdict) and value.matches(verdict_word(written.text))):
            return ""
        return value.mismatch(written.text)
    try:
        number = Literal(written.text)
    except (ValueError, ZeroDivisionError):
        return f"expected the number {format_number(value, 4)}, got {written.text!r}"
    if not close(number, value, slack(decimals_written(number))):
        return f"expected {format_number(value, 4)}, got {written.text}"
    return ""


# how keys phrase the verdicts nnsolve's vocabulary already has: a multiple-choice "none of these" is the verdict
# that there is none; "DNE" that it does not exist
VERDICT_WORDS = {
    "none of these": "none", "none of the above": "none", "neither": "none", "neither of them": "none",
    "no such point": "none", "there is none": "none", "nothing": "none",
    "dne": "does not exist", "doesn't exist": "does not exist", "does not exists": "does not exist",
    "n/a": "not defined", "undefined value": "undefined",
}


def verdict_word(text: str) -> str:
    """A key's phrasing of a verdict in the vocabulary's words (`Neither.` → none)."""
    plain = " ".join(str(text).strip().lower().rstrip(".!").split())
    return VERDICT_WORDS.get(plain, plain)


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

