"""Helpers shared by the convolution and pooling differential tests: exact random tensors (k/100) and a
float64 comparison with torch autograd's gradients of the probe loss Σ g ⊙ z."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
from hypothesis import strategies as st

from torch_reference import assert_close, floats


@st.composite
def exact_tensors(draw, shape) -> np.ndarray:
    values = draw(st.lists(st.integers(-99, 99), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    out = np.empty(int(np.prod(shape)), dtype=object)
    out[:] = [Fraction(v, 100) for v in values]
    return out.reshape(shape)


def torch_leaf(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(floats(a)).requires_grad_()


def check_op(op, exact_inputs, torch_fn, probe, **params) -> None:
    """op's value and the vjp of every input (None: no gradient wanted) against torch float64."""
    z = op.forward(*exact_inputs, **params)
    leaves = [torch_leaf(a) if a is not None else None for a in exact_inputs]
    zt = torch_fn(*leaves)
    assert_close(z, zt.detach().numpy(), "forward")
    g = probe(z.shape)
    (zt * torch.tensor(floats(g))).sum().backward()
    for i, leaf in enumerate(leaves):
        if leaf is None:
            continue
        ours = op.vjp(i, g, z, *exact_inputs, **params)
        assert_close(ours, leaf.grad.numpy(), f"gradient of input {i}")
