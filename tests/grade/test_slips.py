"""Every slip the grader names, each made by one student of a synthetic class: the student's numbers are the slip's
arithmetic done by hand in the plain-Python reference marker (grade_reference.py, Fractions; floats only where a
logarithm makes the value irrational), the marks are the reference marker's, and the slip is named as `check`
states it."""
from __future__ import annotations

import math
from fractions import Fraction as F
from pathlib import Path

import pytest

import nnsolve

import grade_reference as reference

# u1 = W1ᵀx + b1 = [0.9, −0.5]: the second ReLU unit is off, so leaving ReLU' out shows; W1 is square and not
# symmetric, so its transpose shows; both layers have biases; one SGD step on W1
TWO_LAYER = """\
problem: dense_network
network:
  layout: in_out
  layers:
    - W: [[0.5, 0.2], [0.1, -0.4]]
      b: [0.2, 0.1]
      activation: relu
    - W: [[0.6], [0.8]]
      b: [0.1]
      activation: identity
data:
  x: [1, 2]
  target: [1]
loss: {type: half_sse}
optimizer: {type: sgd, lr: 0.1}
ask: [u1, h1, y, loss, dL/dW2, dL/dW1, W1(1)]
"""
NET = reference.TwoLayer([F(1), F(2)], [[F("0.5"), F("0.2")], [F("0.1"), F("-0.4")]], [F("0.2"), F("0.1")],
                         [F("0.6"), F("0.8")], F("0.1"), F(1), F("0.1"))
SHAPES = {"dL/dW2": (2, 1), "dL/dW1": (2, 2), "W1(1)": (2, 2)}
# each slip: the reference's arithmetic, and words the named slip must contain
SLIPS = {
    "transposed weights": (dict(transposed=True), "W1 read the other way round"),
    "bias left out": (dict(no_bias=True), "every bias left out"),
    "activation derivative left out": (dict(no_derivative=True), "derivative of relu left out of the backward pass"),
    "no ½": (dict(no_half=True), "loss without ½"),
    "sign error": (dict(sign=True), "the update's sign flipped"),
}


def _written(values: dict, decimals: int | None = None) -> dict:
    text = (lambda v: f"{float(v):.{decimals}f}") if decimals is not None else reference.decimal_text
    return reference.cells(values, SHAPES, text)


@pytest.fixture(scope="module")
def two_layer(tmp_path_factory):
    path = tmp_path_factory.mktemp("slips") / "two_layer.yaml"
    path.write_text(TWO_LAYER, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def slip_class(two_layer):
    students = {name: _written(NET.solve(**how)) for name, (how, _) in SLIPS.items()}
    students["right"] = _written(NET.solve())
    return students, nnsolve.grade(two_layer, students)


def test_the_right_student_is_right(slip_class):
    students, book = slip_class
    (right,) = [s for s in book.students if s.student == "right"]
    assert right.total == len(NET.ANSWERS) and right.slips == [] and right.first_wrong is None


@pytest.mark.parametrize("slip", list(SLIPS))
def test_each_slip_is_marked_as_the_reference_marks_it_and_named(slip_class, slip):
    students, book = slip_class
    (student,) = [s for s in book.students if s.student == slip]
    expected = reference.mark_against(NET.solve(), NET.upstream(), students[slip], {},
                                      degenerate=NET.degenerate)
    assert {m.answer: (m.marks, m.ecf) for m in student.answers} == expected
    assert any(SLIPS[slip][1] in named for named in student.slips), student.slips
    # no other slip explains their numbers — but for the bias left out, y also follows from the student's own h1
    # with b2 alone left out (0.6·0.7 + 0 = 0.42), which is the same slip said of layer 2
    also = ["b2 left out of u2 (taken as 0)"] if slip == "bias left out" else []
    assert [named for named in student.slips if SLIPS[slip][1] not in named] == also


def test_the_reference_slips_differ_from_the_right_numbers():
    """Each slip changes some answer (a slip that changed nothing could not be named)."""
    right = NET.solve()
    for how, _ in SLIPS.values():
        assert NET.solve(**how) != right


def test_rounding_too_early_is_right_and_said(two_layer):
    """Every intermediate rounded to 2 dp: ∂L/∂W1[1][0] is 2 × (−0.22) = −0.44 where the exact −0.432 rounds to
    −0.43 — right under check's hand rounding, full marks, and the rule says how it was worked."""
    early = NET.solve(places=2)
    assert early["dL/dW1"][2] == F("-0.44") and NET.solve()["dL/dW1"][2] == F("-0.432")
    student = _written(early, decimals=2)
    (graded,) = nnsolve.grade(two_layer, {"early": student}).students
    expected = reference.mark_against(NET.solve(), NET.upstream(), student, {}, hand_rounded=lambda k:
                                      NET.solve(places=k))
    assert {m.answer: (m.marks, m.ecf) for m in graded.answers} == expected
    assert graded.total == len(NET.ANSWERS)
    marks = {m.answer: m for m in graded.answers}
    assert "intermediates rounded to 2 dp" in marks["dL/dW1"].rule


# a batch of two samples through one linear unit, ½ squared error summed over the samples
BATCH = """\
problem: dense_network
network:
  layout: in_out
  layers:
    - W: [[0.5], [-0.5]]
      b: [0.1]
      activation: identity
data:
  x: [[1, 2], [2, 1]]
  target: [[0], [0.8]]
loss: {type: half_sse}
optimizer: {type: sgd, lr: 0.1}
ask: [y, loss, dL/dW1, W1(1)]
"""
X, T, W, B, LR = [[F(1), F(2)], [F(2), F(1)]], [F(0), F("0.8")], [F("0.5"), F("-0.5")], F("0.1"), F("0.1")


def _batch(samples: list[int]) -> dict:
    """y of every sample; the loss, ∂L/∂W1 (Σ over `samples` of x (y − t)) and W1 − η ∂L/∂W1 over `samples`."""
    y = [sum(w * xi for w, xi in zip(W, x)) + B for x in X]
    loss = sum((y[s] - T[s]) ** 2 / 2 for s in samples)
    grad = [sum(X[s][i] * (y[s] - T[s]) for s in samples) for i in range(2)]
    return {"y": y, "loss": [loss], "dL/dW1": grad, "W1(1)": [w - LR * g for w, g in zip(W, grad)]}


def test_the_wrong_sample(tmp_path):
    """A student who took the gradient (and the loss) of sample 1 alone where the batch was meant."""
    path = tmp_path / "batch.yaml"
    path.write_text(BATCH, encoding="utf-8")
    right, alone = _batch([0, 1]), _batch([0])
    assert alone["dL/dW1"] == [F("-0.4"), F("-0.8")] and right["dL/dW1"] == [F("-0.8"), F("-1")]
    shapes = {"y": (2, 1), "dL/dW1": (2, 1), "W1(1)": (2, 1)}
    student = reference.cells(alone, shapes)
    upstream = {"W1(1)": (["dL/dW1"], lambda a: [w - LR * g for w, g in zip(W, a["dL/dW1"])])}
    (graded,) = nnsolve.grade(path, {"s": student}).students
    assert {m.answer: (m.marks, m.ecf) for m in graded.answers} == reference.mark_against(right, upstream,
                                                                                          student, {})
    assert any("sample 1 alone used for the batch" in slip for slip in graded.slips), graded.slips


# one sigmoid unit under binary cross-entropy in nats: u = 1, ŷ = σ(1)
BCE = """\
problem: dense_network
network:
  layout: in_out
  layers:
    - W: [[0.5], [0.5]]
      b: [0]
      activation: sigmoid
data:
  x: [1, 1]
  target: [1]
loss: {type: bce}
ask: [y, loss]
"""


def test_the_wrong_log_base(tmp_path):
    """The loss −log ŷ taken in base 2 where the file says nats: log₂ σ(1) by hand with floats (the value is
    irrational; six decimals are far from any float's error)."""
    path = tmp_path / "bce.yaml"
    path.write_text(BCE, encoding="utf-8")
    y = 1 / (1 + math.exp(-1))
    right_loss, slipped = -math.log(y), -math.log2(y)
    student = {"y": f"{y:.6f}", "loss": f"{slipped:.6f}"}
    (graded,) = nnsolve.grade(path, {"s": student}).students
    marks = {m.answer: m for m in graded.answers}
    assert marks["y"].marks == 1 and marks["loss"].marks == 0          # the reference: y right, the loss not
    assert abs(float(F(student["loss"])) - right_loss) > 0.1
    assert any("log base 2" in slip for slip in graded.slips), graded.slips


# one linear unit, one Adam step with β₂ = 0.75 and ε = 0, so √(1 − β₂) = ½ and every number is a fraction
ADAM = """\
problem: dense_network
network:
  layout: in_out
  layers:
    - W: [[0.5], [-0.5]]
      b: [0]
      activation: identity
data:
  x: [1, 2]
  target: [1]
loss: {type: half_sse}
optimizer: {type: adam, lr: 0.1, beta1: 0.9, beta2: 0.75, eps: 0}
ask: [y, dL/dW1, W1(1)]
"""


def test_the_adam_variant(tmp_path):
    """Adam without bias correction: m = (1 − β₁)g, s = (1 − β₂)g², step η m/√s = η (0.1/0.5) sign g; with the
    correction m̂/√ŝ = sign g. g = x (y − t) = [−1.5, −3]."""
    path = tmp_path / "adam.yaml"
    path.write_text(ADAM, encoding="utf-8")
    y = F("0.5") * 1 + F("-0.5") * 2
    g = [F(1) * (y - 1), F(2) * (y - 1)]
    W0 = [F("0.5"), F("-0.5")]
    sign = [F(1) if v > 0 else F(-1) for v in g]
    corrected = [w - F("0.1") * s for w, s in zip(W0, sign)]
    uncorrected = [w - F("0.1") * (F("0.1") / F("0.5")) * s for w, s in zip(W0, sign)]
    right = {"y": [y], "dL/dW1": g, "W1(1)": corrected}
    shapes = {"dL/dW1": (2, 1), "W1(1)": (2, 1)}
    student = reference.cells({**right, "W1(1)": uncorrected}, shapes)
    (graded,) = nnsolve.grade(path, {"s": student}).students
    assert {m.answer: (m.marks, m.ecf) for m in graded.answers} == reference.mark_against(right, {}, student, {})
    assert graded.total == 2
    assert any("Adam without bias correction" in slip for slip in graded.slips), graded.slips


def test_the_sign_error_in_gradient_descent_on_a_function():
    """`check` names it beyond dense networks: p ← p + η·dt/dp on t = (2p + 3)², from p = 6 with η = 0.1 (by hand:
    dt/dp = 8p + 12, so 6 + 0.1·60 = 12, 12 + 0.1·108 = 22.8, 22.8 + 0.1·194.4 = 42.24)."""
    from nnsolve.check.checker import check

    problem = Path(__file__).resolve().parents[2] / "examples" / "bits-001" / "ms23-q4-gd-three-steps.yaml"
    p = [F(6)]
    for _ in range(3):
        p.append(p[-1] + F(1, 10) * (8 * p[-1] + 12))
    assert p[1:] == [F(12), F("22.8"), F("42.24")]
    report = check(problem, {f"p({k})": reference.decimal_text(p[k]) for k in (1, 2, 3)})
    for result in report.results:
        assert not result.ok and result.alternatives == ["the update's sign flipped (θ + η·step for θ − η·step)"]


def test_a_scheme_gives_a_rounding_slip_part_of_the_marks(two_layer, tmp_path):
    """`rounding: 0.5` under `marking:`: the same student earns half the marks of each answer that is right only
    because intermediates were rounded to 2 dp; the answers exact to their own decimals keep full marks."""
    early = NET.solve(places=2)
    student = _written(early, decimals=2)
    full = {m.answer: m for m in nnsolve.grade(two_layer, {"early": student}).students[0].answers}
    text = Path(two_layer).read_text(encoding="utf-8")
    scheme = "\nmarking:\n" + "".join(f"  {answer!r}: {{rounding: 0.5}}\n" for answer in full)
    halved_problem = tmp_path / "halved.yaml"
    halved_problem.write_text(text + scheme, encoding="utf-8")
    halved = {m.answer: m for m in nnsolve.grade(halved_problem, {"early": student}).students[0].answers}
    slips = [a for a, m in full.items() if "intermediates" in m.rule or "truncated" in m.rule]
    assert "dL/dW1" in slips
    for answer, mark in full.items():
        assert halved[answer].marks == (mark.marks / 2 if answer in slips else mark.marks), answer
