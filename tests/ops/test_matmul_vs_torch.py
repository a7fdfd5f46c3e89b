"""The attention matrix ops (nnsolve/ops/matmul.py) against PyTorch float64: values and, through the
engine's reverse mode with a random upstream gradient, the gradients of every input."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnsolve.engine.computation import Computation, Symbol
from nnsolve.engine.number import mp
from nnsolve.ops.activations import SOFTMAX
from nnsolve.ops.matmul import COLUMNS, INNER, MASK, MATMUL, SCALE, TRANSPOSE

from torch_reference import assert_close, decimals, leaf

SMALL = settings(max_examples=30, deadline=None)


def matrices(rows, cols):
    return st.lists(st.lists(decimals(-300, 300), min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def three_sizes(draw):
    return draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))


def _run(op, values, upstream, **params):
    """Record the op on givens, probe it with L = Σ G ⊙ out and back-propagate; (out, grads by input)."""
    comp = Computation()
    nodes = [comp.given(f"a{i}", Symbol(f"a{i}", f"a{i}"), v, differentiable=diff) for i, (v, diff) in enumerate(values)]
    out = comp.apply(op, nodes, "out", Symbol("o", "o"), **params)
    g = comp.given("G", Symbol("G", "G"), upstream)
    loss = comp.apply(INNER, [out, g], "L", Symbol("L", "L"), phase="loss")
    grads = comp.backward(loss)
    return out.value, {n.id: grads[n.id].value for n in nodes if n.id in grads}


@SMALL
@given(st.data(), three_sizes(), st.booleans())
def test_matrix_product_and_its_gradients(data, sizes, transpose_b):
    n, k, m = sizes
    a = data.draw(matrices(n, k))
    b = data.draw(matrices(m, k) if transpose_b else matrices(k, m))
    g = data.draw(matrices(n, m))
    out, grads = _run(MATMUL, [(a, True), (b, True)], g, transpose_b=transpose_b)
    ta, tb = leaf(a), leaf(b)
    ref = ta @ (tb.T if transpose_b else tb)
    (ref * torch.tensor(np.array(g, dtype=float))).sum().backward()
    assert_close(out, ref, "product")
    assert_close(grads["a0"], ta.grad, "∂A")
    assert_close(grads["a1"], tb.grad, "∂B")


@SMALL
@given(st.data(), three_sizes())
def test_transpose_scale_and_columns(data, sizes):
    n, k, _ = sizes
    a = data.draw(matrices(n, k))
    factor = 1 / mp.sqrt(data.draw(st.integers(1, 9)))
    for op, params, torch_fn in (
            (TRANSPOSE, {}, lambda t: t.T),
            (SCALE, {"factor": factor, "shown": ("c", "c")}, lambda t: t * float(factor)),
            (COLUMNS, {"start": 0, "stop": max(1, k // 2), "head": 1}, lambda t: t[:, :max(1, k // 2)])):
        ta = leaf(a)
        ref = torch_fn(ta)
        g = data.draw(matrices(*ref.shape))
        out, grads = _run(op, [(a, True)], g, **params)
        (ref * torch.tensor(np.array(g, dtype=float))).sum().backward()
        assert_close(out, ref, op.name)
        assert_close(grads["a0"], ta.grad, f"∂ through {op.name}")


@SMALL
@given(st.data(), st.integers(1, 4), st.integers(1, 4))
def test_masked_softmax_matches_torch_minus_infinity(data, n, m):
    """Mask then row softmax, as torch fills masked scores with −inf: masked weights are exactly 0."""
    s = data.draw(matrices(n, m))
    keep = [[data.draw(st.integers(0, 1)) for _ in range(m)] for _ in range(n)]
    for row in keep:
        row[data.draw(st.integers(0, m - 1))] = 1          # every query keeps a key
    g = data.draw(matrices(n, m))
    comp = Computation()
    sn = comp.given("S", Symbol("S", "S"), s, differentiable=True)
    kn = comp.given("keep", Symbol("k", "k"), keep)
    masked = comp.apply(MASK, [sn, kn], "Sm", Symbol("Sm", "Sm"))
    weights = comp.apply(SOFTMAX, [masked], "A", Symbol("A", "A"))
    loss = comp.apply(INNER, [weights, comp.given("G", Symbol("G", "G"), g)], "L", Symbol("L", "L"))
    grads = comp.backward(loss)
    ts = leaf(s)
    ref = torch.softmax(ts.masked_fill(torch.tensor(keep) == 0, float("-inf")), dim=-1)
    (ref * torch.tensor(np.array(g, dtype=float))).sum().backward()
    assert_close(weights.value, ref, "weights")
    assert_close(grads["S"].value, ts.grad, "∂S")
    assert all(v == 0 for v, k in zip(weights.value.reshape(-1), np.array(keep).reshape(-1)) if k == 0)


def test_a_mask_that_hides_a_whole_row_is_refused():
    with pytest.raises(ValueError, match="every key"):
        MASK.forward(np.array([[Fraction(1), Fraction(2)]], dtype=object), np.array([[0, 0]], dtype=object))


def test_scale_formula_keeps_literal_braces_apart_from_placeholders():
    formula = SCALE.formula("S", factor=Fraction(1, 2), shown=(r"\frac{ 1 }{ \sqrt{ 4 } }", "1/√4"))
    assert formula.fill(True, lambda i: "X") == r"\frac{ 1 }{ \sqrt{ 4 } } \, X"
