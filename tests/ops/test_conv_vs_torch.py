"""CONV and TRANSPOSED_CONV against torch float64: values and every gradient (input, kernel, bias) on
random channels, strides, paddings (numbers, "valid", "same"), dilations, groups and batches."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.number import mp
from nnsolve.ops.conv import CONV, TRANSPOSED_CONV

from conv_reference import check_op, exact_tensors
from torch_reference import F, assert_close, floats

SETTINGS = settings(max_examples=30, deadline=None)
warnings.filterwarnings("ignore", message=".*padding='same'.*")


@st.composite
def conv_case(draw, spatial_rank: int):
    groups = draw(st.sampled_from([1, 2]))
    depthwise = draw(st.booleans())
    c_in = groups * draw(st.integers(1, 2))
    if depthwise:
        groups = c_in
    c_out = groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(spatial_rank))
    dilation = draw(st.integers(1, 2))
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from([0, 1, 2, "valid", "same"] if stride == 1 else [0, 1, 2, "valid"]))
    reach = max(kernel) * dilation
    size = tuple(draw(st.integers(reach, reach + 4)) for _ in range(spatial_rank))
    batch = draw(st.sampled_from([None, 1, 2]))
    x_shape = ((batch,) if batch else ()) + (c_in,) + size
    x = draw(exact_tensors(x_shape))
    w = draw(exact_tensors((c_out, c_in // groups) + kernel))
    b = draw(exact_tensors((c_out,))) if draw(st.booleans()) else None
    params = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, batched=bool(batch))
    return x, w, b, params, draw(st.data())


def _torch_conv(spatial_rank, params, batched, flip=False):
    fn = F.conv1d if spatial_rank == 1 else F.conv2d

    def run(x, w, b=None):
        if flip:
            w = w.flip(tuple(range(2, w.dim())))
        out = fn(x if batched else x[None], w, b, stride=params["stride"], padding=params["padding"],
                 dilation=params["dilation"], groups=params["groups"])
        return out if batched else out[0]
    return run


def _probe(data):
    return lambda shape: data.draw(exact_tensors(shape))


@SETTINGS
@given(st.sampled_from([1, 2]).flatmap(lambda r: st.tuples(st.just(r), conv_case(r))), st.booleans())
def test_conv_forward_and_every_gradient(case, flip):
    rank, (x, w, b, params, data) = case
    inputs = [x, w] + ([b] if b is not None else [])
    check_op(CONV, inputs, _torch_conv(rank, params, params["batched"], flip), _probe(data), flip=flip, **params)


@st.composite
def transposed_case(draw):
    groups = draw(st.sampled_from([1, 2]))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    padding = draw(st.integers(0, dilation * (min(kernel) - 1) // 2))   # keeps every output size positive
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))     # PyTorch: below either
    size = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    batch = draw(st.sampled_from([None, 2]))
    x = draw(exact_tensors(((batch,) if batch else ()) + (c_in,) + size))
    w = draw(exact_tensors((c_in, c_out // groups) + kernel))
    b = draw(exact_tensors((c_out,))) if draw(st.booleans()) else None
    params = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation, groups=groups,
                  batched=bool(batch))
    return x, w, b, params, draw(st.data())


@SETTINGS
@given(transposed_case())
def test_transposed_conv_forward_and_every_gradient(case):
    x, w, b, params, data = case
    batched = params["batched"]

    def run(xt, wt, bt=None):
        out = F.conv_transpose2d(xt if batched else xt[None], wt, bt, stride=params["stride"],
                                 padding=params["padding"], output_padding=params["output_padding"],
                                 dilation=params["dilation"], groups=params["groups"])
        return out if batched else out[0]
    inputs = [x, w] + ([b] if b is not None else [])
    check_op(TRANSPOSED_CONV, inputs, run, _probe(data), **params)


def test_irrational_entries_take_the_exact_object_path():
    """An mpf among the inputs (e.g. a tanh output) skips the integer fast path and stays exact."""
    x = np.array([[[mp.tanh(mp.mpf(1) / 2), 1], [2, 3]]], dtype=object)
    from fractions import Fraction
    x[0, 0, 1], x[0, 1, 0], x[0, 1, 1] = Fraction(1), Fraction(2), Fraction(3)
    w = np.array([[[[Fraction(1, 2), Fraction(-1)], [Fraction(1, 4), Fraction(2)]]]], dtype=object)
    z = CONV.forward(x, w)
    # one window covers everything: ½·tanh(½) − 1 + ¼·2 + 2·3
    expected = mp.tanh(mp.mpf(1) / 2) / 2 - 1 + mp.mpf(1) / 2 + 6
    assert abs(z[0, 0, 0] - expected) < mp.mpf(10) ** -45
    import torch
    xt = torch.tensor(floats(x)[None])
    assert_close(z, F.conv2d(xt, torch.tensor(floats(w)))[0].numpy(), "mpf path")


def test_same_padding_with_stride_pads_the_extra_at_the_end_like_tensorflow():
    """5 inputs, k = 2, stride 2: ceil(5/2) = 3 outputs need 6 cells, one pad, on the right (TF's rule):
    windows (x0,x1), (x2,x3), (x4,0)."""
    from fractions import Fraction
    x = np.array([[Fraction(v) for v in (1, 2, 3, 4, 5)]], dtype=object)
    w = np.array([[[Fraction(1), Fraction(10)]]], dtype=object)
    assert CONV.forward(x, w, stride=2, padding="same").tolist() == [[21, 43, 5]]
