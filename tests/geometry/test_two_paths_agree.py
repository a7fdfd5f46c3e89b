"""The shape-only analyzer and the explicit-number path agree on every random convolutional stack.

One description of a stack (conv1d or conv2d with paddings as numbers, valid or same, strides,
dilations and groups; transposed convolutions with output padding; max and average pooling with
padding and ceil mode; batch norm; activations; global pooling; flatten and dense at the end) is written
twice: as a `conv_network` problem with small random integers, solved with explicit numbers, and as an
`architecture` layer list that declares each layer's input size, analysed by shapes alone. Both are
solved with `nnsolve.solve`. Either both refuse the stack (a window that does not fit, an output padding
too large, pool padding over half the window) with a ProblemError, or the analyzer's per-layer output
shapes and parameter counts are the shapes of the solution's tensors: z<i> each layer's output, K<i>,
b<i>, W<i>, gamma<i>, beta<i> its parameters.
"""
from __future__ import annotations

import numpy as np
from hypothesis import event, given, settings, strategies as st

import nnsolve
from nnsolve.problems.errors import ProblemError

SMALL = st.integers(-2, 2)


def numbers(draw, shape) -> list:
    return np.array(draw(st.lists(SMALL, min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))),
                    dtype=object).reshape(shape).tolist()


def padding(draw):
    return draw(st.sampled_from([0, 1, "valid", "same"]))


@st.composite
def stacks(draw):
    """(the conv_network problem, the architecture problem, a source of numbers for the dense weights)."""
    rank = draw(st.sampled_from([1, 2, 2]))
    channels = draw(st.integers(1, 3))
    spatial = tuple(draw(st.integers(2, 6)) for _ in range(rank))
    batch = draw(st.booleans())
    x_shape = ((2,) if batch else ()) + (channels,) + spatial
    written, listed = [], []           # conv_network layers, architecture layers
    for i in range(draw(st.integers(1, 3))):
        # a 1-D stack starts with conv1d: without one, conv_network reads a matrix x as one 2-D channel
        choices = ["conv"] if rank == 1 and i == 0 else ["conv", "conv", "activation"] + \
            (["batch_norm"] if batch else []) + (["transposed", "max_pool2d", "avg_pool2d"] if rank == 2 else [])
        kind = draw(st.sampled_from(choices))
        name = f"z{i + 1}"
        if kind == "conv":
            groups = draw(st.sampled_from([g for g in (1, 2, 3) if channels % g == 0]))
            filters = groups * draw(st.integers(1, 2))
            kernel = tuple(draw(st.integers(1, 3)) for _ in range(rank))
            bias = draw(st.booleans())
            geometry = {"stride": draw(st.integers(1, 3)), "padding": padding(draw), "dilation": draw(st.integers(1, 2)),
                        "groups": groups}
            conv = {"kernel": numbers(draw, (filters, channels // groups) + kernel), **geometry}
            if bias:
                conv["bias"] = numbers(draw, (filters,))
            kind_name = f"conv{rank}d"
            written.append({kind_name: conv})
            listed.append({"kind": kind_name, "name": name, "filters": filters, "kernel": list(kernel), "bias": bias,
                           "in_channels": channels, **geometry})
            channels = filters
        elif kind == "transposed":
            filters, kernel = draw(st.integers(1, 2)), (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
            stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
            geometry = {"stride": stride, "dilation": dilation, "padding": draw(st.integers(0, 1)),
                        "output_padding": draw(st.integers(0, max(stride, dilation)))}    # the last: refused
            written.append({"conv_transpose2d": {"kernel": numbers(draw, (channels, filters) + kernel), **geometry}})
            listed.append({"kind": "conv_transpose2d", "name": name, "filters": filters, "kernel": list(kernel),
                           "bias": False, "in_channels": channels, **geometry})
            channels = filters
        elif kind in ("max_pool2d", "avg_pool2d"):
            pool = {"pool": draw(st.integers(1, 3)), "stride": draw(st.integers(1, 3)),
                    "padding": draw(st.integers(0, 1)), "ceil_mode": draw(st.booleans())}
            written.append({kind: pool})
            listed.append({"kind": kind, "name": name, **pool})
        elif kind == "batch_norm":
            written.append({"batch_norm": {"gamma": numbers(draw, (channels,)), "beta": numbers(draw, (channels,)),
                                           "eps": 1}})
            listed.append({"kind": "batch_norm", "name": name, "num_features": channels})
        else:
            written.append({"activation": "relu"})
            listed.append({"kind": "activation", "name": name, "function": "relu"})
    ending = draw(st.sampled_from(["none", "flatten", "global"] if rank == 2 else ["none", "flatten"]))
    if ending != "none":
        n = len(written)
        written.append({"flatten": {}} if ending == "flatten" else {"global_avg_pool": {}})
        listed.append({"kind": ending if ending == "flatten" else "global_avg_pool", "name": f"z{n + 1}"})
        units = draw(st.integers(1, 2))                  # W and in_features: once the features are known
        written.append({"dense": {"W": None, "b": numbers(draw, (units,))}})
        listed.append({"kind": "dense", "name": f"z{n + 2}", "units": units})
    x = numbers(draw, x_shape)
    problem = {"problem": "conv_network", "batch": batch, "x": x, "layers": written, "ask": ["forward"]}
    architecture = {"problem": "architecture", "framework": "pytorch",
                    "input": {"shape": list(x_shape[1:] if batch else x_shape), "layout": "channels_first"},
                    "layers": listed, "ask": ["total.params"]}
    return problem, architecture, draw(st.data())


def refused(problem: dict) -> bool:
    try:
        nnsolve.solve(problem)
    except ProblemError:
        return True
    return False


PARAMETERS = ("K", "b", "W", "gamma", "beta")


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_analyzer_and_explicit_numbers_agree(stack):
    problem, architecture, data = stack
    if "dense" in problem["layers"][-1]:
        # the dense layer's W needs the number of features reaching it, which the stack leaves open
        before = {**architecture, "layers": architecture["layers"][:-1]}
        if refused(before):
            problem["layers"] = problem["layers"][:-1]
            assert refused(problem), "the analyzer refuses the stack, the explicit numbers do not"
            event("refused by both")
            return
        features = int(nnsolve.solve(before).value(f"{before['layers'][-1]['name']}.output_shape")[0])
        dense, listed = problem["layers"][-1]["dense"], architecture["layers"][-1]
        listed["in_features"] = features
        dense["W"] = numbers(data.draw, (features, listed["units"]))
    shapes_only = refused(architecture)
    assert shapes_only == refused(problem), "one path refuses the stack, the other does not"
    event("refused by both" if shapes_only else "solved by both")
    if shapes_only:
        return
    explicit, shapes = nnsolve.solve(problem), nnsolve.solve(architecture)
    lead = 1 if problem["batch"] else 0
    for i in range(1, len(problem["layers"]) + 1):
        z = np.asarray(explicit.value(f"z{i}"))
        assert list(z.shape[lead:]) == [int(v) for v in shapes.value(f"z{i}.output_shape")], f"z{i}"
        held = sum(np.asarray(explicit.value(f"{p}{i}")).size for p in PARAMETERS if explicit.has(f"{p}{i}"))
        assert held == int(shapes.value(f"z{i}.params")[()]), f"parameters of layer {i}"
