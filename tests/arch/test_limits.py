"""Absurd sizes in an architecture — too many layers, a size no layer has, a tensor or a receptive field
beyond any input — are refused before the work, with the layer's place and the limit's name, and fast:
`summary` exits 2, never 3, never hangs. Message places: a layer list's key and line, a snippet's line;
`--flops` only for a bad FLOP convention."""
from __future__ import annotations

import time

import pytest

from cli_runner import invoke
from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import read_layers
from nnsolve.arch.rules import ArchitectureError
from nnsolve.limits import MAX_LAYERS as LAYERS, MAX_SIZE as SIZE, MAX_TENSOR_ELEMENTS as ELEMENTS

MAX_LAYERS, MAX_SIZE, MAX_TENSOR_ELEMENTS = LAYERS.default, SIZE.default, ELEMENTS.default

SECONDS = 5            # each refusal takes well under a second; CI machines vary


def summary(tmp_path, text: str, *options: str, suffix: str = ".yaml"):
    path = tmp_path / f"model{suffix}"
    path.write_text(text)
    began = time.perf_counter()
    result = invoke("summary", path, *options)
    return result, time.perf_counter() - began


def refused(tmp_path, text: str, *options: str, suffix: str = ".yaml") -> str:
    result, seconds = summary(tmp_path, text, *options, suffix=suffix)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert seconds < SECONDS, seconds
    return result.stderr


def layer_list(*layers: str, shape: str = "[8, 8, 4]") -> str:
    return f"problem: architecture\ninput: {{shape: {shape}}}\nlayers:\n" + "".join(f"  - {{{l}}}\n" for l in layers)


def test_more_layers_than_max_layers_is_refused_at_the_layers_key(tmp_path):
    text = "problem: architecture\ninput: {shape: [4]}\nlayers:\n" + "- {kind: flatten}\n" * (MAX_LAYERS + 1)
    message = refused(tmp_path, text)
    assert f"layers: {MAX_LAYERS + 1:,} layers: an architecture has at most {MAX_LAYERS:,} (raise it with NNSOLVE_MAX_LAYERS) (line 3)" \
        in message


def test_a_bundled_like_list_of_240000_layers_is_refused_before_one_is_read():
    # generate.py's files are read by the same function: the count is checked before any layer
    began = time.perf_counter()
    arch, issues = read_layers({"input": {"shape": [4]}, "layers": [{"kind": "dense", "units": 4}] * 240_000})
    assert arch is None and issues == [(("layers",), "240,000 layers: an architecture has at most 10,000 "
                                                  "(raise it with NNSOLVE_MAX_LAYERS)")]
    assert time.perf_counter() - began < 1


def test_an_architecture_built_in_python_is_held_to_the_same_limits():
    layers = [Layer(f"d{i}", "dropout") for i in range(MAX_LAYERS + 1)]
    with pytest.raises(ArchitectureError, match="NNSOLVE_MAX_LAYERS"):
        analyze(Architecture("big", (4,), "channels_last", layers))
    with pytest.raises(ArchitectureError, match="NNSOLVE_MAX_TENSOR_ELEMENTS"):
        analyze(Architecture("wide", (10 ** 7, 10 ** 7), "channels_last", [Layer("d", "dropout")]))
    with pytest.raises(ArchitectureError, match="whole sizes ≥ 1"):
        analyze(Architecture("zero", (0, 3), "channels_last", [Layer("d", "dropout")]))


@pytest.mark.parametrize("layer, message", [
    ("kind: conv2d, filters: -16, kernel: 3", "layers[0].filters: expected a whole number ≥ 1, got -16 (line 4)"),
    ("kind: conv2d, filters: 0, kernel: 3", "layers[0].filters: expected a whole number ≥ 1, got 0 (line 4)"),
    ("kind: dense, units: 2.5", "layers[0].units: expected a whole number ≥ 1, got 2.5 (line 4)"),
    ("kind: dense, units: 10000000000", f"layers[0].units: expected at most {MAX_SIZE:,} (no layer comes near; raise it with NNSOLVE_MAX_SIZE), "
                                       "got 10000000000"),
    ("kind: conv2d, filters: 4, kernel: 3, stride: 1e300", "layers[0].stride: expected at most"),
    ("kind: batch_norm, momentum: 5", "layers[0].momentum: expected a number from 0 to 1, got 5 (line 4)"),
    ("kind: dropout, rate: 1", "layers[0].rate: expected a drop rate below 1, got 1 (line 4)"),
    ("kind: conv_transpose2d, filters: 4, kernel: 3, stride: 1000000000",
     f"layers[0]: conv_transpose2d: its output (7000000003, 7000000003, 4) holds 196,000,000,168,000,000,036 "
     f"values; at most {MAX_TENSOR_ELEMENTS:,} in any tensor (raise it with NNSOLVE_MAX_TENSOR_ELEMENTS) (line 4)"),
])
def test_every_setting_is_range_checked_in_a_layer_list(tmp_path, layer, message):
    assert message in refused(tmp_path, layer_list(layer))


def test_an_input_shape_beyond_any_input_is_refused_at_its_key(tmp_path):
    message = refused(tmp_path, layer_list("kind: flatten", shape="[100000000000, 2]"))
    assert f"input.shape: expected at most {MAX_SIZE:,} (no layer comes near; raise it with NNSOLVE_MAX_SIZE)" \
        in message and "(line 2)" in message
    message = refused(tmp_path, layer_list("kind: flatten", shape="[1000000, 1000000, 10]"))
    assert "input.shape: holds 10,000,000,000,000 values; at most 1,000,000,000,000 in any tensor (raise it with " \
           "NNSOLVE_MAX_TENSOR_ELEMENTS) (line 2)" in message
    text = layer_list("kind: flatten").replace("layers:", "compare_input: {shape: [1000000, 1000000, 10]}\nlayers:")
    assert "compare_input.shape: holds 10,000,000,000,000 values" in refused(tmp_path, text)


def test_a_receptive_field_beyond_any_input_is_refused_at_its_layer(tmp_path):
    # strides of 10⁶ on a 1×1 map keep every shape 1×1, but the jump between units multiplies to 10¹⁸
    layers = ["kind: conv2d, filters: 1, kernel: 1, stride: 1000000"] * 3
    message = refused(tmp_path, layer_list(*layers, shape="[1, 1, 1]"))
    assert "layers[2]: conv2d_2: its receptive field spans more than 1,000,000,000,000 positions" in message
    assert "(raise it with NNSOLVE_MAX_TENSOR_ELEMENTS)" in message and "(line 6)" in message


# -- where a message goes: --flops for the convention, the snippet's line for the rest ---------------
SNIPPET = """# input: 3x8x8
import torch.nn as nn
model = nn.Sequential(
    nn.Conv2d(3, 4, 3),
    nn.Flatten(),
    nn.Linear(100, 2),
)
"""


def test_a_bad_flop_convention_is_reported_at_flops(tmp_path):
    message = refused(tmp_path, SNIPPET.replace("100", "144"), "--flops", "3mac", suffix=".py")
    assert message.startswith("1 problem in the input:\n  --flops: a FLOP convention starts with 'mac' or '2mac'")


def test_an_analysis_error_in_a_snippet_is_reported_at_its_line_not_at_flops(tmp_path):
    message = refused(tmp_path, SNIPPET, "--flops", "2mac+bias", suffix=".py")
    assert "--flops" not in message
    assert "line 6: Linear declares 100 inputs, 144 arrive (4×6×6)" in message
    message = refused(tmp_path, SNIPPET.replace("nn.Conv2d(3, 4, 3)", "nn.Conv2d(3, 4, 9)"), suffix=".py")
    assert "line 4: Conv2d '0': the kernel does not fit" in message


def test_an_analysis_error_in_a_layer_list_is_reported_at_its_layer_with_flops_given(tmp_path):
    message = refused(tmp_path, layer_list("kind: conv2d, filters: 4, kernel: 9"), "--flops", "mac+bias")
    assert "--flops" not in message and "layers[0]" in message and "(line 4)" in message
