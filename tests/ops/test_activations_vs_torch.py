"""Every activation's value and derivative (through Computation.backward) against torch float64."""
from __future__ import annotations

from fractions import Fraction

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.computation import Computation, Symbol
from nnsolve.ops.activations import ACTIVATIONS, SOFTMAX

from torch_reference import (WEIGHTED_SUM, activation, assert_close, decimal_vectors, decimals, leaf,
                             with_zeros)

SETTINGS = settings(max_examples=30, deadline=None)
DERIVATIVE_AT_ZERO = st.sampled_from([Fraction(0), Fraction(1), Fraction(1, 2)])


def backward_through(op, x, g, **params):
    """h = op(x) and ∂L/∂x for the probe loss L = Σ g ⊙ h, both as nnsolve records them."""
    comp = Computation()
    x_node = comp.given("x", Symbol("x", "x"), x, differentiable=True)
    g_node = comp.given("g", Symbol("g", "g"), g)
    h = comp.apply(op, [x_node], "h", Symbol("h", "h"), **params)
    loss = comp.apply(WEIGHTED_SUM, [h, g_node], "L", Symbol("L", "L"), phase="loss")
    grads = comp.backward(loss)
    return h.value, grads["x"].value


def torch_backward(name, x, g, params):
    x_t = leaf(x)
    exact_zero = torch.tensor([[v == 0 for v in row] for row in x] if isinstance(x[0], list) else
                              [v == 0 for v in x])
    out = activation(name, x_t, params, exact_zero)
    (out * leaf(g).detach()).sum().backward()
    return out, x_t.grad


@st.composite
def vector_and_upstream(draw, low=-500, high=500):
    n = draw(st.integers(1, 5))
    x = draw(st.lists(with_zeros(decimals(low, high)), min_size=n, max_size=n))
    g = draw(decimal_vectors(-300, 300, n))
    return x, g


PARAMS = {
    "identity": st.just({}),
    "sigmoid": st.just({}),
    "tanh": st.just({}),
    "softplus": st.just({}),
    "relu": st.fixed_dictionaries({"relu_derivative_at_zero": DERIVATIVE_AT_ZERO}),
    "leaky_relu": st.fixed_dictionaries({"slope": decimals(1, 50), "relu_derivative_at_zero": DERIVATIVE_AT_ZERO}),
    "elu": st.fixed_dictionaries({"alpha": decimals(10, 200), "relu_derivative_at_zero": DERIVATIVE_AT_ZERO}),
}


def _check_against_torch(name, data):
    x, g = data.draw(vector_and_upstream(), label="x, g")
    params = data.draw(PARAMS[name], label="params")
    value, dx = backward_through(ACTIVATIONS[name], x, g, **params)
    out, dx_torch = torch_backward(name, x, g, params)
    assert_close(value, out, f"{name}(x)")
    assert_close(dx, dx_torch, f"d{name}/dx")


@SETTINGS
@given(data=st.data())
def test_identity(data):
    _check_against_torch("identity", data)


@SETTINGS
@given(data=st.data())
def test_sigmoid(data):
    _check_against_torch("sigmoid", data)


@SETTINGS
@given(data=st.data())
def test_tanh(data):
    _check_against_torch("tanh", data)


@SETTINGS
@given(data=st.data())
def test_softplus(data):
    _check_against_torch("softplus", data)


@SETTINGS
@given(data=st.data())
def test_relu_with_either_derivative_at_zero(data):
    _check_against_torch("relu", data)


@SETTINGS
@given(data=st.data())
def test_leaky_relu(data):
    _check_against_torch("leaky_relu", data)


@SETTINGS
@given(data=st.data())
def test_elu(data):
    _check_against_torch("elu", data)


def test_relu_derivative_at_zero_is_the_stated_convention():
    """At exactly 0 torch takes ReLU'(0) = 0; nnsolve takes whatever the problem states."""
    x, g = [Fraction(0), Fraction(-1), Fraction(2)], [Fraction(3), Fraction(3), Fraction(3)]
    for at_zero in (Fraction(0), Fraction(1)):
        _, dx = backward_through(ACTIVATIONS["relu"], x, g, relu_derivative_at_zero=at_zero)
        assert list(dx) == [3 * at_zero, 0, 3]
    x_t = leaf(x)
    (torch.relu(x_t) * 3).sum().backward()
    assert x_t.grad.tolist() == [0.0, 0.0, 3.0]


@SETTINGS
@given(data=st.data())
def test_softmax_of_a_vector_and_of_rows(data):
    rows = data.draw(st.integers(0, 3), label="rows (0: a single vector)")
    width = data.draw(st.integers(2, 5), label="width")
    shape_draw = (lambda s: data.draw(st.lists(s, min_size=rows, max_size=rows))) if rows else data.draw
    x = shape_draw(decimal_vectors(-500, 500, width))
    g = shape_draw(decimal_vectors(-300, 300, width))
    value, dx = backward_through(SOFTMAX, x, g)
    out, dx_torch = torch_backward("softmax", x, g, {})
    assert_close(value, out, "softmax(x)")
    assert_close(dx, dx_torch, "dsoftmax/dx")


def test_softmax_of_equal_logits_is_exactly_uniform():
    value, _ = backward_through(SOFTMAX, [Fraction(7, 10)] * 4, [Fraction(1)] * 4)
    assert list(value) == [Fraction(1, 4)] * 4


# -- step and sign: torch has no such layer; a plain-Python reference for the values ----------------
def plain_step(v, threshold, strict, bipolar):
    fires = v > threshold if strict else v >= threshold
    return 1 if fires else (-1 if bipolar else 0)


def plain_sign(v, at_zero):
    return at_zero if v == 0 else (1 if v > 0 else -1)


@SETTINGS
@given(data=st.data(), threshold=decimals(-100, 100), strict=st.booleans(), bipolar=st.booleans(),
       derivative=DERIVATIVE_AT_ZERO)
def test_step_values_and_stated_derivative(data, threshold, strict, bipolar, derivative):
    x, g = data.draw(vector_and_upstream(-200, 200))
    x = [threshold if i == 0 else v for i, v in enumerate(x)]     # always test the threshold itself
    params = {"threshold": threshold, "strict": strict, "low": Fraction(-1 if bipolar else 0),
              "high": Fraction(1), "step_derivative": derivative}
    value, dx = backward_through(ACTIVATIONS["step"], x, g, **params)
    assert list(value) == [plain_step(v, threshold, strict, bipolar) for v in x]
    assert list(dx) == [derivative * gi for gi in g]


@SETTINGS
@given(data=st.data(), at_zero=st.sampled_from([Fraction(0), Fraction(1), Fraction(-1)]),
       derivative=DERIVATIVE_AT_ZERO)
def test_sign_values_and_stated_derivative(data, at_zero, derivative):
    x, g = data.draw(vector_and_upstream(-200, 200))
    params = {"sign_at_zero": at_zero, "step_derivative": derivative}
    value, dx = backward_through(ACTIVATIONS["sign"], x, g, **params)
    assert list(value) == [plain_sign(v, at_zero) for v in x]
    assert list(dx) == [derivative * gi for gi in g]
