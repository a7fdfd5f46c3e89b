"""The cap on ECF credit carried from a convenient wrong value (marking: ecf_degenerate): a student who writes h1 = 0,
or pre-activations that switch every unit off, and then the numbers that follow from it. The marks are the plain-
Python reference marker's (grade_reference.py), which caps an answer when a value of the student's before it (or
the answer itself) is 0 where the true value is not."""
from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app
from nnsolve.grading.feedback import feedback_markdown
from nnsolve.grading.outputs import gradebook_rows, summary_text

import grade_reference as reference

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLAIN = (EXAMPLES / "grading" / "problem.yaml").read_text(encoding="utf-8").split("\n# The marking scheme")[0] + "\n"
PLAIN_LINES = PLAIN.count("\n")

# h1 = 0: y is b2 = 0.3, the loss ½(0.3 − 1)² = 0.245, ∂L/∂W2 = h1 (y − t) = 0, and W2 stays as it is (written to
# 2 dp: to 1 dp, 1.2 and −0.7 are the right 1.166241 and −0.707161 rounded)
GAMER = {"h1": "[0, 0]", "y": "0.3", "loss": "0.245", "dL/dW2": "[[0], [0]]", "W2(1)": "[[1.20], [-0.70]]"}
# an honest slip in h1 (0.31 for 0.21) carried through: nothing switched off
HONEST = {"h1": "[0.99, 0.31]", "y": "1.271", "loss": "0.0367205", "dL/dW2": "[[0.26829], [0.08401]]",
          "W2(1)": "[[1.173171], [-0.708401]]"}


def _problem(tmp_path, marking: str = "") -> Path:
    path = tmp_path / "quiz.yaml"
    path.write_text(PLAIN + marking, encoding="utf-8")
    return path


def _expected(student: dict, scheme: dict) -> dict:
    right = reference.exact()
    upstream = {**reference.UPSTREAM}
    return reference.mark_against(right, upstream, student, scheme, degenerate=lambda written: reference.zero_carried(
        reference.SAMPLE_BEFORE, right, written, written))


def test_the_reference_numbers_of_the_gaming_student_follow_from_h1_0():
    values = {**reference.exact(), "h1": [F(0), F(0)]}
    for answer in ("y", "loss", "dL/dW2", "W2(1)"):         # each from the ones before it, in order
        values[answer] = reference.UPSTREAM[answer][1](values)
    assert {a: values[a] for a in GAMER} == {a: [n for n, _ in reference.numbers(text)] for a, text in GAMER.items()}


@pytest.mark.parametrize("marking, scheme", [
    ("", {}),                                                           # the default cap: ½
    ("marking:\n  y: {ecf_degenerate: 0.25}\n  W2(1): {marks: 2, ecf: 0.5, ecf_degenerate: 0.1}\n",
     {"y": {"ecf_degenerate": "0.25"}, "W2(1)": {"marks": 2, "ecf": "0.5", "ecf_degenerate": "0.1"}}),
    ("marking:\n  y: {ecf_degenerate: 1}\n  loss: {ecf_degenerate: 1}\n  dL/dW2: {ecf_degenerate: 1}\n"
     "  W2(1): {ecf_degenerate: 1}\n",                                  # no cap
     {a: {"ecf_degenerate": 1} for a in ("y", "loss", "dL/dW2", "W2(1)")}),
])
def test_a_gaming_student_gets_the_capped_credit(tmp_path, marking, scheme):
    book = nnsolve.grade(_problem(tmp_path, marking), {"gamer": GAMER, "honest": HONEST})
    gamer, honest = book.students
    expected = _expected(GAMER, scheme)
    assert {m.answer: (m.marks, m.ecf) for m in gamer.answers} == expected
    assert gamer.total == sum(marks for marks, _ in expected.values())
    capped = {m.answer for m in gamer.answers if m.ecf_capped}
    uncapped = {a for a, rule in scheme.items() if F(str(rule.get("ecf_degenerate", "0.5")))
                >= F(str(rule.get("ecf", 1)))}
    assert capped == {"y", "loss", "dL/dW2", "W2(1)"} - uncapped
    # the honest slip: every later answer carried with full credit, nothing capped
    assert {m.answer: (m.marks, m.ecf) for m in honest.answers} == _expected(HONEST, scheme)
    assert not any(m.ecf_capped for m in honest.answers)


def test_the_cap_is_said_in_the_gradebook_and_the_feedback(tmp_path):
    book = nnsolve.grade(_problem(tmp_path), {"gamer": GAMER})
    (gamer,) = book.students
    y = next(m for m in gamer.answers if m.answer == "y")
    assert y.ecf_capped == ("carried forward from h1 = [0, 0], which is 0 in every element where the true h1 is not: "
                            "ECF credit capped at 50%")
    header, row = gradebook_rows(book)
    assert row[header.index("y ECF")] == "capped"
    assert "y: carried forward from h1 = [0, 0]" in row[header.index("remarks")]
    feedback = feedback_markdown(book, gamer)
    assert "ECF credit capped at 50%" in feedback and "0.5 / 1" in feedback
    assert "of which capped (carried from a value that makes them degenerate): 4" in summary_text(book)


def test_pre_activations_that_switch_every_unit_off(tmp_path):
    """u1 written all negative (no h1 asked): h1 = ReLU(u1) = 0 where the true h1 is 0.9, so every answer after it
    is capped; the reference computes h1 from the student's u1 by hand."""
    from test_slips import NET, SHAPES, TWO_LAYER

    path = tmp_path / "two_layer.yaml"
    path.write_text(TWO_LAYER, encoding="utf-8")
    y = NET.b2                                         # W2ᵀ·0 + b2
    values = {"u1": [F("-0.9"), F("-0.5")], "y": [y], "loss": [(y - NET.t) ** 2 / 2], "dL/dW2": [F(0), F(0)],
              "dL/dW1": [F(0)] * 4, "W1(1)": reference._flat(NET.W1)}
    student = reference.cells(values, SHAPES)
    student["W1(1)"] = "[[0.50, 0.20], [0.10, -0.40]]"    # to 1 dp, W1 itself is the right W1(1) rounded
    (graded,) = nnsolve.grade(path, {"off": student}).students
    upstream = {a: v for a, v in NET.upstream().items() if a != "h1"}
    upstream["y"] = (["u1"], lambda a: [sum(w * h for w, h in zip(NET.W2, reference.relu(a["u1"]))) + NET.b2])
    upstream["dL/dW2"] = (["u1", "y"], lambda a: [h * (a["y"][0] - NET.t) for h in reference.relu(a["u1"])])
    expected = reference.mark_against(NET.solve(), upstream, student, {}, degenerate=NET.degenerate)
    assert {m.answer: (m.marks, m.ecf) for m in graded.answers} == expected
    assert graded.total == 5 * F(1, 2)
    said = {m.answer: m.ecf_capped for m in graded.answers if m.ecf_capped}
    assert set(said) == {"y", "loss", "dL/dW2", "dL/dW1", "W1(1)"}
    assert said["y"].startswith("carried forward from u1 = [-0.9, -0.5], which makes h1 0 at [0]")


@pytest.mark.parametrize("marking, said", [
    ("marking:\n  y: {ecf_degenerate: 1.5}\n", "between 0 and 1"),
    ("marking:\n  y: {ecf_degenerate: -0.5}\n", "between 0 and 1"),
    ("marking:\n  y: {ecf_degenerate: half}\n", "y"),
])
def test_a_malformed_cap_is_refused_with_its_line(tmp_path, marking, said):
    answers = tmp_path / "class.csv"
    answers.write_text('student,h1,y\ns1,"[0.99, 0.21]",1.341\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(_problem(tmp_path, marking)), str(answers)])
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "ecf_degenerate" in result.stderr
    assert f"(line {PLAIN_LINES + 2})" in result.stderr


def test_an_earlier_answer_of_one_or_the_identity(tmp_path):
    """h1 written [1, 1] (y = 1.2 − 0.7 + 0.3 = 0.8 follows from it), and, in the two-layer problem, ∂L/∂W1 written
    as the identity (W1(1) = W1 − 0.1·I follows): each later answer capped, the value named."""
    book = nnsolve.grade(_problem(tmp_path), {"ones": {"h1": "[1, 1]", "y": "0.8"}})
    (ones,) = book.students
    assert {m.answer: (m.marks, m.ecf) for m in ones.answers} == _expected({"h1": "[1, 1]", "y": "0.8"}, {})
    assert ones.answers[1].ecf_capped.startswith("carried forward from h1 = [1, 1], which is 1 in every element")

    from test_slips import NET, TWO_LAYER

    path = tmp_path / "two_layer.yaml"
    path.write_text(TWO_LAYER, encoding="utf-8")
    student = {"dL/dW1": "[[1, 0], [0, 1]]", "W1(1)": "[[0.4, 0.2], [0.1, -0.5]]"}
    (graded,) = nnsolve.grade(path, {"identity": student}).students
    expected = reference.mark_against(NET.solve(), NET.upstream(), student, {}, degenerate=NET.degenerate)
    assert expected["W1(1)"] == (F(1, 2), True)
    assert {m.answer: (m.marks, m.ecf) for m in graded.answers} == expected
    assert graded.answers[1].ecf_capped.startswith("carried forward from dL/dW1 = [[1, 0], [0, 1]], which is the "
                                                   "identity where the true dL/dW1 is not")


def test_an_infinite_value_is_degenerate(tmp_path):
    """y = ∞ makes the loss ∞ too, which "follows" from it: capped, and said (y is 1.341)."""
    student = {"h1": "[0.99, 0.21]", "y": "inf", "loss": "inf"}
    book = nnsolve.grade(_problem(tmp_path), {"s": student})
    marks = {m.answer: m for m in book.students[0].answers}
    assert marks["y"].marks == 0
    assert marks["loss"].ecf_capped and marks["loss"].marks == F(1, 2)
    assert "which is infinite where the true" in marks["loss"].ecf_capped
