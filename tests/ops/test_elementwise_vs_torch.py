"""The Hadamard product and the complement 1 − a against torch autograd in float64: values, each
operand's vector-Jacobian product, and the notation's placeholders."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnsolve.engine.number import to_float
from nnsolve.ops.elementwise import COMPLEMENT, MUL

entry = st.fractions(min_value=-3, max_value=3, max_denominator=16)


@st.composite
def operands(draw, count):
    shape = draw(st.sampled_from([(1,), (3,), (2, 2)]))
    size = int(np.prod(shape))
    return [np.array([draw(entry) for _ in range(size)], dtype=object).reshape(shape) for _ in range(count)]


def t64(a):
    return torch.tensor(np.vectorize(float)(a).astype(float), dtype=torch.float64, requires_grad=True)


def floats(a):
    return np.vectorize(to_float)(a).astype(float)


@settings(max_examples=40, deadline=None)
@given(operands(3))
def test_hadamard_value_and_both_gradients(arrays):
    a, b, grad = arrays
    out = MUL.forward(a, b)
    ta, tb = t64(a), t64(b)
    result = ta * tb
    result.backward(torch.tensor(np.vectorize(float)(grad).astype(float), dtype=torch.float64))
    assert np.allclose(floats(out), result.detach().numpy(), atol=1e-12)
    assert np.allclose(floats(MUL.vjp(0, grad, out, a, b)), ta.grad.numpy(), atol=1e-12)
    assert np.allclose(floats(MUL.vjp(1, grad, out, a, b)), tb.grad.numpy(), atol=1e-12)
    assert all(isinstance(v, Fraction) for v in out.ravel())      # exact in, exact out


@settings(max_examples=30, deadline=None)
@given(operands(2))
def test_complement_value_and_gradient(arrays):
    a, grad = arrays
    out = COMPLEMENT.forward(a)
    ta = t64(a)
    result = 1 - ta
    result.backward(torch.tensor(np.vectorize(float)(grad).astype(float), dtype=torch.float64))
    assert np.allclose(floats(out), result.detach().numpy(), atol=1e-12)
    assert np.allclose(floats(COMPLEMENT.vjp(0, grad, out, a)), ta.grad.numpy(), atol=1e-12)


def test_notation_names_the_right_quantities():
    assert MUL.formula("o1", "tc1").text == "{0} ⊙ {1}"
    assert MUL.vjp_formula(1, "dL/dh1", "h1", "o1", "tc1").args == ("dL/dh1", "o1")
    # a literal 1 in LaTeX must not read as the placeholder {1}
    assert "{1}" not in COMPLEMENT.formula("z1").latex
    assert COMPLEMENT.formula("z1").fill(True, lambda q: q) == "{ 1 } - z1"


def test_unequal_shapes_are_refused():
    with pytest.raises(ValueError, match="equal shapes"):
        MUL.forward(np.array([Fraction(1)], dtype=object), np.array([Fraction(1), Fraction(2)], dtype=object))
