"""A Solution is plain data: the conventions in force, ordered named steps, and the asked answers.

Printers (nnsolve.render) turn it into text, Markdown+LaTeX or JSON; the checker compares answers
against it. Nothing here computes or formats a number.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine.formula import Formula


@dataclass(frozen=True)
class Expansion:
    """One entry of a tensor written out as what it is made of, for a printer to show: z[0][1][1] = 1·2 +
    0·1 + … + 0.5 = 5. `kind` "sum": each term a tuple of factors that are multiplied (a 1-tuple is a
    lone addend, such as a bias); "max": the window's values; "mean": their sum over `divisor`. The
    factors are the exact numbers used (a padded cell is its 0). `sources`, when given, names for each term the
    entry its first factor is, (quantity id, index), so the sum can be written in symbols first:
    ∂L/∂x[0][1][0] = ∂L/∂z₁[0][0][0] = 1."""
    index: tuple[int, ...]
    kind: str
    terms: tuple[tuple, ...]
    value: Any
    divisor: int = 1
    sources: tuple = ()


@dataclass(frozen=True)
class Step:
    id: str
    latex_symbol: str
    text_symbol: str
    value: np.ndarray
    section: str
    formula: Formula | None = None
    note: str = ""
    # what the leading axes of a tensor of three or more axes are (("channel",), ("filter", "channel")): the
    # printers show one labelled grid per entry of them
    axes: tuple[str, ...] = ()
    # entries written out as their sums (small tensors only: the solver decides which)
    expansion: tuple[Expansion, ...] = ()

    # Jupyter shows a single step (`solution.step("u1")`) as `symbol = value` in display math.
    def _repr_latex_(self) -> str:
        from .engine.notation import latex_symbol
        from .render.values import latex_value
        return rf"$\displaystyle {latex_symbol(self.latex_symbol)} = {latex_value(self.value, 4)}$"


@dataclass
class Solution:
    title: str
    kind: str
    conventions: list[tuple[str, str]]
    steps: list[Step]
    asked: list[str]
    aliases: dict[str, str] = field(default_factory=dict)
    digits: int = 4
    source: dict | None = None
    # how a vector is typeset: a column (u = Wᵀx + b), or a row where a batch has one sample per row
    vectors: str = "column"
    # the `ask` groups of this solution: group name → the ids it stands for (forward → [u1, h1, …])
    groups: dict[str, list[str]] = field(default_factory=dict)
    # facts printers and the checker read instead of parsing prose: the settings in force by their key in the
    # problem file (`network.layout`: in_out, `conventions.relu_derivative_at_zero`: 0) and the family's
    # structure (`layers`: 3)
    meta: dict[str, Any] = field(default_factory=dict)
    # the problem's `statement:` as text pieces and filled placeholders (nnsolve.problems.statement.Filled); empty
    # when the file has none. Filled by the API once the givens are known.
    statement: tuple = ()

    def __post_init__(self):
        self._by_id = {s.id: s for s in self.steps}

    def add_steps(self, steps: list[Step]) -> None:
        """Steps computed from this solution's own (derived asks: `p[1] - p[3]`, `argmax(y)`), added at the end."""
        for s in steps:
            self.steps.append(s)
            self._by_id[s.id] = s

    def step(self, quantity_id: str) -> Step:
        return self._by_id[self.aliases.get(quantity_id, quantity_id)]

    def has(self, quantity_id: str) -> bool:
        return self.aliases.get(quantity_id, quantity_id) in self._by_id

    def value(self, quantity_id: str) -> np.ndarray:
        return self.step(quantity_id).value

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]

    @property
    def answers(self) -> dict[str, np.ndarray]:
        return {i: self.value(i) for i in self.asked}

    def sections(self) -> list[tuple[str, list[Step]]]:
        out: list[tuple[str, list[Step]]] = []
        for s in self.steps:
            if not out or out[-1][0] != s.section:
                out.append((s.section, []))
            out[-1][1].append(s)
        return out

    # Jupyter shows a Solution as rendered math.
    def _repr_markdown_(self) -> str:
        from .render.markdown import render_markdown
        return render_markdown(self)

    def __str__(self) -> str:
        from .render.text import render_text
        return render_text(self)
