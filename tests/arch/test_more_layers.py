"""Layers common in real model files beyond the first list: group and instance norms, Unflatten,
Upsample / UpSampling2D, more activations and dropouts — against float64 torch modules (parameters by
sum(p.numel()), buffers by named_buffers, shapes by a forward on zeros) and Keras's documented rules."""
from fractions import Fraction

import pytest
import torch
from torch import nn

from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import read_layers
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet

TORCH = "import torch.nn as nn\n"


def torch_counts(model, shape):
    out = model.double()(torch.zeros(2, *shape, dtype=torch.float64))
    buffers = sum(b.numel() for name, b in model.named_buffers() if "num_batches" not in name)
    return sum(p.numel() for p in model.parameters()), buffers, tuple(out.shape[1:])


@pytest.mark.parametrize("code, shape", [
    ("nn.Conv2d(3, 8, 3), nn.GroupNorm(4, 8), nn.SiLU()", (3, 10, 10)),
    ("nn.Conv2d(3, 8, 3), nn.GroupNorm(2, 8, affine=False), nn.Mish()", (3, 10, 10)),
    ("nn.Conv2d(3, 8, 3), nn.InstanceNorm2d(8), nn.ELU()", (3, 10, 10)),
    ("nn.Conv2d(3, 8, 3), nn.InstanceNorm2d(8, affine=True, track_running_stats=True), nn.Hardswish()", (3, 10, 10)),
    ("nn.Linear(10, 16 * 4 * 4), nn.Unflatten(1, (16, 4, 4)), nn.ConvTranspose2d(16, 3, 2, 2)", (10,)),
    ("nn.Conv2d(3, 4, 3, padding=1), nn.Upsample(scale_factor=2), nn.Conv2d(4, 2, 3)", (3, 6, 6)),
    ("nn.Conv2d(3, 4, 3, padding=1), nn.Upsample(scale_factor=2, mode='bilinear', align_corners=False)", (3, 6, 5)),
    ("nn.Upsample(size=(12, 10)), nn.Dropout2d(0.1), nn.Softplus()", (3, 6, 5)),
    ("nn.UpsamplingNearest2d(scale_factor=3), nn.Hardsigmoid()", (3, 4, 4)),
    ("nn.Conv1d(4, 6, 3), nn.InstanceNorm1d(6), nn.Dropout1d(0.2), nn.Flatten(1, 2)", (4, 9)),
])
def test_snippets_match_torch(code, shape):
    arch = parse_snippet(TORCH + f"model = nn.Sequential({code})\n", input_shape=shape)
    a = analyze(arch)
    model = eval(f"nn.Sequential({code})", {"nn": nn})
    params, buffers, out = torch_counts(model, shape)
    assert (a.totals["params"], a.totals["buffers"], a.layers[-1].shape) == (params, buffers, out)


def test_nearest_upsampling_receptive_field():
    # conv 3×3 (field 3), then ×2 nearest: neighbouring outputs step half an input; a 3×3 conv after it
    # adds 2 steps of ½: 3 + 2·½ = 4
    arch = parse_snippet(TORCH + "model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.Upsample(scale_factor=2), "
                                 "nn.Conv2d(1, 1, 3))\n", input_shape=(1, 12, 12))
    last = analyze(arch).layers[-1]
    assert [(f.size, f.jump) for f in last.field] == [(4, Fraction(1, 2))] * 2


def test_keras_upsampling():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
model = keras.Sequential([keras.Input(shape=(7, 7, 16)), layers.UpSampling2D(), layers.Conv2D(8, 3, padding="same"),
                          layers.UpSampling2D(size=(2, 3), interpolation="bilinear"), layers.LeakyReLU(),
                          layers.SpatialDropout2D(0.1)])
""")
    a = analyze(arch)
    # Keras: UpSampling2D repeats rows and columns size times; Conv2D (3·3·16 + 1)·8
    assert a.layers[-1].shape == (28, 42, 8)
    assert a.totals["params"] == (3 * 3 * 16 + 1) * 8


@pytest.mark.parametrize("layer, message", [
    (("group_norm", {"groups": 3}), "3 groups must divide the 8 channels"),
    (("upsample", {"output_size": (9, 9)}), "multiple of the input's"),
    (("upsample", {}), "one of factor and output_size"),
    (("unflatten", {"axis": 1, "sizes": (3, 3)}), "cannot split the 8 values"),
    (("unflatten", {"axis": 0, "sizes": (2, -1)}), "is the batch axis"),
])
def test_refusals(layer, message):
    arch = Architecture("s", (8, 6, 6), "channels_first", [Layer("l", *layer)], framework="pytorch")
    with pytest.raises(ArchitectureError, match=message):
        analyze(arch)


def test_layer_list_spellings():
    data = {"input": {"shape": [8, 6, 6], "layout": "channels_first"}, "framework": "pytorch", "layers": [
        {"kind": "group_norm", "num_groups": 4},
        {"kind": "instance_norm", "affine": True},
        {"kind": "upsample", "scale_factor": 2, "mode": "bilinear"},
        {"kind": "flatten"},
        {"kind": "unflatten", "axis": 1, "unflattened_size": [8, 12, -1]},
    ]}
    arch, issues = read_layers(data)
    assert issues == []
    model = nn.Sequential(nn.GroupNorm(4, 8), nn.InstanceNorm2d(8, affine=True),
                          nn.Upsample(scale_factor=2, mode="bilinear"), nn.Flatten(), nn.Unflatten(1, (8, 12, -1)))
    params, buffers, out = torch_counts(model, (8, 6, 6))
    a = analyze(arch)
    assert (a.totals["params"], a.totals["buffers"], a.layers[-1].shape) == (params, buffers, out)
