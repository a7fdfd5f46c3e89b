"""MAX_POOL, AVG_POOL and GLOBAL_AVG_POOL against torch float64: values and input gradients on random
windows, strides, paddings and ceil mode; plus the tie rules and the 0-padding convention torch lacks."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.ops.pool import AVG_POOL, GLOBAL_AVG_POOL, MAX_POOL

from conv_reference import check_op, exact_tensors
from torch_reference import F

SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def pool_case(draw):
    pool = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.integers(0, pool // 2))
    ceil_mode = draw(st.booleans())
    batch = draw(st.sampled_from([None, 2]))
    shape = ((batch,) if batch else ()) + (draw(st.integers(1, 2)), draw(st.integers(pool, pool + 4)),
                                          draw(st.integers(pool, pool + 4)))
    x = draw(exact_tensors(shape))
    return x, dict(pool=pool, stride=stride, padding=padding, ceil_mode=ceil_mode, batched=bool(batch)), \
        draw(st.data())


def _torch(fn, params, **extra):
    def run(x):
        batched = params["batched"]
        out = fn(x if batched else x[None], params["pool"], params["stride"], params["padding"],
                 ceil_mode=params["ceil_mode"], **extra)
        return out if batched else out[0]
    return run


@SETTINGS
@given(pool_case())
def test_max_pool(case):
    x, params, data = case
    check_op(MAX_POOL, [x], _torch(F.max_pool2d, params), lambda s: data.draw(exact_tensors(s)), **params)


@SETTINGS
@given(pool_case(), st.booleans())
def test_avg_pool(case, include_pad):
    x, params, data = case
    check_op(AVG_POOL, [x], _torch(F.avg_pool2d, params, count_include_pad=include_pad),
             lambda s: data.draw(exact_tensors(s)), count_include_pad=include_pad, **params)


@SETTINGS
@given(st.sampled_from([None, 2]).flatmap(
    lambda n: st.tuples(st.just(n), exact_tensors(((n,) if n else ()) + (2, 3, 4)), st.data())))
def test_global_avg_pool(case):
    n, x, data = case

    def run(xt):
        out = F.adaptive_avg_pool2d(xt if n else xt[None], 1).flatten(1)
        return out if n else out[0]
    check_op(GLOBAL_AVG_POOL, [x], run, lambda s: data.draw(exact_tensors(s)), batched=bool(n))


def _grid(rows):
    return np.array([[[Fraction(v) for v in row] for row in rows]], dtype=object)


ONES = np.array([[[Fraction(1)]]], dtype=object)


def test_tie_rules():
    """One 2×2 window [[3, 3], [1, 3]] with upstream gradient 1: first → the top-left 3 only (PyTorch);
    all → each 3 gets 1; split → each 3 gets ⅓."""
    x = _grid([[3, 3], [1, 3]])
    expect = {"first": [[1, 0], [0, 0]], "all": [[1, 1], [0, 1]], "split": [[Fraction(1, 3), Fraction(1, 3)],
                                                                          [0, Fraction(1, 3)]]}
    for ties, grad in expect.items():
        out = MAX_POOL.forward(x, pool=2, ties=ties)
        assert out.tolist() == [[[3]]]
        assert MAX_POOL.vjp(0, ONES, out, x, pool=2, ties=ties).tolist() == [grad]


def test_zero_padding_value_lets_the_pad_win_over_negative_inputs():
    """All inputs −1, pool 2, stride 2, padding 1: every window contains a padded cell, so with pad 0 the
    maximum is 0 (and no input cell receives a gradient); with −∞ it is −1."""
    x = _grid([[-1, -1], [-1, -1]])
    assert MAX_POOL.forward(x, pool=2, padding=1, pad_value="0").tolist() == [[[0, 0], [0, 0]]]
    assert MAX_POOL.forward(x, pool=2, padding=1).tolist() == [[[-1, -1], [-1, -1]]]
    grad = np.full((1, 2, 2), Fraction(1), dtype=object)
    out = MAX_POOL.forward(x, pool=2, padding=1, pad_value="0")
    assert MAX_POOL.vjp(0, grad, out, x, pool=2, padding=1, pad_value="0").tolist() == [[[0, 0], [0, 0]]]
