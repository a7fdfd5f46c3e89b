"""The problem file of a Boolean function to realise with threshold units: a truth table, a named gate,
a Boolean expression or a decision region in the plane; optionally a proposed network to verify."""
from __future__ import annotations

import itertools
from typing import Annotated, Literal, Optional

from pydantic import Field

from ...limits import MAX_BOOLEAN_INPUTS, MAX_HIDDEN_SEARCH, MAX_REGION_TESTS
from ..common import Common
from ..fields import Matrix, Model, Number, Text, Vector, at_most, register_model
from . import expression as bx
from .region import polygon_problems

GATES = ("AND", "OR", "NAND", "NOR", "XOR", "XNOR", "parity")
SOURCES = ("truth_table", "ones", "minterms", "function", "expression", "region")


class Region(Model):
    polygons: list[Matrix] = Field(description="convex polygons, each a list of vertices [x1, x2] in order; "
                                               "the region is their union")
    inside: Literal[0, 1] = Field(default=1, description="the output inside the region (1), or 0")


class Proposed(Model):
    """A network to verify: one unit (w with b or theta) or two layers (W1, b1 or theta1, w2, b2 or theta2)."""
    w: Optional[Vector] = None
    b: Optional[Number] = None
    theta: Optional[Number] = Field(default=None, description="threshold: the unit fires when w·x > theta")
    W1: Optional[Matrix] = Field(default=None, description="one row of input weights per hidden unit")
    b1: Optional[Vector] = None
    theta1: Optional[Vector] = None
    w2: Optional[Vector] = None
    b2: Optional[Number] = None
    theta2: Optional[Number] = None


@register_model
class BooleanProblem(Common):
    problem: Literal["boolean_network"]
    truth_table: Optional[Matrix] = Field(
        default=None, description="rows [x1, …, xn, y] of 0/1 entries, every input row once")
    ones: Optional[list[Vector]] = Field(
        default=None, description="the input rows whose output is 1 (each [x1, …, xn]); every other row is 0")
    minterms: Optional[list[int]] = Field(
        default=None, description="the row numbers whose output is 1 (with inputs), x1 the most significant bit: "
                                  "row m of n inputs is m written in n binary digits")
    function: Optional[Literal[GATES]] = Field(default=None, description="a named gate of `inputs` inputs")
    inputs: Optional[Annotated[int, at_most(MAX_BOOLEAN_INPUTS)]] = Field(
        default=None, ge=1, description="number of inputs of `function` or `minterms` (and of `ones`: optional)")
    encoding: Literal["binary", "bipolar"] = Field(
        default="binary", description="binary: inputs and outputs 0/1, a unit outputs 0 when it does not fire; "
                                      "bipolar: ±1 (−1 for false), a unit outputs −1 when it does not fire")
    expression: Optional[Text] = Field(default=None, description="a Boolean expression, e.g. 'x1 AND NOT x2 OR x3'")
    inputs_named: Optional[list[Text]] = Field(
        default=None, description="the expression's inputs in table order (default: order of appearance)")
    region: Optional[Region] = Field(default=None, description="a decision region in the plane")
    network: Optional[Proposed] = Field(default=None, description="a proposed network to verify on every row")
    compare: Literal[">", ">="] = Field(default=">", description="a unit fires when w·x + b > 0 (or ≥ 0)")
    allowed_weights: Optional[list[int]] = Field(
        default=None, description="weights and biases must come from this set (e.g. [-1, 0, 1])")
    allowed_biases: Optional[list[int]] = Field(
        default=None, description="with allowed_weights: the biases come from this set instead")
    hidden_units: Optional[Annotated[int, at_most(MAX_HIDDEN_SEARCH)]] = Field(
        default=None, ge=1, description="with allowed_weights: size of the hidden layer to search "
                                        "(default: 1, 2, … up to MAX_HIDDEN_SEARCH, the first that works)")

    @property
    def levels(self) -> tuple[int, int]:
        """(false, true) as the file writes them."""
        return (0, 1) if self.encoding == "binary" else (-1, 1)


def _table_issues(table, levels=(0, 1)) -> list[tuple[tuple, str]]:
    found = []
    width = len(table[0]) if table else 0
    if width < 2:
        return [(("truth_table",), "each row is [x1, …, xn, y]: at least 2 entries")]
    if width - 1 > MAX_BOOLEAN_INPUTS.value:
        return [(("truth_table",), f"at most {MAX_BOOLEAN_INPUTS.value} inputs {MAX_BOOLEAN_INPUTS.hint}")]
    seen = set()
    for r, row in enumerate(table):
        if len(row) != width:
            found.append((("truth_table", r), f"row has {len(row)} entries, the first has {width}"))
            continue
        binary = True
        for c, v in enumerate(row):
            if v not in levels:
                binary = False
                found.append((("truth_table", r, c), f"truth-table entries are {levels[0]} or 1"
                                                     f"{_encoding_hint(levels)}, got {getattr(v, 'text', v)}"))
        if tuple(row[:-1]) in seen:
            found.append((("truth_table", r), "this input row appears twice"))
        if binary:
            seen.add(tuple(row[:-1]))
    if not found:
        missing = [x for x in itertools.product(levels, repeat=width - 1) if x not in seen]
        if missing:
            shown = ", ".join("[" + ", ".join(map(str, x)) + "]" for x in missing[:8])
            found.append((("truth_table",), f"{len(missing)} input row{'s' if len(missing) > 1 else ''} missing: "
                                            f"{shown}{' …' if len(missing) > 8 else ''} (give the output of every row)"))
    return found


def _encoding_hint(levels) -> str:
    return " (encoding: bipolar)" if levels[0] == -1 else ""


def _ones_issues(p: BooleanProblem) -> tuple[list[tuple[tuple, str]], int | None]:
    """What is wrong with `ones`, and the number of inputs it has."""
    levels, found, seen = p.levels, [], set()
    if not p.ones and p.inputs is None:
        return [(("ones",), "no row is 1: give inputs (the number of inputs) too")], None
    n = len(p.ones[0]) if p.ones else p.inputs
    if p.inputs is not None and p.inputs != n:
        return [(("inputs",), f"inputs: {p.inputs}, but the rows of ones have {n} entries")], None
    if n < 1 or n > MAX_BOOLEAN_INPUTS.value:
        return [(("ones",), f"between 1 and {MAX_BOOLEAN_INPUTS.value} inputs, got {n} {MAX_BOOLEAN_INPUTS.hint}")], None
    for r, row in enumerate(p.ones):
        if len(row) != n:
            found.append((("ones", r), f"a row is [x1, …, xn] (no output column: every listed row is 1): "
                                       f"{len(row)} entries, the first row has {n}"))
            continue
        for c, v in enumerate(row):
            if v not in levels:
                found.append((("ones", r, c), f"entries are {levels[0]} or 1{_encoding_hint(levels)}, "
                                              f"got {getattr(v, 'text', v)}"))
        if tuple(row) in seen:
            found.append((("ones", r), "this row is listed twice"))
        seen.add(tuple(row))
    return found, n


def _minterm_issues(p: BooleanProblem) -> list[tuple[tuple, str]]:
    if p.inputs is None:
        return [(("inputs",), "minterms are row numbers: give inputs (the number of inputs) too")]
    rows = 2 ** p.inputs
    found = []
    for k, m in enumerate(p.minterms):
        if not 0 <= m < rows:
            found.append((("minterms", k), f"{p.inputs} inputs have rows 0…{rows - 1}, got {m}"))
        elif m in p.minterms[:k]:
            found.append((("minterms", k), f"row {m} is listed twice"))
    return found


def expression_inputs(p: BooleanProblem) -> tuple[object, list[str]]:
    """The parsed expression and its inputs in table order (raises ExprError)."""
    tree = bx.parse(p.expression)
    names = list(p.inputs_named) if p.inputs_named is not None else [v.name for v in bx.variables(tree)]
    bx.check_names(tree, names)
    return tree, names


def _expression_issues(p: BooleanProblem) -> list[tuple[tuple, str]]:
    try:
        _, names = expression_inputs(p)
    except bx.ExprError as error:
        return [(("expression",), str(error))]
    if len(set(names)) != len(names):
        return [(("inputs_named",), "an input is named twice")]
    if not 1 <= len(names) <= MAX_BOOLEAN_INPUTS.value:
        hint = f" {MAX_BOOLEAN_INPUTS.hint}" if names else ""
        return [(("expression",), f"between 1 and {MAX_BOOLEAN_INPUTS.value} inputs, got {len(names)}{hint}")]
    return []


def _network_issues(p: BooleanProblem, n: int | None) -> list[tuple[tuple, str]]:
    net = p.network
    here = ("network",)
    if net.W1 is None and net.w is None:
        return [(here, "give one unit (w and b or theta) or two layers (W1, b1 or theta1, w2, b2 or theta2)")]
    if net.W1 is not None and net.w is not None:
        return [(here, "give one unit (w) or two layers (W1, w2), not both")]
    found = []
    pairs = [("b", "theta")] if net.w is not None else [("b1", "theta1"), ("b2", "theta2")]
    for bias, threshold in pairs:
        if (getattr(net, bias) is None) == (getattr(net, threshold) is None):
            found.append((here, f"give exactly one of {bias} and {threshold}"))
    if net.w is not None:
        if n is not None and len(net.w) != n:
            found.append((here + ("w",), f"{len(net.w)} weights for {n} inputs"))
        return found
    if not net.W1:
        return found + [(here + ("W1",), "give at least one hidden unit (a row of W1)")]
    for r, row in enumerate(net.W1):
        if n is not None and len(row) != n:
            found.append((here + ("W1", r), f"{len(row)} weights for {n} inputs"))
    units = len(net.W1)
    for key in ("b1", "theta1", "w2"):
        value = getattr(net, key)
        if value is not None and len(value) != units:
            found.append((here + (key,), f"{len(value)} entries for {units} hidden units (rows of W1)"))
    if net.w2 is None:
        found.append((here, "the output weights w2 are missing"))
    return found


def consistency(p: BooleanProblem) -> list[tuple[tuple, str]]:
    given = [key for key in SOURCES if getattr(p, key) is not None]
    if len(given) != 1:
        return [((given[1] if len(given) > 1 else "truth_table",),
                 "give exactly one of truth_table, ones, minterms (with inputs), function (with inputs), "
                 "expression, region"
                 + (f"; found {', '.join(given)}" if given else ""))]
    found, n = [], None
    if p.function is not None:
        if p.inputs is None:
            found.append((("inputs",), f"the number of inputs of {p.function} is required"))
        n = p.inputs
    elif p.inputs is not None and p.ones is None and p.minterms is None:
        found.append((("inputs",), "inputs counts the inputs of function, ones or minterms; the "
                                   f"{given[0].replace('_', ' ')} fixes its own"))
    if p.truth_table is not None:
        found += _table_issues(p.truth_table, p.levels)
        n = len(p.truth_table[0]) - 1 if p.truth_table else None
    if p.ones is not None:
        issues, n = _ones_issues(p)
        found += issues
    if p.minterms is not None:
        found += _minterm_issues(p)
        n = p.inputs
    if p.region is not None and p.encoding == "bipolar":
        found.append((("encoding",), "a region's inputs are points of the plane, not ±1 values: "
                                     "encoding: bipolar is for truth tables"))
    if p.expression is not None:
        found += _expression_issues(p)
        n = None if found else len(expression_inputs(p)[1])
    elif p.inputs_named is not None:
        found.append((("inputs_named",), "inputs_named names the variables of an expression: give expression too"))
    if p.region is not None:
        if not p.region.polygons:
            found.append((("region", "polygons"), "give at least one polygon"))
        for k, vertices in enumerate(p.region.polygons):
            found += [(("region", "polygons", k) + loc, message) for loc, message in polygon_problems(vertices)]
        points = sum(1 + 2 * len(vertices) for vertices in p.region.polygons)
        if points * len(p.region.polygons) > MAX_REGION_TESTS.value:
            found.append((("region", "polygons"), MAX_REGION_TESTS.refusal(
                f"{len(p.region.polygons):,} polygons give {points:,} test points, each tested against every polygon: "
                f"{points * len(p.region.polygons):,} tests")))
        if p.network is not None:
            found.append((("network",), "a proposed network is verified on a truth table, not on a region"))
        if p.allowed_weights is not None:
            found.append((("allowed_weights",), "a region's units take their weights from the edges' lines"))
    if p.network is not None and p.region is None:
        found += _network_issues(p, n)
    if p.hidden_units is not None and p.allowed_weights is None:
        found.append((("hidden_units",), "hidden_units chooses a search size: give allowed_weights too"))
    if p.allowed_weights is not None and not p.allowed_weights:
        found.append((("allowed_weights",), "the set of allowed weights is empty"))
    if p.allowed_biases is not None:
        if p.allowed_weights is None:
            found.append((("allowed_biases",), "allowed_biases restricts the search of allowed_weights: give "
                                               "allowed_weights too"))
        elif not p.allowed_biases:
            found.append((("allowed_biases",), "the set of allowed biases is empty"))
    if p.network is not None:
        for key in ("allowed_weights", "allowed_biases", "hidden_units"):
            if getattr(p, key) is not None:
                found.append(((key,), f"{key} chooses how a network is searched; a proposed network is only "
                                      "verified"))
    return found
