"""The dense family's batch_norm option (the pre-activation normalized over the batch before the activation)
against torch float64, values and every gradient to 1e-10; and its located errors."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from nnsolve import api
from nnsolve.problems.fields import ProblemError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, leaf  # noqa: E402

PROBLEM = """problem: dense_network
network:
  layout: in_out
  layers:
    - W: [[1, 2], [0, -1]]
      b: [0, 1]
      batch_norm: {gamma: [2, 1], beta: [0, 1], eps: 0.01}
      activation: sigmoid
    - W: [[1], [-2]]
data:
  x: [[1, 2], [3, -1], [0, 1]]
  target: [[0], [1], [1]]
loss: {type: mse}
ask: [gradients]
"""


def _load(tmp_path, text):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    return api.load(path)


def test_batch_norm_before_the_activation_matches_torch(tmp_path):
    s = api.solve(_load(tmp_path, PROBLEM))
    x = leaf([[1, 2], [3, -1], [0, 1]])
    W1, b1, gamma, beta, W2 = leaf([[1, 2], [0, -1]]), leaf([0, 1]), leaf([2, 1]), leaf([0, 1]), leaf([[1], [-2]])
    u1 = x @ W1 + b1
    z1 = torch.nn.functional.batch_norm(u1, None, None, gamma, beta, training=True, eps=0.01)
    h1 = torch.sigmoid(z1)
    loss = torch.nn.functional.mse_loss(h1 @ W2, torch.tensor([[0.], [1.], [1.]], dtype=torch.float64))
    u1.retain_grad()
    loss.backward()
    assert_close(s.value("mu1"), u1.mean(0), "mu1")
    assert_close(s.value("var1"), u1.var(0, unbiased=False), "var1")
    for name, value in (("z1", z1), ("h1", h1), ("loss", loss)):
        assert_close(s.value(name), value, name)
    for name, t in (("x", x), ("W1", W1), ("b1", b1), ("gamma1", gamma), ("beta1", beta), ("W2", W2), ("u1", u1)):
        assert_close(s.value(f"dL/d{name}"), t.grad, f"dL/d{name}")
    assert any("pre-activation" in statement for _, statement in s.conventions)


@pytest.mark.parametrize("old, new, message", [
    ("gamma: [2, 1]", "gamma: [2, 1, 3]", "one per unit"),
    ("x: [[1, 2], [3, -1], [0, 1]]\n  target: [[0], [1], [1]]", "x: [1, 2]\n  target: [0]", "needs a batch"),
    ("eps: 0.01", "eps: -1", "must not be negative"),
])
def test_bad_batch_norm_is_located(tmp_path, old, new, message):
    with pytest.raises(ProblemError) as error:
        _load(tmp_path, PROBLEM.replace(old, new))
    shown = str(error.value)
    assert message in shown and "batch_norm" in shown and "(line 7)" in shown, shown
