"""How a value looks in text and in LaTeX, at a given number of decimals."""
from __future__ import annotations

import numpy as np

from ..engine.number import format_number


def text_value(value: np.ndarray, digits: int) -> str:
    if value.ndim == 0:
        return format_number(value[()], digits)
    if value.ndim == 1:
        return "[" + ", ".join(format_number(v, digits) for v in value) + "]"
    return "[" + ", ".join(text_value(row, digits) for row in value) + "]"


def latex_value(value: np.ndarray, digits: int, column: bool = True) -> str:
    if value.ndim == 0:
        return _latex_number(format_number(value[()], digits))
    if value.ndim == 1:
        sep = r" \\ " if column else " & "
        return r"\begin{bmatrix} " + sep.join(_latex_number(format_number(v, digits)) for v in value) + \
            r" \end{bmatrix}"
    rows = [" & ".join(_latex_number(format_number(v, digits)) for v in row) for row in value]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def _latex_number(text: str) -> str:
    if "e" in text:
        mantissa, _, exponent = text.partition("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text
