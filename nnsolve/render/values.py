"""How a value looks: in text, in LaTeX, and as exact data, at a given number of decimals.

Only formatting happens here; every number was computed (and, if asked, rounded) by the solver.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.number import decimal_string, format_number, is_terminating, to_float
from ..engine.symbolic import Symbolic


# -- text ----------------------------------------------------------------------------------------
def text_value(value: np.ndarray, digits: int) -> str:
    """One line: `0.5`, `[1, 2]`, `[[1, 2], [3, 4]]`."""
    if value.ndim == 0:
        return format_number(value[()], digits)
    if value.ndim == 1:
        return "[" + ", ".join(format_number(v, digits) for v in value) + "]"
    return "[" + ", ".join(text_value(row, digits) for row in value) + "]"


def grid_labels(value: np.ndarray, axes: tuple[str, ...] = ()) -> list[tuple[tuple[int, ...], str]]:
    """(leading index, label) of each grid of a tensor of three or more axes, its last two axes being the
    grid's rows and columns: `channel 1`, `filter 0, channel 2` from the step's axis names; `[1]` without."""
    lead = value.shape[:-2]
    named = len(axes) == len(lead)
    return [(index, ", ".join(f"{name} {i}" for name, i in zip(axes, index)) if named else
             "".join(f"[{i}]" for i in index)) for index in np.ndindex(*lead)]


def text_rows(value: np.ndarray, digits: int, axes: tuple[str, ...] = ()) -> list[str]:
    """A matrix as one line per row with aligned columns; a tensor of three or more axes as one labelled
    matrix per channel (`channel 0: [[1, 2],` …); anything else as a single line."""
    if value.ndim >= 3 and value.size:
        lines = []
        for index, label in grid_labels(value, axes):
            grid = text_rows(value[index], digits)
            lines += [f"{label}: {grid[0]}"] + [" " * (len(label) + 2) + row for row in grid[1:]]
        return lines
    if value.ndim != 2 or value.shape[0] < 2:
        return [text_value(value, digits)]
    cells = [[format_number(v, digits) for v in row] for row in value]
    widths = [max(len(row[j]) for row in cells) for j in range(value.shape[1])]
    rows = ["[" + ", ".join(cell.rjust(w) for cell, w in zip(row, widths)) + "]" for row in cells]
    return ["[" + rows[0] + ","] + [" " + row + "," for row in rows[1:-1]] + [" " + rows[-1] + "]"]


def needs_grouping(text: str) -> str | None:
    """Which neighbours a number needs brackets against: a negative one against any operator
    (`1 − (-0.5)`, `(-0.5)²`), one in scientific form only against what follows (`(1e-8)²`, but
    `x + 1e-8`); a vector or matrix is bracketed already."""
    if text.startswith(("[", r"\begin")):
        return None
    if text.startswith("-"):
        return "both"
    return "after" if "e" in text or r"\times" in text else None


# -- LaTeX ---------------------------------------------------------------------------------------
def latex_number(x, digits: int) -> str:
    if isinstance(x, Symbolic):
        return x.latex
    text = format_number(x, digits)
    if text.lstrip("-+") == "inf":
        return text.replace("inf", r"\infty")
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def latex_value(value: np.ndarray, digits: int, column: bool = True, axes: tuple[str, ...] = ()) -> str:
    """A scalar as a number, a vector as a column (or row) bmatrix, a matrix as a bmatrix of rows; a tensor of
    three or more axes as its matrices side by side, each labelled (`channel 0`) underneath."""
    if value.ndim == 0:
        return latex_number(value[()], digits)
    if value.ndim == 1:
        sep = r" \\ " if column else " & "
        return r"\begin{bmatrix} " + sep.join(latex_number(v, digits) for v in value) + r" \end{bmatrix}"
    if value.ndim == 2:
        rows = [" & ".join(latex_number(v, digits) for v in row) for row in value]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
    # a tensor (an image's channels, a kernel's filters): a labelled grid per channel, side by side
    if not value.size:
        return r"\left[\, \right]"
    return r" \quad ".join(rf"\underset{{\text{{{label}}}}}{{{latex_value(value[index], digits, column)}}}"
                           for index, label in grid_labels(value, axes))


def latex_compact_value(value: np.ndarray, digits: int, column: bool = True, axes: tuple[str, ...] = ()) -> str:
    """For a table cell: a column vector written as a transposed row."""
    if value.ndim == 1 and column:
        return latex_value(value, digits, column=False) + r"^\top"
    return latex_value(value, digits, column, axes)


# -- exact data ----------------------------------------------------------------------------------
def exact_text(x) -> str:
    """A terminating rational as its full decimal, any other rational as `p/q`, an irrational to
    SHOWN_DIGITS significant digits."""
    if isinstance(x, Fraction) and not is_terminating(x):
        return f"{x.numerator}/{x.denominator}"
    return decimal_string(x)     # a formula or a verdict: its text


def exact_data(value: np.ndarray):
    """Nested lists of exact strings (a plain string for a scalar)."""
    if value.ndim == 0:
        return exact_text(value[()])
    if value.ndim == 1:
        return [exact_text(v) for v in value]
    return [exact_data(row) for row in value]


def float_data(value: np.ndarray):
    if value.ndim == 0:
        return to_float(value[()])
    if value.ndim == 1:
        return [to_float(v) for v in value]
    return [float_data(row) for row in value]
