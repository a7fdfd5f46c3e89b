"""One student's cell read as an answer: the numbers as the student wrote them (the formats `nnsolve check` reads:
`0.25`, `1/4`, `-log(1/8)`, `[[1, 2], [3, 4]]`), in the shape the answer asks. Whatever cannot be — a blank, a
word, a dash, NaN, the wrong shape, a matrix written transposed — is a CellError saying so: that cell's format
error, marked 0, never a crash."""
from __future__ import annotations

import numpy as np

from ..check.answers import AnswerError, read_value, read_written, shape_text
from ..check.compare import aligned


class CellError(Exception):
    """A cell that is no answer of the asked form; the message says what is wrong with it."""


class Unreadable(str):
    """A cell its reader could not take apart (a quiz response not in the layout its question writes): its text,
    and why — a format error for every answer it holds."""

    def __new__(cls, text: str, reason: str):
        cell = super().__new__(cls, text)
        cell.reason = reason
        return cell


def read_cell(written, shape: tuple[int, ...], formulas: bool = False) -> np.ndarray:
    """`written` (a CSV cell's text, or a value from a YAML/JSON answer file) → an object array of the numbers
    as written, in `shape` (a row for a column and the like are read as the shape asked, as `check` does).
    With `formulas` (a quantity whose value is a formula or a verdict), each entry is kept as written, for
    `check` to compare symbolically."""
    if isinstance(written, Unreadable):
        raise CellError(written.reason)
    if written is None or (isinstance(written, str) and not written.strip()):
        raise CellError("blank: no answer given")
    given = _nesting(written.strip()) if isinstance(written, str) else written
    try:
        value = read_written(given) if formulas else read_value(given, shape)
    except AnswerError as e:
        where = "".join(f"[{i}]" for i in e.loc)
        raise CellError(f"{where + ': ' if where else ''}{e.message}") from None
    fitted, note = aligned(value, shape)
    # a flat list for a column, one number for a vector of one, are read as `check` reads them; a matrix of another
    # shape is not (a 1×2 row where a 2×1 column is asked is the transpose)
    if fitted is not None and not (value.ndim == 2 and len(shape) == 2 and value.shape != tuple(shape)):
        return fitted
    if value.ndim == 2 and len(shape) == 2 and value.shape == tuple(reversed(shape)):
        raise CellError(f"written transposed: {shape_text(value.shape)} where {shape_text(tuple(shape))} is "
                        f"asked")
    raise CellError(note.removeprefix("shape: ") or f"expected {shape_text(tuple(shape))}, got "
                    f"{shape_text(value.shape)}")


def _nesting(text: str):
    """`[[1, 2], [3, 4]]` → [['1', '2'], ['3', '4']] (each number's text kept for read_value); other text as is."""
    if not text.startswith("["):
        return text
    items, rest = _list(text, 0, 1)
    if text[rest:].strip():
        raise CellError(f"unexpected {text[rest:].strip()!r} after the closing bracket")
    return items


def _list(text: str, at: int, depth: int) -> tuple[list, int]:
    """The list opening at text[at] == '[' and the position after its ']'."""
    from ..limits import MAX_DEPTH

    if depth > MAX_DEPTH.value:
        raise CellError(MAX_DEPTH.refusal(f"the cell nests lists {depth} deep"))
    items: list = []
    at += 1
    while True:
        while at < len(text) and text[at] == " ":
            at += 1
        if at < len(text) and text[at] == "[":
            item, at = _list(text, at, depth + 1)
        else:
            end = at
            while end < len(text) and text[end] not in ",]":
                end += 1
            if end < len(text) and text[end] == "]" and not text[at:end].strip() and not items:
                return items, end + 1          # [] — read_value says it is empty
            item, at = text[at:end].strip(), end
            if not item:
                raise CellError("a list with an empty entry")
        items.append(item)
        while at < len(text) and text[at] == " ":
            at += 1
        if at >= len(text):
            raise CellError("a list without its closing bracket ]")
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise CellError(f"unexpected {text[at]!r} in a list: entries are separated by commas")
        at += 1
