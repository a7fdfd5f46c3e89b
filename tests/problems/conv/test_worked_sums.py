"""Small conv and pooling layers written out entry by entry (Step.expansion), tensors as labelled grids per
channel (Step.axes), and the padding of the backward formulas. The sums are checked two ways: each entry's
terms, multiplied and added with fractions here, give the entry, and the entries are torch's; a few sums are
written out by hand."""
from __future__ import annotations

import json
import sys
import textwrap
from fractions import Fraction
from math import prod
from pathlib import Path

import pytest
import torch

from nnsolve import api
from nnsolve.render.text import render_text
from nnsolve.render.markdown import render_markdown

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import assert_close, floats, leaf  # noqa: E402
from problems.solving import solve_text  # noqa: E402

F = torch.nn.functional



def entry_value(e) -> Fraction:
    """What an expansion says its entry is, computed here from its terms."""
    values = [[Fraction(f) for f in term] for term in e.terms]
    if e.kind == "max":
        return max(v[0] for v in values)
    if e.kind == "mean":
        return sum((v[0] for v in values), Fraction(0)) / e.divisor
    return sum((prod(term) for term in values), Fraction(0))


def assert_sums_add_up(step):
    assert step.expansion, f"{step.id} is not written out"
    for e in step.expansion:
        assert entry_value(e) == step.value[e.index] == e.value, (step.id, e.index)


X = [[[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]], [[0, 1, 1, 0], [2, 2, 0, 1], [1, 0, 3, 3], [0, 1, 1, 1]]]
K = [[[[1, 0, 1], [-1, 2, 0], [0, 1, 1]], [[0, 1, 0], [1, 0, -1], [2, 0, 0]]]]


@pytest.mark.parametrize("operation", ["cross_correlation", "convolution"])
def test_conv_sums_add_up_and_match_torch(tmp_path, operation):
    g = [[[1, -1], [0, 2]]]
    s = solve_text(f"""\
        problem: conv_network
        conventions: {{operation: {operation}}}
        x: {json.dumps(X)}
        layers:
          - conv2d: {{kernel: {json.dumps(K)}, bias: [0.5], stride: 2, padding: 1}}
        upstream: {json.dumps(g)}
        """, tmp_path)
    x, k, b = leaf([X]), leaf(K), leaf([0.5])
    kernel = k.flip(-1, -2) if operation == "convolution" else k
    z = F.conv2d(x, kernel, b, stride=2, padding=1)
    z.backward(torch.tensor(floats([g])))
    for quantity, theirs in (("z1", z[0]), ("dL/dK1", k.grad), ("dL/db1", b.grad), ("dL/dx", x.grad[0])):
        assert_close(s.value(quantity), theirs, quantity)
        assert_sums_add_up(s.step(quantity))
    if operation == "cross_correlation":
        # z[0][0][0]: the window at (−1, −1) of the padded x, over both channels, then the bias; by hand
        first = s.step("z1").expansion[0]
        assert first.index == (0, 0, 0)
        assert [tuple(map(Fraction, t)) for t in first.terms] == [
            (0, 1), (0, 0), (0, 1), (0, -1), (1, 2), (2, 0), (0, 0), (0, 1), (1, 1),
            (0, 0), (0, 1), (0, 0), (0, 1), (0, 0), (1, -1), (0, 2), (2, 0), (2, 0), (Fraction(1, 2),)]


@pytest.mark.parametrize("kind", ["max_pool2d", "avg_pool2d"])
def test_pool_sums_add_up_and_match_torch(tmp_path, kind):
    g = [[[1, -1], [0, 2]], [[0.5, 1], [1, 2]]]
    s = solve_text(f"""\
        problem: conv_network
        x: {json.dumps(X)}
        layers:
          - {kind}: {{pool: 3, stride: 2, padding: 1}}
        upstream: {json.dumps(g)}
        """, tmp_path)
    x = leaf([X])
    z = (F.max_pool2d if kind == "max_pool2d" else F.avg_pool2d)(x, 3, stride=2, padding=1)
    z.backward(torch.tensor(floats([g])))
    assert_close(s.value("z1"), z[0])
    assert_close(s.value("dL/dx"), x.grad[0])
    assert_sums_add_up(s.step("z1"))
    assert_sums_add_up(s.step("dL/dx")) if kind == "avg_pool2d" else None
    if kind == "max_pool2d":
        # the first window (rows −1..1, columns −1..1) reads 1, 2, 0, 1 of channel 0; −∞ padding is left out
        first = s.step("z1").expansion[0]
        assert first.kind == "max" and [t[0] for t in first.terms] == [1, 2, 0, 1] and first.value == 2
        # every cell that collects a gradient: the sum of what its windows route to it
        for e in s.step("dL/dx").expansion:
            assert entry_value(e) == s.value("dL/dx")[e.index]
            # each term is named by the ∂L/∂z₁ entry it is routed from
            assert all(source == "dL/dz1" and s.value(source)[at] == term[0]
                       for (source, at), term in zip(e.sources, e.terms))
        # x[0][0][1] = 2 is the maximum of the first window only: ∂L/∂x[0][0][1] = ∂L/∂z₁[0][0][0] = 1
        assert "    ∂L/∂x[0][0][1] = ∂L/∂z₁[0][0][0] = 1\n" in render_text(s)


def test_a_large_layer_is_not_written_out(tmp_path):
    x = [[(i * 7 + j) % 5 for j in range(8)] for i in range(8)]
    s = solve_text(f"""\
        problem: conv_network
        x: {x}
        layers:
          - conv2d: {{kernel: [[1, 0], [0, 1]]}}
        upstream: {[[[1] * 7] * 7]}
        """, tmp_path)
    assert s.value("z1").size == 49 and not s.step("z1").expansion      # over 36 entries
    # ∂L/∂K has 4 entries, but each sums 49 products: past 32 terms, and turned down before they are built
    assert s.value("dL/dK1").size == 4 and not s.step("dL/dK1").expansion
    assert not any(name == "sums" for name, _ in s.conventions)


def test_grids_sums_and_padding_as_printed(tmp_path):
    s = solve_text("""\
        problem: conv_network
        x: [[1, 2, 0], [0, 1, 3], [2, 1, 0]]
        layers:
          - conv2d: {kernel: [[1, 0], [-1, 2]], bias: [0.5], padding: 1}
        upstream: [[[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, -1]]]
        ask: [z1, dL/dK1, dL/dx]
        """, tmp_path)
    text = render_text(s)
    # a grid per channel, labelled; no [[[ for a 3-D tensor
    assert "  x = channel 0: [[1, 2, 0],\n                  [0, 1, 3],\n                  [2, 1, 0]]" in text
    assert "K₁ = filter 0, channel 0: [[ 1, 0],\n" in text
    assert "[[[" not in text
    # z₁[0][0][0] reads only x[0][0] (the rest is padding): 0·1 + 0·0 + 0·(−1) + 1·2 + 0.5 = 2.5
    assert "    z₁[0][0][0] = 0·1 + 0·0 + 0·(-1) + 1·2 + 0.5 = 2.5\n" in text
    # e − 1 − p = 2 − 1 − 1 = 0: the full convolution needs no padding here; ∂L/∂K pads x by 1
    assert "∂L/∂x = (∂L/∂z₁) ⋆ rot180(K₁)" in text
    assert "∂L/∂K₁ = pad₁(x) ⋆ (∂L/∂z₁)" in text
    markdown = render_markdown(s)
    assert r"\underset{\text{channel 0}}{\begin{bmatrix}" in markdown
    assert r"z_{1}[0][0][0] &= 0 \cdot 1 + 0 \cdot 0 + 0 \cdot (-1) + 1 \cdot 2 + 0.5 = 2.5" in markdown


def test_full_convolution_padding_with_a_stride(tmp_path):
    """n = 4, k = 3, p = 1, s = 2: 2 outputs; the gradient dilated to 3 entries is padded by e − 1 − p = 1 before
    and 1 + 1 = 2 after (the stride leaves the last row unread), so 1 + 3 + 2 − 3 + 1 = 4 rows come back."""
    s = solve_text("""\
        problem: conv_network
        x: [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]]
        layers:
          - conv2d: {kernel: [[1, 0, 1], [-1, 2, 0], [0, 1, 1]], stride: 2, padding: 1}
        upstream: [[[1, -1], [0, 2]]]
        """, tmp_path)
    assert s.step("dL/dx").formula.text == "pad[(1, 2), (1, 2)](dilate₂({0})) ⋆ rot180({1})"
    assert s.step("dL/dK1").formula.text == "pad₁({1}) ⋆ dilate₂({0})"


def test_batched_grouped_dilated_sums_add_up_and_match_torch(tmp_path):
    xs = [X, [[[v - 1 for v in row] for row in channel] for channel in X]]
    kernel = [[[[1, -1], [0, 2]]], [[[0, 1], [1, 0]]]]
    g = [[[[1, 0], [2, -1]], [[0, 1], [1, 1]]], [[[-1, 1], [0, 0]], [[2, 0], [0, 1]]]]
    s = solve_text(f"""\
        problem: conv_network
        batch: true
        x: {json.dumps(xs)}
        layers:
          - conv2d: {{kernel: {json.dumps(kernel)}, bias: [1, -1], groups: 2, dilation: 2}}
        upstream: {json.dumps(g)}
        """, tmp_path)
    x, k, b = leaf(xs), leaf(kernel), leaf([1, -1])
    z = F.conv2d(x, k, b, groups=2, dilation=2)
    z.backward(torch.tensor(floats(g)))
    for quantity, theirs in (("z1", z), ("dL/dK1", k.grad), ("dL/db1", b.grad)):
        assert_close(s.value(quantity), theirs, quantity)
        assert_sums_add_up(s.step(quantity))
    assert_close(s.value("dL/dx"), x.grad)
    assert not s.step("dL/dx").expansion          # 64 entries: past the 36 written out
    assert s.step("z1").axes == ("sample", "channel") and s.step("K1").axes == ("filter", "channel")


def test_a_pinned_value_is_not_written_out(tmp_path):
    """A pinned z₁ is not the sum of its terms; what is computed from it still is."""
    path = tmp_path / "p.yaml"
    path.write_text(textwrap.dedent("""\
        problem: conv_network
        x: [[1, 2, 0], [0, 1, 3], [2, 1, 0]]
        layers:
          - conv2d: {kernel: [[1, 0], [-1, 2]]}
          - max_pool2d: {pool: 2, stride: 1}
        upstream: [[[1]]]
        """))
    s = api.solve(api.load(path), pins={"z1": [[[1, 2], [3, 4]]]})
    assert not s.step("z1").expansion
    assert s.value("z2").tolist() == [[[4]]]
    assert_sums_add_up(s.step("z2"))


@pytest.mark.parametrize("operation, kernel_words", [("cross_correlation", "the kernel rotated 180°"),
                                                     ("convolution", "the kernel as given")])
def test_the_input_gradient_note_gives_the_padding_in_numbers(tmp_path, operation, kernel_words):
    """k = 3, p = 1, s = 2 on n = 4: e − 1 − p = 1 before; after, 1 more for the row the stride leaves unread
    ((4 + 2 − 3) mod 2 = 1)."""
    s = solve_text(f"""\
        problem: conv_network
        conventions: {{operation: {operation}}}
        x: [[1, 2, 0, 1], [0, 1, 3, 1], [2, 1, 0, 0], [1, 0, 1, 2]]
        layers:
          - conv2d: {{kernel: [[1, 0, 1], [-1, 2, 0], [0, 1, 1]], stride: 2, padding: 1}}
        upstream: [[[1, -1], [0, 2]]]
        """, tmp_path)
    note = s.step("dL/dx").note
    assert "dilated by the stride 2 (1 zero between entries)" in note
    assert "e − 1 − p = 3 − 1 − 1 = 1 before and 3 − 1 − 1 + 1 = 2 after" in note and kernel_words in note
