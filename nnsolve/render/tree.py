"""The document every printer walks: a header, sections of steps, an answers table.

As in SymPy's printing package there is one tree and one printer per format; a printer has a
`_print_<Block>` method for each block type and refuses a block it does not know, rather than
falling back to `str()` and printing something unreadable.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..solution import Solution, Step


@dataclass(frozen=True)
class Header:
    title: str
    source: str                                 # "paper, question 3, lines 10–20", or ""
    source_note: str
    conventions: tuple[tuple[str, str], ...]


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
    header = Header(solution.title, source, source_note, tuple(solution.conventions))
    answers = Answers(tuple((i, solution.step(i)) for i in solution.asked)) if solution.asked else None
    return Document(header, tuple(sections), answers)


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
