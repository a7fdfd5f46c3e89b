"""Laying out what a step carries besides its value: the entries written out as their sums (Step.expansion:
`z₁[0][0][1] = 1·2 + 0·1 + (-1)·3 + 0.5 = -0.5`) and the labels of a tensor's grids (Step.axes: `channel 0`).
The sums and their terms are the solver's; only their layout is decided here."""
from __future__ import annotations

from ..engine.number import format_number
from ..solution import Expansion
from .values import latex_number


def _factor(text: str, first: bool, alone: bool) -> str:
    """A negative number in brackets unless it starts the sum on its own: `2·(-1)`, `+ (-1)`."""
    return f"({text})" if text.startswith("-") and not (first and alone) else text


def _symbols(e: Expansion, name, number, times: str) -> str:
    """The sum with each term's first factor named (∂L/∂z₁[0][0][1]); other factors as numbers; a mean over
    its divisor."""
    text = " + ".join(times.join([name(source) + "".join(f"[{i}]" for i in at)]
                                 + [_factor(number(f), False, False) for f in term[1:]])
                      for (source, at), term in zip(e.sources, e.terms))
    return f"({text})/{e.divisor}" if e.kind == "mean" else text


def _sum_text(e: Expansion, number, times: str, index: str, lead: str, name=None) -> str:
    values = [[number(v) for v in term] for term in e.terms]
    if e.kind == "max":
        body = f"max({', '.join(v[0] for v in values)})"
    elif e.kind == "mean":
        inner = " + ".join(_factor(v[0], i == 0, True) for i, v in enumerate(values))
        body = f"({inner})/{e.divisor}"
    else:
        body = " + ".join(times.join(_factor(f, i == 0 and j == 0, len(term) == 1) for j, f in enumerate(term))
                          for i, term in enumerate(values))
    value = number(e.value)
    if not e.terms:
        return f"{lead}{index} = {value}"
    parts = ([_symbols(e, name, number, times)] if e.sources and name is not None else []) + [body, value]
    shown = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return f"{lead}{index} = " + " = ".join(shown)


def text_sums(symbol: str, expansion, digits: int, name=None) -> list[str]:
    """One line per written-out entry: `z₁[0][0][1] = 1·2 + 0·1 + 0.5 = 2.5`; `name(id)` gives the symbol of a
    quantity a term comes from (`∂L/∂x[0][1][0] = ∂L/∂z₁[0][0][0] = 1`)."""
    number = lambda v: format_number(v, digits)  # noqa: E731
    return [_sum_text(e, number, "·", "".join(f"[{i}]" for i in e.index), symbol, name) for e in expansion]


def latex_sums(symbol: str, expansion, digits: int, name=None) -> list[str]:
    """The same as LaTeX rows for an aligned block: `z_{1}[0][0][1] &= 1 \\cdot 2 + … = 2.5`."""
    number = lambda v: latex_number(v, digits)  # noqa: E731
    rows = []
    for e in expansion:
        index = "".join(f"[{i}]" for i in e.index)
        text = _sum_text(e, number, r" \cdot ", index, symbol, name)
        head, _, rest = text.partition(" = ")
        rows.append(head + " &= " + rest.replace("max(", "\\max("))
    return rows
