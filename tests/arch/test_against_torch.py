"""The analyzer against real torch.nn modules: parameter counts of the bundled torchvision layouts
(the networks are rebuilt here from torch.nn layers on the meta device, so nothing is allocated),
output shapes from forward passes, and random small chains and graphs."""
import dataclasses

import pytest
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import load_bundled
from nnsolve.arch.rules import ArchitectureError


def conv_bn(cin, cout, k, s=1, p=0, groups=1, act=nn.ReLU):
    layers = [nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, *([act()] if act else []))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, expansion=4):
        super().__init__()
        out = width * expansion
        self.body = nn.Sequential(conv_bn(cin, width, 1), conv_bn(width, width, 3, stride, 1),
                                  conv_bn(width, out, 1, act=None))
        self.short = conv_bn(cin, out, 1, stride, act=None) if stride != 1 or cin != out else nn.Identity()

    def forward(self, x):
        return torch.relu(self.body(x) + self.short(x))


class Basic(Bottleneck):
    def __init__(self, cin, width, stride):
        nn.Module.__init__(self)
        self.body = nn.Sequential(conv_bn(cin, width, 3, stride, 1), conv_bn(width, width, 3, 1, 1, act=None))
        self.short = conv_bn(cin, width, 1, stride, act=None) if stride != 1 or cin != width else nn.Identity()


def torch_resnet(units, bottleneck):
    block, expansion = (Bottleneck, 4) if bottleneck else (Basic, 1)
    stages, cin = [], 64
    for i, n in enumerate(units):
        width = 64 * 2 ** i
        blocks = []
        for u in range(n):
            blocks.append(block(cin, width, 2 if (u == 0 and i > 0) else 1))
            cin = width * expansion
        stages.append(nn.Sequential(*blocks))
    return nn.Sequential(conv_bn(3, 64, 7, 2, 3), nn.MaxPool2d(3, 2, 1), *stages, nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(cin, 1000))


def torch_vgg16():
    layers, cin = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU()]
            cin = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 49, 4096), nn.ReLU(), nn.Dropout(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 1000))


def torch_alexnet():
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(),
        nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1),
        nn.ReLU(), nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(), nn.Dropout(),
        nn.Linear(256 * 36, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


class Inverted(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = cin * t
        self.body = nn.Sequential(*([conv_bn(cin, hidden, 1, act=nn.ReLU6)] if t != 1 else []),
                                  conv_bn(hidden, hidden, 3, stride, 1, groups=hidden, act=nn.ReLU6),
                                  conv_bn(hidden, cout, 1, act=None))
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def torch_mobilenet_v2():
    layers, cin = [conv_bn(3, 32, 3, 2, 1, act=nn.ReLU6)], 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                       (6, 160, 3, 2), (6, 320, 1, 1)]:
        for u in range(n):
            layers.append(Inverted(cin, c, s if u == 0 else 1, t))
            cin = c
    return nn.Sequential(*layers, conv_bn(320, 1280, 1, act=nn.ReLU6), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Dropout(0.2), nn.Linear(1280, 1000))


TORCH_MODELS = {
    "resnet18": lambda: torch_resnet([2, 2, 2, 2], False), "resnet50": lambda: torch_resnet([3, 4, 6, 3], True),
    "resnet152": lambda: torch_resnet([3, 8, 36, 3], True), "vgg16": torch_vgg16, "alexnet": torch_alexnet,
    "mobilenet_v2": torch_mobilenet_v2,
}


@pytest.mark.parametrize("name", sorted(TORCH_MODELS))
def test_bundled_parameter_counts_match_torch_modules(name):
    with torch.device("meta"):
        model = TORCH_MODELS[name]()
    totals = analyze(load_bundled(name)).totals
    assert totals["params"] == sum(p.numel() for p in model.parameters())
    assert totals["buffers"] == sum(b.numel() for n, b in model.named_buffers() if "running" in n)


@pytest.mark.parametrize("name, size", [("resnet50", 224), ("resnet18", 97), ("mobilenet_v2", 150)])
def test_stage_shapes_match_a_forward_pass(name, size):
    with torch.device("meta"):
        model = TORCH_MODELS[name]()
        seen = []
        children = list(model)
        for child in children[:[type(c) for c in children].index(nn.AdaptiveAvgPool2d)]:
            child.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape[1:])))
        model(torch.empty(1, 3, size, size))
    arch = dataclasses.replace(load_bundled(name), input_shape=(3, size, size))
    layers = analyze(arch).layers
    assert set(seen) <= {r.shape for r in layers}
    before_pool = [r.shape for r, after in zip(layers, layers[1:]) if after.name == "avgpool"]
    assert seen[-1] == before_pool[0]


# -- random small chains and graphs ------------------------------------------------------------------

@st.composite
def chains(draw):
    channels, size = draw(st.integers(1, 4)), draw(st.integers(12, 20))
    first, layers, modules = channels, [], []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "max", "avg", "bn"]))
        if kind == "conv":
            groups = draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
            filters = groups * draw(st.integers(1, 3))
            k, s, p, d = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(0, 1)), draw(st.integers(1, 2))
            bias = draw(st.booleans())
            layers.append(Layer(f"l{i}", "conv2d", {"filters": filters, "kernel": k, "stride": s, "padding": p,
                                                    "dilation": d, "groups": groups, "bias": bias}))
            modules.append(nn.Conv2d(channels, filters, k, s, p, d, groups, bias))
            channels = filters
        elif kind in ("max", "avg"):
            k = draw(st.integers(1, 3))
            s, p, ceil = draw(st.integers(1, 2)), draw(st.integers(0, k // 2)), draw(st.booleans())
            layers.append(Layer(f"l{i}", f"{kind}_pool2d", {"pool": k, "stride": s, "padding": p, "ceil_mode": ceil}))
            modules.append((nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(k, s, p, ceil_mode=ceil))
        else:
            layers.append(Layer(f"l{i}", "batch_norm", {}))
            modules.append(nn.BatchNorm2d(channels))
    layers += [Layer("flat", "flatten"), Layer("fc", "dense", {"units": 3})]
    return (first, size, layers, modules)


@settings(max_examples=30, deadline=None)
@given(chains())
def test_random_chains_match_torch(chain):
    check_chain(chain)


def test_batch_norm_after_a_one_by_one_map():
    """A chain the generator can reach: 12 → 6 → 3 → 1, then batch norm on one value per channel
    (which torch refuses in training mode, and once made the random test fail by chance)."""
    pools = [(2, 2), (2, 2), (3, 2)]
    layers = [Layer(f"l{i}", "max_pool2d", {"pool": k, "stride": s}) for i, (k, s) in enumerate(pools)]
    layers += [Layer("l3", "batch_norm", {}), Layer("flat", "flatten"), Layer("fc", "dense", {"units": 3})]
    modules = [nn.MaxPool2d(k, s) for k, s in pools] + [nn.BatchNorm2d(2)]
    check_chain((2, 12, layers, modules))


def check_chain(chain):
    in_channels, size, layers, modules = chain
    arch = Architecture("chain", (in_channels, size, size), "channels_first", layers, framework="pytorch")
    x = torch.zeros(1, arch.input_shape[0], size, size)
    for module in modules:
        # shapes and counts do not depend on the mode; in training mode batch norm refuses a channel of one
        # value (a batch of 1 on a 1×1 map), which the chains can reach
        module.eval()
    try:
        analysis = analyze(arch)
    except ArchitectureError:          # a window that does not fit: torch must refuse it too
        with pytest.raises(RuntimeError):
            for module in modules:
                x = module(x)
        return
    for module, report in zip(modules, analysis.layers):
        x = module(x)
        assert tuple(x.shape[1:]) == report.shape
        assert sum(p.numel() for p in module.parameters()) == report.params
    fc = nn.Linear(x.numel(), 3)
    assert analysis.report("fc").params == sum(p.numel() for p in fc.parameters())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(6, 12))
def test_inception_style_graph_matches_torch(cin, a, b, size):
    branch1 = nn.Conv2d(cin, a, 1)
    branch3 = nn.Sequential(nn.Conv2d(cin, b, 1), nn.Conv2d(b, b, 3, padding=1))
    pool = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, a, 1))
    x = torch.zeros(1, cin, size, size)
    out = torch.cat([branch1(x), branch3(x), pool(x)], dim=1)
    merged = out + nn.Conv2d(2 * a + b, 2 * a + b, 3, padding=1)(out)
    arch = Architecture("inception", (cin, size, size), "channels_first", [
        Layer("b1", "conv2d", {"filters": a, "kernel": 1}, ("input",)),
        Layer("b3a", "conv2d", {"filters": b, "kernel": 1}, ("input",)),
        Layer("b3", "conv2d", {"filters": b, "kernel": 3, "padding": 1}),
        Layer("pool", "max_pool2d", {"pool": 3, "stride": 1, "padding": 1}, ("input",)),
        Layer("bp", "conv2d", {"filters": a, "kernel": 1}),
        Layer("cat", "concat", {"axis": 1}, ("b1", "b3", "bp")),
        Layer("conv", "conv2d", {"filters": 2 * a + b, "kernel": 3, "padding": 1}),
        Layer("sum", "add", {}, ("cat", "conv")),
    ])
    analysis = analyze(arch)
    assert analysis.report("sum").shape == tuple(merged.shape[1:])
    params = sum(sum(p.numel() for p in m.parameters()) for m in (branch1, branch3, pool)) + (2 * a + b) * (9 * (2 * a + b) + 1)
    assert analysis.totals["params"] == params
    # the widest path is the 3×3 branch (or the pool) then the 3×3 conv: 1 + 2 + 2 = 5
    assert [f.size for f in analysis.report("sum").field] == [5, 5]


@pytest.mark.parametrize("kind, module", [("lstm", nn.LSTM), ("gru", nn.GRU), ("simple_rnn", nn.RNN)])
def test_recurrent_pytorch_counts(kind, module):
    arch = Architecture("r", (7, 10), "channels_first", [Layer("r", kind, {"units": 6, "return_sequences": True})],
                        framework="pytorch")
    report = analyze(arch).layers[0]
    torch_layer = module(10, 6, batch_first=True)
    assert report.params == sum(p.numel() for p in torch_layer.parameters())
    assert report.shape == tuple(torch_layer(torch.zeros(1, 7, 10))[0].shape[1:])


def test_attention_matches_torch_when_heads_split_the_width():
    arch = Architecture("a", (5, 8), "channels_last", [
        Layer("a", "multihead_attention", {"heads": 2, "key_dim": 4}, ("input", "input"))])
    assert analyze(arch).totals["params"] == sum(p.numel() for p in nn.MultiheadAttention(8, 2).parameters())
