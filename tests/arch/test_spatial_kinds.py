"""Adaptive pools, pixel shuffles, Identity, Lazy modules and registered buffers against float64 torch
modules; Keras's 1-D global pools and Embedding(input_length=) by Keras's documented rules."""
import math

import pytest
import torch
from torch import nn

from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import read_layers
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet


def chain(shape, *layers, framework="pytorch", layout="channels_first"):
    arch = Architecture("s", tuple(shape), layout,
                        [Layer(f"l{i}", kind, settings) for i, (kind, settings) in enumerate(layers)],
                        framework=framework)
    return analyze(arch)


def windows(n, m):
    """PyTorch's adaptive windows along one axis, written out: [⌊i·n/m⌋, ⌈(i + 1)·n/m⌉)."""
    return [math.ceil((i + 1) * n / m) - (i * n) // m for i in range(m)]


@pytest.mark.parametrize("kind, module, shape, size", [
    ("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d, (3, 13, 13), (6, 6)),
    ("adaptive_max_pool2d", nn.AdaptiveMaxPool2d, (3, 12, 7), (4, None)),
    ("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d, (2, 5, 9), (7, 2)),      # more outputs than inputs
    ("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d, (4, 10), (3,)),
    ("adaptive_max_pool1d", nn.AdaptiveMaxPool1d, (4, 12), (4,)),
])
def test_adaptive_pools_match_torch(kind, module, shape, size):
    report = chain(shape, (kind, {"output_size": size})).layers[0]
    out = module(size if len(size) > 1 else size[0])(torch.zeros(1, *shape, dtype=torch.float64))
    assert report.shape == tuple(out.shape[1:])
    sizes = [n if m is None else m for n, m in zip(shape[1:], size)]
    reads = math.prod(sum(windows(n, m)) for n, m in zip(shape[1:], sizes))
    assert report.effect.work["pooling"] == shape[0] * reads
    assert report.params == 0 and report.macs == 0


def test_adaptive_pool_that_divides_is_a_plain_pool():
    adaptive = chain((3, 12, 12), ("adaptive_avg_pool2d", {"output_size": 4})).layers[0]
    plain = chain((3, 12, 12), ("avg_pool2d", {"pool": 3})).layers[0]
    assert adaptive.shape == plain.shape and adaptive.field == plain.field
    assert adaptive.effect.work == plain.effect.work


def test_adaptive_pool_field_is_the_largest_window():
    # 13 → 6: the windows written out are all 3 wide, starting at 0, 2, 4, 6, 8, 10
    largest = max(windows(13, 6))
    report = chain((1, 13, 13), ("adaptive_max_pool2d", {"output_size": 6})).layers[0]
    assert [f.size for f in report.field] == [largest, largest]
    assert [f.jump for f in report.field] == [2, 2]


def test_adaptive_windows_along_an_axis_written_out():
    from nnsolve.geometry import adaptive
    for n in range(1, 40):
        for m in range(1, 40):
            sizes = windows(n, m)
            starts = [(i * n) // m for i in range(m)]
            steps = [b - a for a, b in zip(starts, starts[1:])]
            a = adaptive(n, m)
            assert (a.window, a.reads) == (max(sizes), sum(sizes))
            assert a.step == max(steps, default=n // m)


def test_alexnet_classifier_input_through_adaptive_pool():
    arch = parse_snippet("""
import torch.nn as nn
model = nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d((6, 6)),
                      nn.Flatten(), nn.Identity(), nn.Linear(64 * 6 * 6, 10))
""", input_shape=(3, 100, 100))
    model = nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d((6, 6)),
                          nn.Flatten(), nn.Identity(), nn.Linear(64 * 6 * 6, 10))
    a = analyze(arch)
    assert a.totals["params"] == sum(p.numel() for p in model.parameters())
    assert a.layers[-1].shape == tuple(model(torch.zeros(1, 3, 100, 100)).shape[1:])


@pytest.mark.parametrize("kind, module, shape, r", [
    ("pixel_shuffle", nn.PixelShuffle, (12, 5, 4), 2), ("pixel_shuffle", nn.PixelShuffle, (18, 3, 3), 3),
    ("pixel_unshuffle", nn.PixelUnshuffle, (3, 8, 6), 2),
])
def test_pixel_shuffles_match_torch(kind, module, shape, r):
    report = chain(shape, (kind, {"factor": r})).layers[0]
    assert report.shape == tuple(module(r)(torch.zeros(1, *shape, dtype=torch.float64)).shape[1:])


def test_pixel_shuffle_receptive_field_after_a_convolution():
    # a 3×3 convolution, then PixelShuffle(2): output pixel (y, x) comes from conv output (y//2, x//2),
    # which saw 3 input positions; neighbouring outputs step half an input position
    report = chain((8, 6, 6), ("conv2d", {"filters": 8, "kernel": 3, "padding": 1}),
                   ("pixel_shuffle", {"factor": 2})).layers[-1]
    assert [(f.size, f.jump) for f in report.field] == [(3, 0.5), (3, 0.5)]


@pytest.mark.parametrize("layer, message", [
    (("pixel_shuffle", {"factor": 2}), r"not a multiple of 2\^2 = 4"),
    (("pixel_unshuffle", {"factor": 4}), "not multiples of 4"),
    (("adaptive_avg_pool2d", {"output_size": (2, 2, 2)}), "3 entries"),
])
def test_refusals(layer, message):
    with pytest.raises(ArchitectureError, match=message):
        chain((6, 6, 6), layer)


def test_lazy_modules_are_counted_from_the_arriving_shape():
    arch = parse_snippet("""
import torch.nn as nn
model = nn.Sequential(nn.LazyConv2d(16, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(),
                      nn.LazyLinear(10))
""", input_shape=(3, 8, 8))
    model = nn.Sequential(nn.LazyConv2d(16, 3, padding=1), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(),
                          nn.LazyLinear(10)).double()
    out = model(torch.zeros(2, 3, 8, 8, dtype=torch.float64))         # materializes the lazy parameters
    a = analyze(arch)
    assert a.totals["params"] == sum(p.numel() for p in model.parameters())
    assert a.totals["buffers"] == sum(b.numel() for name, b in model.named_buffers() if "num_batches" not in name)
    assert a.layers[-1].shape == tuple(out.shape[1:])


def test_registered_buffer_is_a_buffer_not_a_parameter():
    class Positional(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("pe", torch.zeros(1, 50, 16))

        def forward(self, x):
            return x + self.pe[:, :x.size(1)]

    module = Positional()
    data = {"input": {"shape": [10, 16]}, "framework": "pytorch",
            "layers": [{"kind": "buffer", "shape": [1, 50, 16], "added": True}, {"kind": "dense", "units": 4}]}
    arch, issues = read_layers(data)
    assert issues == []
    a = analyze(arch)
    assert a.totals["buffers"] == sum(b.numel() for b in module.buffers())
    assert a.totals["params"] == 16 * 4 + 4
    assert a.layers[0].shape == tuple(module(torch.zeros(1, 10, 16)).shape[1:])
    assert a.layers[0].effect.work == {"elementwise": 10 * 16}
    _, issues = read_layers({**data, "layers": [{"kind": "buffer", "shape": [-1, 4]}]})
    assert issues and issues[0][0] == ("layers", 0, "shape")


def test_keras_one_dimensional_global_pools_and_embedding_input_length():
    other = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([layers.Embedding(500, 8, input_length=20), layers.GlobalAveragePooling1D(),
                          layers.Dense(1)])
""")
    a = analyze(other)
    # Keras: Embedding input_dim·output_dim; Conv1D (k·c_in + 1)·filters; Dense (in + 1)·units; pools none
    assert [r.shape for r in a.layers[1:]] == [(20, 8), (8,), (1,)]
    assert a.totals["params"] == 500 * 8 + (8 + 1) * 1
    first = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([
    layers.Embedding(10000, 16, input_length=120),
    layers.Conv1D(32, 5, activation="relu"),
    layers.GlobalMaxPooling1D(),
])
""")
    b = analyze(first)
    assert [r.shape for r in b.layers[1:]] == [(120, 16), (116, 32), (32,)]
    assert b.totals["params"] == 10000 * 16 + (5 * 16 + 1) * 32


def test_keras_permute():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(10, 4)), layers.Permute((2, 1)), layers.Dense(3)])
""")
    assert [r.shape for r in analyze(arch).layers[1:]] == [(4, 10), (4, 3)]
