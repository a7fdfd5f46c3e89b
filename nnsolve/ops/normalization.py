"""Batch normalization (training mode) and layer normalization, one op per quantity a worked solution shows.

    μ  = BATCH_MEAN(x)                 inputs (x)
    σ² = BATCH_VARIANCE(x, μ)          inputs (x, μ); biased: Σ(x − μ)²/m
    x̂  = NORMALIZE(x, μ, σ²)           inputs (x, μ, σ²); param `eps` (ε, a Fraction)
    y  = SCALE_SHIFT(x̂, γ, β)          inputs (x̂, γ, β)

Every op also takes the grouping params `over` and `feature_axes`; pass the same values to all four:

- `over="batch"` (default, batch norm): one statistic per feature of an (N, F) batch, or per channel of
  an (N, C, H, W) or (N, C, L) batch, taken over every axis but the feature/channel axis 1; γ and β are
  vectors over that axis.
- `over="features"` (layer norm): one statistic per sample, taken over the last `feature_axes` axes
  (default 1); γ and β have the shape of those axes.

Each op has its own exact vector-Jacobian product, so reverse mode through the four steps is batch
norm's backward (the gradient through μ and σ² included). Values stay rational while √(σ² + ε) is.
"""
from __future__ import annotations

from fractions import Fraction
from math import prod

import numpy as np

from ..engine.formula import Formula
from ..engine.number import exact_string
from ..engine.tensor import emap
from . import scalar
from .base import Op

GROUPINGS = ("batch", "features")


def reduced_axes(ndim: int, over: str, feature_axes: int = 1) -> tuple[int, ...]:
    """The axes a statistic is taken over."""
    if over == "batch":
        if ndim < 2:
            raise ValueError("batch normalization needs a batch: one sample per row (N, F) or (N, C, …)")
        return (0,) + tuple(range(2, ndim))
    if over == "features":
        if not 1 <= feature_axes <= ndim:
            raise ValueError(f"layer normalization over {feature_axes} trailing axes of a {ndim}-axis input")
        return tuple(range(ndim - feature_axes, ndim))
    raise ValueError(f"unknown normalization grouping {over!r} (expected one of {GROUPINGS})")


def _parameter_axes(ndim: int, over: str, feature_axes: int) -> tuple[int, ...]:
    """The axes γ and β run along: the channel axis for batch norm, the normalized axes for layer norm."""
    return (1,) if over == "batch" else reduced_axes(ndim, over, feature_axes)


def _count(x: np.ndarray, axes: tuple[int, ...]) -> int:
    return prod(x.shape[a] for a in axes)


def _expand(stat: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """A per-group statistic with length-1 axes put back, so it broadcasts against x."""
    return np.expand_dims(np.asarray(stat, dtype=object), axes)


def _sum(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    return np.asarray(np.asarray(a, dtype=object).sum(axis=axes), dtype=object)


def _root(var_plus_eps: np.ndarray) -> np.ndarray:
    """√(σ² + ε), refusing 0: with ε = 0 a constant feature has no normalized value."""
    def root(v):
        if v == 0:
            raise scalar.DomainError("σ² + ε = 0: every value of a feature is equal and ε is 0, "
                                     "so x̂ = (x − μ)/√(σ² + ε) divides by zero; state the exam's ε")
        return scalar.sqrt(v)
    return emap(root, var_plus_eps)


def _quotient(a, b):
    """a / b, keeping an exact 0 exact when b is irrational (x = μ gives x̂ = 0, not the float 0.0)."""
    return Fraction(0) if a == 0 and isinstance(a, Fraction) else a / b


def _grouping_note(over: str, feature_axes: int) -> str:
    if over == "batch":
        return "per feature over the batch (per channel over N, H, W for feature maps), m values each"
    last = "the last axis" if feature_axes == 1 else f"the last {feature_axes} axes"
    return f"per sample over {last} (layer norm), m values each"


class BatchMean(Op):
    name = "batch_mean"

    def forward(self, x, *, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        return _sum(x, axes) * Fraction(1, _count(x, axes))

    def vjp(self, index, grad, out, x, *, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        return np.broadcast_to(_expand(grad, axes), x.shape) * Fraction(1, _count(x, axes))

    def formula(self, x_id, **p):
        return Formula(r"\frac{ 1 }{ m } \sum_{ i=1 }^{ m } {0}_i", "(1/m) Σᵢ {0}ᵢ", (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **p):
        return Formula(r"\frac{ 1 }{ m } {0}", "(1/m) {0}", (grad_id,))

    def note(self, *, over="batch", feature_axes=1):
        return "mean " + _grouping_note(over, feature_axes)


class BatchVariance(Op):
    name = "batch_variance"

    def forward(self, x, mu, *, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        d = x - _expand(mu, axes)
        return _sum(d * d, axes) * Fraction(1, _count(x, axes))

    def vjp(self, index, grad, out, x, mu, *, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        two_over_m = Fraction(2, _count(x, axes))
        d = x - _expand(mu, axes)
        if index == 0:
            return _expand(grad, axes) * d * two_over_m
        # Σ(x − μ) is 0 for the exact mean, but not for a rounded or pinned μ: computed, not assumed
        return grad * _sum(d, axes) * (-two_over_m)

    def formula(self, x_id, mu_id, **p):
        return Formula(r"\frac{ 1 }{ m } \sum_{ i=1 }^{ m } ({0}_i - {1})^2", "(1/m) Σᵢ ({0}ᵢ − {1})²",
                       (x_id, mu_id))

    def vjp_formula(self, index, grad_id, out_id, x_id, mu_id, **p):
        if index == 0:
            return Formula(r"\frac{ 2 }{ m } {0} ({1} - {2})", "(2/m) {0} ({1} − {2})", (grad_id, x_id, mu_id))
        return Formula(r"-\frac{ 2 }{ m } {0} \sum_{ i=1 }^{ m } ({1}_i - {2})", "−(2/m) {0} Σᵢ ({1}ᵢ − {2})",
                       (grad_id, x_id, mu_id))

    def note(self, *, over="batch", feature_axes=1):
        return ("biased variance " + _grouping_note(over, feature_axes) +
                ": σ² = Σ(x − μ)²/m, divided by m, not m − 1, as frameworks do in training mode")


class Normalize(Op):
    name = "normalize"

    def forward(self, x, mu, var, *, eps, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        return emap(_quotient, x - _expand(mu, axes), _expand(_root(var + eps), axes))

    def vjp(self, index, grad, out, x, mu, var, *, eps, over="batch", feature_axes=1):
        axes = reduced_axes(x.ndim, over, feature_axes)
        root = _root(var + eps)
        if index == 0:
            return emap(_quotient, grad, _expand(root, axes))
        if index == 1:
            return -emap(_quotient, _sum(grad, axes), root)
        # ∂x̂/∂σ² = −½ (x − μ)(σ² + ε)^(−3/2), written with the root so it stays exact when the root is
        return _sum(grad * (x - _expand(mu, axes)), axes) / (root * (var + eps)) * Fraction(-1, 2)

    def formula(self, x_id, mu_id, var_id, *, eps, **p):
        e = exact_string(eps)
        return Formula(rf"\frac{{ {{0}} - {{1}} }}{{ \sqrt{{ {{2}} + {e} }} }}", f"({{0}} − {{1}}) / √({{2}} + {e})",
                       (x_id, mu_id, var_id))

    def vjp_formula(self, index, grad_id, out_id, x_id, mu_id, var_id, *, eps, **p):
        e = exact_string(eps)
        if index == 0:
            return Formula(rf"\frac{{ {{0}} }}{{ \sqrt{{ {{1}} + {e} }} }}", f"{{0}} / √({{1}} + {e})",
                           (grad_id, var_id))
        if index == 1:
            return Formula(rf"-\frac{{ \sum_{{ i=1 }}^{{ m }} {{0}}_i }}{{ \sqrt{{ {{1}} + {e} }} }}",
                           f"−Σᵢ {{0}}ᵢ / √({{1}} + {e})", (grad_id, var_id))
        return Formula(rf"-\frac{{ 1 }}{{ 2 }} \sum_{{ i=1 }}^{{ m }} {{0}}_i ({{1}}_i - {{2}})"
                       rf" ({{3}} + {e})^{{ -3/2 }}",
                       f"−½ Σᵢ {{0}}ᵢ ({{1}}ᵢ − {{2}}) ({{3}} + {e})^(−3/2)", (grad_id, x_id, mu_id, var_id))

    def note(self, *, eps, over="batch", feature_axes=1):
        return f"x̂ = (x − μ)/√(σ² + ε) with ε = {exact_string(eps)}"


class ScaleShift(Op):
    name = "scale_shift"

    def forward(self, xhat, gamma, beta, *, over="batch", feature_axes=1):
        gamma_b, beta_b = (self._along(xhat, v, over, feature_axes) for v in (gamma, beta))
        return gamma_b * xhat + beta_b

    def vjp(self, index, grad, out, xhat, gamma, beta, *, over="batch", feature_axes=1):
        if index == 0:
            return grad * self._along(xhat, gamma, over, feature_axes)
        others = self._other_axes(xhat.ndim, over, feature_axes)
        return _sum(grad * xhat, others) if index == 1 else _sum(grad, others)

    @staticmethod
    def _other_axes(ndim, over, feature_axes):
        own = _parameter_axes(ndim, over, feature_axes)
        return tuple(a for a in range(ndim) if a not in own)

    def _along(self, xhat, v, over, feature_axes):
        """γ or β laid along its axes of x̂, checked against them."""
        own = _parameter_axes(xhat.ndim, over, feature_axes)
        expected = tuple(xhat.shape[a] for a in own)
        if tuple(np.shape(v)) != expected:
            raise ValueError(f"γ and β must have shape {expected} (one per "
                             f"{'feature/channel' if over == 'batch' else 'normalized entry'}), got {np.shape(v)}")
        return _expand(v, self._other_axes(xhat.ndim, over, feature_axes))

    def formula(self, xhat_id, gamma_id, beta_id, **p):
        return Formula(r"{1} \odot {0} + {2}", "{1} ⊙ {0} + {2}", (xhat_id, gamma_id, beta_id))

    def vjp_formula(self, index, grad_id, out_id, xhat_id, gamma_id, beta_id, **p):
        if index == 0:
            return Formula(r"{0} \odot {1}", "{0} ⊙ {1}", (grad_id, gamma_id))
        if index == 1:
            # summed over every axis γ does not run along: samples (and positions, for batch norm of feature maps)
            return Formula(r"\sum {0} \odot {1}", "Σ {0} ⊙ {1}", (grad_id, xhat_id))
        return Formula(r"\sum {0}", "Σ {0}", (grad_id,))

    def note(self, *, over="batch", feature_axes=1):
        which = "per feature (per channel)" if over == "batch" else "per normalized entry"
        return f"y = γ x̂ + β, γ and β learned {which}"


BATCH_MEAN = BatchMean()
BATCH_VARIANCE = BatchVariance()
NORMALIZE = Normalize()
SCALE_SHIFT = ScaleShift()
