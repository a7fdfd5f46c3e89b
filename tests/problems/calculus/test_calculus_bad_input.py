"""Malformed calculus problems: exit code 2 with a located message, never a traceback, nothing executed."""
from __future__ import annotations

import pytest

from problems.bad_input import cli_rejects, the_issue

BASE = "problem: calculus\nfunction: x^2 + y^2\n"


@pytest.mark.parametrize("text, message, line", [
    ("problem: calculus\nfunction: x^2 + sigmod(x)\n",
     "function: column 7: unknown function 'sigmod'; did you mean 'sigmoid'?", 2),
    (BASE + "points: [[0, 0], [1, 2, 3]]\n", "points[1]: point P2 has 3 coordinates; expected 2 (x, y)", 3),
    (BASE + "points: {A: [1]}\n", "points.A: point A has 1 coordinates; expected 2", 3),
    (BASE + "descent: {type: sgd, lr: 0.1, start: {x: 1}}\n", "descent.start: expected a value for each of x, y; "
                                                              "missing y", 3),
    (BASE + "descent: {type: sgd, lr: 0.1, start: {x: 1, y: 2, z: 3}}\n", "z is not a variable", 3),
    (BASE + "descent: {type: sgd, lr: 0.1, start: [1, 2, 3]}\n", "descent.start: 3 values; expected 2", 3),
    (BASE + "descent: {type: sgd, lr: 0.1, beta1: 0.5, start: [1, 2]}\n", "descent.beta1: does not apply to sgd", 3),
    (BASE + "descent: {type: perceptron, start: [1, 2]}\n", "the perceptron rule needs data", 3),
    (BASE + "variables: [x, y, x]\n", "variables: a variable is named twice", 3),
    (BASE + "constants: {x: 2}\nvariables: [x, y]\n", "'x' is also given a value", None),
    (BASE + "regularized: {penalty: l2, strength: -1}\n", "regularized.strength: α must be ≥ 0", 3),
    ("problem: calculus\ntitle: no function\n", "function: is required", None),
    ("problem: calculus\nfunction: 2 + 3\n", "the function has no variable to differentiate by", None),
    # the end of 'x^2 +' is column 6, one past its last character
    ("problem: calculus\nfunction: x^2 +\n", "function: column 6: expected a number, a name or '(', found the end",
     2),
    (BASE + "where: {z: exp(}\n", "where.z: column", 3),
])
def test_cli_rejects_malformed_calculus(tmp_path, text, message, line):
    cli_rejects(tmp_path, text, message, line)


@pytest.mark.parametrize("function", [
    "__import__('os').system('touch PWNED')",
    "__import__(os)",
    "exp(x).__class__",
    "x; import os",
    "eval(x)",
])
def test_code_in_a_function_is_an_expression_error_and_never_runs(tmp_path, monkeypatch, function):
    monkeypatch.chdir(tmp_path)
    issue = the_issue(f'problem: calculus\nfunction: "{function}"\n')
    assert issue.path == "function" and "column" in issue.message
    assert not (tmp_path / "PWNED").exists()


def test_an_answer_naming_no_quantity_is_located():
    issue = the_issue(BASE + "points: [[0, 0]]\nask: [type(P2)]\n")
    assert issue.path == "ask[0]" and "type(P2)" in issue.message


def test_a_point_named_like_a_variable_or_a_stationary_point_is_refused(tmp_path):
    # P1 and A are free names; x is the variable and S1 the first stationary point, so their ids would collide
    cli_rejects(tmp_path, "problem: calculus\nfunction: x^2\npoints: {x: [1], S1: [2]}\n",
                "points.x: the point name 'x' is taken", line=3)
