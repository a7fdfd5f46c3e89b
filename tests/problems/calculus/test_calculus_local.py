"""Taylor polynomials at a point and the learning rates the curvature allows (per variable for a diagonal
Hessian, from λmax at a point otherwise): against SymPy's own derivatives and mpmath, computed here."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from calculus_support import solved
from nnsolve.expr.symbolic import from_text
from nnsolve.problems.errors import ProblemError


def formula(solution, quantity):
    return from_text(solution.value(quantity)[()].text)


def test_taylor_polynomials_match_sympy():
    solution = solved("problem: calculus\nfunction: exp(x) sin(y) + a x y^2\nvariables: [x, y]\n"
                      "stationary_points: false\nhessian: false\ntaylor: {at: [0, 1]}\n")
    x, y, a = sp.symbols("x y a", real=True)
    f = sp.exp(x) * sp.sin(y) + a * x * y ** 2
    at = {x: 0, y: 1}
    d = [x - 0, y - 1]
    first = f.subs(at) + sum(sp.diff(f, v).subs(at) * dv for v, dv in zip((x, y), d))
    second = first + sum(sp.diff(f, u, v).subs(at) * du * dv for u, du in zip((x, y), d)
                         for v, dv in zip((x, y), d)) / 2
    assert sp.simplify(formula(solution, "taylor1") - first) == 0
    assert sp.simplify(formula(solution, "taylor2") - second) == 0


def test_the_second_order_polynomial_of_a_quadratic_is_the_quadratic():
    solution = solved("problem: calculus\nfunction: 3x^2 - 2x y + y^2 + 4x - 1\nstationary_points: false\n"
                      "taylor: {at: {x: 2, y: -1}, order: 2}\n")
    x, y = sp.symbols("x y", real=True)
    assert sp.expand(formula(solution, "taylor2") - (3 * x ** 2 - 2 * x * y + y ** 2 + 4 * x - 1)) == 0
    assert solution.value("taylor.gradient").tolist() == [6 * 2 - 2 * -1 + 4, -2 * 2 + 2 * -1]


def test_per_variable_rates_of_a_diagonal_hessian():
    solution = solved("problem: calculus\nfunction: x^2 + 10y^2\nstationary_points: false\nlearning_rate: true\n")
    # h_xx = 2, h_yy = 20: η < 2/h, η* = 1/h
    assert solution.value("eta_max(x)")[()] == 1 and solution.value("eta_opt(x)")[()] == Fraction(1, 2)
    assert solution.value("eta_max(y)")[()] == Fraction(1, 10) and solution.value("eta_opt(y)")[()] == Fraction(1, 20)


def test_local_curvature_bounds_the_rate_at_a_point():
    solution = solved("problem: calculus\nfunction: x^4 + 3y^2 + x y\nstationary_points: false\n"
                      "learning_rate: {at: [1, 2]}\n")
    # H(1, 2) = [[12x², 1], [1, 6]] = [[12, 1], [1, 6]]: λmax = 9 + √10
    with mpmath.workdps(60):
        top = 9 + mpmath.sqrt(10)
        assert abs(mpmath.mpf(solution.value("lambda_max(at)")[()]) - top) < mpmath.mpf(10) ** -45
        assert abs(mpmath.mpf(solution.value("eta_max(at)")[()]) - 2 / top) < mpmath.mpf(10) ** -45
        assert abs(mpmath.mpf(solution.value("eta_opt(at)")[()]) - 1 / top) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("key", ["taylor: {at: [1]}", "learning_rate: {at: [1, 2, 3]}"])
def test_a_point_of_the_wrong_size_is_refused(key):
    with pytest.raises(ProblemError) as caught:
        solved(f"problem: calculus\nfunction: x^2 + y^2\n{key}\n")
    assert key.split(":")[0] in str(caught.value)


def test_taylor_around_a_symbolic_point():
    solution = solved("problem: calculus\nfunction: log(1 + exp(-w))\nstationary_points: false\nhessian: false\n"
                      "taylor: {at: [w0]}\n")
    w, w0 = sp.symbols("w w0", real=True)
    f = sp.log(1 + sp.exp(-w))
    expected = f.subs(w, w0) + sp.diff(f, w).subs(w, w0) * (w - w0) + sp.diff(f, w, 2).subs(w, w0) * (w - w0) ** 2 / 2
    assert sp.simplify(formula(solution, "taylor2") - expected) == 0


def test_per_variable_rates_with_symbolic_curvature():
    # f = a x² + b y²: h_xx = 2a, h_yy = 2b, so η < 2/(2a) = 1/a along x and η* = 1/(2b) along y
    solution = solved("problem: calculus\nfunction: a x^2 + b y^2\nvariables: [x, y]\nstationary_points: false\n"
                      "learning_rate: true\n")
    a, b = sp.symbols("a b", real=True)
    assert sp.simplify(formula(solution, "eta_max(x)") - 1 / a) == 0
    assert sp.simplify(formula(solution, "eta_opt(y)") - 1 / (2 * b)) == 0


def test_symbolic_curvature_that_is_not_diagonal_is_refused():
    with pytest.raises(ProblemError) as caught:
        solved("problem: calculus\nfunction: a x^2 + x y + y^2\nvariables: [x, y]\nlearning_rate: true\n")
    assert "learning_rate" in str(caught.value)
