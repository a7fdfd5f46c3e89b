"""Derivatives of a computation graph asked as formulas (`formulas:` or a formula in `answers`): against SymPy's
own derivative of the same function written in the test, and judged by the checker symbolically."""
from __future__ import annotations

import pytest
import sympy as sp

import nnsolve
from nnsolve.check import check_file
from nnsolve.expr.symbolic import from_text
from nnsolve.problems.errors import ProblemError

GRAPH = """problem: computation_graph
nodes: {p: "a*x", q: "p + a", f: "tanh(q) * b"}
values: {a: 2, x: 3, b: 0.5}
"""


def test_total_and_local_derivatives_as_formulas_match_sympy():
    solution = nnsolve.solve(GRAPH + "formulas: [df/da, df/dx, dq/da, dp/da]\n")
    a, x, b = sp.symbols("a x b", real=True)
    f = sp.tanh(a * x + a) * b
    assert sp.simplify(from_text(solution.value("df/da")[()].text) - sp.diff(f, a)) == 0
    assert sp.simplify(from_text(solution.value("df/dx")[()].text) - sp.diff(f, x)) == 0
    # q = p + a: the local derivative in its own input a is 1 (not the total x + 1)
    assert solution.value("dq/da")[()] == 1
    assert sp.simplify(from_text(solution.value("dp/da")[()].text) - x) == 0
    assert "formulas" in solution.groups and solution.asked


def test_a_formula_answer_is_compared_symbolically(tmp_path):
    path = tmp_path / "graph.yaml"
    path.write_text(GRAPH + "answers: {dp/da: x, df/dx: 'a b (1 - tanh(q)^2)', df/db: 'tanh(a x)'}\n")
    report = check_file(path)
    verdicts = {r.name: r.ok for r in report.results}
    assert verdicts == {"dp/da": True, "df/dx": True, "df/db": False}


@pytest.mark.parametrize("asked", ["dL/da", "dz/da", "df/dp2"])
def test_an_id_that_is_no_derivative_is_refused_at_its_place(asked):
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(GRAPH + f"formulas: [{asked}]\n")
    assert "formulas" in str(caught.value)


SYMBOLIC = """problem: computation_graph
nodes: {p: "a*w^2", f: "sigmoid(p) + b*w"}
values: {w: 2, b: 3}
symbols: [a]
"""


def test_a_graph_with_a_symbolic_coefficient_matches_sympy():
    solution = nnsolve.solve(SYMBOLIC)
    a, w, b = sp.symbols("a w b", real=True)
    f = 1 / (1 + sp.exp(-a * w ** 2)) + b * w
    at = {w: 2, b: 3}

    def ours(quantity):
        return from_text(solution.value(quantity)[()].text.replace("sigmoid", "σ")).rewrite(sp.exp)

    assert sp.simplify(ours("f") - f.subs(at)) == 0
    for leaf in (a, w):
        assert sp.simplify(ours(f"dL/d{leaf}") - sp.diff(f, leaf).subs(at)) == 0, leaf
    assert solution.value("dL/db")[()] == 2          # a number where no symbol enters: ∂f/∂b = w


def test_max_of_a_symbol_is_refused_at_its_node():
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve('problem: computation_graph\nexpression: "max(a, w) * w"\nvalues: {w: 2}\nsymbols: [a]\n')
    assert "expression" in str(caught.value) and "max" in str(caught.value)
