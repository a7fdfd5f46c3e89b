"""The problem file of a Boolean function to realise with threshold units: a truth table or a named gate."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..common import Common
from ..fields import Matrix, register_model

GATES = ("AND", "OR", "NAND", "NOR", "XOR", "XNOR", "parity")
MAX_INPUTS = 6


@register_model
class BooleanProblem(Common):
    problem: Literal["boolean_network"]
    truth_table: Optional[Matrix] = Field(
        default=None, description="rows [x1, …, xn, y] of 0/1 entries; or give `function` and `inputs`")
    function: Optional[Literal[GATES]] = Field(default=None, description="a named gate of `inputs` inputs")
    inputs: Optional[int] = Field(default=None, ge=1, le=MAX_INPUTS, description="number of inputs of `function`")
    compare: Literal[">", ">="] = Field(default=">", description="a unit fires when w·x + b > 0 (or ≥ 0)")
    allowed_weights: Optional[list[int]] = Field(
        default=None, description="weights and biases must come from this set (e.g. [-1, 0, 1])")
    hidden_units: Optional[int] = Field(
        default=None, ge=1, le=4, description="with allowed_weights: size of the hidden layer to search")


def consistency(p: BooleanProblem) -> list[tuple[tuple, str]]:
    found = []
    if (p.truth_table is None) == (p.function is None):
        found.append((("truth_table",), "give either a truth_table or a function (with inputs)"))
    if p.function is not None and p.inputs is None:
        found.append((("inputs",), f"the number of inputs of {p.function} is required"))
    if p.truth_table is not None:
        width = len(p.truth_table[0]) if p.truth_table else 0
        if width < 2:
            found.append((("truth_table",), "each row is [x1, …, xn, y]: at least 2 entries"))
        seen = set()
        for r, row in enumerate(p.truth_table):
            if len(row) != width:
                found.append((("truth_table", r), f"row has {len(row)} entries, the first has {width}"))
            for c, v in enumerate(row):
                if v not in (0, 1):
                    found.append((("truth_table", r, c), f"truth-table entries are 0 or 1, got {v}"))
            if tuple(row[:-1]) in seen:
                found.append((("truth_table", r), "this input row appears twice"))
            seen.add(tuple(row[:-1]))
        if width - 1 > MAX_INPUTS:
            found.append((("truth_table",), f"at most {MAX_INPUTS} inputs"))
    if p.hidden_units is not None and p.allowed_weights is None:
        found.append((("hidden_units",), "hidden_units chooses a search size: give allowed_weights too"))
    if p.allowed_weights is not None and not p.allowed_weights:
        found.append((("allowed_weights",), "the set of allowed weights is empty"))
    return found
