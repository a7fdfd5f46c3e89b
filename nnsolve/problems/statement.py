"""A problem's `statement:`: the question as the exam words it, in Markdown, with `{W1}`-style placeholders
that are filled from the givens of the solved problem.

`{W1}` is the given W1 as each printer writes values, `{W1[0][1]}` one entry of it, `{lr}` the learning rate
(the exam's words `lr`, `η`, `target` name the steps `eta` and `t`); `{{` and `}}` are a literal brace,
so LaTeX in a statement writes `W_{{1}}`. A placeholder names only a given: a statement printed as a
handout must never show what the student is asked to compute. Anything else is refused with its line.

Nothing here formats a number: a filled statement is text pieces and (step, index) references that the
printers write in their own notation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import Issue, ProblemError, suggestion

# what an exam calls a given → the id nnsolve's solvers give it
EXAM_WORDS = {"lr": "eta", "η": "eta", "learning_rate": "eta", "target": "t"}

GIVEN_SECTION = "Given"

# `{name}` or `{name[0][1]}`: a name is any run of characters other than braces, brackets and line breaks
_PLACEHOLDER = re.compile(r"\{([^{}\[\]\n]+)((?:\[\s*-?\d+\s*\])*)\}")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")


@dataclass(frozen=True)
class Placeholder:
    """`{W1[0][1]}` as written: the name, the index, and its line within the statement (0 for the first)."""
    name: str
    index: tuple[int, ...]
    line: int
    written: str


@dataclass(frozen=True)
class Filled:
    """A placeholder bound to the given it names: `value` is the step's value, or the entry `index` of it."""
    written: str
    step: object                 # nnsolve.solution.Step
    index: tuple[int, ...] = ()

    @property
    def value(self) -> np.ndarray:
        if not self.index:
            return self.step.value
        entry = self.step.value[self.index]
        if isinstance(entry, np.ndarray):
            return entry
        out = np.empty((), dtype=object)
        out[()] = entry
        return out


class StatementError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def parse(text: str) -> list[str | Placeholder]:
    """The statement as literal text pieces and placeholders; a brace that is neither is refused. Only the braces
    are visited, so a long statement costs no more than a regular-expression scan."""
    pieces: list[str | Placeholder] = []
    literal: list[str] = []
    at = counted = line = 0               # line: of `counted`, counted onwards as the braces are met
    while (brace := _BRACE.search(text, at)) is not None:      # from where the last brace or placeholder ended
        literal.append(text[at:brace.start()])
        at = brace.end()
        if brace[0] in ("{{", "}}"):
            literal.append(brace[0][0])
            continue
        line += text.count("\n", counted, brace.start())
        counted = brace.start()
        if brace[0] == "}":
            raise StatementError(line, "a lone '}' in the statement: write '}}' for a brace")
        match = _PLACEHOLDER.match(text, brace.start())
        if match is None or not match[1].strip():
            end = text.find("}", brace.start())
            shown = text[brace.start():end + 1] if 0 <= end - brace.start() < 40 else \
                text[brace.start():brace.start() + 20].split("\n")[0] + "…"
            raise StatementError(line, f"{shown!r} is not a placeholder such as {{W1}} or {{W1[0][1]}}; "
                                       "write '{{' for a brace")
        if any(literal):
            pieces.append("".join(literal))
        literal = []
        index = tuple(int(k) for k in _INDEX.findall(match[2]))
        pieces.append(Placeholder(match[1].strip(), index, line, match[0]))
        at = match.end()
    literal.append(text[at:])
    if any(literal):
        pieces.append("".join(literal))
    return pieces


_BRACE = re.compile(r"\{\{|\}\}|[{}]")


def givens(solution) -> list:
    """The steps the problem states: its `Given` section (none in families that compute everything they show)."""
    return [step for step in solution.steps if step.section == GIVEN_SECTION]


def fill(text: str, solution, first_line: int | None = None, source: str | None = None) -> tuple:
    """The statement's pieces with each placeholder bound to its given; every wrong placeholder refused at once,
    each at its line in the file (`first_line` is the file's line of the statement's first line)."""
    shown = {step.id: step for step in givens(solution)}
    issues: list[Issue] = []

    def at(offset: int) -> int | None:
        return None if first_line is None else first_line + offset

    try:
        pieces = parse(text)
    except StatementError as e:
        raise ProblemError([Issue("statement", str(e), at(e.line))], source) from None
    out: list = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
            continue
        step, why = _given(piece.name, solution, shown)
        if step is None:
            issues.append(Issue("statement", f"{piece.written}: {why}", at(piece.line)))
            continue
        bad_index = _index_problem(piece.index, step.value.shape, piece.name)
        if bad_index:
            issues.append(Issue("statement", f"{piece.written}: {bad_index}", at(piece.line)))
            continue
        out.append(Filled(piece.written, step, piece.index))
    if issues:
        raise ProblemError(issues, source)
    return tuple(out)


def _given(name: str, solution, shown: dict) -> tuple:
    """(the given step a placeholder names, None) or (None, why not)."""
    quantity = solution.aliases.get(name, name)
    if quantity not in shown and name in EXAM_WORDS:
        quantity = EXAM_WORDS[name]
    if quantity in shown:
        return shown[quantity], None
    listed = ", ".join(shown) if shown else "none: this family's solutions state no givens"
    if solution.has(quantity):
        return None, (f"{name!r} is computed in the solution, not given: a statement shows only the givens "
                      f"({listed})")
    return None, f"no given {name!r} in this problem" + suggestion(name, list(shown) + list(EXAM_WORDS)) + \
        f" (the givens: {listed})"


def _index_problem(index: tuple[int, ...], shape: tuple[int, ...], name: str) -> str:
    if len(index) > len(shape):
        return (f"{name} has {len(shape)} ax{'i' if len(shape) == 1 else 'e'}s" if shape else f"{name} is a number") \
            + f", the placeholder gives {len(index)} indices"
    for axis, (k, size) in enumerate(zip(index, shape)):
        if not 0 <= k < size:
            return f"index {k} on axis {axis} of {name} is outside 0…{size - 1}"
    return ""


def statement_line(document, text: str) -> int | None:
    """The file's line of the statement's first line: a multi-line statement is a `|` block, whose text starts on
    the line after its key; a one-line statement is on its key's line."""
    line = document.line_of(("statement",))
    if line is None:
        return None
    return line + 1 if "\n" in text.rstrip("\n") or text.endswith("\n") else line
