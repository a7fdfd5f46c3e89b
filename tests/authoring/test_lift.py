"""`nnsolve new FAMILY --from question.tex|.md`: the named matrices, vectors and numbers of an exam question,
lifted into the family's template (questions under tests/authoring/questions/ were written for these tests)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import yaml

import nnsolve
from cli_runner import invoke
from nnsolve.authoring.lift import find_givens, lift_into, normalise
from nnsolve.problems import ProblemError, families

QUESTIONS = Path(__file__).resolve().parent / "questions"


def lifted(family: str, question: str) -> tuple[dict, str, list[str]]:
    text, report = lift_into(families()[family].template, (QUESTIONS / question).read_text(encoding="utf-8"))
    return yaml.safe_load(text), text, report


def said(report: list[str], start: str) -> bool:
    """A line of the report starts so (it goes on with the template's words for the line)."""
    return any(line.startswith(start) for line in report)


def exact(value):
    if isinstance(value, list):
        return [exact(v) for v in value]
    return Fraction(str(value))


@pytest.mark.parametrize("written, key", [
    ("W_1", "W1"), ("W_{1}", "W1"), ("W^{(2)}", "W2"), (r"\mathbf{W}_1", "W1"), (r"\mathbf{x}", "x"),
    (r"\boldsymbol{b}_{2}", "b2"), (r"\eta", "eta"), ("W_Q", "W_Q"), ("W_{K}", "W_K"), ("h_0", "h0"),
    ("W^{[2]}", "W2"), ("W_{hh}", "W_hh"), (r"\partial L / \partial O", "dL/dO"), (r"\frac{\partial L}{\partial Y}", "dL/dY")])
def test_names_are_read_in_the_exams_notations(written, key):
    assert normalise(written) == key


@pytest.mark.parametrize("text, value", [
    (r"$W = \begin{bmatrix} 0.5 & 0.3 \\ -0.2 & 0.4 \end{bmatrix}$", [["0.5", "0.3"], ["-0.2", "0.4"]]),
    (r"$b = \begin{pmatrix} 0.1 \\ −0.1 \end{pmatrix}$", [["0.1"], ["-0.1"]]),
    (r"$A = \left[\begin{array}{cc} 1 & \frac{1}{2} \\ -\tfrac{3}{4} & 0 \end{array}\right]$",
     [["1", "1/2"], ["-3/4", "0"]]),
    (r"$M = \begin{bmatrix} 1 & 2 \end{bmatrix}^T$", [["1"], ["2"]]),
    (r"$\mathbf{x} = (1, 2)^T$", ["1", "2"]),
    (r"x = [0.5, -1, 3/4]", ["0.5", "-1", "3/4"]),
    (r"$b_1 = 0.5$", "0.5"), (r"$\eta = \dfrac{1}{10}$", "1/10"), (r"$c = -\frac{-1}{2}$", "1/2"),
    ("lr = .05", ".05"), ("The learning rate is lr = 0.1.", "0.1"), ("lr = 0.1 and no momentum", "0.1"),
    (r"\begin{align} b_1 &= 0.5 \\ \end{align}", "0.5"), (r"$b = 0.5\\$", "0.5"), (r"$W = \begin{bmatrix} \hphantom{-}2 & -1 \end{bmatrix}$", [["2", "-1"]]),
])
def test_values_are_read_exactly(text, value):
    (given,), unread = find_givens(text)
    assert given.value == value and unread == []


@pytest.mark.parametrize("text", [
    r"$y = Wx + b$", r"$f(x) = x^2$", r"$y = 2x$", r"$y = 2 \cdot x$", r"$y = 2^3$", "$y = 1 - 2$", "$y = 1 + a$", r"$y = 2\pi$", r"$L = \frac{1}{2}(\hat{y} - y)^2$", r"$h_t = \tanh(W x_t)$",
    "a = b", r"$z = (x, y)$"])
def test_formulas_are_not_givens(text):
    assert find_givens(text) == ([], [])


def test_entries_that_are_not_numbers_are_reported_never_evaluated():
    found, unread = find_givens("$W = \\begin{bmatrix} a & 1 \\\\ __import__('os') & 2 \\end{bmatrix}$\n"
                                "$v = (1, 2**8)$\n$c = 1/0$")
    assert found == []
    assert unread == ["line 1: W = … is not numbers nnsolve can read", "line 2: v = … is not numbers nnsolve can read",
                      "line 3: c = … is not numbers nnsolve can read"]


def test_a_dense_question_in_latex():
    data, text, report = lifted("dense_network", "dense-two-layer.tex")
    layers = data["network"]["layers"]
    assert exact(layers[0]["W"]) == exact([[0.5, 0.3], [-0.2, 0.4]])
    assert exact(layers[0]["b"]) == exact([0.1, -0.1])                  # a pmatrix column with a Unicode minus
    assert exact(layers[1]["W"]) == [[1, Fraction(-1, 2)]]             # \frac kept exact: 1/2 is written -1/2
    assert exact(layers[1]["b"]) == [Fraction(1, 4)]
    assert data["data"] == {"x": [1, 2], "target": [1]}
    assert data["optimizer"]["lr"] == 0.1
    assert said(report, "lifted: W^{(2)} (line 10) → W2")
    assert "not read: line 17: W_3 = … is not numbers nnsolve can read" in report
    assert report[-1].startswith("left as in the template: nothing")
    # the comments stay, the statement is the question, and the file solves
    assert "# [W1] layer 1's weights" in text and "\\question[12] A feed-forward network" in data["statement"]
    assert "W_1 = \\begin{bmatrix}" in nnsolve.solve(text).statement[0]


def test_a_recurrent_question_in_markdown_stacks_x1_x2():
    data, text, report = lifted("recurrent", "rnn-two-steps.md")
    assert exact(data["weights"]["W"]) == exact([[0.2, -0.1], [0.4, 0.3]])
    assert exact(data["weights"]["U"]) == [[1, 1]]
    assert data["x"] == [[1, 0], [0, 1]] and data["h0"] == [0, 0]
    assert "1/10" in text
    assert "lifted: x_1, x_2 (line 9) → x (the sequence x₁, x₂, … one vector (or number) per step)" in report
    assert not any(line.startswith("not placed") for line in report)
    assert "<!--" not in data["statement"]
    nnsolve.solve(text)


def test_an_attention_question_places_the_given_gradient():
    data, text, report = lifted("attention", "attention.tex")
    assert data["X"] == [[2, 0], [0, 1], [1, -1]]
    assert exact(data["W_V"]) == exact([[0.5, 0], [0, 2]])
    assert data["upstream"] == [[1, 0], [0, 1], [1, 1]]
    assert said(report, r"lifted: \partial L / \partial O (line 7) → G")
    nnsolve.solve(text)


def test_what_has_no_place_is_listed():
    text, report = lift_into(families()["perceptron_learning"].template,
                             "$w = (0.2, -0.4)$, $b = -0.1$, $\\eta = 0.25$ and $W_5 = (1, 2)$.")
    assert "not placed: W_5 (line 1) = [1, 2]: the template has no place for it; add it by hand" in report
    assert yaml.safe_load(text)["weights"] == [0.2, -0.4]
    nnsolve.solve(text)


def test_a_value_of_the_wrong_shape_is_not_placed():
    text, report = lift_into(families()["dense_network"].template, "$W_1 = 3$ and $x = (1, 2)$")
    assert "not placed: W_1 (line 1) is a number, the template's W1 is a matrix" in report
    assert said(report, "lifted: x (line 1) → x")


def test_cli(tmp_path):
    out = tmp_path / "q.yaml"
    run = invoke("new", "dense_network", "--from", QUESTIONS / "dense-two-layer.tex", "-o", out)
    assert run.exit_code == 0 and "lifted: W_1 (line 8) → W1" in run.stderr
    assert invoke("solve", out).exit_code == 0
    nothing = tmp_path / "plain.md"
    nothing.write_text("Explain backpropagation in your own words.\n")
    refused = invoke("new", "dense_network", "--from", nothing)
    assert refused.exit_code == 2 and "found no givens to lift" in refused.stderr and refused.stdout == ""
    missing = invoke("new", "dense_network", "--from", tmp_path / "none.tex")
    assert missing.exit_code == 2 and "file not found" in missing.stderr


def test_no_givens_is_an_error_not_an_empty_template():
    with pytest.raises(ProblemError):
        lift_into(families()["dense_network"].template, "No numbers here.")


def test_the_exams_names_for_rnn_weights_and_lower_case_weights():
    text, report = lift_into(families()["recurrent"].template,
                             "$W_{xh} = \\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}$, "
                             "$W_{hh} = \\begin{bmatrix} 0 & 1 \\\\ 1 & 0 \\end{bmatrix}$, $b_h = (1, -1)$")
    data = yaml.safe_load(text)
    assert data["weights"]["W"] == [[1, 2], [3, 4]] and data["weights"]["V"] == [[0, 1], [1, 0]]
    assert data["weights"]["b"] == [1, -1]
    text, report = lift_into(families()["dense_network"].template, "$w^{[1]} = \\begin{bmatrix} 2 & 0 \\end{bmatrix}$")
    assert said(report, "lifted: w^{[1]} (line 1) → W1") and yaml.safe_load(text)["network"]["layers"][0]["W"] == [[2, 0]]
