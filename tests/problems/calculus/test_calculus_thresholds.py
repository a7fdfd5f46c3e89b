"""Thresholds: the values of a symbol for which a condition holds (solve_for), and the smallest L1 penalty that
zeroes each weight — against the sets worked out by hand here and a brute-force minimum in fractions."""
from __future__ import annotations

from fractions import Fraction

import pytest

from calculus_support import solved
from nnsolve.problems.errors import ProblemError


def test_the_rates_for_which_gradient_descent_on_a_parabola_converges():
    # f = (w − 3)²: w ← w − η·2(w − 3), so the error shrinks by |1 − 2η|: converges for 0 < η < 1
    solution = solved('problem: calculus\nfunction: (w - 3)^2\nsolve_for: [{symbol: eta, condition: '
                      '"abs(1 - 2 eta) < 1"}]\n')
    assert solution.value("solve(eta)")[()].text == "0 < eta < 1"
    assert solution.value("smallest(eta)")[()] == 0 and solution.value("largest(eta)")[()] == 1
    assert solution.value("solve(eta)")[()].matches("eta > 0 and eta < 1")
    assert not solution.value("solve(eta)")[()].matches("0 < eta <= 1")


def test_a_quadratic_condition_and_a_joined_one():
    solution = solved('problem: calculus\nfunction: x^2\nsolve_for:\n'
                      '  - {symbol: t, condition: "t^2 - 3t + 2 <= 0"}\n'
                      '  - {symbol: a, condition: "a >= 0 and 6 - a <= 0"}\n')
    # (t − 1)(t − 2) ≤ 0 on [1, 2]; a ≥ 6
    assert (solution.value("smallest(t)")[()], solution.value("largest(t)")[()]) == (1, 2)
    assert solution.value("smallest(a)")[()] == 6 and not solution.has("largest(a)")


def test_the_smallest_l1_penalty_that_zeroes_each_weight():
    solution = solved("problem: calculus\nfunction: (w1 - 3)^2 + 2(w2 + 0.5)^2\nstationary_points: false\n"
                      "regularized: {penalty: l1, strength: 1}\n")
    assert solution.value("alpha_zero(w1)")[()] == 6 and solution.value("alpha_zero(w2)")[()] == 2
    # brute force on a grid of fractions: at α = 6 the minimum of (w − 3)² + α|w| is at 0, at α just below it is not
    grid = [Fraction(k, 100) for k in range(-500, 501)]

    def best(alpha):
        return min(grid, key=lambda w: (w - 3) ** 2 + alpha * abs(w))

    assert best(6) == 0 and best(Fraction(59, 10)) != 0


@pytest.mark.parametrize("entry, where", [
    ('{symbol: w, condition: "w > 1"}', "solve_for[0].symbol"),
    ('{symbol: eta, condition: "eta + b > 1"}', "solve_for[0].condition"),
    ('{symbol: eta, condition: "eta^9 > 1"}', "solve_for[0].condition"),
    ('{symbol: eta, condition: "eta + 1"}', "solve_for[0].condition"),
])
def test_a_condition_that_cannot_be_solved_is_refused_at_its_place(entry, where):
    with pytest.raises(ProblemError) as caught:
        solved(f"problem: calculus\nfunction: (w - 3)^2\nsolve_for: [{entry}]\n")
    assert where in str(caught.value)
