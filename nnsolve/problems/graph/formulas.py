"""Derivatives of a computation graph as formulas in its leaves' names, where the file asks for them: listed
under `formulas` (`formulas: [df/da]`), or answered with a formula in `answers` (`answers: {dp/da: x}`).

`dr/dp` for a node r and one of its own inputs p is the local derivative (as the numeric step of that id
is): r's expression differentiated in p, its inputs then written through the leaves. Any other `dp/dq`
with q a leaf is the total derivative of p in q. Each formula's value at the given leaves is checked
against the number the graph computed for the same id (where it has one), so a formula can never
disagree with the worked numbers. SymPy is imported only for a graph that asks for a formula.
"""
from __future__ import annotations

import re

from ...engine.number import parse_number
from ..errors import Issue, ProblemError

_DERIVATIVE = re.compile(r"^d(?P<top>.+)/d(?P<bottom>[^/]+)$")


def requested(p) -> list[tuple[str, tuple]]:
    """(id, place in the file) of every derivative asked as a formula."""
    out = [(name, ("formulas", i)) for i, name in enumerate(p.formulas)]
    if p.symbols:          # with symbols, every value that depends on them is a formula already
        return out
    for name, given in p.answers.items():
        m = _DERIVATIVE.match(str(name))
        if m and m.group("top") != "L" and isinstance(given, str) and not _is_number(given) and \
                name not in p.formulas:
            out.append((str(name), ("answers", name)))
    return out


def _is_number(text: str) -> bool:
    try:
        parse_number(text.strip())
        return True
    except (ValueError, ZeroDivisionError, ArithmeticError):
        return False


def issues(p, nodes: dict[str, tuple], leaves: set[str]) -> list[tuple[tuple, str]]:
    """An id that is no derivative of a node in a leaf or in one of its inputs is refused at its place.
    `nodes` maps a node's name to the names its expression uses."""
    found = []
    for name, loc in requested(p):
        m = _DERIVATIVE.match(name)
        top, bottom = (m.group("top"), m.group("bottom")) if m else (None, None)
        if m is None or top not in nodes or not (bottom in leaves or bottom in nodes[top]):
            found.append((loc, f"{name!r} is asked as a formula: write d<node>/d<leaf> (the total derivative, e.g. "
                               f"d{list(nodes)[-1]}/d{sorted(leaves)[0] if leaves else 'x'}) or d<node>/d<input> "
                               "(the local one)"))
    return found


def record(builder) -> None:
    """Each requested derivative as a formula step (see the module's docstring)."""
    wanted = requested(builder.p)
    if not wanted:
        return
    import sympy as sp

    from ...expr.symbolic import Expression, symbol, to_exact, to_sympy
    from ..calculus.analysis import evaluate

    p, comp = builder.p, builder.comp
    leaves = {name: symbol(name) for name in [*p.values, *p.symbols]}
    in_leaves: dict[str, sp.Expr] = dict(leaves)          # every node's expression in the leaves
    own: dict[str, sp.Expr] = {}                          # every node's expression in its inputs' names
    for name, tree in builder.trees.items():
        own[name] = to_sympy(tree, {})
        in_leaves[name] = to_sympy(tree, {k: v for k, v in in_leaves.items() if k not in leaves})
    at = {leaves[name]: value for name, value in p.values.items()}
    for name, loc in wanted:
        m = _DERIVATIVE.match(name)
        top, bottom = m.group("top"), m.group("bottom")
        local = bottom not in leaves or (name in comp.nodes and comp.nodes[name].phase == "local")
        if local:
            formula = sp.diff(own[top], symbol(bottom)).xreplace(
                {symbol(k): v for k, v in in_leaves.items() if k not in leaves})
        else:
            formula = sp.diff(in_leaves[top], leaves[bottom])
        number = evaluate(formula, at) if not formula.free_symbols - set(at) else None
        said = f"= {_text(number)} at the given values" if number is not None else ""
        shown = Expression(formula, {k: v for k, v in in_leaves.items() if k not in leaves}) \
            if formula.free_symbols else to_exact(formula)
        if name in comp.nodes:
            node = comp.nodes[name]
            _agree(name, node.value[()], number, loc)
            node.value = _tensor(shown)
            node.note = f"{node.note}; {said}" if node.note and said else (said or node.note)
        else:
            total = comp.nodes.get(f"dL/d{bottom}") if top == builder.output_id else None
            if total is not None:
                _agree(name, total.value[()], number, loc)
            from ...engine.computation import Symbol
            node = comp.derived(name, Symbol(rf"\frac{{\partial {top}}}{{\partial {bottom}}}", f"∂{top}/∂{bottom}"),
                                shown, None, "formula", "total derivative in the leaves" + (f"; {said}" if said else ""))


def _tensor(value):
    from ...engine.tensor import as_tensor
    return as_tensor(value)


def _text(number) -> str:
    from ...engine.number import exact_string
    return exact_string(number)


def _agree(name: str, computed, number, loc: tuple) -> None:
    """The formula at the given values is the number the graph computed (50 digits where irrational)."""
    from ...engine.symbolic import Symbolic
    if number is None or computed is None or isinstance(computed, Symbolic):
        return
    from ...engine.number import mp, to_mpf
    if abs(to_mpf(computed) - to_mpf(number)) > mp.mpf(10) ** -40 * max(1, abs(to_mpf(number))):
        raise ProblemError([Issue(".".join(map(str, loc)), f"internal check failed: the formula of {name} gives "
                                  f"{_text(number)} at the given values, the graph {_text(computed)}")])
