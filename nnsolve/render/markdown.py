"""Markdown with LaTeX math, for GitHub and Jupyter: the conventions as a bullet list, one `$$`
display block per step (`symbol = formula = numbers = value`, one `=` per line), an answers table.

Prose (titles, conventions, notes) is escaped so that `[in][out]` or `λ Σ |w|` stays text; math is
plain-ASCII LaTeX so that MathJax and KaTeX read it alike.
"""
from __future__ import annotations

import re

from ..solution import Solution, Step
from .formulas import equation_parts
from .tree import UNTITLED, Printer
from ..engine.notation import latex_symbol
from .expansion import latex_sums
from .values import latex_compact_value, latex_value

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#$~])")


def render_markdown(solution: Solution, digits: int | None = None, handout: bool = False) -> str:
    printer = MarkdownPrinter(solution, digits)
    return printer.print_handout() if handout else printer.print_document()


def escape(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def statement_markdown(statement, digits: int, column: bool = True) -> str:
    """A statement's Markdown as written, each placeholder as LaTeX: inline math of its own in prose, bare inside
    the author's `$…$` or `$$…$$` (so `$x = {x}$` stays one formula)."""
    out, math = [], False
    for piece in statement.pieces:
        if isinstance(piece, str):
            out.append(piece)
            math = _math_after(piece, math)
            continue
        axes = piece.step.axes if piece.value.ndim == piece.step.value.ndim else ()
        value = latex_value(piece.value, digits, column, axes)
        out.append(value if math else f"${value}$")
    return "".join(out).strip("\n")


_DOLLARS = re.compile(r"\\.|\$\$|\$")
_SPANS = re.compile(r"\\\$|\$\$(.+?)\$\$|\$(.+?)\$|\*\*(.+?)\*\*|`([^`]+)`", re.S)
TEXT, MATH, DISPLAY, BOLD, CODE = "text", "math", "display", "bold", "code"


def statement_paragraphs(text: str) -> list[list[tuple[str, str]]]:
    """A statement's Markdown read as far as exam statements use it, for the printers that are not Markdown:
    paragraphs (blank lines) of (kind, content) spans — text, $…$ math, $$…$$ display math, **bold**, `code`
    (an escaped dollar is text). Everything else is text, which each printer escapes."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        spans, at = [], 0
        for match in _SPANS.finditer(paragraph):
            spans.append((TEXT, paragraph[at:match.start()]))
            math, inline, bold, code = match.group(1), match.group(2), match.group(3), match.group(4)
            spans.append((TEXT, "$") if match.group(0) == "\\$" else (DISPLAY, math) if math is not None
                         else (MATH, inline) if inline is not None else (BOLD, bold) if bold is not None
                         else (CODE, code))
            at = match.end()
        spans.append((TEXT, paragraph[at:]))
        paragraphs.append([(kind, content) for kind, content in spans if content])
    return paragraphs


def _math_after(text: str, math: bool) -> bool:
    """Whether math mode is open after `text`, given whether it was before (`\\$` is a dollar sign)."""
    for token in _DOLLARS.findall(text):
        if token.startswith("$"):
            math = not math
    return math


class MarkdownPrinter(Printer):
    @property
    def column(self) -> bool:
        return self.solution.vectors != "row"

    def _print_Document(self, doc) -> str:
        blocks = [self.doprint(doc.header)] + [self.doprint(section) for section in doc.sections]
        if doc.answers is not None:
            blocks.append(self.doprint(doc.answers))
        return "\n\n".join(blocks) + "\n"

    def _print_Header(self, header) -> str:
        lines = [f"# {escape(header.title or UNTITLED)}"]
        if header.source or header.source_note:
            source = " — ".join(escape(s) for s in (header.source, header.source_note) if s)
            lines += ["", f"**Source:** {source}"]
        if header.statement is not None:
            lines += ["", self.doprint(header.statement)]
        if header.conventions:
            lines += ["", "**Conventions**", ""]
            lines += [f"- **{escape(name)}:** {escape(statement)}" for name, statement in header.conventions]
        return "\n".join(lines)

    def _print_Statement(self, statement) -> str:
        """The statement is Markdown already: its text as written, each placeholder as inline math."""
        return "## Problem\n\n" + statement_markdown(statement, self.digits, self.column)

    def _print_Handout(self, handout) -> str:
        blocks = [self.doprint(handout.header)]
        if handout.givens:
            blocks.append("\n\n".join(["## Given"] + [self.doprint(block) for block in handout.givens]))
        blocks.append(self.doprint(handout.questions))
        return "\n\n".join(blocks) + "\n"

    def _print_Questions(self, questions) -> str:
        lines = ["## Find", ""]
        lines += [f"{number}. ${latex_symbol(step.latex_symbol)}$ (`{quantity_id}`)"
                  for number, (quantity_id, step) in enumerate(questions.rows, 1)]
        return "\n".join(lines)

    def _print_Section(self, section) -> str:
        return "\n\n".join([f"## {escape(section.title)}"] + [self.doprint(block) for block in section.blocks])

    def _print_Given(self, block) -> str:
        return self._display(block.step, []) + self._note(block.note)

    def _print_Derivation(self, block) -> str:
        parts = equation_parts(self.solution, block.step, True, self.digits)
        return self._display(block.step, parts) + self._sums(block.step) + self._note(block.note)

    def _print_Answers(self, answers) -> str:
        lines = ["## Answers", "", "| Quantity | Symbol | Value |", "|---|---|---|"]
        for quantity_id, step in answers.rows:
            lines.append(f"| `{quantity_id}` | ${latex_symbol(step.latex_symbol)}$ "
                         f"| ${latex_compact_value(step.value, self.digits, self.column, step.axes)}$ |")
        return "\n".join(lines)

    # -- pieces --------------------------------------------------------------------------------
    def _display(self, step: Step, parts: list[str]) -> str:
        symbol = latex_symbol(step.latex_symbol)
        value = latex_value(step.value, self.digits, self.column, step.axes)
        if not parts:
            return f"$$\n{symbol} = {value}\n$$"
        rows = [f"{symbol} &= {parts[0]}"] + [f"&= {part}" for part in parts[1:] + [value]]
        return "$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$"

    def _sums(self, step: Step) -> str:
        """The entries written out: one aligned display block, a row per entry."""
        name = lambda i: latex_symbol(self.solution.step(i).latex_symbol)  # noqa: E731
        rows = latex_sums(latex_symbol(step.latex_symbol), step.expansion, self.digits, name)
        return "\n\n$$\n\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}\n$$" if rows else ""

    @staticmethod
    def _note(note: str) -> str:
        return f"\n\n*({escape(note)})*" if note else ""
