"""Filling a formula's placeholders with symbols or numbers, bracketing what would misread.

A placeholder becomes a piece of text that must read correctly in its place: −0.5 after `1 −` or
before `²` needs brackets, ∂L/∂u before `ᵀ` needs them too, and in LaTeX a symbol that already
carries a superscript must be grouped before another `^` (a double superscript is an error).
"""
from __future__ import annotations

import re
from typing import Callable

from ..engine.formula import Formula
from ..solution import Solution, Step
from ..engine.notation import latex_symbol
from .values import latex_value, needs_grouping, text_value

_PLACEHOLDER = re.compile(r"\{(\d+)\}")
_CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")
# a number, bracketed or not, as a piece ends and begins: two side by side must not run together
_NUMBER_END, _NUMBER_START = re.compile(r"\d\)?$"), re.compile(r"\(?-?\d")
_ACCENT = re.compile(r"\\(?:hat|tilde|bar|dot|ddot|vec|check|breve|acute|grave|widehat|widetilde)(?![A-Za-z])")

# What may stand right before / after a piece without it needing brackets.
_OPEN = ("(", "[", "{", ",", "=", "|", "‖", r"\lVert", "&")
_CLOSE = (")", "]", "}", ",", "=", "+", "-", "−", "|", "‖", "⊙", "·", "&",
          r"\right", r"\rVert", r"\odot", r"\cdot", r"\\")


def fill(formula: Formula, latex: bool, piece: Callable[[str], str],
         grouping: Callable[[str], str | None]) -> str:
    """`formula` with each placeholder replaced by `piece(arg_id)`. A piece gets round brackets
    unless its neighbours delimit it: `grouping(piece)` says which must, "both" or "after" (None:
    it never needs them)."""
    template = formula.latex if latex else formula.text
    out: list[str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        before = template[:match.start()]
        after = template[match.end():]
        index = int(match.group(1))
        if index >= len(formula.args):
            raise ValueError(f"formula {template!r} has a placeholder {{{index}}} but only {len(formula.args)} "
                             "quantities; write a literal `{digits}` as `{ digits }`")
        text = piece(formula.args[index])
        if _needs_brackets(grouping(text), before.rstrip(), after.lstrip()):
            text = f"({text})"
        between = template[pos:match.start()]
        if latex and pos and not between.strip() and _NUMBER_END.search(out[-1]) and _NUMBER_START.match(text):
            between = r" \cdot "     # `W x` with numbers: `1 \cdot 2`, not `1 2`, which reads as twelve
        out.append(between)
        if latex:
            text = _latex_safe(text, "".join(out), after)
        out.append(text)
        pos = match.end()
    out.append(template[pos:])
    return "".join(out)


def _needs_brackets(sides: str | None, before: str, after: str) -> bool:
    if sides is None:
        return False
    right = after == "" or after.startswith(_CLOSE)
    if sides == "after":
        return not right
    return not (right and (before == "" or before.endswith(_OPEN)))


def _outer_scripts(text: str) -> set[str]:
    """The `^` and `_` of a LaTeX piece that are not inside braces (nor inside a matrix)."""
    if text.startswith(r"\begin"):
        return set()
    found, depth = set(), 0
    for ch in text:
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and ch in "^_":
            found.add(ch)
    return found


def _latex_safe(text: str, written: str, after: str) -> str:
    """Group a piece whose scripts would clash with the template's, or whose trailing control word
    would run into the next letter (`\\eta` + `W` must not become `\\etaW`); `written` is the output
    so far, `after` the rest of the template."""
    if after.startswith("^") and text.startswith(r"\frac"):
        return r"\left(" + text + r"\right)"      # (∂L/∂u)ᵀ, not a transposed denominator
    if after[:1] in ("^", "_") and after[0] in _outer_scripts(text):
        # TeX makes a group holding only an accent the accent itself, scripts and all (`{\tilde{W}^{(2)}}^\top`
        # is a double superscript to pdflatex, not to MathJax): an empty atom keeps the group a group
        return "{" + text + ("{}}" if _ACCENT.match(text) else "}")
    if _CONTROL_WORD_END.search(text) and after[:1].isalpha():
        return "{" + text + "}"
    if _CONTROL_WORD_END.search(written) and text[:1].isalpha():
        return " " + text
    return text


def symbolic(solution: Solution, step: Step, latex: bool) -> str:
    """The step's formula in symbols: `W₂ᵀh₁ + b₂`, `W_{2}^\\top h_{1} + b_{2}`."""
    if latex:
        return fill(step.formula, True, lambda i: latex_symbol(solution.step(i).latex_symbol), _never)
    return fill(step.formula, False, lambda i: solution.step(i).text_symbol, _compound_symbol)


def substituted(solution: Solution, step: Step, latex: bool, digits: int) -> str:
    """The step's formula with each quantity's value in place of its symbol."""
    if latex:
        column = solution.vectors != "row"
        return fill(step.formula, True, lambda i: latex_value(solution.value(i), digits, column), needs_grouping)
    return fill(step.formula, False, lambda i: text_value(solution.value(i), digits), needs_grouping)


def equation_parts(solution: Solution, step: Step, latex: bool, digits: int) -> list[str]:
    """The middle of `symbol = … = value`: the formula in symbols, then with numbers, each only when
    it says something the value does not (`ŷ = u₂ = 0.7` needs no second `= 0.7`)."""
    if step.formula is None:
        return []
    if latex:
        value = latex_value(step.value, digits, solution.vectors != "row")
    else:
        value = text_value(step.value, digits)
    parts: list[str] = []
    written = [symbolic(solution, step, latex)]
    # a tensor of three or more axes is a row of grids, not a line of numbers: its own step shows it
    if all(solution.value(i).ndim < 3 for i in step.formula.args):
        written.append(substituted(solution, step, latex, digits))
    for part in written:
        if part != value and part not in parts:
            parts.append(part)
    return parts


def _never(_text: str) -> None:
    return None


def _compound_symbol(text: str) -> str | None:
    """∂L/∂u or `m hat` read wrongly between other symbols: `x(∂L/∂u)ᵀ`, `η·(∂L/∂W)`."""
    return "both" if "/" in text or " " in text else None
