"""Every output size is shown as its formula with the numbers (⌊(32 + 2·1 − 5)/2⌋ + 1 = 15), written once in
nnsolve/geometry.py for the architecture analysis and conv_network alike. The text is evaluated as
arithmetic here and compared with the size PyTorch gives the same layer."""
from __future__ import annotations

import math
import textwrap

import pytest
import torch

from nnsolve import api
from nnsolve.geometry import size_equation, slide, transposed

F = torch.nn.functional


def evaluate(text: str) -> int:
    """The formula as Python arithmetic: ⌊a/b⌋ → floor, ⌈a/b⌉ → ceil."""
    python = (text.replace("⌊", "math.floor(").replace("⌋", ")").replace("⌈", "math.ceil(").replace("⌉", ")")
              .replace("−", "-").replace("·", "*"))
    return eval(python, {"math": math})


CONVS = [(32, 5, 2, 1, 1), (7, 3, 1, 0, 1), (10, 3, 3, 2, 2), (9, 2, 2, 0, 3), (5, 5, 1, 2, 1)]


@pytest.mark.parametrize("n, k, s, p, d", CONVS)
def test_conv_size_formula_against_torch(n, k, s, p, d):
    (axis,) = slide((n,), k, s, p, d)
    text, _, value = size_equation(axis).rpartition(" = ")
    size = F.conv1d(torch.zeros(1, 1, n, dtype=torch.float64), torch.zeros(1, 1, k, dtype=torch.float64),
                    stride=s, padding=p, dilation=d).shape[-1]
    assert evaluate(text) == int(value) == size


def test_the_example_of_the_brief():
    (axis,) = slide((32,), 5, 2, 1)
    assert size_equation(axis) == "⌊(32 + 2·1 − 5)/2⌋ + 1 = 15"


@pytest.mark.parametrize("n, k, s, p", [(5, 2, 2, 0), (4, 2, 2, 1), (6, 3, 2, 1), (7, 3, 3, 1), (5, 3, 2, 0)])
def test_ceil_mode_pool_size_formula_against_torch(n, k, s, p):
    (axis,) = slide((n,), k, s, p, 1, ceil_mode=True, setting="pool")
    text, _, value = size_equation(axis, ceil_mode=True).rpartition(" = ")
    size = F.max_pool1d(torch.zeros(1, 1, n, dtype=torch.float64), k, s, p, ceil_mode=True).shape[-1]
    assert evaluate(text) == int(value) == size


@pytest.mark.parametrize("n, k, s, p, op, d", [(3, 3, 2, 1, 1, 1), (4, 2, 2, 0, 0, 1), (3, 3, 1, 0, 0, 2)])
def test_transposed_size_formula_against_torch(n, k, s, p, op, d):
    (axis,) = transposed((n,), k, s, p, d, op)
    text, _, value = size_equation(axis, transposed_conv=True).rpartition(" = ")
    size = F.conv_transpose1d(torch.zeros(1, 1, n, dtype=torch.float64), torch.zeros(1, 1, k, dtype=torch.float64),
                              stride=s, padding=p, output_padding=op, dilation=d).shape[-1]
    assert evaluate(text) == int(value) == size


def test_architecture_output_shape_shows_the_formula(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(textwrap.dedent("""\
        problem: architecture
        framework: pytorch
        input: {shape: [3, 32, 32], layout: channels_first}
        layers:
          - {kind: conv2d, name: conv1, filters: 8, kernel: 5, stride: 2, padding: 1}
          - {kind: max_pool2d, name: pool1, pool: 2}
        ask: [conv1.output_shape, pool1.output_shape]
        """))
    s = api.solve(api.load(path))
    conv = s.step("conv1.output_shape")
    assert conv.formula.text == "[8, ⌊(32 + 2·1 − 5)/2⌋ + 1, ⌊(32 + 2·1 − 5)/2⌋ + 1]"
    assert conv.value.tolist() == [8, 15, 15]
    assert s.step("pool1.output_shape").formula.text == "[8, ⌊(15 + 2·0 − 2)/2⌋ + 1, ⌊(15 + 2·0 − 2)/2⌋ + 1]"
    assert r"{\lfloor}" in conv.formula.latex
