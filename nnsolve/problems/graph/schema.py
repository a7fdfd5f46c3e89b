"""The problem file of a computation graph: an expression (or named nodes) and the values of its leaves."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ...expr import Call, ExprError, Name, Num, Op, constant_value, name_issues, names_in, parse_declared
from ..common import Common
from ..fields import Number, Text, register_model

RESERVED = {"L"}       # gradient ids are dL/d<node>
CONSTANTS = {"pi", "π", "e"}     # the constants π and e, unless `values` or a node names them otherwise


@register_model
class GraphProblem(Common):
    problem: Literal["computation_graph"]
    expression: Optional[Text] = Field(default=None, description="e.g. relu(a*x + b*y + c); its node is named by `output`")
    nodes: Optional[dict[str, Text]] = Field(
        default=None, description="named nodes in order, e.g. {p: a*x, q: b*y, r: p + q}; the last is the output")
    values: dict[str, Number] = Field(description="the value of every leaf name, e.g. {a: 3, x: -1}")
    output: Text = Field(default="f", description="name of the expression's node (with `expression`)")
    symbols: list[Text] = Field(default_factory=list, description="leaves without a number (symbolic coefficients), "
                                                                  "e.g. [a]: the values depending on them are formulas")
    formulas: list[Text] = Field(default_factory=list, description="derivatives to give as formulas in the leaves' "
                                                                   "names, e.g. [df/da, dp/dx]")


def node_expressions(p: GraphProblem) -> list[tuple[str, tuple, str]]:
    """(node name, place in the file, expression text) in order."""
    if p.nodes is not None:
        return [(name, ("nodes", name), text) for name, text in p.nodes.items()]
    return [(p.output, ("expression",), p.expression or "")]


def declared(p: GraphProblem) -> set[str]:
    """The names the file declares: the leaves (with values, or symbols) and the nodes."""
    return set(p.values) | set(p.symbols) | {name for name, _, _ in node_expressions(p)}


def read(p: GraphProblem, text: str) -> tuple:
    """The tree of a node's expression and how its implicit products were read (ab as a·b, H(…) as H·(…))."""
    return parse_declared(text, declared(p))


def _names_issues(p: GraphProblem) -> list[tuple[tuple, str]]:
    """Every name the file declares must be one an expression can write: a node named 0 would be read where the
    number 0 is written."""
    places = [(("values", n), n) for n in p.values] + [(("symbols", i), n) for i, n in enumerate(p.symbols)]
    places += [(loc, name) for name, loc, _ in node_expressions(p)] if p.nodes is not None else [(("output",), p.output)]
    return name_issues(places)


def consistency(p: GraphProblem) -> list[tuple[tuple, str]]:
    found = _names_issues(p)
    if found:
        return found
    if (p.expression is None) == (p.nodes is None):
        return [(("expression",), "give either `expression` or `nodes` (not both)")]
    if p.nodes is not None and not p.nodes:
        return [(("nodes",), "no nodes given")]
    known = set(p.values) | set(p.symbols)
    used: set[str] = set()
    for i, name in enumerate(p.symbols):
        if name in p.values or name in RESERVED:
            found.append((("symbols", i), f"{name!r} has a value or is reserved: a symbol is a leaf without a number"))
    for name, loc, text in node_expressions(p):
        if name in known or name in RESERVED:
            found.append((loc, f"node name {name!r} is already " +
                          ("a value's name" if name in known else "reserved for gradient ids (dL/d…)")))
        try:
            tree = read(p, text)[0]
        except ExprError as e:
            found.append((loc, str(e)))
            continue
        if isinstance(tree, (Name, Num)):
            found.append((loc, "a node needs at least one operation (write the value under `values`)"))
        if p.symbols and _calls(tree) & {"max", "min"}:
            found.append((loc, "max and min choose an argument by its number: not in a graph with symbols"))
        for exponent in _exponents(tree):
            if constant_value(exponent) is None:
                found.append((loc, "a power's exponent is a constant number in a computation graph (an exponent of "
                                   "at most 64 when it is itself a power); for a variable one write exp(b*log(a)) "
                                   "for a^b"))
        for leaf in names_in(tree):
            used.add(leaf)
            if leaf not in known and leaf not in CONSTANTS:
                found.append((loc, f"{leaf!r} has no value (give it under `values`"
                                   + (" or as an earlier node)" if p.nodes is not None else ")")))
        known.add(name)
    if not found:
        from .formulas import issues
        uses = {name: set(names_in(read(p, text)[0])) for name, _, text in node_expressions(p)}
        found += issues(p, uses, set(p.values) | set(p.symbols))
    for name in [*p.values, *p.symbols]:
        if name in RESERVED:
            found.append((("values", name), f"{name!r} is reserved for gradient ids (dL/d…)"))
        elif name not in used:
            place = ("values", name) if name in p.values else ("symbols", p.symbols.index(name))
            found.append((place, f"{name!r} is not used in the expression"))
    return found


def _exponents(tree) -> list:
    """The exponent of every power in a tree."""
    found = [tree.operands[1]] if isinstance(tree, Op) and tree.op == "^" else []
    for child in getattr(tree, "operands", ()) + getattr(tree, "args", ()):
        found += _exponents(child)
    return found


def _calls(tree) -> set[str]:
    """The functions a tree calls."""
    found = {tree.function} if isinstance(tree, Call) else set()
    for child in getattr(tree, "operands", ()) + getattr(tree, "args", ()):
        found |= _calls(child)
    return found
