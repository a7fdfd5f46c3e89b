"""The architecture family's solved-for and summed quantities: weight tensor shapes (against real PyTorch
modules), the padding that keeps a layer's size (against torch's output size), sums over selections of
layers, and the same layers analysed at a second input size."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.api import load
from nnsolve.problems import ProblemError
from nnsolve.engine.number import to_float


def _solve(layers, shape, ask, framework="pytorch", layout="channels_first", **extra):
    problem = {"problem": "architecture", "framework": framework, "input": {"shape": shape, "layout": layout},
               "layers": layers, "ask": ask, **extra}
    return nnsolve.solve(problem)


def _value(solution, quantity):
    return [int(to_float(v)) for v in solution.value(quantity).ravel()]


@settings(max_examples=30, deadline=None)
@given(groups=st.integers(1, 3), per_group_in=st.integers(1, 3), per_group_out=st.integers(1, 3),
       kh=st.integers(1, 4), kw=st.integers(1, 4),
       kind=st.sampled_from(["conv2d", "conv_transpose2d", "conv1d", "conv_transpose1d"]))
def test_weight_shape_is_the_shape_of_the_torch_module_weight(groups, per_group_in, per_group_out, kh, kw, kind):
    torch = pytest.importorskip("torch")
    c_in, c_out = groups * per_group_in, groups * per_group_out
    layer = {"kind": kind, "name": "conv", "filters": c_out, "kernel": [kh] if kind.endswith("1d") else [kh, kw]}
    if not kind.startswith("conv_transpose"):
        layer["groups"] = groups
    module = {"conv2d": lambda: torch.nn.Conv2d(c_in, c_out, (kh, kw), groups=groups),
              "conv1d": lambda: torch.nn.Conv1d(c_in, c_out, kh, groups=groups),
              "conv_transpose2d": lambda: torch.nn.ConvTranspose2d(c_in, c_out, (kh, kw)),
              "conv_transpose1d": lambda: torch.nn.ConvTranspose1d(c_in, c_out, kh)}[kind]()
    spatial = [9] if kind.endswith("1d") else [9, 9]
    torch_order = _value(_solve([layer], [c_in, *spatial], ["conv.weight_shape"]), "conv.weight_shape")
    assert torch_order == list(module.weight.shape)
    # Keras keeps the kernel axes first: Conv (k…, in/groups, out), Conv2DTranspose (k…, out, in)
    keras = _value(_solve([layer], [*spatial, c_in], ["conv.weight_shape"], "keras", "channels_last"),
                   "conv.weight_shape")
    assert keras == list(module.weight.permute(*range(2, module.weight.dim()), 1, 0).shape)


def test_dense_weight_shape_in_each_order():
    torch = pytest.importorskip("torch")
    layers = [{"kind": "dense", "name": "fc", "units": 7}]
    assert _value(_solve(layers, [5], ["fc.weight_shape"]), "fc.weight_shape") == list(torch.nn.Linear(5, 7).weight.shape)
    assert _value(_solve(layers, [5], ["fc.weight_shape"], "keras", "channels_last"), "fc.weight_shape") == [5, 7]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 20), k=st.integers(1, 6), s=st.integers(1, 3), d=st.integers(1, 2))
def test_keep_size_padding_keeps_the_size_in_torch(n, k, s, d):
    torch = pytest.importorskip("torch")
    layers = [{"kind": "conv2d", "name": "conv", "filters": 2, "kernel": k, "stride": s, "dilation": d,
               "padding": "keep_size"}]
    twice = (n - 1) * s - n + d * (k - 1) + 1          # 2p from ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 = n
    if twice % 2 and s > 1:
        with pytest.raises(ProblemError, match="not an integer"):
            _solve(layers, [1, n, n], ["conv.padding"])
        return
    solution = _solve(layers, [1, n, n], ["conv.padding", "conv.output_shape"])
    assert [float(to_float(v)) for v in solution.value("conv.padding")] == [twice / 2] * 2
    assert _value(solution, "conv.output_shape") == [2, n, n]
    if twice % 2 == 0:
        conv = torch.nn.Conv2d(1, 2, k, stride=s, dilation=d, padding=twice // 2)
        assert conv(torch.zeros(1, 1, n, n)).shape[-2:] == (n, n)


CHAIN = [{"kind": "conv2d", "name": "c1", "filters": 4, "kernel": 3}, {"kind": "batch_norm", "name": "n1"},
         {"kind": "conv2d", "name": "c2", "filters": 6, "kernel": 3}, {"kind": "batch_norm", "name": "n2"},
         {"kind": "max_pool2d", "name": "p", "pool": 2}, {"kind": "flatten", "name": "f"},
         {"kind": "dense", "name": "fc", "units": 3}]


def test_sums_over_names_ranges_and_kinds_add_the_layers_counts():
    sums = ["sum(c1+fc).params", "sum(n1..p).macs", "sum(every batch_norm).non_trainable_params",
            "sum(last 1 conv2d).params", "sum(first 2 batch_norm).trainable_params"]
    solution = _solve(CHAIN, [10, 10, 2], sums, "keras", "channels_last")
    one = lambda q: _value(solution, q)[0]    # noqa: E731
    assert one(sums[0]) == one("c1.params") + one("fc.params") == (9 * 2 + 1) * 4 + (3 * 3 * 6 + 1) * 3
    assert one(sums[1]) == one("n1.macs") + one("c2.macs") + one("n2.macs") + one("p.macs")
    assert one(sums[2]) == one("n1.non_trainable_params") + one("n2.non_trainable_params") == 2 * 4 + 2 * 6
    assert one(sums[3]) == one("c2.params") == 9 * 4 * 6 + 6
    assert one(sums[4]) == 2 * 4 + 2 * 6


@pytest.mark.parametrize("bad, words", [("sum(c9+fc).params", "no layer named 'c9'"),
                                        ("sum(p..c1).params", "FIRST before LAST"),
                                        ("sum(first 5 batch_norm).params", "there are 2 such layers"),
                                        ("sum(c1).weights", "COUNT one of")])
def test_a_malformed_sum_is_a_located_problem(bad, words):
    text = ("problem: architecture\ninput: {shape: [10, 10, 2]}\nlayers:\n"
            + "".join(f"  - {layer}\n" for layer in CHAIN).replace("'", "") + f"ask: [c1.params, '{bad}']\n")
    with pytest.raises(ProblemError) as error:
        nnsolve.solve(load(text))
    assert words in str(error.value) and "ask[1]" in str(error.value)


def test_compare_input_changes_the_macs_but_not_the_conv_parameters():
    layers = CHAIN[:5]
    solution = _solve(layers, [10, 10, 2], ["change.total.params", "change.total.macs"], "keras", "channels_last",
                      compare_input={"shape": [12, 12, 2]})
    one = lambda q: _value(solution, q)[0]    # noqa: E731
    assert one("change.total.params") == 0 and one("compare.c1.params") == one("c1.params")
    # c1: 8² → 10² outputs, c2: 6² → 8² outputs; 4 and 6 filters of 3·3·2 and 3·3·4 weights
    assert one("change.total.macs") == sum(one(f"compare.{n}.macs") - one(f"{n}.macs") for n in ("c1", "n1", "c2", "n2", "p"))
    assert one("compare.c1.macs") - one("c1.macs") == (100 - 64) * 4 * 18
    assert one("compare.c2.macs") - one("c2.macs") == (64 - 36) * 6 * 36
