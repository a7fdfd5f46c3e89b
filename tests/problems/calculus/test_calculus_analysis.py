"""Classification of points, stationary points, the global picture, learning rates and regularized optima,
each on a function small enough that the expected answer is derived by hand in a comment."""
from __future__ import annotations

from fractions import Fraction

import pytest

from calculus_support import flat, solved


def problem(function: str, extra: str = "") -> str:
    return f"problem: calculus\nfunction: '{function}'\n{extra}"


@pytest.mark.parametrize("function, point, kind", [
    # ∇ = (2x, 2y) = 0 at the origin, H = 2I: both eigenvalues 2 > 0
    ("x^2 + y^2", "[0, 0]", "local minimum"),
    # H = −2I: both eigenvalues −2 < 0
    ("-x^2 - y^2 + 5", "[0, 0]", "local maximum"),
    # H = diag(2, −2): one of each sign
    ("x^2 - y^2", "[0, 0]", "saddle point"),
    # ∇ = (4x³, 2y) = 0 but H = diag(12x², 2) = diag(0, 2) at 0: a zero eigenvalue decides nothing
    ("x^4 + y^2", "[0, 0]", "inconclusive"),
    # ∇(1, 0) = (2, 0) ≠ 0
    ("x^2 + y^2", "[1, 0]", "not stationary"),
    # H = [[2, 3], [3, 2]] has eigenvalues −1 and 5 although both diagonal entries are positive
    ("x^2 + 3x y + y^2", "[0, 0]", "saddle"),
])
def test_kind_of_a_point(function, point, kind):
    solution = solved(problem(function, f"points: [{point}]\nstationary_points: false\n"))
    assert solution.value("type(P1)")[()].matches(kind)


def test_named_points_and_the_saddle_determinant():
    solution = solved(problem("x^2 + 3x y + y^2", "points: {A: [0, 0]}\nstationary_points: false\n"))
    assert solution.value("det_hessian(A)")[()] == 2 * 2 - 3 * 3
    assert flat(solution, "eigenvalues(A)") == [-1, 5]


def test_nine_stationary_points_of_the_double_well():
    """∂f/∂x = 4x(x² − 16), ∂f/∂y = 4y(y² − 9): x ∈ {−4, 0, 4}, y ∈ {−3, 0, 3}; H = diag(12x² − 64, 12y² − 36)
    is positive at |x| = 4 and |y| = 3, negative at 0: 4 minima (f = −256 + 512 ... = −337), 1 maximum, 4 saddles."""
    solution = solved(problem("x^4 - 32x^2 + y^4 - 18y^2"))
    count = solution.value("stationary_count")[()]
    assert count == 9
    points = {tuple(flat(solution, f"S{k}")) for k in range(1, 10)}
    assert points == {(x, y) for x in (-4, 0, 4) for y in (-3, 0, 3)}
    kinds = {tuple(flat(solution, f"S{k}")): solution.value(f"type(S{k})")[()].label for k in range(1, 10)}
    assert kinds[(0, 0)] == "local maximum"
    assert [p for p, kind in kinds.items() if kind == "local minimum"] == \
        [(x, y) for x in (-4, 4) for y in (-3, 3)]
    assert sum(kind == "saddle point" for kind in kinds.values()) == 4
    # 4⁴ − 32·4² + 3⁴ − 18·3² = 256 − 512 + 81 − 162; x⁴ and y⁴ dominate, so it is the global minimum
    assert solution.value("global_minimum")[()] == -337


def test_cubic_surface_with_a_free_variable():
    """f = (w1 − w2)³ − 2(w1² − w2) + w1² + w2², w3 unused. ∂f/∂w1 = 3(w1 − w2)² − 2w1 and ∂f/∂w2 =
    −3(w1 − w2)² + 2 + 2w2; their sum gives w1 = w2 + 1, then 3 = 2w1 so (3/2, 1/2), any w3.
    H(w1,w2) = [[6d − 2, −6d], [−6d, 6d + 2]] with d = 1: [[4, −6], [−6, 8]], det 32 − 36 = −4 < 0: saddle.
    Along w1 → −∞ the cube (w1 − w2)³ sends f to −∞: no minimum."""
    solution = solved(problem("(w1 - w2)^3 - 2(w1^2 - w2) + w1^2 + w2^2", "variables: [w1, w2, w3]\n"))
    assert solution.value("stationary_count")[()] == 1
    w1, w2, w3 = flat(solution, "S1")
    assert (w1, w2) == (Fraction(3, 2), Fraction(1, 2))
    assert w3.matches("any")
    assert solution.value("det_hessian(S1)")[()] == -4
    assert solution.value("type(S1)")[()].matches("saddle")
    assert solution.value("infimum")[()] == float("-inf")
    minimum = solution.value("minimum")[()]
    assert minimum.label.startswith("none") and minimum.matches("no minimum") and minimum.matches("unbounded below")


def test_learning_rates_of_a_diagonal_quadratic():
    """f = 2x² + 8y²: H = diag(4, 16). Per direction η* = 1/λ = 1/4, 1/16 and η_max = 2/λ = 1/2, 1/8;
    all directions converge below 2/16 = 1/8; 2/(4 + 16) = 1/10 balances the slowest and fastest; κ = 4."""
    solution = solved(problem("2x^2 + 8y^2", "learning_rate: true\n"))
    assert flat(solution, "eigenvalues(H)") == [4, 16]
    assert flat(solution, "eta_opt") == [Fraction(1, 4), Fraction(1, 16)]
    assert flat(solution, "eta_max") == [Fraction(1, 2), Fraction(1, 8)]
    assert solution.value("eta_converge")[()] == Fraction(1, 8)
    assert solution.value("eta_best")[()] == Fraction(2, 20)
    assert solution.value("condition_number")[()] == 4


def test_learning_rates_of_a_saddle_say_no_minimum():
    # H = diag(2, −2): along y the surface curves down, so no η makes gradient descent converge
    solution = solved(problem("x^2 - y^2", "learning_rate: true\nstationary_points: false\n"))
    assert solution.value("minimum")[()].matches("no minimum")
    assert not solution.has("eta_opt")


def test_learning_rate_analysis_refuses_a_non_quadratic():
    solution = solved(problem("x^4 + y^2", "learning_rate: true\nstationary_points: false\n"))
    assert "quadratic" in solution.step("lr_analysis").note


@pytest.mark.parametrize("half, expected", [
    # f + ½·1·w²: 2(w − 3) + w = 0 → w = 2
    ("true", Fraction(2)),
    # f + 1·w²: 2(w − 3) + 2w = 0 → w = 3/2
    ("false", Fraction(3, 2)),
])
def test_l2_optimum(half, expected):
    solution = solved(problem("(w - 3)^2", f"regularized: {{penalty: l2, strength: 1, half: {half}}}\n"))
    assert flat(solution, "w*") == [3]
    assert flat(solution, "w*_l2") == [expected]


def test_l1_soft_thresholding_on_a_diagonal_quadratic():
    """f = (a − 3)² + 2(b + 0.25)² + (c − 0.5)²: H = diag(2, 4, 2), optimum (3, −1/4, 1/2). With α = 2 each
    weight moves α/Hᵢᵢ = 1, 1/2, 1 toward 0 (a = 3 − 1 = 2) or stops at 0 (|−1/4| ≤ 1/2, |1/2| ≤ 1)."""
    solution = solved(problem("(a - 3)^2 + 2(b + 0.25)^2 + (c - 0.5)^2",
                              "regularized: {penalty: l1, strength: 2}\nstationary_points: false\n"))
    assert flat(solution, "w*") == [3, Fraction(-1, 4), Fraction(1, 2)]
    assert flat(solution, "w*_l1") == [2, 0, 0]


def test_l1_with_a_cross_term_has_no_closed_form():
    solution = solved(problem("x^2 + x y + y^2", "regularized: {penalty: l1, strength: 1}\n"))
    assert solution.value("w*_l1")[()].matches("no closed form")


@pytest.mark.parametrize("written, kind", [
    ("local min", "local minimum"), ("Minimum", "local minimum"), ("local_minima", "local minimum"),
    ("max", "local maximum"), ("saddle", "saddle point"), ("Saddle-Point", "saddle point"),
    ("test fails", "inconclusive (semidefinite Hessian)"), ("not a critical point", "not stationary"),
])
def test_verdicts_accept_synonyms(written, kind):
    from nnsolve.problems.calculus import analysis as A

    verdict = next(v for v in (A.MINIMUM, A.MAXIMUM, A.SADDLE, A.INCONCLUSIVE, A.NOT_STATIONARY) if v.label == kind)
    assert verdict.matches(written)
    others = [v for v in (A.MINIMUM, A.MAXIMUM, A.SADDLE, A.INCONCLUSIVE, A.NOT_STATIONARY) if v is not verdict]
    assert not any(v.matches(written) for v in others)


def test_symbolic_update_and_in_terms_of():
    # Δw = −η·∂E/∂w; with y = tanh(u), d tanh(u)/du = 1 − tanh² = 1 − y²
    solution = solved("problem: calculus\nname: E\nfunction: tanh(u)\nin_terms_of: {y: tanh(u)}\n"
                      "update: {learning_rate: eta}\nstationary_points: false\n")
    assert solution.value("dE/du")[()].matches("1 - y^2")
    assert solution.value("delta_u")[()].matches("-eta*(1 - y^2)")
    assert solution.value("delta_u")[()].matches("eta*(tanh(u)^2 - 1)")
