"""Every loss and penalty: value and gradient through Computation.backward against torch float64."""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.computation import Computation, Symbol
from nnsolve.ops.activations import ACTIVATIONS, SOFTMAX
from nnsolve.ops.losses import BINARY_CROSS_ENTROPY, CROSS_ENTROPY, PENALTY, SQUARED_ERROR, loss_scale

from torch_reference import (assert_close, binary_cross_entropy, cross_entropy, decimals, leaf, penalty,
                             squared_error, with_zeros)

SETTINGS = settings(max_examples=30, deadline=None)
REDUCTIONS = st.sampled_from(["sum", "mean"])
LOG_BASES = st.sampled_from(["e", 2, 10])


@st.composite
def batch(draw, values: st.SearchStrategy, width: int, samples: int):
    """One sample as a vector (samples == 0) or a batch with one sample per row."""
    row = st.lists(values, min_size=width, max_size=width)
    return draw(st.lists(row, min_size=samples, max_size=samples)) if samples else draw(row)


@st.composite
def shapes(draw, min_width: int = 1):
    return draw(st.integers(min_width, 5)), draw(st.integers(0, 3))


def sizes(values) -> tuple[int, int]:
    """(outputs, samples) of a vector or a batch."""
    return (len(values[0]), len(values)) if isinstance(values[0], list) else (len(values), 1)


def record(comp: Computation, node_id: str, value, differentiable: bool = False):
    return comp.given(node_id, Symbol(node_id, node_id), value, differentiable=differentiable)


@SETTINGS
@given(data=st.data(), half=st.booleans(), over_outputs=REDUCTIONS, over_samples=REDUCTIONS)
def test_squared_error(data, half, over_outputs, over_samples):
    width, samples = data.draw(shapes())
    y = data.draw(batch(decimals(-300, 300), width, samples), label="y")
    t = data.draw(batch(decimals(-300, 300), width, samples), label="t")
    comp = Computation()
    y_node, t_node = record(comp, "y", y, differentiable=True), record(comp, "t", t)
    scale = loss_scale(half, over_outputs, over_samples, *sizes(y))
    loss = comp.apply(SQUARED_ERROR, [y_node, t_node], "L", Symbol("L", "L"), phase="loss", scale=scale)
    grads = comp.backward(loss)

    y_t = leaf(y)
    loss_t = squared_error(y_t, leaf(t).detach(), half, over_outputs, over_samples)
    loss_t.backward()
    assert_close(loss.value, loss_t, "squared error")
    assert_close(grads["y"].value, y_t.grad, "∂L/∂ŷ")


def _cross_entropy_case(data, kind: str, fused: bool, base, over_outputs: str, over_samples: str):
    """Logits u → ŷ (sigmoid for BCE, softmax for CE) → loss, with the fused or the chained gradient."""
    width, samples = data.draw(shapes(min_width=1 if kind == "bce" else 2))
    u = data.draw(batch(decimals(-400, 400), width, samples), label="u")
    t = data.draw(batch(decimals(0, 100), width, samples), label="t")
    op = BINARY_CROSS_ENTROPY if kind == "bce" else CROSS_ENTROPY
    squash = ACTIVATIONS["sigmoid"] if kind == "bce" else SOFTMAX

    comp = Computation()
    u_node, t_node = record(comp, "u", u, differentiable=True), record(comp, "t", t)
    y_node = comp.apply(squash, [u_node], "y", Symbol("y", "y"))
    scale = loss_scale(False, over_outputs, over_samples, *sizes(u))
    inputs = [u_node, y_node, t_node] if fused else [y_node, t_node]
    loss = comp.apply(op, inputs, "L", Symbol("L", "L"), phase="loss", display=[y_node, t_node], scale=scale,
                      base=base, log_zero=None, fused=fused)
    grads = comp.backward(loss)

    u_t, t_t = leaf(u), leaf(t).detach()
    reference = binary_cross_entropy if kind == "bce" else cross_entropy
    if fused:   # torch's own fused forms: BCE-with-logits, cross-entropy on logits
        loss_t = reference(u_t, t_t, base, over_outputs, over_samples, logits=True)
    else:
        y_t = torch.sigmoid(u_t) if kind == "bce" else torch.softmax(u_t, dim=-1)
        y_t.retain_grad()
        loss_t = reference(y_t, t_t, base, over_outputs, over_samples)
    loss_t.backward()
    assert_close(loss.value, loss_t, f"{kind} loss")
    assert_close(grads["u"].value, u_t.grad, f"{kind}: ∂L/∂u")
    if fused:
        assert "y" not in grads, "a fused gradient goes straight to the logits"
    else:
        assert_close(grads["y"].value, y_t.grad, f"{kind}: ∂L/∂ŷ")


@SETTINGS
@given(data=st.data(), fused=st.booleans(), base=LOG_BASES, over_outputs=REDUCTIONS, over_samples=REDUCTIONS)
def test_binary_cross_entropy(data, fused, base, over_outputs, over_samples):
    _cross_entropy_case(data, "bce", fused, base, over_outputs, over_samples)


@SETTINGS
@given(data=st.data(), fused=st.booleans(), base=LOG_BASES, over_outputs=REDUCTIONS, over_samples=REDUCTIONS)
def test_cross_entropy_with_any_nonnegative_targets(data, fused, base, over_outputs, over_samples):
    _cross_entropy_case(data, "ce", fused, base, over_outputs, over_samples)


@SETTINGS
@given(y=st.lists(st.sampled_from([Fraction(0), Fraction(1), Fraction(1, 4), Fraction(3, 5)]), min_size=1,
                  max_size=5).filter(lambda ys: 0 in ys or 1 in ys),
       data=st.data())
def test_bce_log_zero_clamp_matches_torch_clamp(y, data):
    """torch clamps log at −100; with log_zero: −100 nnsolve gives the same loss where ŷ is 0 or 1."""
    t = data.draw(st.lists(decimals(0, 100), min_size=len(y), max_size=len(y)), label="t")
    comp = Computation()
    loss = comp.apply(BINARY_CROSS_ENTROPY, [record(comp, "y", y), record(comp, "t", t)], "L", Symbol("L", "L"),
                      scale=Fraction(1), base="e", log_zero=Fraction(-100), fused=False)
    reference = torch.nn.functional.binary_cross_entropy(leaf(y), leaf(t), reduction="sum")
    assert_close(loss.value, reference, "clamped BCE")


@pytest.mark.parametrize("kind", ["l1", "l2"])
@SETTINGS
@given(data=st.data(), strength=decimals(1, 100))
def test_penalty_over_weights_and_biases(kind, data, strength):
    rows, cols = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    values = with_zeros(decimals(-300, 300))   # L1 at a zero weight: sign(0) = 0, as torch's |w|' is
    w = data.draw(st.lists(st.lists(values, min_size=cols, max_size=cols), min_size=rows, max_size=rows))
    b = data.draw(st.lists(values, min_size=cols, max_size=cols))
    comp = Computation()
    params = [record(comp, "W", w, differentiable=True), record(comp, "b", b, differentiable=True)]
    loss = comp.apply(PENALTY, params, "penalty", Symbol("Ω", "Ω"), phase="loss", kind=kind, strength=strength)
    grads = comp.backward(loss)

    w_t, b_t = leaf(w), leaf(b)
    reference = penalty([w_t, b_t], kind, strength)
    reference.backward()
    assert_close(loss.value, reference, f"{kind} penalty")
    assert_close(grads["W"].value, w_t.grad, f"{kind}: ∂Ω/∂W")
    assert_close(grads["b"].value, b_t.grad, f"{kind}: ∂Ω/∂b")


def test_half_sse_of_a_known_case():
    """½Σ(ŷ − t)² for ŷ = [1, 0.5], t = [0, 1]: ½(1 + 0.25) = 0.625 exactly; ∂L/∂ŷ = ŷ − t = [1, −0.5]."""
    comp = Computation()
    y = record(comp, "y", [Fraction(1), Fraction(1, 2)], differentiable=True)
    t = record(comp, "t", [Fraction(0), Fraction(1)])
    loss = comp.apply(SQUARED_ERROR, [y, t], "L", Symbol("L", "L"), scale=Fraction(1, 2))
    assert loss.value[()] == Fraction(5, 8)
    assert list(comp.backward(loss)["y"].value) == [1, Fraction(-1, 2)]
