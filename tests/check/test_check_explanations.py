"""Explanations that hold: a convention is named for a miss only when it reproduces every answer of the key it
changes. Expected values: PyTorch float64 (conftest.sigmoid_net) and hand arithmetic."""
from __future__ import annotations

import math

from nnsolve.check import check

from conftest import CASES, within

NET = CASES / "sigmoid-net.yaml"
FORGOT = "the derivative of sigmoid left out of the backward pass"


def cut(value: float, places: int) -> float:
    """`value` truncated toward zero after `places` decimals."""
    return math.trunc(value * 10 ** places) / 10 ** places


def test_an_explanation_must_reproduce_every_answer_it_changes(sigmoid_net):
    # the key's loss has no ½ (twice the loss), but its δ2 = ∂L/∂u2 = u2 is the one with the ½:
    # "loss without ½" would make δ2 = 2·u2, so it explains the loss alone, by coincidence, and is not named
    loss, delta2 = 2 * sigmoid_net["loss"], sigmoid_net["dL/du2"][0]
    report = check(NET, answers={"loss": f"{loss:.4f}", "delta2": [f"{delta2:.4f}"]})
    assert report.result("delta2").ok
    assert not report.result("loss").ok
    assert all("½" not in a for a in report.result("loss").alternatives)
    # where δ2 is doubled too, the convention holds for both and is named
    both = check(NET, answers={"loss": f"{loss:.4f}", "delta2": [f"{2 * delta2:.4f}"]})
    assert "loss without ½" in both.result("loss").alternatives


def test_a_forgotten_activation_derivative_is_named(sigmoid_net):
    # δ1 without σ′: ∂L/∂u1 taken as ∂L/∂h1, and ∂L/∂W1 = x ⊗ that, from the key's δ1 as written
    dh1 = sigmoid_net["dL/dh1"]
    assert not all(within(round(v, 4), d, 4) for v, d in zip(dh1, sigmoid_net["dL/du1"]))
    x = sigmoid_net["x"]
    written = [round(v, 4) for v in dh1]
    answers = {"dL/du1": [f"{v:.4f}" for v in written], "dL/dW1": [[f"{xi * v:.4f}" for v in written] for xi in x]}

    report = check(NET, answers=answers)

    du1 = report.result("dL/du1")
    assert not du1.ok and du1.first_divergence
    assert FORGOT in du1.alternatives
    # ∂L/∂W1 follows from the key's own ∂L/∂u1
    assert report.result("dL/dW1").ok and report.result("dL/dW1").follows == ["dL/du1"]

    # a key that multiplied its unrounded δ1 instead (2·1.72753 = 3.4551, not 2·1.7275 = 3.4550) does not follow
    # from its numbers as written, but the same convention explains it
    unrounded = check(NET, answers={"dL/du1": answers["dL/du1"],
                                    "dL/dW1": [[f"{xi * v:.4f}" for v in dh1] for xi in x]})
    assert FORGOT in unrounded.result("dL/dW1").alternatives
    assert FORGOT in unrounded.result("dL/du1").alternatives


def test_truncated_intermediates_are_named(sigmoid_net):
    # a key that cuts every number after 3 decimals: h1 = [0.750, 0.524], u2 = −3·0.750 + 3·0.524 + 0.1
    h1 = [cut(v, 3) for v in sigmoid_net["h1"]]
    u2 = cut(-3 * h1[0] + 3 * h1[1] + 0.1, 3)
    assert abs(u2 - -0.578) < 1e-12 and not within(u2, sigmoid_net["u2"][0], 3)
    report = check(NET, answers={"u2": [f"{u2:.3f}"], "dL/dh1": [f"{-3 * u2:.3f}", f"{3 * u2:.3f}"]})
    result = report.result("u2")
    assert not result.ok
    assert "intermediates truncated to 3 dp" in result.alternatives
    assert report.result("dL/dh1").ok and report.result("dL/dh1").follows == ["u2"]
