"""Plain text for a terminal: a header of conventions, then each step as
`symbol = formula = formula with numbers = value`, then the answers.

Lines are lists of (text, style) segments; without colour the styles are dropped, with colour they
go through rich (imported only then, because the CLI's start-up time matters). The words are the
same either way. A line longer than the width breaks at an `=`, then at the outermost space that
fits; a matrix value is shown one row per line with its columns aligned.
"""
from __future__ import annotations

import re
import unicodedata

from ..solution import Solution, Step
from .formulas import equation_parts
from .tree import UNTITLED, Printer
from .expansion import text_sums
from .values import text_rows, text_value

WIDTH = 100
INDENT = "  "
Segment = tuple[str, "str | None"]
Line = list[Segment]

STYLES = {"title": "bold", "section": "bold cyan", "name": "yellow", "symbol": "bold", "value": "green",
          "note": "dim italic", "id": "bold magenta"}


def render_text(solution: Solution, digits: int | None = None, color: bool = False, width: int = WIDTH,
                handout: bool = False) -> str:
    printer = TextPrinter(solution, digits, width)
    return to_terminal(printer.print_handout() if handout else printer.print_document(), color)


def to_terminal(lines: list[Line], color: bool) -> str:
    """Join styled lines: plain, or with ANSI colours through rich."""
    if not color:
        return "".join("".join(text for text, _ in line) + "\n" for line in lines)
    import io

    from rich.console import Console
    from rich.text import Text

    widest = max((_width(line) for line in lines), default=0)
    console = Console(file=io.StringIO(), force_terminal=True, width=widest + 1, highlight=False,
                      markup=False, emoji=False, soft_wrap=True)
    for line in lines:
        styled = Text()
        for text, style in line:
            styled.append(text, STYLES.get(style) if style else None)
        console.print(styled)
    return console.file.getvalue()


class TextPrinter(Printer):
    def __init__(self, solution: Solution, digits: int | None = None, width: int = WIDTH):
        super().__init__(solution, digits)
        self.width = width

    def _print_Document(self, doc) -> list[Line]:
        lines = self.doprint(doc.header)
        for section in doc.sections:
            lines += [[]] + self.doprint(section)
        if doc.answers is not None:
            lines += [[]] + self.doprint(doc.answers)
        return lines

    def _print_Header(self, header) -> list[Line]:
        title = header.title or UNTITLED
        lines = [[(title, "title")], [("=" * display_width(title), "title")]]
        if header.source:
            lines += self._wrapped([("Source: ", "name")], header.source, None, prose=True)
        if header.source_note:
            lines += self._wrapped([("Note: ", "name")], header.source_note, None, prose=True)
        if header.statement is not None:
            lines += [[]] + self.doprint(header.statement)
        if not header.conventions:
            return lines
        if header.statement is not None:
            lines.append([])
        lines.append([("Conventions:", "section")])
        for name, statement in header.conventions:
            lines += self._wrapped([(INDENT + "- ", None), (name + ":", "name"), (" ", None)], statement, None,
                                   prose=True)
        return lines

    def _print_Statement(self, statement) -> list[Line]:
        """The statement's Markdown as written, each placeholder as a value on one line; each line wrapped as prose."""
        text = statement_text(statement, self.digits)
        lines: list[Line] = [[("Problem", "section")], [("-------", "section")]]
        for line in _reflowed(text):
            lines += self._wrapped([(INDENT, None)], line, None, hang=0, prose=True) if line.strip() else [[]]
        return lines

    def _print_Handout(self, handout) -> list[Line]:
        lines = self.doprint(handout.header)
        if handout.givens:
            lines += [[], [("Given", "section")], [("-----", "section")]]
            for block in handout.givens:
                lines += self.doprint(block)
        return lines + [[]] + self.doprint(handout.questions)

    def _print_Questions(self, questions) -> list[Line]:
        lines = [[("Find", "section")], [("----", "section")]]
        for number, (quantity_id, step) in enumerate(questions.rows, 1):
            lines.append([(f"{INDENT}{number}. ", None), (step.text_symbol, "symbol"), ("  (", None),
                          (quantity_id, "id"), (")", None)])
        return lines

    def _print_Section(self, section) -> list[Line]:
        lines = [[(section.title, "section")], [("-" * display_width(section.title), "section")]]
        for block in section.blocks:
            lines += self.doprint(block)
        return lines

    def _print_Given(self, block) -> list[Line]:
        return self._equation(block.step, []) + self._note(block.note)

    def _print_Derivation(self, block) -> list[Line]:
        parts = equation_parts(self.solution, block.step, False, self.digits)
        return self._equation(block.step, parts) + self._sums(block.step) + self._note(block.note)

    def _print_Answers(self, answers) -> list[Line]:
        lines = [[("Answers", "section")], [("-------", "section")]]
        id_width = max(display_width(i) for i, _ in answers.rows)
        symbol_width = max(display_width(step.text_symbol) for _, step in answers.rows)
        for quantity_id, step in answers.rows:
            prefix = [(INDENT, None), (pad(quantity_id, id_width), "id"), ("  ", None),
                      (pad(step.text_symbol, symbol_width), "symbol"), ("  ", None)]
            lines += self._value_lines(prefix, step)
        return lines

    # -- layout --------------------------------------------------------------------------------
    def _equation(self, step: Step, parts: list[str]) -> list[Line]:
        """On one line if it fits; otherwise one `= part` per line, aligned under the first `=`."""
        head: Line = [(INDENT, None), (step.text_symbol, "symbol"), (" = ", None)]
        rows = text_rows(step.value, self.digits, step.axes)
        single = _width(head) + sum(display_width(p) + 3 for p in parts) + display_width(rows[0])
        if len(rows) == 1 and single <= self.width:
            middle = [segment for part in parts for segment in ((part, None), (" = ", None))]
            return [head + middle + [(rows[0], "value")]]
        follow: Line = [(" " * (_width(head) - 2) + "= ", None)]
        lines: list[Line] = []
        for part in parts:
            lines += self._wrapped(follow if lines else head, part, None)
        return lines + self._value_lines(follow if lines else head, step)

    def _value_lines(self, prefix: Line, step: Step) -> list[Line]:
        rows = text_rows(step.value, self.digits, step.axes)
        lines = self._wrapped(prefix, rows[0], "value", hang=1)
        for row in rows[1:]:
            lines += self._wrapped([(" " * _width(prefix), None)], row, "value", hang=2)
        return lines

    def _sums(self, step: Step) -> list[Line]:
        """The entries written out, one per line under the equation."""
        lines: list[Line] = []
        name = lambda i: self.solution.step(i).text_symbol  # noqa: E731
        for text in text_sums(step.text_symbol, step.expansion, self.digits, name):
            lines += self._wrapped([(INDENT * 2, None)], text, None, hang=4)
        return lines

    def _note(self, note: str) -> list[Line]:
        return self._wrapped([(INDENT * 2, None)], f"({note})", "note", hang=1, prose=True) if note else []

    def _wrapped(self, prefix: Line, text: str, style, hang: int = 2, prose: bool = False) -> list[Line]:
        """`prefix` + `text`, continued on lines indented `hang` past the prefix."""
        indent = _width(prefix)
        chunks = wrap_text(text, self.width - indent, self.width - indent - hang, prose)
        return [prefix + [(chunks[0], style)]] + [[(" " * (indent + hang), None), (c, style)] for c in chunks[1:]]


def statement_text(statement, digits: int) -> str:
    """A statement's Markdown as written, each placeholder as its value on one line (`[[1, 2], [3, 4]]`)."""
    return "".join(piece if isinstance(piece, str) else text_value(piece.value, digits)
                   for piece in statement.pieces).strip("\n")


def _reflowed(markdown: str) -> list[str]:
    """Markdown's lines as a reader sees them: a paragraph's lines joined (a single line break is a space), a list
    item, heading, table row or indented line kept on a line of its own; paragraphs apart by a blank line."""
    out: list[str] = []
    for line in markdown.split("\n"):
        own = not line.strip() or _OWN_LINE.match(line)
        if own or not out or not out[-1].strip() or _OWN_LINE.match(out[-1]) and out[-1].startswith(("#", "|")):
            out.append(line.rstrip())
        else:
            out[-1] = out[-1].rstrip() + " " + line.strip()
    return out


_OWN_LINE = re.compile(r"\s*([-*+] |\d+[.)] |#|\||>)|\s{4}")


def display_width(text: str) -> int:
    """Terminal columns: a combining accent (the hat of m̂) takes none, a wide character two."""
    return len(text) if text.isascii() else sum(_columns(ch) for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _width(line: Line) -> int:
    return sum(display_width(text) for text, _ in line)


def wrap_text(text: str, first: int, rest: int, prose: bool = False) -> list[str]:
    """Break `text` at spaces so that each piece fits (the first in `first` columns, the others in
    `rest`), preferring spaces outside brackets; a piece with no space to break at overflows.
    Each line looks only at its own columns, so a 100×100 tensor of numbers wraps in linear time."""
    chunks = []
    room, start, end = first, 0, len(text)
    while _wider_than(text, start, room):
        cut = _break_at(text, start, room, prose)
        if cut is None:
            break
        chunks.append(text[start:cut].rstrip())
        start = cut
        while start < end and text[start] == " ":
            start += 1
        room = rest
    return chunks + [text[start:]]


def _columns(ch: str) -> int:
    if ch < "\u0300":           # below the combining accents and every wide script: one column
        return 1
    return 0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _wider_than(text: str, start: int, room: int) -> bool:
    column = 0
    for i in range(start, len(text)):
        column += _columns(text[i])
        if column > room:
            return True
    return False


def _break_at(text: str, start: int, room: int, prose: bool) -> int | None:
    """The outermost space that still fills a third of the line; in a formula one before an operator
    (the continuation then starts with `−`, as on paper), in prose one after a comma. Failing that
    the last space that fits, or the first space at all. Positions are in `text`; the line begins at
    `start` (bracket depth counts from there)."""
    spaces: list[tuple[int, int]] = []          # (position, bracket depth) of spaces that fit
    depth = column = 0
    for i in range(start, len(text)):
        ch = text[i]
        if column > room:
            if not spaces and ch == " ":         # nothing fits: the first space at all
                return i
            if spaces:
                break
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == " " and i > start and column <= room:
            spaces.append((i, depth))
        column += _columns(ch)
    if not spaces:
        return None
    third = start + room // 3
    for level in sorted({d for _, d in spaces}):
        candidates = [i for i, d in spaces if d == level and i >= third]
        preferred = [i for i in candidates if (text[i - 1] in ",;" if prose else text[i + 1:i + 2] in _OPERATORS)]
        if preferred or candidates:
            return (preferred or candidates)[-1]
    return spaces[-1][0]


_OPERATORS = set("−+-⊙·=×/")
