"""How a value looks: in text, in LaTeX, and as exact data, at a given number of decimals.

Only formatting happens here; every number was computed (and, if asked, rounded) by the solver.
"""
from __future__ import annotations

import re
import unicodedata
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


def text_rows(value: np.ndarray, digits: int) -> list[str]:
    """A matrix as one line per row with aligned columns; anything else as a single line."""
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


def latex_value(value: np.ndarray, digits: int, column: bool = True) -> str:
    """A scalar as a number, a vector as a column (or row) bmatrix, a matrix as a bmatrix of rows."""
    if value.ndim == 0:
        return latex_number(value[()], digits)
    if value.ndim == 1:
        sep = r" \\ " if column else " & "
        return r"\begin{bmatrix} " + sep.join(latex_number(v, digits) for v in value) + r" \end{bmatrix}"
    if value.ndim == 2:
        rows = [" & ".join(latex_number(v, digits) for v in row) for row in value]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
    # a tensor (an image's channels, a kernel's filters): its slices along the first axis, side by side
    return r"\left[\, " + r",\; ".join(latex_value(v, digits, column) for v in value) + r" \,\right]"


def latex_compact_value(value: np.ndarray, digits: int, column: bool = True) -> str:
    """For a table cell: a column vector written as a transposed row."""
    if value.ndim == 1 and column:
        return latex_value(value, digits, column=False) + r"^\top"
    return latex_value(value, digits, column)


_ACCENTS = {"\u0302": r"\hat", "\u0304": r"\bar", "\u0303": r"\tilde", "\u0307": r"\dot", "\u0308": r"\ddot"}


def latex_symbol(symbol: str) -> str:
    """A symbol from the problem's notation made plain ASCII LaTeX: ŷ → \\hat{y}, η → \\eta."""
    if symbol.isascii():
        return symbol
    symbol = _SCRIPT_RUN.sub(_script, symbol)
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", symbol):
        if ch in _ACCENTS and out:
            out[-1] = f"{_ACCENTS[ch]}{{{out[-1]}}}"
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(_OTHER.get(ch) or _greek(ch) or rf"\text{{{ch}}}")
    # m_W₁ is m sub W₁: m_{W_{1}}, not the double subscript m_W_{1}
    return _NESTED_SUBSCRIPT.sub(r"_{\1_{\2}}", "".join(out))


_SUBSCRIPTS, _SUPERSCRIPTS = "₀₁₂₃₄₅₆₇₈₉₍₎", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"
_NESTED_SUBSCRIPT = re.compile(r"_([A-Za-z])_\{([^{}]*)\}")
_SCRIPT_RUN = re.compile(f"[{_SUBSCRIPTS}]+|[{_SUPERSCRIPTS}]+")
_OTHER = {"∂": r"{\partial}", "∇": r"{\nabla}", "·": r"{\cdot}", "−": "-", "ᵀ": r"^{\top}"}


def _script(match: re.Match) -> str:
    run = match.group(0)
    table = _SUBSCRIPTS if run[0] in _SUBSCRIPTS else _SUPERSCRIPTS
    plain = "".join("0123456789()"[table.index(c)] for c in run)
    return ("_{" if table is _SUBSCRIPTS else "^{") + plain + "}"


def _greek(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, capital in (("GREEK SMALL LETTER ", False), ("GREEK CAPITAL LETTER ", True)):
        if not name.startswith(prefix):
            continue
        letter = name[len(prefix):].replace("LAMDA", "LAMBDA")   # Unicode's spelling
        if capital:
            # LaTeX has commands only for the capitals that differ from a Latin letter
            return "{\\" + letter.capitalize() + "}" if letter in _GREEK_CAPITALS else _LATIN_LOOKALIKE.get(letter)
        if letter in _GREEK_SPECIAL:
            return _GREEK_SPECIAL[letter]
        return "{\\" + letter.lower() + "}"
    return None


_GREEK_CAPITALS = {"GAMMA", "DELTA", "THETA", "LAMBDA", "XI", "PI", "SIGMA", "UPSILON", "PHI", "PSI", "OMEGA"}
_GREEK_SPECIAL = {"FINAL SIGMA": "{\\varsigma}", "OMICRON": "o"}
_LATIN_LOOKALIKE = {"ALPHA": "A", "BETA": "B", "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I", "KAPPA": "K",
                    "MU": "M", "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T", "CHI": "X"}


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
