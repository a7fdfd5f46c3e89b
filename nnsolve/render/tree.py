"""The document every printer walks: a header, sections of steps, an answers table.

As in SymPy's printing package there is one tree and one printer per format; a printer has a
`_print_<Block>` method for each block type and refuses a block it does not know, rather than
falling back to `str()` and printing something unreadable.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..solution import Solution, Step


@dataclass(frozen=True)
class Statement:
    """The problem's `statement:` (Markdown): text pieces (str) and placeholders bound to givens
    (nnsolve.problems.statement.Filled: `.value`, `.step`, `.index`), each written as the printer writes values."""
    pieces: tuple


@dataclass(frozen=True)
class Header:
    title: str
    source: str                                 # "paper, question 3, lines 10–20", or ""
    source_note: str
    conventions: tuple[tuple[str, str], ...]
    statement: Statement | None = None          # printed under the title, before the conventions


@dataclass(frozen=True)
class Given:
    """A quantity stated by the problem: `symbol = value`."""
    step: Step
    note: str = ""


@dataclass(frozen=True)
class Derivation:
    """A computed quantity: `symbol = formula = formula with numbers = value`."""
    step: Step
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple


@dataclass(frozen=True)
class Answers:
    rows: tuple[tuple[str, Step], ...]          # (the id that was asked, its step)


@dataclass(frozen=True)
class Document:
    header: Header
    sections: tuple[Section, ...]
    answers: Answers | None


@dataclass(frozen=True)
class Questions:
    """What a handout asks, without values: (the id that was asked, its step: only its symbol is printed)."""
    rows: tuple[tuple[str, Step], ...]


@dataclass(frozen=True)
class Handout:
    """The question without its solution, for an exam paper: the header with the statement or, without one, the
    conventions (they are part of a question that states nothing else), the givens, and the questions asked."""
    header: Header
    givens: tuple[Given, ...]
    questions: Questions


UNTITLED = "Worked solution"


def build(solution: Solution) -> Document:
    """The tree of a solution. A note is shown once: where it first applies, and not at all when it
    only repeats a convention already stated in the header."""
    _check_formulas(solution)
    stated = {statement for _, statement in solution.conventions}
    sections = []
    for title, steps in solution.sections():
        blocks = []
        for step in steps:
            note = step.note if step.note and step.note not in stated else ""
            stated.add(step.note)
            blocks.append(Derivation(step, note) if step.formula is not None else Given(step, note))
        sections.append(Section(title, tuple(blocks)))
    source, source_note = describe_source(solution.source)
    header = Header(solution.title, source, source_note, tuple(solution.conventions), _statement(solution))
    answers = Answers(tuple((i, solution.step(i)) for i in solution.asked)) if solution.asked else None
    return Document(header, tuple(sections), answers)


def build_handout(solution: Solution) -> Handout:
    """The handout of a solution: the statement (the conventions and givens only when there is none) and the asked
    quantities.
    A family whose solutions state no givens needs a statement: without one the paper would not say the problem."""
    from ..problems.statement import givens
    source, source_note = describe_source(solution.source)
    # without a statement the conventions are part of the question (the loss, the learning rule, η): a student
    # cannot work it without them; with one, the author has said what the question needs
    conventions = () if solution.statement else tuple(solution.conventions)
    header = Header(solution.title, source, source_note, conventions, _statement(solution))
    shown = () if solution.statement else tuple(Given(step) for step in givens(solution))
    if not solution.statement and not shown:
        from ..problems.errors import Issue, ProblemError
        raise ProblemError([Issue("statement", f"a {solution.kind} solution states no givens of its own: write the "
                                               "question in a `statement:` to print it as a handout")])
    return Handout(header, shown, Questions(tuple((i, solution.step(i)) for i in solution.asked)))


def _statement(solution: Solution) -> Statement | None:
    return Statement(tuple(solution.statement)) if solution.statement else None


def describe_source(source: dict | None) -> tuple[str, str]:
    if not source:
        return "", ""
    parts = [str(source["paper"])] if source.get("paper") else []
    for key in ("question", "lines", "case"):
        if source.get(key):
            parts.append(f"{key} {source[key]}")
    return ", ".join(parts), str(source.get("note") or "")


def _check_formulas(solution: Solution) -> None:
    for step in solution.steps:
        for arg in (step.formula.args if step.formula is not None else ()):
            if not solution.has(arg):
                raise ValueError(f"the formula of {step.id!r} uses {arg!r}, which is not a step of the solution")


class Printer:
    """Dispatch on the block's type (through its base classes), like SymPy's `Printer._print`."""

    def __init__(self, solution: Solution, digits: int | None = None):
        self.solution = solution
        self.digits = solution.digits if digits is None else digits

    def doprint(self, block):
        for cls in type(block).__mro__[:-1]:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(block)
        raise TypeError(f"{type(self).__name__} cannot print a {type(block).__name__}")

    def print_document(self):
        return self.doprint(build(self.solution))

    def print_handout(self):
        return self.doprint(build_handout(self.solution))
