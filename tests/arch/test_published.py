"""The bundled architectures against published figures, and the FLOP conventions.

Published figures: torchvision's model documentation (parameters, "GFLOPS" which are MACs), Keras
Applications (VGG16 with top), and Distill 2019 "Computing Receptive Fields of CNNs" (Table 1)."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.conventions import Conventions, parse_flops
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import bundled_names, load_bundled


@pytest.mark.parametrize("name, params", [
    ("resnet50", 25_557_032), ("resnet18", 11_689_512), ("resnet152", 60_192_808), ("vgg16", 138_357_544),
    ("alexnet", 61_100_840), ("vgg16_keras", 138_357_544), ("mobilenet_v2", 3_504_872),
    ("lenet5", 61_706),   # LeCun 1998 with full C3: 156 + 2416 + 48120 + 10164 + 850
])
def test_published_parameter_counts(name, params):
    assert analyze(load_bundled(name)).totals["params"] == params


def test_resnet50_multiply_accumulates_at_224():
    macs = analyze(load_bundled("resnet50")).totals["macs"]
    assert round(macs / 1e9, 2) == 4.09


def test_keras_counts_moving_statistics_as_non_trainable():
    t = analyze(load_bundled("resnet50_slim")).totals
    # Keras ResNet50 reports 53,120 non-trainable parameters (the moving mean and variance)
    assert (t["trainable"], t["non_trainable"]) == (25_557_032, 53_120)


@pytest.mark.parametrize("name, layer, size", [
    ("alexnet", "pool5", 195), ("vgg16", "pool5", 212), ("vgg16_keras", "pool5", 212),
    ("resnet50_slim", "layer4.3.relu", 483), ("resnet50", "layer4.2.relu_2", 427),
])
def test_distill_receptive_fields(name, layer, size):
    field = analyze(load_bundled(name)).report(layer).field
    assert [f.size for f in field] == [size, size]


@pytest.mark.parametrize("convention, flops", [("mac", 2160), ("mac+bias", 2240), ("2mac", 4320), ("2mac+bias", 4400)])
def test_flop_conventions_on_one_conv(convention, flops):
    # Conv2d(3→5, k=3) on 6×6: 4·4·5 = 80 outputs, each 3·3·3 = 27 MACs → 2160 MACs, 80 bias additions
    arch = Architecture("one", (3, 6, 6), "channels_first", [Layer("c", "conv2d", {"filters": 5, "kernel": 3})])
    assert analyze(arch, Conventions(flops=parse_flops(convention))).totals["flops"] == flops


def test_counted_extra_work():
    arch = Architecture("one", (6, 6, 3), "channels_last", [
        Layer("c", "conv2d", {"filters": 5, "kernel": 3, "activation": "relu"}),
        Layer("p", "max_pool2d", {"pool": 2})])
    flops = analyze(arch, Conventions(flops=parse_flops("mac+activations+pooling"))).totals["flops"]
    # 2160 MACs + 80 ReLU outputs + 2·2·5 outputs · 4 window entries
    assert flops == 2160 + 80 + 80


def test_bad_flop_convention_is_named():
    with pytest.raises(ValueError, match="starts with 'mac' or '2mac'"):
        parse_flops("3mac")


def test_every_bundled_architecture_analyses():
    assert {"lenet5", "alexnet", "vgg16", "vgg16_keras", "resnet18", "resnet50", "resnet152", "resnet50_slim",
            "mobilenet_v2"} <= set(bundled_names())
    for name in bundled_names():
        assert analyze(load_bundled(name)).layers[-1].shape[-1] in (10, 1000)


def test_ceil_output_size_follows_pytorch_rule():
    # 7 → pool 2 stride 2: floor gives 3, ceil 4 (the last window starts at 6, inside the input)
    arch = Architecture("p", (1, 7, 7), "channels_first", [Layer("p", "max_pool2d", {"pool": 2})])
    assert analyze(arch).layers[0].shape == (1, 3, 3)
    assert analyze(arch, Conventions(output_size="ceil")).layers[0].shape == (1, 4, 4)


def test_recurrent_counts_keras_and_pytorch():
    def params(kind, rnn, **s):
        arch = Architecture("r", (7, 10), "channels_last", [Layer("r", kind, {"units": 4, **s})])
        return analyze(arch, Conventions(rnn=rnn)).totals["params"]
    # Keras LSTM(4) on 10 features: 4·(4·(10 + 4) + 4) = 240; PyTorch adds a second bias: 256
    assert (params("lstm", "keras"), params("lstm", "pytorch")) == (240, 256)
    # Keras GRU: reset_after (default) has two biases, 3·(4·14 + 8) = 192; without: 3·(56 + 4) = 180
    assert (params("gru", "keras"), params("gru", "keras", reset_after=False)) == (192, 180)
    assert params("simple_rnn", "keras") == 4 * 14 + 4


def test_keras_multihead_attention():
    # Keras MultiHeadAttention(num_heads=2, key_dim=3) on (5, 8): 3·(8+1)·2·3 + (2·3 + 1)·8 = 218
    arch = Architecture("a", (5, 8), "channels_last", [Layer("a", "multihead_attention", {"heads": 2, "key_dim": 3},
                                                            inputs=("input", "input"))])
    assert analyze(arch).totals["params"] == 218
