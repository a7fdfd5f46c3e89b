"""`upstream:` — a given ∂L/∂output of one conv, pool or batch-norm layer, and the gradients it gives:
∂L/∂K, ∂L/∂b, ∂L/∂x of a convolution; ∂L/∂x of max and average pooling; ∂L/∂x, ∂L/∂γ, ∂L/∂β of batch
normalization in training mode. Each against torch.autograd in float64 with the same upstream gradient
(`output.backward(G)`), and the shape check located."""
from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import torch
from problems.bad_input import cli_rejects


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, floats, leaf  # noqa: E402
from problems.solving import solve_text  # noqa: E402

F = torch.nn.functional



X2 = [[[1, 2, 0, 1, 2], [0, 1, 3, 1, 0], [2, 1, 0, 0, 1], [1, 0, 1, 2, 1], [0, 2, 1, 0, 1]],
      [[0.5, -1, 2, 0, 1], [1, 1, 0, -2, 0], [0, 3, 1, 1, -1], [2, 0, 0, 1, 1], [1, -1, 2, 0, 0.5]]]
K2 = [[[[1, 0, -1], [0, 2, 0], [1, 0, 0.5]], [[0, 1, 0], [1, -1, 0], [0, 0, 1]]],
      [[[0.5, 0, 0], [0, 1, 0], [0, 0, -1]], [[1, 1, 0], [0, 0, 0], [-1, 0, 2]]]]
B2 = [0.5, -1]
# a 2-channel 3×3 output: ⌊(5 + 2·1 − 3)/2⌋ + 1 = 3
G2 = [[[1, -1, 0.5], [0, 2, 1], [-0.5, 0, 1]], [[0, 1, 1], [2, -1, 0], [1, 0.5, -2]]]


def test_conv_layer_gradients_from_a_given_upstream(tmp_path):
    s = solve_text(f"""\
        problem: conv_network
        x: {json.dumps(X2)}
        layers:
          - conv2d: {{kernel: {json.dumps(K2)}, bias: {B2}, stride: 2, padding: 1}}
        upstream: {json.dumps(G2)}
        ask: [z1, dL/dK1, dL/db1, dL/dx]
        """, tmp_path)
    x, k, b = leaf([X2]), leaf(K2), leaf(B2)
    z = F.conv2d(x, k, b, stride=2, padding=1)
    z.backward(torch.tensor(floats([G2])))
    assert_close(s.value("z1"), z[0], "z1")
    assert_close(s.value("dL/dK1"), k.grad, "dL/dK1")
    assert_close(s.value("dL/db1"), b.grad, "dL/db1")
    assert_close(s.value("dL/dx"), x.grad[0], "dL/dx")
    assert s.value("dL/dz1").tolist() == floats(G2).tolist()


@pytest.mark.parametrize("kind", ["max_pool2d", "avg_pool2d"])
def test_pool_layer_input_gradient_from_a_given_upstream(tmp_path, kind):
    # 3×3 windows, stride 2, padding 1 on 5×5: overlapping windows, so a cell collects from several
    g = [[[1, -2, 0.5], [3, 1, -1], [0, 2, 1]], [[-1, 0, 2], [1, 1, 1], [0.5, -0.5, 4]]]
    s = solve_text(f"""\
        problem: conv_network
        x: {json.dumps(X2)}
        layers:
          - {kind}: {{pool: 3, stride: 2, padding: 1}}
        upstream: {json.dumps(g)}
        ask: [z1, dL/dx]
        """, tmp_path)
    x = leaf([X2])
    pool = F.max_pool2d if kind == "max_pool2d" else F.avg_pool2d
    z = pool(x, 3, stride=2, padding=1)
    z.backward(torch.tensor(floats([g])))
    assert_close(s.value("z1"), z[0], "z1")
    assert_close(s.value("dL/dx"), x.grad[0], "dL/dx")


def test_batch_norm_of_feature_vectors_from_a_given_upstream(tmp_path):
    x = [[1, 2], [3, -1], [0, 4], [2, 2]]
    g = [[1, 0.5], [-1, 2], [0, -1], [2, 1]]
    s = solve_text(f"""\
        problem: conv_network
        batch: true
        x: {x}
        layers:
          - batch_norm: {{gamma: [2, 0.5], beta: [0.1, -1], eps: 0.01}}
        upstream: {g}
        ask: [z1, dL/dx, dL/dgamma1, dL/dbeta1]
        """, tmp_path)
    xt, gamma, beta = leaf(x), leaf([2, 0.5]), leaf([0.1, -1])
    y = F.batch_norm(xt, None, None, gamma, beta, training=True, eps=0.01)
    y.backward(torch.tensor(floats(g)))
    assert_close(s.value("z1"), y, "y")
    assert_close(s.value("dL/dx"), xt.grad, "dL/dx")
    assert_close(s.value("dL/dgamma1"), gamma.grad, "dL/dγ")
    assert_close(s.value("dL/dbeta1"), beta.grad, "dL/dβ")
    # ∂L/∂β = Σ over the batch of ∂L/∂y, by hand: [1 − 1 + 0 + 2, 0.5 + 2 − 1 + 1]
    assert s.value("dL/dbeta1").tolist() == [2, Fraction(5, 2)]


def test_batch_norm_of_feature_maps_from_a_given_upstream(tmp_path):
    x = [[[[1, 2], [0, 3]], [[2, 2], [1, -1]]], [[[0, 1], [1, 1]], [[3, 0], [2, 2]]]]
    g = [[[[1, -1], [0, 2]], [[0.5, 0], [1, 1]]], [[[2, 0], [-1, 1]], [[0, -2], [1, 0.5]]]]
    s = solve_text(f"""\
        problem: conv_network
        batch: true
        x: {x}
        layers:
          - batch_norm: {{gamma: [1, 3], beta: [0, 1], eps: 0.001}}
        upstream: {g}
        ask: [dL/dx, dL/dgamma1, dL/dbeta1]
        """, tmp_path)
    xt, gamma, beta = leaf(x), leaf([1, 3]), leaf([0, 1])
    y = F.batch_norm(xt, None, None, gamma, beta, training=True, eps=0.001)
    y.backward(torch.tensor(floats(g)))
    assert_close(s.value("dL/dx"), xt.grad, "dL/dx")
    assert_close(s.value("dL/dgamma1"), gamma.grad, "dL/dγ")
    assert_close(s.value("dL/dbeta1"), beta.grad, "dL/dβ")


def test_the_upstream_is_stated_and_sgd_runs_from_it(tmp_path):
    """An optimizer needs something to minimise: the given upstream is enough (L = Σ G ⊙ z)."""
    s = solve_text("""\
        problem: conv_network
        x: [[1, 2], [3, 4]]
        layers:
          - conv2d: {kernel: [[1]], bias: [0]}
        upstream: [[[1, 0], [0, -1]]]
        optimizer: {type: sgd, lr: 0.5}
        ask: [dL/dK1, K1(1)]
        """, tmp_path)
    # ∂L/∂K = Σ G ⊙ x = 1 − 4 = −3; K(1) = 1 − 0.5·(−3) = 2.5
    assert s.value("dL/dK1").tolist() == [[[[-3]]]]
    assert s.value("K1(1)").tolist() == [[[[Fraction(5, 2)]]]]
    assert "∂L/∂" in dict(s.conventions)["backward"]


GOOD = """\
problem: conv_network
x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
layers:
  - conv2d: {kernel: [[1, 0], [0, 1]]}
upstream: [[[1, 0], [0, 1]]]
"""


@pytest.mark.parametrize("old, new, message, line", [
    ("upstream: [[[1, 0], [0, 1]]]", "upstream: [[1, 0, 2], [0, 1, 2]]",
     "upstream: has shape (2, 3): ∂L/∂output has the shape of the network's output, (1, 2, 2)", 5),
    ("upstream: [[[1, 0], [0, 1]]]", "upstream: [[[1, 0], [0, 1]]]\ntarget: [[[1, 0], [0, 1]]]\nloss: {type: mse}",
     "upstream: give either upstream (∂L/∂output", 5),
])
def test_bad_upstream_is_located(tmp_path, old, new, message, line):
    cli_rejects(tmp_path, GOOD.replace(old, new), message, line)


def test_conv_and_pool_notes_show_the_output_size_formula(tmp_path):
    s = solve_text(f"""\
        problem: conv_network
        x: {json.dumps(X2)}
        layers:
          - conv2d: {{kernel: {json.dumps(K2)}, stride: 2, padding: 1}}
          - max_pool2d: {{pool: 2, stride: 1}}
        """, tmp_path)
    # ⌊(5 + 2 − 3)/2⌋ + 1 = 3, then ⌊(3 + 0 − 2)/1⌋ + 1 = 2
    assert "output size: ⌊(5 + 2·1 − 3)/2⌋ + 1 = 3 (rows and columns)" in s.step("z1").note
    assert "output size: ⌊(3 + 2·0 − 2)/1⌋ + 1 = 2 (rows and columns)" in s.step("z2").note


def test_notation_input_filter_output(tmp_path):
    """notation: {input: X, kernel: F, output: O} is stated and used in every step; ids do not change."""
    s = solve_text("""\
        problem: conv_network
        x: [[1, 2, 0], [0, 1, 3], [2, 1, 0]]
        layers:
          - conv2d: {kernel: [[1, 0], [-1, 2]], bias: [0.5]}
        upstream: [[[1, -1], [0, 2]]]
        notation: {input: X, kernel: F, output: O, layer_index: none}
        """, tmp_path)
    assert [s.step(i).text_symbol for i in ("x", "K1", "b1", "z1", "dL/dK1", "dL/dx", "dL/dz1")] == \
        ["X", "F", "b", "O", "∂L/∂F", "∂L/∂X", "∂L/∂O"]
    assert s.step("z1").formula.text == "{0} ⋆ {1} + {2}"
    conventions = dict(s.conventions)
    assert conventions["notation"].startswith("X input, F kernel (filter), b bias, O output")
    assert conventions["input"].startswith("X is C×H×W")
    assert "G = ∂L/∂" in conventions["backward"]
    # ∂L/∂F = X ⋆ G: [[1 − 2 + 0 + 2, 2 − 0 + 0 + 6], [0 − 1 + 0 + 2, 1 − 3 + 0 + 0]], by hand
    assert s.value("dL/dK1").tolist() == [[[[1, 8], [1, -2]]]]


def test_notation_layer_index_none_needs_one_layer(tmp_path):
    cli_rejects(tmp_path, GOOD.replace("upstream: [[[1, 0], [0, 1]]]",
                                       "  - activation: relu\nupstream: [[[1, 0], [0, 1]]]\nnotation: {layer_index: none}"),
                "notation.layer_index: none writes every layer's kernel and output with the same letter", 7)
