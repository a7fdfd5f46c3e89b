"""Marking a class shares what students have in common (re-solves by exact pinned values, questions already
answered, rows written alike): the gradebook must be the one of every student checked alone, mark for mark and
word for word — on classes that put students exactly on tolerance boundaries, just past them, and at ReLU's kink."""
from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import nnsolve
from nnsolve.api import load, solve
from nnsolve.grading import marker as marking

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# The sample problem (a 2-2-1 ReLU network): u1 = h1 = [0.99, 0.21], y = 1.341, loss = 0.0581405,
# dL/dW2 = [[0.33759], [0.07161]], W2(1) = [[1.166241], [-0.707161]] (worked by hand in tests/grade/test_grade.py).
# loss is marked to 3 significant figures: ±0.00005 around 0.0581405; W2(1) to 2 decimals: ±0.005.
SAMPLE_CELLS = {
    # 0 is ReLU's kink: h1 = relu(0) and its derivative there are what a student's u1 of 0 carries forward
    "u1": ["[0.99, 0.21]", "[0, 0.21]", "[0.99, 0]", "[-0.5, 0.21]", "[0.99, 0.2]", "", "[1, 0.2]", "[0.0, 0.00]"],
    "h1": ["[0.99, 0.21]", "[0.99, 0.31]", "[0.64, 0.96]", "[0, 0.21]", "[0.99, 0]", "[1, 0.2]", "[0.99, 0.21, 0]",
           "x", "[99/100, 21/100]"],
    "y": ["1.341", "1.34", "1.271", "0.396", "1.2", "1.3", "—", "1.4", "1.3410"],
    "loss": ["0.0581405", "0.06", "0.0580905", "0.0581905", "0.0580904", "0.0581906", "0.0367205", "0.182408", "NaN",
             "0.058", "0.0581"],
    "dL/dW2": ["[[0.33759], [0.07161]]", "[[0.34], [0.07]]", "[[0.26829], [0.08401]]", "[[0.5], [0.2]]",
               "[[0.33759, 0.07161]]", "[[0.338], [0.072]]", "[[0], [0.07161]]"],
    # on the boundary of 2 decimals (1.161241 and -0.712161), a hair inside and outside it; and on the boundary
    # of what dL/dW2 = [[0.5], [0.2]] carries forward (1.15, -0.72): 1.155 exactly, 1.1550001 past it
    "W2(1)": ["[[1.166241], [-0.707161]]", "[[1.17], [-0.71]]", "[[1.161241], [-0.702161]]",
              "[[1.171241], [-0.712161]]", "[[1.1612409], [-0.707161]]", "[[1.155], [-0.72]]",
              "[[1.1550001], [-0.72]]", "[[1.145], [-0.715]]", "[[1.173171], [-0.708401]]", "about 1"],
}


def _alone(monkeypatch):
    """nnsolve.grade with every student checked alone (nothing shared between students)."""
    shared = marking.Marker

    class Alone(shared):
        def __init__(self, *args):
            super().__init__(*args, share=False)

    monkeypatch.setattr(marking, "Marker", Alone)


def _both_ways(monkeypatch, loaded, students):
    fast = nnsolve.grade(loaded, students)
    with monkeypatch.context() as patched:
        _alone(patched)
        alone = nnsolve.grade(loaded, students)
    return fast, alone


def _assert_same(fast, alone):
    assert len(fast.students) == len(alone.students)
    for one, other in zip(fast.students, alone.students):
        assert one == other, one.student
    assert fast.summary() == alone.summary()


def test_a_class_with_boundaries_and_kinks_marks_as_each_student_alone(monkeypatch):
    rng = random.Random(13)
    students = {f"s{i:03d}": {answer: rng.choice(cells) for answer, cells in SAMPLE_CELLS.items()}
                for i in range(70)}
    # and rows written alike, by students far apart in the file
    students.update({f"copy{i:02d}": dict(students[f"s{i * 7:03d}"]) for i in range(10)})
    fast, alone = _both_ways(monkeypatch, load(EXAMPLES / "grading" / "problem.yaml"), students)
    _assert_same(fast, alone)
    verdicts = {m.verdict for s in fast.students for m in s.answers}
    assert verdicts == {"right", "carried forward", "wrong", "format error"}
    # the boundaries are where they are said to be: on them is right, a hair past them not (it may still be
    # carried forward from the student's own earlier numbers)
    def verdicts_of(column: int, cells: str) -> set[str]:
        return {s.answers[column].verdict for s in fast.students if s.answers[column].given == cells}

    assert verdicts_of(3, "0.0580905") == verdicts_of(3, "0.0581905") == {"right"}
    assert "right" not in verdicts_of(3, "0.0580904") | verdicts_of(3, "0.0581906")
    assert verdicts_of(5, "[[1.161241], [-0.702161]]") == verdicts_of(5, "[[1.171241], [-0.712161]]") == {"right"}
    assert "right" not in verdicts_of(5, "[[1.1612409], [-0.707161]]")
    # W2(1) = [[1.155], [-0.72]] is 0.005 from what dL/dW2 = [[0.5], [0.2]] gives (1.15, -0.72): carried forward
    carried = [s for s in fast.students if s.answers[4].given == "[[0.5], [0.2]]"
               and s.answers[5].given in ("[[1.155], [-0.72]]", "[[1.1550001], [-0.72]]")]
    assert {(s.answers[5].given, s.answers[5].verdict) for s in carried} == {
        ("[[1.155], [-0.72]]", "carried forward"), ("[[1.1550001], [-0.72]]", "wrong")}


def test_a_class_worked_with_tanh_and_sigmoid_marks_as_each_student_alone(monkeypatch):
    """Irrational values (tanh, sigmoid, a log loss): students rounding to 2–4 dp, each answer of a slip carried
    forward, garbage."""
    loaded = load(EXAMPLES / "demo-two-layer-tanh.yaml")
    answers = ["h1", "h2", "y", "loss", "dL/dW3", "W1(1)"]
    told = loaded.model.model_copy(update={"answers": dict.fromkeys(["h1", "h2", "h3", "loss", "dL/dW3", "W1(1)"])})
    base = solve(type(loaded)(loaded.family, told, loaded.document))
    right = {a: base.value({"y": "h3"}.get(a, a)) for a in answers}

    def written(value: np.ndarray, places: int, nudge: Fraction = Fraction(0)) -> str:
        if value.ndim == 0:
            return str(round(Fraction(str(float(value[()]))) + nudge, places).__float__())
        return "[" + ", ".join(written(np.asarray(v, dtype=object), places, nudge) for v in value) + "]"

    rng = random.Random(7)
    students = {}
    for i in range(70):
        places = rng.choice([2, 3, 4])
        row = {a: written(right[a], places) for a in answers}
        if i % 3 == 1:
            slip = rng.choice(answers)
            row[slip] = written(right[slip], places, Fraction(rng.choice([-3, 3]), 100))
        if i % 5 == 2:
            row[rng.choice(answers)] = rng.choice(["", "—", "1.0", "[1, 2"])
        students[f"t{i:02d}"] = row
    fast, alone = _both_ways(monkeypatch, loaded, students)
    _assert_same(fast, alone)
    assert {m.verdict for s in fast.students for m in s.answers} >= {"right", "wrong", "format error"}


@pytest.mark.parametrize("path", ["conv/conv-relu-maxpool.yaml", "recurrent/elman-sgd-two-steps.yaml"])
def test_conv_and_rnn_classes_mark_as_each_student_alone(monkeypatch, path):
    loaded = load(EXAMPLES / path)
    answers = [str(a) for a in loaded.model.ask][:5]
    told = loaded.model.model_copy(update={"answers": dict.fromkeys(answers)})
    base = solve(type(loaded)(loaded.family, told, loaded.document))

    def written(value: np.ndarray, places: int) -> str:
        if value.ndim == 0:
            return f"{float(value[()]):.{places}f}"
        return "[" + ", ".join(written(np.asarray(v, dtype=object), places) for v in value) + "]"

    rng = random.Random(5)
    students = {}
    for i in range(40):
        row = {a: written(base.value(a), rng.choice([2, 3])) for a in answers}
        if i % 4 == 1:
            row[rng.choice(answers)] = written(np.asarray(base.value(answers[0]) * 0 + 1, dtype=object), 2)
        students[f"c{i:02d}"] = row
    fast, alone = _both_ways(monkeypatch, loaded, students)
    _assert_same(fast, alone)
