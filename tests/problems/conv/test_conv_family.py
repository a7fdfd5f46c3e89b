"""The conv_network family: a worked example checked by hand, whole networks against torch float64,
and one bad-input test per class of error (located message, exit code 2 from the CLI)."""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from problems.bad_input import cli_rejects
import torch

from nnsolve import api

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, floats  # noqa: E402
from problems.solving import solve_text  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "conv"
F = torch.nn.functional



def test_worked_example_by_hand():
    """z₁ = x ⋆ K + ½ with K = [[1, 0], [0, −1]] is x[i][j] − x[i+1][j+1] + ½;
    e.g. z₁[1][2] = 3 − 0 + ½ = 3.5.
    ReLU, then 2×2 max pooling: windows {.5,0,0,1.5}, {0,1.5,3.5,.5}, {2.5,.5,0,0}, {0,0,1.5,1.5} → 1.5, 3.5,
    2.5, 1.5 (the last a tie: the first, z₂[3][2], takes the gradient). ½·SSE against [[1,0],[0,1]]:
    ½(.25 + 12.25 + 6.25 + .25) = 9.5. ∂L/∂z₃ = [[.5, 3.5], [2.5, .5]] routed to (1,1), (1,2), (2,0), (3,2),
    all with z₁ > 0, so ∂L/∂b = 7 and ∂L/∂K[a][b] = Σ g·x[i+a][j+b]:
    K00 = .5·1 + 3.5·3 + 2.5·2 + .5·1 = 16.5,
    K01 = .5·3 + 3.5·1 + 2.5·1 + .5·2 = 8.5, K10 = .5·1 + 0 + 2.5·1 + .5·1 = 3.5, K11 = 0.
    SGD with η = 0.1: K(1) = [[1 − 1.65, −0.85], [−0.35, −1]], b(1) = 0.5 − 0.7."""
    s = api.solve(api.load(EXAMPLES / "conv-relu-maxpool.yaml"))
    assert s.value("z3").tolist() == [[[Fraction(3, 2), Fraction(7, 2)], [Fraction(5, 2), Fraction(3, 2)]]]
    assert s.value("loss")[()] == Fraction(19, 2)
    assert s.value("dL/db1").tolist() == [7]
    assert s.value("dL/dK1").tolist() == [[[[Fraction(33, 2), Fraction(17, 2)], [Fraction(7, 2), 0]]]]
    assert s.value("K1(1)").tolist() == [[[[Fraction(-13, 20), Fraction(-17, 20)], [Fraction(-7, 20), -1]]]]
    assert s.value("b1(1)").tolist() == [Fraction(-1, 5)]
    conventions = dict(s.conventions)
    assert "cross-correlation" in conventions["operation"] and "first maximum" in conventions["max pooling"]


NETWORK = """\
    problem: conv_network
    layout: {layout}
    conventions: {{operation: {operation}}}
    x: {x}
    layers:
      - conv2d: {{kernel: {k1}, bias: {b1}, stride: {stride}, padding: {padding}}}
      - activation: tanh
      - {pool}: {{pool: 2, stride: 1}}
      - conv2d: {{kernel: {k2}, groups: 2}}
      - flatten: {{}}
      - dense: {{W: {W}, b: {b}, layout: out_in, activation: sigmoid}}
    target: {t}
    loss: {{type: mse}}
"""


def _decimals(rng, shape):
    return (rng.integers(-99, 100, size=shape) / 100).round(2)


@pytest.mark.parametrize("seed,layout,operation,stride,padding,pool", [
    (0, "CHW", "cross_correlation", 1, 0, "max_pool2d"),
    (1, "HWC", "convolution", 2, 1, "avg_pool2d"),
    (2, "CHW", "cross_correlation", 1, "same", "max_pool2d"),
])
def test_network_against_torch(tmp_path, seed, layout, operation, stride, padding, pool):
    rng = np.random.default_rng(seed)
    x, k1, b1 = _decimals(rng, (2, 6, 6)), _decimals(rng, (4, 2, 3, 3)), _decimals(rng, (4,))
    k2 = _decimals(rng, (2, 2, 2, 2))
    xt, k1t, b1t, k2t = (torch.tensor(a, requires_grad=True) for a in (x, k1, b1, k2))
    conv_k1 = k1t.flip((2, 3)) if operation == "convolution" else k1t
    conv_k2 = k2t.flip((2, 3)) if operation == "convolution" else k2t
    h = torch.tanh(F.conv2d(xt[None], conv_k1, b1t, stride=stride, padding=padding))
    h = (F.max_pool2d if pool == "max_pool2d" else F.avg_pool2d)(h, 2, 1)
    h = F.conv2d(h, conv_k2, groups=2).flatten()
    W, b, t = _decimals(rng, (3, h.numel())), _decimals(rng, (3,)), _decimals(rng, (3,))
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    y = torch.sigmoid(Wt @ h + bt)
    loss = ((y - torch.tensor(t)) ** 2).mean()
    loss.backward()
    written_x = np.moveaxis(x, 0, -1) if layout == "HWC" else x
    padding_text = f'"{padding}"' if isinstance(padding, str) else padding
    s = solve_text(NETWORK.format(layout=layout, operation=operation, x=written_x.tolist(), k1=k1.tolist(),
                                  b1=b1.tolist(), stride=stride, padding=padding_text, pool=pool, k2=k2.tolist(),
                                  W=W.tolist(), b=b.tolist(), t=t.tolist()), tmp_path)
    assert_close(s.value("loss"), loss, "loss")
    for qid, leaf in [("x", xt), ("K1", k1t), ("b1", b1t), ("K4", k2t), ("W6", Wt), ("b6", bt)]:
        assert_close(s.value(f"dL/d{qid}"), leaf.grad, f"dL/d{qid}")


# -- bad input: each class of error, located, exit code 2, no traceback ---------------------------
GOOD = """\
problem: conv_network
x: [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
layers:
  - conv2d: {kernel: [[1, 0], [0, 1]], bias: [0]}
  - max_pool2d: {pool: 2}
  - flatten: {}
  - dense: {W: [[1]], b: [0]}
target: [1]
loss: {type: mse}
"""

BAD = {
    "kernel channels": (("kernel: [[1, 0], [0, 1]], bias", "kernel: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], bias"),
                        "layers[0].conv2d.kernel: has shape (1, 2, 2, 2): it takes 2 input channel(s)", 4),
    "output size": (("{pool: 2}", "{pool: 3}"), "layers[1].max_pool2d: the pooling window does not fit", 5),
    "dense width": (("W: [[1]]", "W: [[1], [2]]"), "layers[3].dense.W: is 2×1", 7),
    "target shape": (("target: [1]", "target: [1, 2]"), "target: has shape (2,)", 8),
    "two keys in a layer": (("  - flatten: {}", "  - {flatten: {}, activation: relu}"),
                            "layers[2]: a layer is one key", 6),
    "unknown layer": (("  - flatten: {}", "  - flaten: {}"), "did you mean 'flatten'?", 6),
    "ragged tensor": (("[7, 8, 9]]", "[7, 8]]"), "x: its entries have different shapes", 2),
    "bias count": (("bias: [0]", "bias: [0, 1]"), "layers[0].conv2d.bias: has 2 entries", 4),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_located_and_exits_2(tmp_path, name):
    (old, new), message, line = BAD[name]
    assert old in GOOD
    cli_rejects(tmp_path, GOOD.replace(old, new), message, line)


def test_the_good_file_solves(tmp_path):
    s = solve_text(GOOD, tmp_path)
    # conv with the identity-diagonal kernel: z[i][j] = x[i][j] + x[i+1][j+1] → [[6, 8], [12, 14]]; pool → 14
    assert s.value("z2").tolist() == [[[14]]]
    assert floats(s.value("loss")).item() == pytest.approx(169)
