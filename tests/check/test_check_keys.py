"""Keys checked against the solution: each case's key is first verified against PyTorch, so the test
knows independently whether the key is right, slipped, rounded or used another convention."""
from __future__ import annotations

import numpy as np
import pytest
import yaml

from nnsolve.check import check
from nnsolve.problems.errors import ProblemError

from conftest import CASES, within


def key_of(name: str) -> dict:
    return yaml.safe_load((CASES / name).read_text())["answers"]


def flat(value) -> list[float]:
    return [float(v) for v in np.ravel(np.array(value, dtype=float))]


def test_correct_key_is_right_by_torch_and_passes(sigmoid_net):
    key = key_of("correct-key.yaml")
    for name, given in key.items():
        quantity = {"delta2": "dL/du2"}.get(name, name)
        expected = flat(sigmoid_net[quantity])
        assert len(flat(given)) == len(expected), name
        assert all(within(k, v, 4) for k, v in zip(flat(given), expected)), name

    report = check(CASES / "correct-key.yaml")

    assert report.ok, report.summary()
    assert report.summary() == f"{len(key)} answers: {len(key)} agree, 0 wrong"
    assert report.first_divergence is None
    assert report.result("u1").rule == "exact to 1 dp"
    assert report.result("dL/dW1").rule == "exact to 4 dp"
    assert report.result("delta2").target == "dL/du2"


def test_slip_is_flagged_at_its_first_divergence_and_followed_through(sigmoid_net):
    key = key_of("slipped-key.yaml")
    u2_slipped = key["u2"][0]
    # the slip: b2 = 0.1 added as −0.1
    assert within(u2_slipped, sigmoid_net["u2"][0] - 0.2, 4)
    # what carrying the slip forward gives, from the key's own numbers (target 0, ½·SSE, linear output)
    assert within(key["loss"], 0.5 * u2_slipped ** 2, 4)
    assert within(key["delta2"][0], u2_slipped, 4)
    assert all(within(k, h * u2_slipped, 4) for k, h in zip(flat(key["dL/dW2"]), key["h1"]))
    # …and a second, independent slip: ∂L/∂b2 = δ2, but the key flips its sign
    assert not within(key["dL/db2"][0], key["delta2"][0], 4)

    report = check(CASES / "slipped-key.yaml")

    assert not report.ok
    assert report.first_divergence == "u2"
    # only where the key first parts, and its independent second slip, are errors: the loss, δ2 and ∂L/∂W2
    # follow from the key's own u2 as written
    assert [r.name for r in report.results if not r.ok] == ["u2", "dL/db2"]
    u2 = report.result("u2")
    assert u2.first_divergence and u2.follows == []
    for name in ("loss", "delta2"):
        assert report.result(name).follows == ["u2"], name
        assert report.result(name).rule == "follows from the key's u2 as written", name
        assert not report.result(name).first_divergence
    # ∂L/∂W2 = h1 δ2ᵀ: its nearest wrong input is δ2 (itself carried from u2)
    assert report.result("dL/dW2").follows == ["delta2"]
    assert report.result("dL/db2").follows == []
    assert report.summary() == "7 answers: 5 agree, 2 wrong"


def test_drift_from_2dp_intermediates_is_accepted_only_by_the_rounding_rule(sigmoid_net):
    key = key_of("rounded-key.yaml")
    exact_u2 = sigmoid_net["u2"][0]
    assert abs(key["u2"][0] - exact_u2) > 0.005           # not right to its own 2 dp …
    h1_2dp = [round(v, 2) for v in sigmoid_net["h1"]]     # … but what a person keeping 2 dp gets
    w2 = flat(sigmoid_net["W2"])
    hand_u2 = h1_2dp[0] * w2[0] + h1_2dp[1] * w2[1] + sigmoid_net["b2"][0]
    assert abs(round(hand_u2, 2) - key["u2"][0]) < 1e-9

    report = check(CASES / "rounded-key.yaml")
    assert report.ok
    assert report.result("u2").rule == "matches with intermediates rounded to 2 dp"
    assert report.result("h1").rule == "exact to 2 dp"

    strict = check(CASES / "rounded-key.yaml", tolerance="0.005")
    assert not strict.ok
    assert [r.name for r in strict.results if not r.ok] == ["u2"]
    assert strict.result("h1").rule == "within ±0.005"


def test_key_using_log10_is_explained_by_that_convention(sigmoid_unit_bce):
    key = key_of("log10-key.yaml")
    ln10 = sigmoid_unit_bce["ln10"]
    assert within(key["loss"], sigmoid_unit_bce["loss"] / ln10, 4)
    assert within(key["dL/du1"][0], sigmoid_unit_bce["dL/du1"][0] / ln10, 4)
    assert not within(key["loss"], sigmoid_unit_bce["loss"], 4)

    report = check(CASES / "log10-key.yaml")

    assert report.first_divergence == "loss"
    assert report.result("y").ok and report.result("u1").ok
    for name in ("loss", "dL/du1"):
        result = report.result(name)
        assert not result.ok
        assert result.alternatives == ["log base 10"], name
    assert "matches if: log base 10" in report.result("loss").verdict()


def test_element_addressing_and_aliases(sigmoid_net):
    dW1 = sigmoid_net["dL/dW1"]
    answers = {
        "u1[1]": "0.1",
        "dL/dW1[1][0]": round(dW1[1][0], 4),
        "dL/dW1[0][1]": round(-dW1[0][1], 4),       # a sign slip in one element
        "delta2[0]": round(sigmoid_net["dL/du2"][0], 4),
        "dL/dW1[1]": [round(v, 3) for v in dW1[1]],  # a whole row
    }
    report = check(CASES / "sigmoid-net.yaml", answers=answers)

    assert report.result("u1[1]").ok and report.result("u1[1]").rule == "exact to 1 dp"
    assert report.result("dL/dW1[1][0]").ok
    assert report.result("delta2[0]").target == "dL/du2[0]" and report.result("delta2[0]").ok
    assert report.result("dL/dW1[1]").ok and report.result("dL/dW1[1]").rule == "exact to 3 dp"
    wrong = report.result("dL/dW1[0][1]")
    assert not wrong.ok and wrong.target == "dL/dW1[0][1]"
    assert report.first_divergence == "dL/dW1[0][1]"


def test_an_index_out_of_range_is_a_format_error():
    with pytest.raises(ProblemError) as e:
        check(CASES / "sigmoid-net.yaml", answers={"u1[2]": 1})
    assert "answers.u1[2]" in str(e.value) and "out of range" in str(e.value)


def test_shapes(sigmoid_net):
    dW2 = [round(v, 4) for v in flat(sigmoid_net["dL/dW2"])]
    report = check(CASES / "sigmoid-net.yaml", answers={
        "u1": [1.1, 0.1, 0],             # one value too many
        "dL/dW2": [dW2],                 # a row written for the 2×1 column
        "y": round(sigmoid_net["u2"][0], 4),
    })
    assert not report.result("u1").ok
    assert report.result("u1").reason == "shape: expected a vector of 2, got a vector of 3"
    assert report.result("dL/dW2").ok
    assert report.result("dL/dW2").shape_note == "given as a 1×2 matrix, read as a 2×1 matrix"
    assert report.result("y").ok and report.result("y").shape_note == ""


def test_integers_and_fractions_claim_to_be_exact():
    # u1 = W1ᵀx + b1 = [0.5·1 + 0.25·2 + 0.1, −1·1 + 0.5·2 + 0.1] = [1.1, 0.1] exactly
    report = check(CASES / "sigmoid-net.yaml", answers={"u1": ["11/10", "1/10"], "u1[0]": 1})
    assert report.result("u1").ok and report.result("u1").rule == "exact"
    assert not report.result("u1[0]").ok      # "1" is not 1.1 rounded: an integer claims exactness


def test_student_answers_from_python_floats(sigmoid_net):
    report = check(CASES / "sigmoid-net.yaml",
                   answers={"loss": round(sigmoid_net["loss"], 3), "h1": [round(v, 2) for v in sigmoid_net["h1"]]})
    assert report.ok
    assert report.result("loss").decimals == 3


def test_a_key_without_the_half_is_explained(sigmoid_net):
    # the network's loss is ½·Σ u2²; a student who drops the ½ gets twice the loss and twice δ2
    answers = {"loss": round(2 * sigmoid_net["loss"], 4), "delta2": [round(2 * sigmoid_net["dL/du2"][0], 4)]}
    report = check(CASES / "sigmoid-net.yaml", answers=answers)
    assert report.first_divergence == "loss"
    for name in answers:
        assert "loss without ½" in report.result(name).alternatives, name


def test_follow_through_from_one_wrong_element(sigmoid_net):
    # h1[0] slipped to 0.80 (it is 0.7503); u2 = W2ᵀh1 + b2 carried on with it: −3·0.8 + 3·h1[1] + 0.1
    h1_second = sigmoid_net["h1"][1]
    carried = -3 * 0.8 + 3 * h1_second + 0.1
    assert abs(carried - sigmoid_net["u2"][0]) > 0.1
    report = check(CASES / "sigmoid-net.yaml", answers={"h1[0]": "0.80", "u2": [round(carried, 4)]})
    assert report.first_divergence == "h1[0]"
    assert report.result("u2").ok and report.result("u2").follows == ["h1[0]"]
    assert report.result("u2").follow_rule == "exact to 4 dp"


RELU_AT_ZERO = {
    # x = [1, 1], W1 = [[1, 2], [3, 4]] (in_out), b1 = [0, −6]: u1 = W1ᵀx + b1 = [4, 6 − 6] = [4, 0],
    # h1 = [4, 0], ŷ = h1·[1, 1] = 4, L = ½ŷ² = 8, ∂L/∂h1 = [4, 4], ∂L/∂u1 = [4·1, 4·ReLU'(0)]
    "problem": "dense_network",
    "network": {"layout": "in_out", "layers": [{"W": [[1, 2], [3, 4]], "b": [0, -6], "activation": "relu"},
                                                {"W": [[1], [1]]}]},
    "data": {"x": [1, 1], "target": [0]},
    "loss": {"type": "half_sse"},
    "conventions": {"relu_derivative_at_zero": 0},
}


def test_relu_derivative_at_zero_is_a_named_alternative():
    report = check(RELU_AT_ZERO, answers={"u1": [4, 0], "loss": 8, "dL/du1": [4, 4]})
    assert report.result("u1").ok and report.result("loss").ok
    assert report.result("u1").rule == "exact"
    wrong = report.result("dL/du1")
    assert not wrong.ok and wrong.first_divergence
    assert "ReLU'(0) = 1" in wrong.alternatives


def test_full_precision_floats_claim_twelve_significant_digits(sigmoid_net):
    # PyTorch's float64 values themselves, as a script would pass them: right to float precision
    answers = {name: sigmoid_net[name] for name in ("h1", "loss", "dL/dW1", "dL/du1")}
    report = check(CASES / "sigmoid-net.yaml", answers=answers)
    assert report.ok, [r.verdict() for r in report.results]
    assert report.result("loss").decimals == 12
    # … and a float off in the 9th significant digit is not
    off = check(CASES / "sigmoid-net.yaml", answers={"loss": sigmoid_net["loss"] * (1 + 1e-8)})
    assert not off.ok
