"""Linear and constant functions through the whole family (they crashed SymPy's polynomial code before),
learning rates and penalties of flat or singular quadratics, and points outside the function's domain.
Numbers are checked against torch.autograd on the same function written in torch."""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from typer.testing import CliRunner

from calculus_support import flat, solved
from nnsolve.cli import app


def problem(function: str, extra: str = "") -> str:
    return f"problem: calculus\nfunction: '{function}'\n{extra}"


def autograd(fn, point: list[float]) -> tuple[float, list[float], list[list[float]]]:
    """f, ∇f and the Hessian of a torch function at a point, in float64."""
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    value = fn(x)
    (grad,) = torch.autograd.grad(value, x)
    hessian = torch.autograd.functional.hessian(fn, x.detach())
    return float(value.detach()), grad.tolist(), hessian.tolist()


def run_cli(tmp_path, text: str):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    return CliRunner().invoke(app, ["solve", str(path)])


@pytest.mark.parametrize("extra", ["", "variables: [x]\n"])
def test_a_linear_function_has_a_constant_gradient_no_stationary_point_and_no_minimum(tmp_path, extra):
    text = problem("4*x", extra)
    solution = solved(text)
    _, grad, hessian = autograd(lambda v: 4 * v[0], [0.7])
    assert flat(solution, "gradient")[0].matches(str(grad[0])) and grad == [4]
    assert flat(solution, "hessian")[0].matches("0") and hessian == [[0]]
    assert solution.value("stationary_count")[()] == 0
    assert "none: the gradient is a nonzero constant" in solution.step("stationary_count").note
    assert solution.value("infimum")[()] == float("-inf")
    assert solution.value("minimum")[()].matches("no minimum")
    assert "along −∇f = (-4)" in solution.step("infimum").note
    result = run_cli(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "none: the gradient is a nonzero constant" in result.output


def test_a_linear_function_of_two_variables_at_a_point():
    solution = solved(problem("3x + 4y", "points: [[1, 2]]\n"))
    value, grad, hessian = autograd(lambda v: 3 * v[0] + 4 * v[1], [1.0, 2.0])
    assert solution.value("f(P1)")[()] == value == 11
    assert flat(solution, "gradient(P1)") == grad == [3, 4]
    assert flat(solution, "hessian(P1)") == [0, 0, 0, 0] and hessian == [[0, 0], [0, 0]]
    assert solution.value("type(P1)")[()].matches("not stationary")
    # f(w − t∇f) = f(w) − 25t: down without bound along (−3, −4)
    assert "(-3, -4)" in solution.step("infimum").note


def test_a_constant_function_is_stationary_everywhere_and_the_test_is_inconclusive():
    solution = solved(problem("5", "variables: [x]\npoints: [[2]]\n"))
    assert solution.value("f(P1)")[()] == 5
    assert flat(solution, "gradient(P1)") == [0]
    assert solution.value("type(P1)")[()].matches("inconclusive")
    assert "constant" in solution.step("type(P1)").note
    assert "every point is stationary" in solution.step("stationary_count").note
    assert flat(solution, "S1")[0].matches("any")
    assert solution.value("global_minimum")[()] == 5


def test_descent_on_a_linear_function_takes_constant_steps():
    solution = solved(problem("4x", "descent: {type: sgd, lr: 0.1, steps: 3, start: [1]}\n"))
    x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=0.1)
    for k in range(1, 4):
        optimizer.zero_grad()
        (4 * x).sum().backward()
        optimizer.step()
        assert float(solution.value(f"x({k})")[()]) == pytest.approx(float(x.detach()), abs=1e-12)
    assert solution.value("x(3)")[()] == Fraction(1) - 3 * Fraction(4, 10)


@pytest.mark.parametrize("function, moving", [("4x", True), ("5 + 0x", False)])
def test_no_curvature_gives_no_learning_rate_bound(function, moving):
    solution = solved(problem(function, "variables: [x]\nlearning_rate: true\n"))
    step = solution.step("lr_analysis")
    assert step.value[()].matches("no curvature")
    assert "no learning-rate bound follows" in step.note
    assert ("never converges" in step.note) == moving
    assert not solution.has("eta_converge")


def test_a_saddle_with_learning_rates_and_stationary_points_states_no_minimum_once():
    # both the global picture and the learning-rate analysis find no minimum; it used to be recorded twice
    solution = solved(problem("x^2 - y^2", "learning_rate: true\n"))
    assert solution.value("minimum")[()].matches("no minimum")
    assert "cannot converge" in solution.step("lr_analysis").note


def test_a_valley_has_a_minimum_and_rates_from_its_curved_direction():
    """(x + y)²: H = [[2, 2], [2, 2]], eigenvalues 0 and 4; ∇f = 0 on the line x = −y, a valley of minima.
    Gradient descent converges (to the valley) for η < 2/4."""
    solution = solved(problem("(x + y)^2", "learning_rate: true\nstationary_points: false\n"))
    _, _, hessian = autograd(lambda v: (v[0] + v[1]) ** 2, [0.3, -1.1])
    assert [float(v) for v in flat(solution, "eigenvalues(H)")] == \
        pytest.approx(torch.linalg.eigvalsh(torch.tensor(hessian)).tolist())
    assert not solution.has("minimum")
    assert solution.value("eta_converge")[()] == Fraction(1, 2)
    assert flat(solution, "eta_opt") == [Fraction(1, 4)]


def test_a_variable_the_function_does_not_use_adds_no_flat_direction():
    # f = x² with variables x, y: y never moves; the rates are those of x alone (λ = 2)
    solution = solved(problem("x^2", "variables: [x, y]\nlearning_rate: true\nstationary_points: false\n"))
    assert flat(solution, "eigenvalues(H)") == [2]
    assert solution.value("eta_converge")[()] == 1


def test_a_flat_direction_with_a_slope_has_no_minimum():
    # f = x² + y: along y it falls linearly, whatever η
    solution = solved(problem("x^2 + y", "learning_rate: true\nstationary_points: false\n"))
    assert solution.value("minimum")[()].matches("no minimum")
    assert "flat direction" in solution.step("minimum").note


@pytest.mark.parametrize("alpha, half, expected", [
    # f + α/2·w²: 4 + αw = 0
    ("2", "true", Fraction(-2)),
    # f + α·w²: 4 + 2αw = 0
    ("2", "false", Fraction(-1)),
])
def test_l2_optimum_of_a_linear_function(alpha, half, expected):
    solution = solved(problem("4w", f"regularized: {{penalty: l2, strength: {alpha}, half: {half}}}\n"))
    assert solution.value("w*")[()].matches("no unique minimum")
    (w,) = flat(solution, "w*_l2")
    assert w == expected
    # the penalized objective's derivative at the answer is 0 (torch)
    weight = float(alpha) / 2 if half == "true" else float(alpha)
    x = torch.tensor(float(w), dtype=torch.float64, requires_grad=True)
    (4 * x + weight * x ** 2).backward()
    assert float(x.grad) == 0


def test_l2_with_no_strength_on_a_linear_function_has_no_optimum():
    solution = solved(problem("4w", "regularized: {penalty: l2, strength: 0}\n"))
    assert solution.value("w*_l2")[()].matches("no unique minimum")


@pytest.mark.parametrize("alpha, expected", [
    # 3x + 4y + α(|x| + |y|): both slopes below α = 5, so 0 is the minimum
    ("5", "0"),
    # slope 4 > α = 3 along y: 4y + 3|y| → −∞ as y → −∞
    ("3", "none"),
    # slope 4 = α: flat for y ≤ 0
    ("4", "no unique minimum"),
])
def test_l1_optimum_of_a_linear_function(alpha, expected):
    solution = solved(problem("3x + 4y", f"regularized: {{penalty: l1, strength: {alpha}}}\nstationary_points: false\n"))
    value = solution.value("w*_l1")
    if expected == "0":
        assert list(value.reshape(-1)) == [0, 0]
    else:
        assert value[()].matches(expected)


# -- points outside the domain ---------------------------------------------------------------------
@pytest.mark.parametrize("function, point, undefined", [
    ("log(x)", "0", "f(P1)"), ("log(x)", "-1", "f(P1)"), ("sqrt(x)", "-1", "f(P1)"), ("1/x", "0", "f(P1)"),
    # sqrt is 0 at 0 but its derivative 1/(2√x) is not a number there
    ("sqrt(x)", "0", "df/dx(P1)"),
])
def test_a_point_outside_the_domain_says_so(function, point, undefined):
    solution = solved(problem(function, f"points: [[{point}]]\nstationary_points: false\n"))
    assert solution.value(undefined)[()].matches("not a real number")
    assert solution.value("type(P1)")[()].matches("not defined")
    assert "not a real number" in solution.step("type(P1)").note


def test_a_kink_has_a_gradient_by_convention_but_no_hessian():
    # |x|' = sign(x) = 0 at 0 by the stated convention; |x|'' is not a number there
    solution = solved(problem("abs(x)", "points: [[0]]\nstationary_points: false\n"))
    assert flat(solution, "gradient(P1)") == [0]
    assert flat(solution, "hessian(P1)")[0].matches("not a real number")
    assert solution.value("type(P1)")[()].label == "inconclusive (Hessian not defined)"


def test_a_value_beyond_range_is_said_not_printed():
    # e^e^e^e^10 overflows every number format: the point is not classified, and the solution says why
    solution = solved(problem("exp(exp(exp(exp(x))))", "points: [[10]]\n"))
    assert solution.value("f(P1)")[()].matches("too large")
    assert solution.value("type(P1)")[()].matches("not classified")


def test_a_high_power_is_evaluated_without_being_expanded():
    # (x + y + z)^1000 has half a million terms expanded; at (1, 1, 1) it is 3^1000, its partials 1000·3^999
    solution = solved(problem("(x + y + z)^1000", "points: [[1, 1, 1]]\n"))
    assert solution.value("f(P1)")[()] == 3 ** 1000
    assert flat(solution, "gradient(P1)") == [1000 * 3 ** 999] * 3
