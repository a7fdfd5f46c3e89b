"""conv_network's batch, batch-norm, dropout, residual-add and concat layers against a whole small network
built in torch float64: every value and every gradient to 1e-10; and a located error per kind of bad input."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import torch

from nnsolve import api
from nnsolve.problems.fields import ProblemError

import sys
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, leaf  # noqa: E402

F = torch.nn.functional

NETWORK = """
problem: conv_network
batch: true
x:
  - [[[1, 2, 0], [0, -1, 3], [2, 1, 1]]]
  - [[[0, 1, -2], [1, 0, 2], [-1, 3, 0]]]
layers:
  - conv2d: {kernel: [[[[1, 0], [0, -1]]], [[[2, 1], [-1, 0]]]], bias: [0, 1]}
    name: stem
  - batch_norm: {gamma: [2, 1], beta: [1, -1], eps: 0.1}
  - activation: tanh
  - dropout: {mask: [[[[1, 0], [1, 1]], [[0, 1], [1, 1]]], [[[1, 1], [0, 1]], [[1, 1], [1, 0]]]], p: 0.25}
  - add: {from: stem}
    name: res
  - conv2d: {kernel: [[[[1]], [[-1]]]]}
    input: stem
    name: branch
  - concat: {from: [res, branch]}
  - global_avg_pool: {}
  - dense: {W: [[1, -1], [0, 2], [1, 1]], b: [0, 1], activation: softmax}
target: [[1, 0], [0, 1]]
loss: {type: cross_entropy, over_samples: mean}
ask: [gradients]
"""


def solve_text(text: str, tmp_path: Path):
    path = tmp_path / "problem.yaml"
    path.write_text(textwrap.dedent(text))
    return api.solve(api.load(path))


def test_network_with_batch_norm_dropout_residual_and_concat_matches_torch(tmp_path):
    s = solve_text(NETWORK, tmp_path)
    x = leaf([[[[1, 2, 0], [0, -1, 3], [2, 1, 1]]], [[[0, 1, -2], [1, 0, 2], [-1, 3, 0]]]])
    K1, b1 = leaf([[[[1, 0], [0, -1]]], [[[2, 1], [-1, 0]]]]), leaf([0, 1])
    gamma, beta = leaf([2, 1]), leaf([1, -1])
    K6, W9, b9 = leaf([[[[1]], [[-1]]]]), leaf([[1, -1], [0, 2], [1, 1]]), leaf([0, 1])
    mask = torch.tensor([[[[1, 0], [1, 1]], [[0, 1], [1, 1]]], [[[1, 1], [0, 1]], [[1, 1], [1, 0]]]],
                        dtype=torch.float64)
    z1 = F.conv2d(x, K1, b1)
    mu = z1.mean(dim=(0, 2, 3))
    var = z1.var(dim=(0, 2, 3), unbiased=False)
    z2 = F.batch_norm(z1, None, None, gamma, beta, training=True, eps=0.1)
    z4 = torch.tanh(z2) * mask / 0.75
    z5 = z4 + z1
    z6 = F.conv2d(z1, K6)
    z7 = torch.cat([z5, z6], dim=1)
    z8 = z7.mean(dim=(2, 3))
    u9 = z8 @ W9 + b9
    loss = F.cross_entropy(u9, torch.tensor([0, 1]))
    for node in (z1, z2, z5, z6, z7, z8, u9):
        node.retain_grad()
    loss.backward()
    assert_close(s.value("mu2"), mu, "mu2")
    assert_close(s.value("var2"), var, "var2")
    assert_close(s.value("sigma2"), var.sqrt(), "sigma2")
    for name, value in (("z1", z1), ("z2", z2), ("z4", z4), ("z5", z5), ("z6", z6), ("z7", z7), ("loss", loss)):
        assert_close(s.value(name), value, name)
    for name, t in (("x", x), ("K1", K1), ("b1", b1), ("gamma2", gamma), ("beta2", beta), ("K6", K6),
                    ("W9", W9), ("b9", b9), ("z1", z1), ("z2", z2), ("z7", z7), ("u9", u9)):
        assert_close(s.value(f"dL/d{name}"), t.grad, f"dL/d{name}")
    assert {"dL/dgamma2", "dL/dbeta2", "dL/dK6"} <= set(s.asked)


def test_batched_conv_with_mse_over_samples_matches_torch(tmp_path):
    s = solve_text("""
        problem: conv_network
        batch: true
        x: [[[1, 2], [3, 4]], [[0, -1], [2, 1]], [[1, 1], [0, 2]]]
        layers:
          - conv2d: {kernel: [[1, -1], [2, 0]], bias: [1]}
          - flatten: {}
        target: [[1], [0], [2]]
        loss: {type: mse}
        ask: [loss, dL/dK1, dL/dx]
        """, tmp_path)
    x = leaf([[[[1, 2], [3, 4]]], [[[0, -1], [2, 1]]], [[[1, 1], [0, 2]]]])
    K, b = leaf([[[[1, -1], [2, 0]]]]), leaf([1])
    loss = F.mse_loss(F.conv2d(x, K, b).flatten(1), torch.tensor([[1.], [0.], [2.]], dtype=torch.float64))
    loss.backward()
    assert_close(s.value("loss"), loss, "loss")
    assert_close(s.value("dL/dK1"), K.grad, "dL/dK1")
    assert_close(s.value("dL/dx"), x.grad, "dL/dx")


@pytest.mark.parametrize("layer, where, message", [
    ("- batch_norm: {gamma: [1, 1], beta: [0, 0]}", "gamma", "one per feature"),
    ("- dropout: {mask: [[1, 0, 1]], p: 0.5}", "mask", "the layer's input"),
    ("- dropout: {mask: [[1, 0, 1], [1, 2, 1]], p: 0.5}", "mask", "only 0"),
    ("- dropout: {mask: [[1, 0, 1], [1, 1, 1]], p: 1}", "p", "below 1"),
    ("- add: {from: nowhere}", "from", "no earlier layer is named 'nowhere'"),
    ("- concat: {from: [x, nowhere]}", "from", "no earlier layer"),
    ("- activation: relu\n  input: nowhere", "input", "no earlier layer"),
    ("- activation: relu\n  name: x", "name", "must be unique"),
])
def test_bad_graph_layers_are_located(tmp_path, layer, where, message):
    text = "problem: conv_network\nbatch: true\nx: [[1, 2, 3], [4, 5, 6]]\nlayers:\n  " + layer.replace(
        "\n", "\n  ") + "\n"
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProblemError) as error:
        api.load(path)
    shown = str(error.value)
    line = 5 + layer.count("\n")        # the layer starts on line 5; input/name sit on its second line
    assert message in shown and where in shown and f"line {line})" in shown, shown


def test_batch_norm_without_a_batch_is_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("problem: conv_network\nx: [[1, 2], [3, 4]]\nlayers:\n  - batch_norm: {gamma: [1], beta: [0]}\n")
    with pytest.raises(ProblemError, match="needs a batch"):
        api.load(path)
