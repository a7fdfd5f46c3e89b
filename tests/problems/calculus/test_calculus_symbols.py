"""Symbolic coefficients: names in the function that are not variables are constants without a value
(f = a·x² with variables [x]). Derivatives and values are formulas in them, checked against torch.autograd
with numbers put in; a point's kind that depends on their signs is given by cases, checked against the
Hessian's sign in torch for each sign; what needs numbers is refused at its key."""
from __future__ import annotations

import itertools

import pytest
import torch
from typer.testing import CliRunner

from calculus_support import flat, solved
from nnsolve.check import check
from nnsolve.cli import app
from nnsolve.expr.cases import ByCases
from nnsolve.expr.symbolic import symbol


def problem(function: str, variables: str, extra: str = "") -> str:
    return f"problem: calculus\nfunction: '{function}'\nvariables: [{variables}]\n{extra}"


def at(formula, **values) -> float:
    """A formula of the solution with numbers for its names."""
    return float(formula.meaning.xreplace({symbol(k): v for k, v in values.items()}))


def torch_derivatives(fn, point: list[float]) -> tuple[list[float], list[list[float]]]:
    x = torch.tensor(point, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(fn(x), x)
    return grad.tolist(), torch.autograd.functional.hessian(fn, x.detach()).tolist()


def kind_in_torch(fn, point: list[float]) -> str:
    """The second-derivative test at a stationary point, from torch's Hessian."""
    _, hessian = torch_derivatives(fn, point)
    eigen = torch.linalg.eigvalsh(torch.tensor(hessian, dtype=torch.float64)).tolist()
    if all(e > 1e-12 for e in eigen):
        return "local minimum"
    if all(e < -1e-12 for e in eigen):
        return "local maximum"
    if any(e > 1e-12 for e in eigen) and any(e < -1e-12 for e in eigen):
        return "saddle point"
    return "inconclusive"


def test_a_times_x_squared_derivatives_stationary_point_and_kind(tmp_path):
    text = problem("a*x^2", "x", "points: [[0]]\n")
    solution = solved(text)
    assert ("symbols", "a is a constant (not a variable): the answers are formulas in it") in solution.conventions
    derivative, second = solution.value("df/dx")[()], flat(solution, "hessian")[0]
    assert derivative.matches("2ax") and second.matches("2a")
    for a, x in [(1.7, 0.3), (-2.0, 1.5)]:
        grad, hessian = torch_derivatives(lambda v: a * v[0] ** 2, [x])
        assert at(derivative, a=a, x=x) == pytest.approx(grad[0])
        assert at(second, a=a, x=x) == pytest.approx(hessian[0][0])
    assert flat(solution, "S1") == [0]
    kind = solution.value("type(P1)")[()]
    assert isinstance(kind, ByCases)
    assert kind.text == "local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0"
    for a in (2.0, -2.0, 0.0):
        row = (int(a > 0) - int(a < 0),)
        assert kind.table[row].matches(kind_in_torch(lambda v: a * v[0] ** 2, [0.0]))
    # S1 exists by dividing by a: a = 0 (every point stationary) is left out and said
    assert solution.value("type(S1)")[()].text == "local minimum if a > 0, local maximum if a < 0"
    assert "assuming a ≠ 0" in solution.step("S1").note
    result = CliRunner().invoke(app, ["solve", str(_written(tmp_path, text))])
    assert result.exit_code == 0, result.output
    assert "2·a·x" in result.output and "local minimum if a > 0" in result.output


def test_a_linear_function_with_symbols_at_a_point(tmp_path):
    text = problem("a*x + c", "x", "points: [[1]]\n")
    solution = solved(text)
    assert solution.value("f(P1)")[()].matches("a + c")
    assert flat(solution, "gradient(P1)")[0].matches("a")
    assert solution.value("type(P1)")[()].text == "not stationary if a ≠ 0, inconclusive if a = 0"
    assert solution.value("stationary_count")[()] == 0
    assert "assuming a ≠ 0" in solution.step("stationary_count").note
    assert ("symbols", "a, c are constants (not variables): the answers are formulas in them") in solution.conventions
    result = CliRunner().invoke(app, ["solve", str(_written(tmp_path, text))])
    assert result.exit_code == 0, result.output
    assert "a + c" in result.output


def test_the_vertex_of_a_general_parabola():
    """f = ax² + bx + c: f' = 2ax + b = 0 at x = −b/(2a) (a ≠ 0), f there = c − b²/(4a), f'' = 2a."""
    solution = solved(problem("a*x^2 + b*x + c", "x"))
    (x,) = flat(solution, "S1")
    assert x.matches("-b/(2a)")
    assert solution.value("f(S1)")[()].matches("c - b^2/(4a)")
    for a, b in [(2.0, 3.0), (-0.5, 1.0)]:
        grad, _ = torch_derivatives(lambda v: a * v[0] ** 2 + b * v[0] + 1.0, [at(x, a=a, b=b)])
        assert grad[0] == pytest.approx(0, abs=1e-12)
    assert solution.value("type(S1)")[()].matches("minimum if a > 0, maximum if a < 0")


def test_least_squares_in_the_weight_with_data_as_symbols():
    """L(w) = (wx − y)²: dL/dw = 2x(wx − y), zero at w = y/x (x ≠ 0), where L'' = 2x² > 0: a minimum."""
    solution = solved(problem("(w*x - y)^2", "w"))
    assert solution.value("df/dw")[()].matches("2x(wx - y)")
    assert flat(solution, "S1")[0].matches("y/x")
    assert solution.value("type(S1)")[()].matches("local minimum")
    assert "assuming x ≠ 0" in solution.step("S1").note


def test_two_symbols_give_every_sign_combination():
    """f = ax² + by² at the origin: H = diag(2a, 2b), checked row by row against torch."""
    solution = solved(problem("a*x^2 + b*y^2", "x, y", "points: [[0, 0]]\nstationary_points: false\n"))
    kind = solution.value("type(P1)")[()]
    for sa, sb in itertools.product((1, -1, 0), repeat=2):
        expected = kind_in_torch(lambda v: 3.0 * sa * v[0] ** 2 + 0.5 * sb * v[1] ** 2, [0.0, 0.0])
        assert kind.table[(sa, sb)].matches(expected), (sa, sb)
    assert kind.matches("saddle if a*b < 0")
    assert kind.matches("local minimum if a > 0 and b > 0; inconclusive if a = 0 or b = 0")
    assert not kind.matches("saddle if a < 0")
    assert solution.value("det_hessian(P1)")[()].matches("4ab")


def test_a_kind_signs_alone_cannot_decide_says_what_it_depends_on():
    # f = ax² + bx at x = 1: ∇f = 2a + b, zero only on a line of (a, b)
    solution = solved(problem("a*x^2 + b*x", "x", "points: [[1]]\nstationary_points: false\n"))
    assert solution.value("type(P1)")[()].matches("depends on a, b")
    assert "give numbers" in solution.step("type(P1)").note


def test_a_second_derivative_that_is_a_formula_gives_cases_on_it():
    # f = (a − 1)x²: at 0, f'' = 2(a − 1), so the cases are on a − 1 (a > 1 written either way)
    solution = solved(problem("(a - 1)*x^2", "x", "points: [[0]]\nstationary_points: false\n"))
    kind = solution.value("type(P1)")[()]
    assert kind.matches("local minimum if a > 1, local maximum if a < 1, inconclusive if a = 1")
    assert kind.matches("local minimum if a - 1 > 0")
    assert not kind.matches("local minimum if a < 1")


def test_given_numbers_for_the_symbols_make_them_numbers():
    solution = solved(problem("a*x^2 + c", "x", "constants: {a: 2, c: 1}\n"
                                               "descent: {type: sgd, lr: 0.1, steps: 1, start: [1]}\n"))
    # x ← 1 − 0.1·4·1
    assert float(solution.value("x(1)")[()]) == pytest.approx(0.6)
    assert solution.value("type(S1)")[()].matches("local minimum")


def test_check_compares_cases_and_formulas_by_meaning():
    text = problem("a*x^2", "x", "points: [[0], [1]]\n")
    found = {r.name: r for r in check(text, {
        "type(P1)": "local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0",
        "type(S1)": "min if 0 < a",
        "df/dx": "2ax", "f(P2)": "a", "det_hessian(P2)": "a"}).results}
    assert all(found[n].ok for n in ("type(P1)", "type(S1)", "df/dx", "f(P2)")), \
        {n: r.reason for n, r in found.items()}
    assert not found["det_hessian(P2)"].ok and "differs by" in found["det_hessian(P2)"].reason
    wrong = next(iter(check(text, {"type(P1)": "local minimum"}).results))
    assert not wrong.ok and "depends on a" in wrong.reason


@pytest.mark.parametrize("extra, message, line", [
    ("descent: {type: sgd, lr: 0.1, steps: 2, start: [1]}\n", "descent: needs a number for a, c", 4),
    ("regularized: {penalty: l2, strength: 1}\n", "regularized: needs a number for a, c", 4),
])
def test_what_needs_numbers_is_refused_at_its_key(tmp_path, extra, message, line):
    result = CliRunner().invoke(app, ["solve", str(_written(tmp_path, problem("a*x^2 + c*x", "x", extra)))])
    assert result.exit_code == 2, result.output
    assert message in result.output and f"(line {line})" in result.output
    assert "constants" in result.output


def test_learning_rates_need_no_numbers_for_symbols_outside_the_hessian():
    solution = solved(problem("x^2 + c*x", "x", "learning_rate: true\n"))
    assert solution.value("eta_converge")[()] == 1


@pytest.mark.parametrize("text, message", [
    (problem("f*x", "x"), "function: uses 'f', which is also the function's name"),
    (problem("log(x - x) + x", "x"), "function: has no real value anywhere"),
    (problem("min(1/0, x)", "x"), "function: has no real value anywhere"),
])
def test_a_function_that_cannot_be_built_is_refused(tmp_path, text, message):
    result = CliRunner().invoke(app, ["solve", str(_written(tmp_path, text))])
    assert result.exit_code == 2, result.output
    assert message in result.output and "(line 2)" in result.output


def _written(tmp_path, text: str):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    return path


def test_a_division_by_zero_with_a_symbol_is_not_a_formula():
    # a/x at x = 0 is no number whatever a is (SymPy would write ∞̃·a)
    solution = solved(problem("a/x + x", "x", "points: [[0], [1]]\nstationary_points: false\n"))
    assert solution.value("f(P1)")[()].matches("not a real number")
    assert solution.value("type(P1)")[()].matches("not defined")
    assert solution.value("f(P2)")[()].matches("a + 1")
