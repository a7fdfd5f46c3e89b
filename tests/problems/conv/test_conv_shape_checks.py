"""conv_network's shape check is the architecture analyzer's: sizes out of range are located refusals
(exit code 2), not a ZeroDivisionError; the layers' shapes are the analyzer's; and the messages keep
this family's words (the kernel's shape, W's rows)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nnsolve.cli import app

GOOD = """\
problem: conv_network
x: [[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [1, 0, 1, 0]]
layers:
  - conv2d: {kernel: [[1, 0], [0, 1]], bias: [0]}
  - max_pool2d: {pool: 2}
  - flatten: {}
  - dense: {W: [[1]], b: [0]}
"""


def solve(tmp_path, text: str):
    path = tmp_path / "conv.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["solve", str(path)])
    assert result.exit_code != 3, result.output
    return result


def test_the_good_file_solves(tmp_path):
    assert solve(tmp_path, GOOD).exit_code == 0


@pytest.mark.parametrize("old, new, message", [
    ("bias: [0]}", "bias: [0], stride: 0}", "layers[0].conv2d.stride: stride must be at least 1, got 0 (line 4)"),
    ("bias: [0]}", "bias: [0], dilation: 0}", "layers[0].conv2d.dilation: dilation must be at least 1, got 0"),
    ("bias: [0]}", "bias: [0], padding: -1}", "layers[0].conv2d.padding: padding must be at least 0, got -1"),
    ("{pool: 2}", "{pool: 0}", "layers[1].max_pool2d.pool: pool must be at least 1, got 0 (line 5)"),
    ("{pool: 2}", "{pool: 2, stride: 0}", "layers[1].max_pool2d.stride: stride must be at least 1, got 0"),
    ("{pool: 2}", "{pool: 2, padding: 2}", "layers[1].max_pool2d.padding: padding 2 is more than half the pooling"),
    ("{pool: 2}", "{pool: 4}", "layers[1].max_pool2d: the pooling window does not fit"),
    ("  - dense: {W: [[1]], b: [0]}", "  - dense: {W: [[1], [2]], b: [0]}",
     "layers[3].dense.W: is 2×1: layout in_out needs a row per input, 1 of them"),
    ("kernel: [[1, 0], [0, 1]], bias", "kernel: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]], bias",
     "layers[0].conv2d.kernel: has shape (1, 2, 2, 2): it takes 2 input channel(s) per group × 1 group(s), but its "
     "input has 1 channel(s)"),
    ("  - flatten: {}\n", "", "layers[2].dense: dense needs a vector input"),
])
def test_sizes_out_of_range_are_located(tmp_path, old, new, message):
    assert old in GOOD
    result = solve(tmp_path, GOOD.replace(old, new))
    assert result.exit_code == 2 and message in result.output, result.output


def test_transposed_output_padding_below_the_stride_or_dilation(tmp_path):
    text = GOOD.replace("  - conv2d: {kernel: [[1, 0], [0, 1]], bias: [0]}",
                        "  - conv_transpose2d: {kernel: [[1, 0], [0, 1]], stride: 2, output_padding: 2}")
    result = solve(tmp_path, text)
    assert result.exit_code == 2 and "layers[0].conv_transpose2d.output_padding: output_padding 2 must be smaller " \
                                      "than the stride 2 or the dilation 1" in result.output, result.output


def test_an_intermediate_too_large_to_compute_exactly_is_refused(tmp_path):
    text = GOOD.replace("  - conv2d: {kernel: [[1, 0], [0, 1]], bias: [0]}",
                        "  - conv_transpose2d: {kernel: [[1, 0], [0, 1]], stride: 300}")
    result = solve(tmp_path, text)
    assert result.exit_code == 2 and "numbers; at most 200,000 are computed exactly" in result.output, result.output


@pytest.mark.parametrize("target, message", [("[[]]", "target: has shape (1, 0)"),
                                             ("[[[]]]", "target: has shape (1, 1, 0)")])
def test_a_target_with_an_empty_axis_is_located(tmp_path, target, message):
    """(an IndexError before: found by the variants work's examples)"""
    text = GOOD.replace("  - dense: {W: [[1]], b: [0]}\n", "") + f"target: {target}\nloss: {{type: half_sse}}\n"
    result = solve(tmp_path, text)
    assert result.exit_code == 2 and message in result.output, result.output
