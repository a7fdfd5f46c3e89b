"""Flatten, dropout with a given mask, concatenation and the residual add against torch float64:
forward values and, through Computation.backward, the gradients for L = Σ r ⊙ output."""
from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.computation import Computation, Symbol
from nnsolve.ops.activations import ACTIVATIONS
from nnsolve.ops.base import Add
from nnsolve.ops.structural import CONCAT, DROPOUT, FLATTEN

from torch_reference import F, WEIGHTED_SUM, assert_close, decimals, leaf

SETTINGS = settings(max_examples=30, deadline=None)


def exact_array(draw, shape, low=-500, high=500):
    size = int(np.prod(shape))
    return np.array(draw(st.lists(decimals(low, high), min_size=size, max_size=size)), dtype=object).reshape(shape)


def feature_map_shape(draw, batched):
    """(C, H, W), with N in front when batched: N 2–5, C 1–3, H and W 1–4."""
    sample = (draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    return ((draw(st.integers(2, 5)),) if batched else ()) + sample


def through(op, inputs, r, **params):
    """op's output and the gradients of its inputs named x0, x1, … for L = Σ r ⊙ output."""
    comp = Computation()
    nodes = [comp.given(f"x{i}", Symbol(f"x{i}", f"x{i}"), v, differentiable=True) for i, v in enumerate(inputs)]
    out = comp.apply(op, nodes, "out", Symbol("z", "z"), **params)
    r_n = comp.given("r", Symbol("r", "r"), r)
    grads = comp.backward(comp.apply(WEIGHTED_SUM, [out, r_n], "L", Symbol("L", "L"), phase="loss"))
    return out.value, [grads[n.id].value for n in nodes]


@SETTINGS
@given(data=st.data(), batched=st.booleans(), order=st.sampled_from(["channels_first", "channels_last"]))
def test_flatten_in_either_channel_order(data, batched, order):
    x = exact_array(data.draw, feature_map_shape(data.draw, batched))
    lead = 1 if batched else 0
    r = exact_array(data.draw, x.shape[:lead] + (int(np.prod(x.shape[lead:])),))
    flat, (dx,) = through(FLATTEN, [x], r, order=order, batched=batched)

    x_t = leaf(x)
    # Keras reads a feature map as H×W×C: the channel axis moves last before reading row by row
    moved = x_t.movedim(lead, -1) if order == "channels_last" else x_t
    flat_t = torch.flatten(moved, start_dim=lead)
    (flat_t * leaf(r).detach()).sum().backward()
    assert_close(flat, flat_t, "flatten(x)")
    assert_close(dx, x_t.grad, "∂L/∂x")


def test_channels_last_flatten_reads_pixel_by_pixel():
    # by hand: 2 channels of 1×2 pixels, channel 0 = [1, 2], channel 1 = [3, 4]; H×W×C reads pixel (0,0)
    # in both channels, then pixel (0,1): 1, 3, 2, 4; C×H×W reads channel by channel: 1, 2, 3, 4
    x = np.array([[[Fraction(1), Fraction(2)]], [[Fraction(3), Fraction(4)]]], dtype=object)
    assert FLATTEN.forward(x, order="channels_last").tolist() == [1, 3, 2, 4]
    assert FLATTEN.forward(x).tolist() == [1, 2, 3, 4]


RATES = st.sampled_from([Fraction(0), Fraction(1, 5), Fraction(1, 4), Fraction(1, 2), Fraction(2, 3)])


@SETTINGS
@given(data=st.data(), p=RATES, scale=st.sampled_from(["inverted", "none"]), dense=st.booleans())
def test_dropout_with_a_given_mask(data, p, scale, dense):
    shape = (data.draw(st.integers(2, 5)), data.draw(st.integers(1, 3))) if dense \
        else feature_map_shape(data.draw, batched=True)
    x, r = exact_array(data.draw, shape), exact_array(data.draw, shape)
    mask = np.array(data.draw(st.lists(st.sampled_from([Fraction(0), Fraction(1)]),
                                       min_size=x.size, max_size=x.size)), dtype=object).reshape(shape)
    out, dx = _dropout(x, mask, r, p, scale)

    x_t = leaf(x)
    factor = 1 / (1 - float(p)) if scale == "inverted" else 1.0
    out_t = x_t * leaf(mask).detach() * factor
    (out_t * leaf(r).detach()).sum().backward()
    assert_close(out, out_t, "dropout(x)")
    assert_close(dx, x_t.grad, "∂L/∂x")


def _dropout(x, mask, r, p, scale):
    """The mask is a given, not a differentiated quantity, so it is recorded apart from x."""
    comp = Computation()
    x_n = comp.given("x", Symbol("x", "x"), x, differentiable=True)
    m_n = comp.given("m", Symbol("m", "m"), mask)
    out = comp.apply(DROPOUT, [x_n, m_n], "out", Symbol("z", "z"), p=p, scale=scale)
    r_n = comp.given("r", Symbol("r", "r"), r)
    grads = comp.backward(comp.apply(WEIGHTED_SUM, [out, r_n], "L", Symbol("L", "L"), phase="loss"))
    assert "m" not in grads                  # no gradient for the mask
    return out.value, grads["x"].value


def test_inverted_dropout_keeps_values_exact():
    # by hand: p = 1/3 → kept units × 3/2; 0.2 kept → 0.3, 0.4 dropped → 0
    x = np.array([Fraction(1, 5), Fraction(2, 5)], dtype=object)
    mask = np.array([Fraction(1), Fraction(0)], dtype=object)
    assert DROPOUT.forward(x, mask, p=Fraction(1, 3)).tolist() == [Fraction(3, 10), 0]


@pytest.mark.parametrize("mask, p, message", [
    ([2, 1], Fraction(1, 2), "only 0"),
    ([1], Fraction(1, 2), "shape"),
    ([1, 0], Fraction(1), "below 1"),
])
def test_dropout_refuses_bad_masks_and_rates(mask, p, message):
    x = np.array([Fraction(1), Fraction(2)], dtype=object)
    with pytest.raises(ValueError, match=message):
        DROPOUT.forward(x, np.array([Fraction(v) for v in mask], dtype=object), p=p)


@SETTINGS
@given(data=st.data(), batched=st.booleans(), n_inputs=st.integers(2, 3), axis=st.integers(0, 2))
def test_concatenation_along_an_axis(data, batched, n_inputs, axis):
    base = feature_map_shape(data.draw, batched)
    lead = 1 if batched else 0
    shapes = []
    for _ in range(n_inputs):
        shape = list(base)
        shape[lead + axis] = data.draw(st.integers(1, 3))      # the inputs differ only along the joined axis
        shapes.append(tuple(shape))
    inputs = [exact_array(data.draw, s) for s in shapes]
    joined_shape = list(base)
    joined_shape[lead + axis] = sum(s[lead + axis] for s in shapes)
    r = exact_array(data.draw, tuple(joined_shape))
    out, grads = through(CONCAT, inputs, r, axis=axis, batched=batched)

    leaves = [leaf(v) for v in inputs]
    out_t = torch.cat(leaves, dim=lead + axis)
    (out_t * leaf(r).detach()).sum().backward()
    assert_close(out, out_t, "concat")
    for i, (g, t) in enumerate(zip(grads, leaves)):
        assert_close(g, t.grad, f"∂L/∂x{i}")


def test_concatenation_of_mismatched_maps_is_refused():
    a = np.full((2, 2, 2), Fraction(1), dtype=object)
    b = np.full((1, 3, 2), Fraction(1), dtype=object)
    with pytest.raises(ValueError):
        CONCAT.forward(a, b)


@SETTINGS
@given(data=st.data())
def test_residual_add_sums_the_skip_and_the_branch_gradients(data):
    # z = x + ReLU(x): x reaches z twice, so ∂L/∂x is the skip's r plus the branch's r ⊙ 𝟙[x > 0]
    x = exact_array(data.draw, feature_map_shape(data.draw, batched=True))
    r = exact_array(data.draw, x.shape)
    comp = Computation()
    x_n = comp.given("x", Symbol("x", "x"), x, differentiable=True)
    h = comp.apply(ACTIVATIONS["relu"], [x_n], "h", Symbol("h", "h"), relu_derivative_at_zero=Fraction(0))
    z = comp.apply(Add(), [x_n, h], "z", Symbol("z", "z"))
    r_n = comp.given("r", Symbol("r", "r"), r)
    grads = comp.backward(comp.apply(WEIGHTED_SUM, [z, r_n], "L", Symbol("L", "L"), phase="loss"))

    x_t = leaf(x)
    z_t = x_t + F.relu(x_t)
    (z_t * leaf(r).detach()).sum().backward()
    assert_close(z.value, z_t, "x + ReLU(x)")
    assert_close(grads["x"].value, x_t.grad, "∂L/∂x")
    assert grads["x"].formula.text.count("+") == 1              # shown as the sum of its two contributions


# -- notation ------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{(\d+)\}")
CASES = [
    (FLATTEN, ("x",), {}), (FLATTEN, ("x",), {"order": "channels_last", "batched": True}),
    (DROPOUT, ("x", "m"), {"p": Fraction(1, 2)}), (DROPOUT, ("x", "m"), {"p": Fraction(1, 4), "scale": "none"}),
    (CONCAT, ("a", "b", "c"), {}), (CONCAT, ("a", "b"), {"axis": 1, "batched": True}),
]


@pytest.mark.parametrize("op, ids, params", CASES)
def test_latex_and_text_use_the_same_placeholders(op, ids, params):
    indices = [0] if op is DROPOUT else range(len(ids))       # the mask has no gradient
    formulas = [op.formula(*ids, **params)] + [op.vjp_formula(i, "g", "out", *ids, **params) for i in indices]
    for formula in formulas:
        latex = set(map(int, PLACEHOLDER.findall(formula.latex)))
        assert latex == set(map(int, PLACEHOLDER.findall(formula.text))), formula
        assert latex == set(range(len(formula.args))), formula


def test_notes_state_the_conventions():
    assert "H×W×C" in FLATTEN.note(order="channels_last") and "C×H×W" in FLATTEN.note()
    assert "1/(1 − p) = 2" in DROPOUT.note(p=Fraction(1, 2))
    assert "no scaling" in DROPOUT.note(p=Fraction(1, 2), scale="none")
    assert "channel axis" in CONCAT.note()
    # the block index in split_k must not read as a placeholder of the formula
    assert CONCAT.vjp_formula(1, "g", "out", "a", "b").fill(True, lambda i: "G") == r"\operatorname{split}_{ 2 }(G)"
