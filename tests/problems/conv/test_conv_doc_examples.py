"""The conv_network examples of docs/problem-format.md §9 (`upstream`, notation), solved and checked against
torch.autograd in float64, and the numbers the text states checked by hand in fractions."""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import torch
import yaml
from problems.test_format_doc import problems

import nnsolve

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, floats, leaf  # noqa: E402

F = torch.nn.functional


def example(title: str):
    text = problems()[f"{title} (yaml)"]
    return yaml.safe_load(text), nnsolve.solve(text)


def test_conv_layer_from_a_given_upstream():
    data, s = example("Given ∂L/∂O of one conv layer: find ∂L/∂F, ∂L/∂b and ∂L/∂X")
    spec = data["layers"][0]["conv2d"]
    x, k, b = leaf([[data["x"]]]), leaf([[spec["kernel"]]]), leaf(spec["bias"])
    z = F.conv2d(x, k, b, stride=2, padding=1)
    z.backward(torch.tensor(floats([data["upstream"]])))
    assert_close(s.value("z1"), z[0])
    assert_close(s.value("dL/dK1"), k.grad)
    assert_close(s.value("dL/db1"), b.grad)
    assert_close(s.value("dL/dx"), x.grad[0])
    # the numbers the text states
    assert s.value("dL/dK1").tolist() == [[[[3, 2], [0, 5]]]] and s.value("dL/db1").tolist() == [3]
    assert s.value("dL/dx").tolist() == [[[2, 0, 0, 0], [-2, 1, -1, 0], [4, 0, 2, 0], [0, -1, 1, 1]]]
    assert s.step("z1").text_symbol == "O" and s.step("dL/dK1").text_symbol == "∂L/∂F"
    assert "output size: ⌊(4 + 2·1 − 2)/2⌋ + 1 = 3" in s.step("z1").note
    assert s.step("dL/dx").formula.text == "dilate₂({0}) ⋆ rot180({1})"


def test_max_pool_from_a_given_upstream():
    data, s = example("Given ∂L/∂O of 2×2 max pooling: find ∂L/∂X")
    x = leaf([[data["x"]]])
    z = F.max_pool2d(x, 2)
    z.backward(torch.tensor(floats([data["upstream"]])))
    assert_close(s.value("z1"), z[0])
    assert_close(s.value("dL/dx"), x.grad[0])
    # the tie in the last window (2, 2): the first, x[2][2], takes the 3
    assert s.value("dL/dx")[0][2][2] == 3 and s.value("dL/dx")[0][2][3] == 0


def test_batch_norm_from_a_given_upstream():
    data, s = example("Given ∂L/∂y of batch normalization: find ∂L/∂x, ∂L/∂γ, ∂L/∂β")
    spec = data["layers"][0]["batch_norm"]
    x, gamma, beta = leaf(data["x"]), leaf(spec["gamma"]), leaf(spec["beta"])
    # torch refuses ε = 0 in training; 1e-300 vanishes next to σ² = 1 and 4 in float64
    y = F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-300)
    y.backward(torch.tensor(floats(data["upstream"])))
    assert_close(s.value("dL/dx"), x.grad)
    assert_close(s.value("dL/dgamma1"), gamma.grad)
    assert_close(s.value("dL/dbeta1"), beta.grad)
    # by hand (the text): γ/(mσ)(m G − Σ G − x̂ Σ G ⊙ x̂) with μ = [2, 2], σ = [1, 2]
    g = [[Fraction(v) for v in row] for row in data["upstream"]]
    xhat = [[-1, -1], [1, 1], [1, -1], [-1, 1]]
    sigma, gam, m = [1, 2], [2, Fraction(1, 2)], 4
    sum_g = [sum(row[j] for row in g) for j in range(2)]
    sum_gx = [sum(g[i][j] * xhat[i][j] for i in range(m)) for j in range(2)]
    expected = [[gam[j] / (m * sigma[j]) * (m * g[i][j] - sum_g[j] - xhat[i][j] * sum_gx[j]) for j in range(2)]
                for i in range(m)]
    assert s.value("dL/dx").tolist() == expected
    assert s.value("dL/dgamma1").tolist() == sum_gx == [-4, Fraction(7, 2)]
    assert s.value("dL/dbeta1").tolist() == sum_g == [2, Fraction(5, 2)]
