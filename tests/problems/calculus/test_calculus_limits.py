"""The calculus family at its limits: a point outside the domain says which part is undefined there, an
expansion too large to read is kept factored, exponentials beyond the range are said, not computed, and
a learning rate or a variable list that cannot be meant is refused at its key — each fast."""
from __future__ import annotations

import time

import pytest

from calculus_support import solved
from cli_runner import invoke

SECONDS = 5          # each takes well under two seconds; CI machines vary


def run(tmp_path, text: str):
    path = tmp_path / "calculus.yaml"
    path.write_text(text)
    began = time.perf_counter()
    result = invoke("solve", path)
    assert time.perf_counter() - began < SECONDS, text
    assert result.exit_code in (0, 2), result.stdout + result.stderr
    return result


@pytest.mark.parametrize("function, point, quantity, reason", [
    ("log(x)", "0", "f(P1)", "log x is undefined at x = 0"),
    ("log(x)", "-1", "f(P1)", "log x is undefined at x = -1"),
    ("1/x", "0", "f(P1)", "1/x is undefined at x = 0, a division by 0"),
    ("log(x - 1)", "1", "f(P1)", "log(x - 1) is undefined at x = 1"),
    ("sqrt(x)", "-1", "f(P1)", "sqrt(x) is undefined at x = -1, the root of a negative number"),
    ("sqrt(x)", "0", "df/dx(P1)", "1/sqrt(x) is undefined at x = 0, a division by 0"),
])
def test_a_point_outside_the_domain_names_the_undefined_part(function, point, quantity, reason):
    solution = solved(f"problem: calculus\nfunction: {function}\npoints: [[{point}]]\nstationary_points: false\n")
    assert solution.step(quantity).note == reason
    assert reason in solution.step("type(P1)").note and "not a real number" in solution.step("type(P1)").note


def test_the_reason_is_printed_at_the_point(tmp_path):
    result = run(tmp_path, "problem: calculus\nfunction: log(x)\npoints: [[0]]\n")
    at_point = result.stdout[result.stdout.index("At P1"):]
    assert "f(P1) = log(x) = log(0) = not a real number\n    (log x is undefined at x = 0)" in at_point


def test_a_descent_leaving_the_domain_says_where_and_why():
    solution = solved("problem: calculus\nfunction: log(x)\ndescent: {type: sgd, lr: 0.1, steps: 2, start: [0]}\n")
    assert "at iterate 0 (x = 0) f or its gradient is not a real number (log x is undefined at x = 0)" in \
        solution.step("convergence").note


@pytest.mark.parametrize("text, message, line", [
    ("function: x^2\nupdate: {learning_rate: 'eta +'}\n",
     "update.learning_rate: column 6: expected a number, a name or '(', found the end of the expression", 3),
    ("function: x^2\nupdate: {learning_rate: '2 3'}\n", "update.learning_rate: column 3: unexpected '3'", 3),
    ("function: x^2\nupdate: {learning_rate: '1/0'}\n", "update.learning_rate: has no real value anywhere", 3),
    ("function: x^2\nupdate: {learning_rate: '-0.1'}\n", "update.learning_rate: is -1/10: a learning rate is positive",
     3),
    ("function: x^2 + y\nupdate: {learning_rate: 'f'}\n", "update.learning_rate: uses 'f', the function's name", 3),
    ("function: x^2 + y\nvariables: [x, y]\nupdate: {learning_rate: '2y'}\n", "uses 'y', a variable", 4),
    ("function: x^2\nupdate: {learning_rate: 'x'}\n", "update.learning_rate: 'x' names the learning rate", 3),
    ("function: x^2\nvariables: [y]\n", "variables: the function depends on none of y (it uses x)", 3),
    ("function: x^1e9\n", "function: column 2: the exponent 1000000000 is too large (at most 1000 in size)", 2),
])
def test_a_learning_rate_or_variables_that_cannot_be_meant_are_refused_at_their_key(tmp_path, text, message, line):
    result = run(tmp_path, "problem: calculus\n" + text)
    assert result.exit_code == 2 and message in result.stderr and f"(line {line})" in result.stderr, result.stderr


def test_a_variable_the_function_does_not_use_is_still_allowed_beside_one_it_does():
    solution = solved("problem: calculus\nfunction: x^2\nvariables: [x, y]\n")
    assert solution.value("df/dy")[()].matches("0")


@pytest.mark.parametrize("text, expected", [
    # 100 terms of 30 digits per derivative: kept factored, and printed at once
    ("function: (x + y)^100\npoints: [[1, 2]]\n", "∂f/∂x = 100·(x + y)^99"),
    ("function: (x + 1)^1000\n", "∂f/∂x = 1000·(x + 1)^999"),
    # degree 6 in one unknown: exact real roots without radicals (SymPy's radicals take minutes)
    ("function: x^7 - 3x^5 + x - 1\n", "number of stationary points = 4"),
    # Hessian entries of 780 digits: the eigenvalues by mpmath, not by factoring the coefficients
    ("function: x^1000*y^1000\npoints: [[2, 3]]\n", "type(P1) = not stationary"),
    ("function: 123456789012345678901234567890123456789012345*x^3 - x\n", "coefficients of more than 128 bits"),
    # e^(e^(e^10)) overflows every number format: said, not computed digit by digit
    ("function: exp(exp(exp(x)))\npoints: [[10]]\n", "f(P1) = exp(exp(exp(x))) = exp(exp(exp(10))) = beyond 10^±1000"),
    ("function: exp(exp(exp(exp(exp(x)))))\npoints: [[100]]\n", "type(P1) = not classified"),
])
def test_large_expansions_roots_and_values_finish_fast(tmp_path, text, expected):
    result = run(tmp_path, "problem: calculus\n" + text)
    assert result.exit_code == 0 and expected in result.stdout, result.stdout + result.stderr
