"""The sizes a snippet declares are checked against the shapes that arrive, as PyTorch (or Keras) would
when building or running it: a mismatch is exit code 2 naming the line and both sizes, never a count
for a network that cannot run. Lazy layers declare nothing and are counted from what arrives."""
from __future__ import annotations

import pytest
import torch
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app

runner = CliRunner()

LENET = """# input: 1x28x28
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(16 * 5 * 5, 64),
    nn.Linear(64, 10),
)
"""


def summary(tmp_path, text: str, *options: str):
    path = tmp_path / "model.py"
    path.write_text(text)
    result = runner.invoke(app, ["summary", str(path), *options])
    assert result.exit_code != 3, result.output
    return result


def refused(tmp_path, text: str, message: str, *options: str) -> None:
    result = summary(tmp_path, text, *options)
    assert result.exit_code == 2 and message in result.output, result.output


def test_lenet_written_for_32x32_on_a_28x28_input(tmp_path):
    """Before: 20,522 parameters and exit 0; PyTorch cannot run it (256 features arrive, 400 declared)."""
    refused(tmp_path, LENET, "line 8: Linear declares 400 inputs, 256 arrive (16×4×4)")


def test_lenet_with_the_sizes_that_arrive_matches_torch(tmp_path):
    text = LENET.replace("16 * 5 * 5", "16 * 4 * 4")
    result = summary(tmp_path, text)
    namespace: dict = {}
    exec(compile(text, "<test>", "exec"), namespace)      # noqa: S102 — the test's own text, the oracle
    assert result.exit_code == 0 and f"{sum(p.numel() for p in namespace['model'].parameters()):,}" in result.output


@pytest.mark.parametrize("layers, shape, message", [
    ("nn.Conv2d(3, 8, 3), nn.Conv2d(6, 4, 3)", "3x10x10", "line 2: Conv2d declares 6 input channels, 8 arrive"),
    ("nn.Conv2d(3, 16, 3), nn.BatchNorm2d(32)", "3x10x10", "line 2: BatchNorm2d declares 32 channels, 16 arrive"),
    ("nn.ConvTranspose2d(2, 4, 2)", "3x5x5", "line 2: ConvTranspose2d declares 2 input channels, 3 arrive"),
    ("nn.LSTM(8, 16)", "5x10", "line 2: LSTM declares 8 input features, 10 arrive"),
    ("nn.Linear(10, 6), nn.LayerNorm(8)", "4x10", "line 2: LayerNorm declares the normalized shape (8,), (6,) arrives"),
    ("nn.Linear(10, 6), nn.BatchNorm1d(4)", "10", "line 2: BatchNorm1d declares 4 channels, 6 arrive"),
])
def test_declared_pytorch_sizes_are_checked(tmp_path, layers, shape, message):
    refused(tmp_path, f"import torch.nn as nn\nmodel = nn.Sequential({layers})\n", message, "--input-shape", shape)


def test_attention_embed_dim_is_checked(tmp_path):
    text = ("import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.attn = nn.MultiheadAttention(16, 4)\n\n    def forward(self, x):\n"
            "        out, _ = self.attn(x, x, x)\n        return out\n")
    refused(tmp_path, text, "line 5: MultiheadAttention declares 16 features, 12 arrive", "--input-shape", "5x12")


def test_lazy_layers_are_counted_from_what_arrives(tmp_path):
    text = ("import torch.nn as nn\nmodel = nn.Sequential(nn.LazyConv2d(6, 5), nn.LazyBatchNorm2d(), nn.ReLU(),\n"
            "    nn.MaxPool2d(2), nn.Flatten(), nn.LazyLinear(10))\n")
    namespace: dict = {}
    exec(compile(text, "<test>", "exec"), namespace)      # noqa: S102 — the test's own text, the oracle
    model = namespace["model"]
    model(torch.zeros(2, 1, 28, 28))                      # materialises the lazy parameters
    analysis = nnsolve.summarize(_write(tmp_path, text), input_shape=(1, 28, 28))
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())


def _write(tmp_path, text: str):
    path = tmp_path / "lazy.py"
    path.write_text(text)
    return path


KERAS = """from tensorflow.keras import layers, Sequential
model = Sequential([
    layers.Conv2D(8, 3, input_shape=(28, 28, 1)),
    layers.Flatten(),
    {dense},
])
"""


def test_keras_input_shape_on_a_later_layer_is_checked(tmp_path):
    refused(tmp_path, KERAS.format(dense="layers.Dense(10, input_shape=(100,))"),
            "line 5: Dense declares the input shape (100,), (5408,) arrives")
    refused(tmp_path, KERAS.format(dense="layers.Dense(10, input_dim=64)"),
            "line 5: Dense declares the input shape (64,), (5408,) arrives")
    assert summary(tmp_path, KERAS.format(dense="layers.Dense(10, input_shape=(5408,))")).exit_code == 0


def test_keras_embedding_input_dim_is_its_vocabulary(tmp_path):
    """`input_dim` of Embedding was taken for an input shape and the argument itself left missing."""
    text = ("from tensorflow.keras import layers, Sequential\nmodel = Sequential([layers.Embedding(input_dim=1000, "
            "output_dim=8), layers.LSTM(4)])\nmodel.build((None, 20))\n")
    analysis = nnsolve.summarize(_write(tmp_path, text))
    assert analysis.architecture.input_shape == (20,)
    assert [r.params for r in analysis.layers] == [0, 8000, 4 * (4 * (8 + 4) + 4)]


def test_keras_transposed_output_padding_follows_keras(tmp_path):
    text = ("from tensorflow.keras import layers, Sequential\nmodel = Sequential([\n"
            "    layers.Conv2DTranspose(4, 3, strides=2, input_shape=(5, 5, 2)),\n"
            "    layers.Conv2DTranspose(4, 3, strides=2, padding='same', output_padding={op}),\n])\n")
    shapes = [r.shape for r in nnsolve.summarize(_write(tmp_path, text.format(op=1))).layers]
    assert shapes[1:] == [(11, 11, 4), (22, 22, 4)]             # (5 − 1)·2 + max(3, 2); (11 − 1)·2 + 3 − 2 + 1
    refused(tmp_path, text.format(op=2), "line 4: Conv2DTranspose argument 'output_padding'")
