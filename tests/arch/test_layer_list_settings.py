"""A YAML layer list is never read silently wrong: every key is a setting of its kind or a Keras/PyTorch
spelling of one (read as it and said so in the solution), anything else is refused with its place and
a suggestion, a missing setting is named, sizes out of range are located, and an input size a layer
states is checked against the one that arrives. Through the CLI in-process: `solve` and `summary` read
the same layer list."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app

runner = CliRunner()

HEAD = "problem: architecture\ninput: {shape: [28, 28, 1]}\nlayers:\n"


def run(tmp_path, layers: str, command: str = "solve"):
    path = tmp_path / "layers.yaml"
    path.write_text(HEAD + layers)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code != 3, result.output
    return result


def refused(tmp_path, layers: str, *expected: str) -> str:
    for command in ("solve", "summary"):
        result = run(tmp_path, layers, command)
        assert result.exit_code == 2, result.output
        for text in expected:
            assert text in result.output, result.output
    return result.output


def test_keras_strides_is_the_stride_and_the_solution_says_so(tmp_path):
    layers = "  - {kind: conv2d, filters: 6, kernel: 5, strides: 2, padding: same}\n"
    assert run(tmp_path, layers).exit_code == 0          # before: read as stride 1, 28×28×6
    solution = nnsolve.solve(str(tmp_path / "layers.yaml"))
    assert [int(v) for v in solution.value("conv2d.output_shape")] == [14, 14, 6]
    assert dict(solution.conventions)["aliases"] == "strides read as stride (Keras spelling) in conv2d"
    summary = run(tmp_path, layers, "summary")
    assert summary.exit_code == 0 and "(14, 14, 6)" in summary.output
    assert "strides read as stride (Keras spelling)" in summary.output


@pytest.mark.parametrize("layers, shapes", [
    ("  - {kind: conv2d, filters: 6, kernel_size: 5}\n  - {kind: max_pool2d, pool_size: 2}\n",
     {"conv2d": [24, 24, 6], "max_pool2d": [12, 12, 6]}),
    ("  - {kind: conv2d, out_channels: 4, kernel_size: 3, use_bias: false, in_channels: 1}\n"
     "  - {kind: batch_norm, num_features: 4}\n  - {kind: flatten}\n"
     "  - {kind: dense, out_features: 10, in_features: 2704}\n  - {kind: dense, filters: 3}\n",
     {"conv2d": [26, 26, 4], "dense": [10], "dense_1": [3]}),
    ("  - {kind: conv2d, units: 8, kernel: 3, dilation_rate: 2, padding: SAME}\n", {"conv2d": [28, 28, 8]}),
])
def test_keras_and_pytorch_spellings_are_read(tmp_path, layers, shapes):
    assert run(tmp_path, layers).exit_code == 0
    solution = nnsolve.solve(str(tmp_path / "layers.yaml"))
    for name, shape in shapes.items():
        assert [int(v) for v in solution.value(f"{name}.output_shape")] == shape
    assert "read as" in dict(solution.conventions)["aliases"]


def test_the_counts_under_the_aliases_are_the_canonical_ones(tmp_path):
    run(tmp_path, "  - {kind: conv2d, out_channels: 4, kernel_size: 3, use_bias: false}\n")
    aliased = nnsolve.solve(str(tmp_path / "layers.yaml"))
    run(tmp_path, "  - {kind: conv2d, filters: 4, kernel: 3, bias: false}\n")
    plain = nnsolve.solve(str(tmp_path / "layers.yaml"))
    assert int(aliased.value("conv2d.params")[()]) == int(plain.value("conv2d.params")[()]) == 36
    assert "aliases" not in dict(plain.conventions)


def test_recurrent_hidden_size(tmp_path):
    path = tmp_path / "rnn.yaml"
    path.write_text("problem: architecture\nframework: pytorch\ninput: {shape: [5, 3]}\nlayers:\n"
                    "  - {kind: lstm, hidden_size: 4, input_size: 3}\n")
    assert int(nnsolve.solve(str(path)).value("lstm.params")[()]) == 4 * (4 * (3 + 4) + 2 * 4)


def test_an_unknown_key_is_refused_with_a_suggestion(tmp_path):
    refused(tmp_path, "  - {kind: conv2d, filters: 6, kernel: 5, strde: 2}\n",
            "layers[0].strde: conv2d has no setting 'strde'; did you mean 'stride'?", "(line 4)")


def test_a_key_another_kind_takes_is_refused(tmp_path):
    refused(tmp_path, "  - {kind: max_pool2d, pool: 2, dilation: 2}\n", "layers[0].dilation: max_pool2d has no setting")


def test_kernel_size_and_pool_size_without_aliases_were_a_type_error(tmp_path):
    """Before: `int() argument … NoneType`; a missing setting is now named."""
    refused(tmp_path, "  - {kind: conv2d, filters: 6}\n", "layers[0]: conv2d needs kernel (the kernel size)")
    refused(tmp_path, "  - {kind: dense}\n", "layers[0]: dense needs units")


def test_a_setting_given_twice_is_refused(tmp_path):
    refused(tmp_path, "  - {kind: conv2d, filters: 6, kernel: 5, stride: 1, strides: 2}\n",
            "'strides' and 'stride' both give the stride")


@pytest.mark.parametrize("layer, place", [
    ("{kind: conv2d, filters: 6, kernel: 5, stride: 0}", "layers[0].stride"),
    ("{kind: conv2d, filters: 6, kernel: 5, strides: 0}", "layers[0].strides"),
    ("{kind: conv2d, filters: 6, kernel: 0}", "layers[0].kernel"),
    ("{kind: conv2d, filters: 6, kernel: 3, dilation: 0}", "layers[0].dilation"),
    ("{kind: max_pool2d, pool: 0}", "layers[0].pool"),
    ("{kind: max_pool2d, pool_size: 0}", "layers[0].pool_size"),
    ("{kind: max_pool2d, pool: 2, padding: 2}", "layers[0].padding"),
    ("{kind: conv2d, filters: 6, kernel: 3, padding: causal}", "layers[0].padding"),
    ("{kind: conv2d, filters: 6, kernel: 3, bias: maybe}", "layers[0].bias"),
])
def test_sizes_out_of_range_are_located(tmp_path, layer, place):
    refused(tmp_path, f"  - {layer}\n", place, "(line 4)")


def test_a_window_that_does_not_fit_is_located(tmp_path):
    refused(tmp_path, "  - {kind: conv2d, filters: 6, kernel: 29}\n", "layers[0]", "does not fit", "(line 4)")


@pytest.mark.parametrize("layers, message", [
    ("  - {kind: conv2d, filters: 6, kernel: 5, in_channels: 3}\n", "conv2d declares 3 input channels, 1 arrive"),
    ("  - {kind: conv2d, filters: 6, kernel: 5}\n  - {kind: flatten}\n  - {kind: dense, units: 10, in_features: 400}\n",
     "dense declares 400 inputs, 3456 arrive (24×24×6)"),
    ("  - {kind: conv2d, filters: 6, kernel: 5}\n  - {kind: batch_norm, num_features: 16}\n",
     "batch_norm declares 16 channels, 6 arrive"),
    ("  - {kind: conv2d, filters: 6, kernel: 5, input_shape: [32, 32, 1]}\n",
     "conv2d declares the input shape (32, 32, 1), (28, 28, 1) arrives"),
])
def test_a_stated_input_size_that_does_not_arrive_is_refused(tmp_path, layers, message):
    refused(tmp_path, layers, message)


def test_stated_input_sizes_that_arrive_are_fine(tmp_path):
    result = run(tmp_path, "  - {kind: conv2d, filters: 6, kernel: 5, in_channels: 1}\n  - {kind: flatten}\n"
                           "  - {kind: dense, units: 10, in_features: 3456}\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("layer, place, message", [
    ("{kind: conv2d, filters: 6, kernel: 3, inputs: 5}", "layers[0].inputs", "expected a layer's name"),
    ("{kind: layer_norm, axes: [5]}", "layers[0].axes", "the input has 3 axes"),
    ("{kind: concat, axis: 7, inputs: [input, input]}", "layers[0].axis", "the inputs have 3 axes"),
    ("{kind: conv1d, filters: 2, kernel: 3}", "layers[0]", "needs an input of channels and 1 spatial axis"),
])
def test_axes_that_are_not_there_are_located(tmp_path, layer, place, message):
    refused(tmp_path, f"  - {layer}\n", place, message, "(line 4)")
