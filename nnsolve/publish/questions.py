"""A solved problem as a quiz question: plain data that every exporter (Moodle XML, Canvas QTI) writes out.

What a course system needs of a problem is its text, the givens, one blank per number asked, the number each blank
expects and how close counts as right. All of it is decided here, exactly, once; an exporter only formats it.

How close counts as right is the answer's comparator in the problem's `marking:` scheme (absolute, relative,
decimals, significant figures), else the decimals the worked solution shows (`digits:`, default 4), said in the
question text. A formula or a verdict (calculus, computation graphs) has no numeric blank: it becomes a short
answer with the exact text, and the exporter's report says it wants marking by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ..engine.number import HUGE_BITS, decimal_string, is_huge, mp, to_fraction
from ..engine.symbolic import Symbolic
from ..problems import LoadedProblem, ProblemError
from ..solution import Solution

# the significant digits an exported number carries when its decimal form does not end (1/3, σ(0.5)): far finer
# than any tolerance a question allows, and within what a course system's float reads back
EXPORTED_DIGITS = 15


@dataclass(frozen=True)
class Blank:
    """One number (or one formula, verdict) a student types."""

    label: str                  # the answer id and element: `h1[0]`, `loss`
    value: Fraction | None      # None: not a number (see `text`)
    text: str                   # the expected answer as exported: a decimal, or the formula's text
    tolerance: Fraction         # |typed − value| ≤ tolerance is right (0 for text)
    marks: Fraction

    @property
    def numeric(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Part:
    answer: str                 # the id asked, as the file asks it
    quantity: str               # the solution's id for it
    symbol: str                 # how the worked solution writes it (text)
    blanks: tuple[Blank, ...]
    rule: str                   # how close counts as right, in words


@dataclass
class Question:
    name: str                   # unique within an export
    title: str
    source: str                 # the problem file
    statement: str              # the problem's own statement, or ""
    givens: list[tuple[str, str]]        # (symbol, value as the worked solution writes it)
    data: list[tuple[str, str]]          # without a statement or a Given section: the file's own keys, as written
    conventions: list[tuple[str, str]]   # without a statement, part of the question (the loss, the rule, η)
    parts: list[Part]
    digits: int
    solution: Solution
    category: str = ""          # the variants of one problem share a category (random questions)
    notes: list[str] = field(default_factory=list)    # what the exporter's report says of it

    @property
    def blanks(self) -> list[Blank]:
        return [b for p in self.parts for b in p.blanks]

    @property
    def marks(self) -> dict[str, Fraction]:
        """Each answer's marks, by the solution's id (what a printer's answers are named by)."""
        return {p.quantity: sum((b.marks for b in p.blanks), Fraction(0)) for p in self.parts}


def question_of(loaded: LoadedProblem, solution: Solution, name: str, category: str = "") -> Question:
    """The quiz question of a solved problem: one part per answer asked, one blank per element."""
    from ..render.text import statement_text
    from ..render.tree import Statement
    from ..render.values import text_value

    marking = dict(loaded.model.marking)
    digits = solution.digits
    parts, notes = [], []
    named = asked_names(loaded, solution)
    for quantity in solution.asked:
        step, asked = solution.step(quantity), named[quantity]
        scheme = marking.get(asked)
        marks = Fraction(scheme.marks) if scheme is not None and scheme.element_marks is None else Fraction(1)
        element_marks = None
        if scheme is not None and scheme.element_marks is not None:
            from ..grading.marker import element_marks as marks_of, element_marks_issues
            issues = element_marks_issues(asked, step.value.shape, scheme.element_marks,
                                          loaded.locate(("marking", asked)))
            if issues:
                raise ProblemError(issues, loaded.document.source)
            element_marks = marks_of(scheme.element_marks, step.value.shape)
        rule = scheme.tolerance.describe() if scheme is not None and scheme.tolerance is not None \
            else f"to {digits} decimal place{'s' if digits != 1 else ''}"
        blanks = []
        for k, (index, label) in enumerate(element_labels(asked, step.value.shape)):
            share = element_marks[k] if element_marks is not None else marks / max(step.value.size, 1)
            value = step.value[index]
            if _vanishing(value):
                notes.append(f"{label} is below 10^-1000 in magnitude (its exact binary value has millions of digits): "
                             f"exported as 0, which lies within its tolerance")
                value = Fraction(0)
            blanks.append(_blank(label, value, scheme, digits, share))
        if any(not b.numeric for b in blanks):
            notes.append(f"{asked} is a formula or a verdict: exported as a short answer of its exact text, to be "
                         f"checked by hand")
        parts.append(Part(asked, quantity, step.text_symbol, tuple(blanks), rule))
    # the givens as the worked solution writes them, where it has a Given section (the steps of other sections
    # without a formula may be results: a derivative sympy found, a layer's FLOPs); else the file's own keys
    from ..problems.statement import givens as stated
    givens = [(s.text_symbol, text_value(s.value, digits)) for s in stated(solution) if s.id not in solution.asked]
    # the statement with its placeholders filled (the API bound them to the givens when it solved the problem)
    statement = statement_text(Statement(solution.statement), digits) if solution.statement else ""
    data = [] if statement or givens else file_givens(loaded.document.data)
    if data:
        notes.append("no statement: the question shows the problem file's own keys; a `statement:` reads better")
    conventions = [] if statement else list(solution.conventions)
    return Question(name, solution.title or name, loaded.document.source or "", statement, givens, data,
                    conventions, parts, digits, solution, category, notes)


# what a problem file says that is not part of the question: how it is asked, marked, keyed and where it came from
NOT_GIVENS = ("problem", "title", "source", "ask", "answers", "marking", "digits", "key_rounding", "statement",
              "variants")


def file_givens(data: dict) -> list[tuple[str, str]]:
    """The problem file's own keys but those that are not the question's, each written in YAML's flow style."""
    return [(str(key), _flow(value)) for key, value in data.items() if key not in NOT_GIVENS]


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def element_labels(asked: str, shape: tuple[int, ...]) -> list[tuple[tuple[int, ...], str]]:
    """(position, id) of each blank of an answer, in the order a question asks them: `h1[0]`, `h1[1]`; the id
    alone for one number."""
    return [(index, asked + "".join(f"[{i}]" for i in index)) for index in np.ndindex(shape)]


def asked_names(loaded: LoadedProblem, solution: Solution) -> dict[str, str]:
    """Each quantity asked → the id the problem file asks it by (`y` for the output the solver calls h2), so that
    blanks carry the names the file's `ask:` and `marking:` use."""
    named = {q: q for q in solution.asked}
    for name in loaded.model.ask:
        quantity = solution.aliases.get(str(name), str(name))
        if quantity in named and named[quantity] == quantity:
            named[quantity] = str(name)
    return named


def blank_labels(loaded: LoadedProblem, solution: Solution) -> list[str]:
    """Every blank of the question `question_of` makes of this solution, in order (what a Cloze response's parts
    are, when grading it)."""
    named = asked_names(loaded, solution)
    return [label for q in solution.asked for _, label in element_labels(named[q], solution.step(q).value.shape)]


def _vanishing(value) -> bool:
    """An mpf under 2^−3322 ≈ 10^−1000 (σ(−10³²)): no course system reads it, and any tolerance of at most 30
    decimals holds it and 0 alike."""
    if isinstance(value, (Fraction, Symbolic)):
        return False
    _, man, exp, bits = mp.mpf(value)._mpf_
    return bool(man) and exp + bits < -HUGE_BITS


def _blank(label: str, value, scheme, digits: int, marks: Fraction) -> Blank:
    if isinstance(value, Symbolic):
        return Blank(label, None, value.text, Fraction(0), marks)
    if is_huge(value) or (not isinstance(value, Fraction) and not mp.isfinite(value)):
        # past 10^1000 (or infinite) no course system reads the number: the exact text, marked by hand
        return Blank(label, None, decimal_string(value, EXPORTED_DIGITS), Fraction(0), marks)
    exact = value if isinstance(value, Fraction) else to_fraction(value)
    tolerance = tolerance_of(scheme.tolerance if scheme is not None else None, exact, digits)
    return Blank(label, exact, exported_number(value), tolerance, marks)


def exported_number(value) -> str:
    """A number as a course system reads it: the terminating decimal in full, else 15 significant digits."""
    text = decimal_string(value, EXPORTED_DIGITS)
    if "/" in text:             # a terminating decimal too long to write: its 15 significant digits
        text = decimal_string(mp.mpf(value.numerator) / value.denominator, EXPORTED_DIGITS)
    return text


def tolerance_of(comparator, value: Fraction, digits: int) -> Fraction:
    """How far a typed number may be from `value` and still be right, exactly (Moodle's nominal tolerance):
    the scheme's comparator made absolute at this value, or half a unit in the last decimal shown."""
    if comparator is None:
        return Fraction(1, 2) * Fraction(10) ** -digits
    from ..grading.comparators import allowance
    return allowance(comparator, value)
