"""Batch norm (training mode) and layer norm, decomposed into μ, σ², x̂, y, against torch float64:
the forward values and, through Computation.backward, ∂L/∂x, ∂L/∂γ, ∂L/∂β for L = Σ r ⊙ y."""
from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnsolve.engine.computation import Computation, Symbol
from nnsolve.ops.normalization import BATCH_MEAN, BATCH_VARIANCE, NORMALIZE, SCALE_SHIFT
from nnsolve.ops.scalar import DomainError

from torch_reference import F, WEIGHTED_SUM, assert_close, decimals, leaf

SETTINGS = settings(max_examples=30, deadline=None)
EPSILONS = st.sampled_from([Fraction(1, 100000), Fraction(1, 1000), Fraction(1, 10)])
EPSILONS_OR_ZERO = st.one_of(EPSILONS, st.just(Fraction(0)))    # torch's batch_norm refuses ε = 0 in training


def exact_array(draw, shape, low, high):
    values = draw(st.lists(decimals(low, high), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return np.array(values, dtype=object).reshape(shape)


@st.composite
def batches(draw):
    """(N, F), (N, C, L) or (N, C, H, W): N 2–5, F or C 1–3, spatial sizes 1–4."""
    spatial = draw(st.sampled_from([0, 1, 2]))
    shape = (draw(st.integers(2, 5)), draw(st.integers(1, 3))) + tuple(draw(st.integers(1, 4))
                                                                        for _ in range(spatial))
    # few distinct values, so that constant features (σ² = 0, where ε alone keeps x̂ finite) turn up
    narrow = draw(st.booleans())
    return exact_array(draw, shape, -3, 3) if narrow else exact_array(draw, shape, -500, 500)


def normalized(x, gamma, beta, r, eps, **grouping):
    """Every recorded quantity and the gradients of x, γ, β, as nnsolve's worked solution has them."""
    comp = Computation()
    x_n = comp.given("x", Symbol("x", "x"), x, differentiable=True)
    gamma_n = comp.given("gamma", Symbol(r"\gamma", "γ"), gamma, differentiable=True)
    beta_n = comp.given("beta", Symbol(r"\beta", "β"), beta, differentiable=True)
    r_n = comp.given("r", Symbol("r", "r"), r)
    mu = comp.apply(BATCH_MEAN, [x_n], "mu", Symbol(r"\mu", "μ"), **grouping)
    var = comp.apply(BATCH_VARIANCE, [x_n, mu], "var", Symbol(r"\sigma^2", "σ²"), **grouping)
    xhat = comp.apply(NORMALIZE, [x_n, mu, var], "xhat", Symbol(r"\hat{x}", "x̂"), eps=eps, **grouping)
    y = comp.apply(SCALE_SHIFT, [xhat, gamma_n, beta_n], "y", Symbol("y", "y"), **grouping)
    loss = comp.apply(WEIGHTED_SUM, [y, r_n], "L", Symbol("L", "L"), phase="loss")
    grads = comp.backward(loss)
    return comp, {k: grads[k].value for k in ("x", "gamma", "beta")}


@SETTINGS
@given(data=st.data(), eps=EPSILONS)
def test_batch_norm_training_mode_forward_and_gradients(data, eps):
    x = data.draw(batches(), label="x")
    channels = x.shape[1]
    gamma = exact_array(data.draw, (channels,), -300, 300)
    beta = exact_array(data.draw, (channels,), -300, 300)
    r = exact_array(data.draw, x.shape, -300, 300)
    comp, grads = normalized(x, gamma, beta, r, eps)

    x_t, gamma_t, beta_t = leaf(x), leaf(gamma), leaf(beta)
    reduce_dims = (0,) + tuple(range(2, x.ndim))
    y_t = F.batch_norm(x_t, None, None, weight=gamma_t, bias=beta_t, training=True, eps=float(eps))
    (y_t * leaf(r).detach()).sum().backward()

    assert_close(comp.value("mu"), x_t.mean(dim=reduce_dims), "μ")
    assert_close(comp.value("var"), x_t.var(dim=reduce_dims, unbiased=False), "biased σ²")
    assert_close(comp.value("y"), y_t, "y")
    assert_close(grads["x"], x_t.grad, "∂L/∂x")
    assert_close(grads["gamma"], gamma_t.grad, "∂L/∂γ")
    assert_close(grads["beta"], beta_t.grad, "∂L/∂β")


@SETTINGS
@given(data=st.data(), eps=EPSILONS_OR_ZERO)
def test_layer_norm_over_trailing_axes(data, eps):
    x = data.draw(batches(), label="x")
    feature_axes = data.draw(st.integers(1, x.ndim - 1), label="feature_axes")
    normalized_shape = x.shape[x.ndim - feature_axes:]
    gamma = exact_array(data.draw, normalized_shape, -300, 300)
    beta = exact_array(data.draw, normalized_shape, -300, 300)
    r = exact_array(data.draw, x.shape, -300, 300)
    try:
        comp, grads = normalized(x, gamma, beta, r, eps, over="features", feature_axes=feature_axes)
    except DomainError:     # a constant feature with ε = 0: no normalized value exists (tested below)
        assume(False)

    x_t, gamma_t, beta_t = leaf(x), leaf(gamma), leaf(beta)
    y_t = F.layer_norm(x_t, normalized_shape, weight=gamma_t, bias=beta_t, eps=float(eps))
    (y_t * leaf(r).detach()).sum().backward()

    assert_close(comp.value("y"), y_t, "y")
    assert_close(grads["x"], x_t.grad, "∂L/∂x")
    assert_close(grads["gamma"], gamma_t.grad, "∂L/∂γ")
    assert_close(grads["beta"], beta_t.grad, "∂L/∂β")


def test_a_perfect_square_variance_stays_rational():
    # by hand: feature 1 is 1, 3 → μ = 2, σ² = ((−1)² + 1²)/2 = 1, √(1 + 9/16) = 5/4, x̂ = ∓1/(5/4) = ∓4/5;
    # feature 2 is 5, 5 → μ = 5, σ² = 0, √(0 + 9/16) = 3/4, x̂ = 0
    x = np.array([[Fraction(1), Fraction(5)], [Fraction(3), Fraction(5)]], dtype=object)
    eps = Fraction(9, 16)
    mu = BATCH_MEAN.forward(x)
    var = BATCH_VARIANCE.forward(x, mu)
    xhat = NORMALIZE.forward(x, mu, var, eps=eps)
    assert list(mu) == [2, 5] and list(var) == [1, 0]
    assert xhat.tolist() == [[Fraction(-4, 5), 0], [Fraction(4, 5), 0]]
    assert all(type(v) is Fraction for v in xhat.reshape(-1))


def test_a_constant_feature_with_zero_epsilon_is_a_domain_error():
    x = np.array([[Fraction(2)], [Fraction(2)]], dtype=object)
    mu = BATCH_MEAN.forward(x)
    var = BATCH_VARIANCE.forward(x, mu)
    with pytest.raises(DomainError, match="ε"):
        NORMALIZE.forward(x, mu, var, eps=Fraction(0))


def test_gamma_of_the_wrong_length_is_refused():
    xhat = np.array([[Fraction(1), Fraction(2)]] * 2, dtype=object)
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        SCALE_SHIFT.forward(xhat, np.array([Fraction(1)] * 3, dtype=object), np.array([Fraction(0)] * 3, dtype=object))


# -- notation ------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{(\d+)\}")
GROUPINGS = [{}, {"over": "features", "feature_axes": 2}]
ARITY = {BATCH_MEAN: ("x",), BATCH_VARIANCE: ("x", "mu"), NORMALIZE: ("x", "mu", "var"),
         SCALE_SHIFT: ("xhat", "gamma", "beta")}


def _all_formulas(op, grouping):
    params = dict(grouping, **({"eps": Fraction(1, 1000)} if op is NORMALIZE else {}))
    ids = ARITY[op]
    yield op.formula(*ids, **params)
    for i in range(len(ids)):
        yield op.vjp_formula(i, "dL/dout", "out", *ids, **params)


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("op", list(ARITY), ids=lambda op: op.name)
def test_latex_and_text_use_the_same_placeholders(op, grouping):
    for formula in _all_formulas(op, grouping):
        latex = set(map(int, PLACEHOLDER.findall(formula.latex)))
        text = set(map(int, PLACEHOLDER.findall(formula.text)))
        assert latex == text, formula
        assert latex == set(range(len(formula.args))), formula     # every argument shown, none missing


def test_notes_state_the_conventions():
    assert "m − 1" in BATCH_VARIANCE.note() and "training" in BATCH_VARIANCE.note()
    assert "per channel" in BATCH_MEAN.note() and "per sample" in BATCH_MEAN.note(over="features")
    assert "ε = 0.00001" in NORMALIZE.note(eps=Fraction(1, 100000))
    assert "γ" in SCALE_SHIFT.note()
