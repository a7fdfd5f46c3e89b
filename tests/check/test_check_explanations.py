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


BATCH = {
    # the 2-2-1 sigmoid network on a batch of two samples, ½·SSE summed over the samples
    "problem": "dense_network",
    "network": {"layout": "in_out", "layers": [{"W": [[0.5, -1], [0.25, 0.5]], "b": [0.1, 0.1], "activation": "sigmoid"},
                                                {"W": [[-3], [3]], "b": [0.1]}]},
    "data": {"x": [[1, 2], [2, -1]], "target": [[0], [1]]},
    "loss": {"type": "half_sse"},
}


def batch_reference(rows, targets):
    """PyTorch float64: u1, h1 and ∂L/∂W2 of the batch (or of the rows given)."""
    import pytest
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    x = torch.tensor(rows, dtype=f64)
    W1 = torch.tensor([[0.5, -1.0], [0.25, 0.5]], dtype=f64)
    b1 = torch.tensor([0.1, 0.1], dtype=f64)
    W2 = torch.tensor([[-3.0], [3.0]], dtype=f64, requires_grad=True)
    b2 = torch.tensor([0.1], dtype=f64)
    u1 = x @ W1 + b1
    h1 = torch.sigmoid(u1)
    loss = 0.5 * ((h1 @ W2 + b2 - torch.tensor(targets, dtype=f64)) ** 2).sum()
    loss.backward()
    return u1.tolist(), h1.tolist(), W2.grad.tolist()


def test_swapped_samples_are_named():
    u1, h1, _ = batch_reference([[1, 2], [2, -1]], [[0], [1]])
    swapped = {"u1": [[f"{v:.4f}" for v in row] for row in (u1[1], u1[0])],
               "h1": [[f"{v:.4f}" for v in row] for row in (h1[1], h1[0])]}
    report = check(BATCH, answers=swapped)
    assert report.first_divergence == "u1"
    assert "samples 1 and 2 of the batch swapped" in report.result("u1").alternatives
    assert report.result("h1").ok and report.result("h1").follows == ["u1"]


def test_one_sample_alone_for_the_batch_is_named():
    _, _, batch_grad = batch_reference([[1, 2], [2, -1]], [[0], [1]])
    _, _, alone = batch_reference([[2, -1]], [[1]])
    assert not all(within(round(a[0], 4), b[0], 4) for a, b in zip(alone, batch_grad))
    report = check(BATCH, answers={"dL/dW2": [[f"{row[0]:.4f}"] for row in alone]})
    assert "sample 2 alone used for the batch" in report.result("dL/dW2").alternatives


def test_one_sample_alone_holds_beside_a_whole_batch_forward_pass():
    # the key's forward pass is the batch's, right; only its gradient is of sample 2 alone: the rows of u1 have
    # no counterpart in a batch of one, so they neither support nor refute that reading
    u1, _, _ = batch_reference([[1, 2], [2, -1]], [[0], [1]])
    _, _, alone = batch_reference([[2, -1]], [[1]])
    report = check(BATCH, answers={"u1": [[f"{v:.4f}" for v in row] for row in u1],
                                   "dL/dW2": [[f"{row[0]:.4f}"] for row in alone]})
    assert report.result("u1").ok
    assert "sample 2 alone used for the batch" in report.result("dL/dW2").alternatives


def test_a_transposed_weight_matrix_is_named_when_it_holds():
    # W1 = [[0.5, −1], [0.25, 0.5]] is [in][out]; read as [out][in], u1 = W1·x + b1 = [0.5 − 2, 0.25 + 1] + 0.1
    u1 = [0.5 * 1 - 1 * 2 + 0.1, 0.25 * 1 + 0.5 * 2 + 0.1]              # [−1.4, 1.35]
    h1 = [1 / (1 + math.exp(-v)) for v in u1]
    report = check(NET, answers={"u1": [f"{v:.2f}" for v in u1], "h1": [f"{v:.4f}" for v in h1]})
    assert report.first_divergence == "u1"
    assert "W1 read the other way round (its transpose used)" in report.result("u1").alternatives
    assert report.result("h1").ok and report.result("h1").follows == ["u1"]
