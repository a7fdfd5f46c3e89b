"""Implicit multiplication decided by the names a problem declares: `ab` is a·b when a and b are declared and
ab is not, `H(θ − t)` is H·(θ − t) when H is declared (and no function); the worked solution says so, and a
name with two readings is refused at its place. Expected values by hand in fractions and SymPy."""
from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

import nnsolve
from nnsolve.expr import ExprError, parse_declared
from nnsolve.expr.symbolic import from_text
from nnsolve.problems.errors import ProblemError


def test_a_run_of_declared_names_is_their_product_and_is_said():
    tree, said = parse_declared("ab x + H(θ - t)", {"a", "b", "x", "H", "θ", "t"})
    assert said == ["H(θ - t) read as H·(θ - t)", "ab read as a·b"]
    a, b, x, H, th, t = sp.symbols("a b x H θ t", real=True)
    from nnsolve.expr.symbolic import to_sympy
    assert sp.expand(to_sympy(tree) - (a * b * x + H * (th - t))) == 0


def test_a_name_with_two_readings_is_refused_at_its_column():
    with pytest.raises(ExprError) as caught:
        parse_declared("1 + abc", {"a", "b", "c", "ab", "bc"})
    assert caught.value.column == 5


def test_calculus_with_declared_symbols_differentiates_the_products():
    solution = nnsolve.solve("problem: calculus\nfunction: ab x^2 + H(x - t)\nvariables: [x]\n"
                             "symbols: [a, b, H, t]\nstationary_points: false\n")
    a, b, x, H, t = sp.symbols("a b x H t", real=True)
    derivative = sp.diff(a * b * x ** 2 + H * (x - t), x)
    assert sp.simplify(from_text(solution.value("df/dx")[()].text) - derivative) == 0
    assert any(name == "implicit multiplication" and "ab read as a·b" in said for name, said in solution.conventions)


def test_computation_graph_reads_products_of_its_values():
    solution = nnsolve.solve('problem: computation_graph\nexpression: "ab + H(x - t)"\n'
                             'values: {a: 2, b: 3, H: 0.5, x: 4, t: 1}\n')
    assert solution.value("f")[()] == 2 * 3 + Fraction(1, 2) * (4 - 1)
    assert solution.value("dL/da")[()] == 3 and solution.value("dL/dH")[()] == 3


def test_an_ambiguous_name_in_a_problem_is_refused_with_its_place():
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve('problem: computation_graph\nexpression: "abc + 1"\nvalues: {a: 1, b: 2, c: 3, ab: 4, bc: 5}\n')
    assert "expression" in str(caught.value) and "more than one way" in str(caught.value)


def test_an_undeclared_name_without_a_reading_stays_a_name():
    # without `variables`, xy is a variable of its own: x and y are not declared
    solution = nnsolve.solve("problem: calculus\nfunction: xy^2\nstationary_points: false\nhessian: false\n")
    assert solution.has("df/dxy")


def test_a_declared_symbol_the_function_does_not_use_is_refused():
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve("problem: calculus\nfunction: x^2\nsymbols: [a]\n")
    assert "symbols" in str(caught.value) and "not used" in str(caught.value)
