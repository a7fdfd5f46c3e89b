"""PyTorch float64 as the oracle: the same quantities as nnsolve, computed by torch's own functions
and differentiated by torch.autograd. Only tests import this (the package never imports torch).

Exact inputs are drawn as integers over 100, so every input is a decimal a person could type.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import torch
from hypothesis import strategies as st

from nnsolve.engine.formula import Formula
from nnsolve.engine.number import to_float
from nnsolve.engine.tensor import total
from nnsolve.ops.base import Op

F = torch.nn.functional     # every tensor here is built from float64 arrays, so computes in float64

RTOL = 1e-10
# float64 sums of terms of size s carry an error of about s·1e-16; cancellation can leave a result much
# smaller than its terms, so near zero the tolerance is absolute, relative to the tensor's largest entry.
ATOL_FACTOR = 1e-11


# -- drawing exact decimals ---------------------------------------------------------------------
def decimals(low: int, high: int) -> st.SearchStrategy[Fraction]:
    """k/100 for an integer k in [low, high]."""
    return st.integers(low, high).map(lambda k: Fraction(k, 100))


def matrix(draw, rows: int, cols: int, entries: st.SearchStrategy | None = None) -> list[list]:
    """A rows × cols list of lists drawn inside a @st.composite (default entries: k/100 for k in [−200, 200])."""
    entries = decimals(-200, 200) if entries is None else entries
    return [[draw(entries) for _ in range(cols)] for _ in range(rows)]


def decimal_vectors(low: int, high: int, size: int) -> st.SearchStrategy[list[Fraction]]:
    return st.lists(decimals(low, high), min_size=size, max_size=size)


def with_zeros(strategy: st.SearchStrategy[Fraction]) -> st.SearchStrategy[Fraction]:
    """Hit exactly 0 often, where conventions (ReLU'(0), sign(0)) decide."""
    return st.one_of(st.just(Fraction(0)), strategy)


# -- conversions and comparison -----------------------------------------------------------------
def floats(values) -> np.ndarray:
    """nnsolve's exact values (a tensor, nested lists or a scalar) as float64."""
    return np.vectorize(to_float, otypes=[float])(np.asarray(values, dtype=object))


def leaf(values) -> torch.Tensor:
    """A float64 torch leaf that collects its gradient."""
    return torch.tensor(floats(values), requires_grad=True)


def assert_close(ours, theirs, what: str = "") -> None:
    """nnsolve's exact value against torch's float64 one: 1e-10 relative, with a small atol near zero."""
    mine = floats(ours)
    if isinstance(theirs, torch.Tensor):
        assert theirs.dtype == torch.float64, f"{what}: the oracle computed in {theirs.dtype}"
    ref = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs, dtype=float)
    assert mine.shape == ref.shape, f"{what}: shape {mine.shape} vs torch {ref.shape}"
    scale = max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
    assert np.allclose(mine, ref, rtol=RTOL, atol=ATOL_FACTOR * scale), \
        f"{what}: nnsolve {mine.tolist()} vs torch {ref.tolist()}"


# -- a probe that turns any output into a scalar loss -------------------------------------------
class WeightedSum(Op):
    """L = Σ g ⊙ y for fixed weights g: ∂L/∂y = g, so backward checks a vjp against any upstream g."""

    name = "weighted_sum"

    def forward(self, y, g):
        return total(y * g)

    def vjp(self, index, grad, out, y, g):
        return grad[()] * g if index == 0 else None

    def formula(self, y_id, g_id):
        return Formula("{0} \\cdot {1}", "{0}·{1}", (y_id, g_id))

    def vjp_formula(self, index, grad_id, out_id, y_id, g_id):
        return Formula("{0}", "{0}", (g_id,))


WEIGHTED_SUM = WeightedSum()


# -- activations --------------------------------------------------------------------------------
def activation(name: str, u: torch.Tensor, params: dict, exact_zero: torch.Tensor | None = None) -> torch.Tensor:
    """torch's activation; where the exact input is 0 and a derivative-at-zero convention is given,
    the value stays f(0) = 0 and the derivative becomes that convention (torch's own choice is 0 for
    ReLU, the slope for leaky ReLU, α for ELU)."""
    if name == "identity":
        out = u
    elif name == "sigmoid":
        out = torch.sigmoid(u)
    elif name == "tanh":
        out = torch.tanh(u)
    elif name == "relu":
        out = F.relu(u)
    elif name == "leaky_relu":
        out = F.leaky_relu(u, float(params["slope"]))
    elif name == "elu":
        out = F.elu(u, float(params["alpha"]))
    elif name == "softplus":
        out = F.softplus(u)
    elif name == "softmax":
        out = torch.softmax(u, dim=-1)
    else:
        raise ValueError(name)
    at_zero = params.get("relu_derivative_at_zero")
    if at_zero is not None and exact_zero is not None and name in ("relu", "leaky_relu", "elu"):
        out = torch.where(exact_zero, float(at_zero) * u, out)
    return out


# -- losses, reduced the way the conventions say -------------------------------------------------
def reduce(per_entry: torch.Tensor, over_outputs: str, over_samples: str) -> torch.Tensor:
    """Sum or mean over the outputs (last axis), then over the samples (first axis of a batch)."""
    per_sample = per_entry.mean(dim=-1) if over_outputs == "mean" else per_entry.sum(dim=-1)
    if per_sample.dim() == 0:
        return per_sample
    return per_sample.mean() if over_samples == "mean" else per_sample.sum()


def squared_error(y, t, half: bool, over_outputs: str, over_samples: str) -> torch.Tensor:
    loss = reduce(F.mse_loss(y, t, reduction="none"), over_outputs, over_samples)
    return loss / 2 if half else loss


def log_base_factor(base) -> float:
    return 1.0 if base == "e" else math.log(base)


def binary_cross_entropy(y, t, base, over_outputs, over_samples, logits: bool = False) -> torch.Tensor:
    """From probabilities y, or (logits=True) from the pre-activations, as torch's fused form does."""
    per_entry = F.binary_cross_entropy_with_logits(y, t, reduction="none") if logits \
        else F.binary_cross_entropy(y, t, reduction="none")
    return reduce(per_entry, over_outputs, over_samples) / log_base_factor(base)


def cross_entropy(y, t, base, over_outputs, over_samples, logits: bool = False) -> torch.Tensor:
    """−Σ t log ŷ; from logits through torch's own cross-entropy (targets as class probabilities)."""
    if not logits:
        return reduce(-t * torch.log(y), over_outputs, over_samples) / log_base_factor(base)
    per_sample = F.cross_entropy(y, t, reduction="none")
    if over_outputs == "mean":
        per_sample = per_sample / y.shape[-1]
    if per_sample.dim() and over_samples == "mean":
        return per_sample.mean() / log_base_factor(base)
    return per_sample.sum() / log_base_factor(base)


def penalty(weights: list[torch.Tensor], kind: str, strength) -> torch.Tensor:
    s = float(strength)
    if kind == "l2":
        return s * sum((w * w).sum() for w in weights)
    return s * sum(w.abs().sum() for w in weights)
