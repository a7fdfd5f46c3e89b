"""Ops that move, mask or join values without learning anything: flatten, dropout with a given mask,
concatenation. (The residual add is `Add` in ops/base.py.)

    FLATTEN(x)                 param `order`: "channels_first" (default: C×H×W read row-major, as
                               torch.flatten does) or "channels_last" (read as H×W×C, as Keras flattens);
                               param `batched` (default False): x holds one sample per entry of axis 0,
                               each flattened on its own.
    DROPOUT(x, mask)           mask of 0/1 of x's shape, given by the exam; param `p` (the drop rate);
                               param `scale`: "inverted" (kept units × 1/(1 − p) at training, as
                               frameworks do) or "none" (no scaling at training; the net scales at test).
    CONCAT(a, b, …)            param `axis` (default 0: the channel axis of a channels-first sample);
                               param `batched` (default False): the axis counts from the sample's first
                               axis, after the batch axis.

Backward: flatten reshapes ∂L/∂(flat) back to x's shape; dropout multiplies it by the mask (× the
scale); concatenation splits it into the blocks each input contributed.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.formula import Formula
from ..engine.number import exact_string
from .base import Op

FLATTEN_ORDERS = ("channels_first", "channels_last")
DROPOUT_SCALINGS = ("inverted", "none")


class Flatten(Op):
    name = "flatten"

    def forward(self, x, *, order="channels_first", batched=False):
        lead = 1 if batched else 0
        return _channels_moved(x, order, lead).reshape(x.shape[:lead] + (-1,))

    def vjp(self, index, grad, out, x, *, order="channels_first", batched=False):
        lead = 1 if batched else 0
        moved_shape = _channels_moved(x, order, lead).shape
        block = grad.reshape(moved_shape)
        return np.moveaxis(block, -1, lead) if _moves(x, order, lead) else block

    def formula(self, x_id, *, order="channels_first", batched=False):
        return Formula(r"\operatorname{flatten}({0})", "flatten({0})", (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **p):
        return Formula(r"\operatorname{reshape}({0})", "reshape({0})", (grad_id,))

    def note(self, *, order="channels_first", batched=False):
        if order == "channels_last":
            return "flattened in H×W×C order (channels last, as Keras flattens); backward reshapes back"
        return "flattened in C×H×W row-major order (channels first, as torch.flatten); backward reshapes back"


def _moves(x, order, lead):
    if order not in FLATTEN_ORDERS:
        raise ValueError(f"unknown flatten order {order!r} (expected one of {FLATTEN_ORDERS})")
    return order == "channels_last" and x.ndim - lead > 1


def _channels_moved(x, order, lead):
    """x with each sample's channel axis moved last when reading channels-last (H×W×C)."""
    return np.moveaxis(x, lead, -1) if _moves(x, order, lead) else x


class Dropout(Op):
    name = "dropout"

    def forward(self, x, mask, *, p, scale="inverted"):
        _check_mask(x, mask)
        return x * mask * _factor(p, scale)

    def vjp(self, index, grad, out, x, mask, *, p, scale="inverted"):
        return grad * mask * _factor(p, scale) if index == 0 else None

    def formula(self, x_id, mask_id, *, p, scale="inverted"):
        return _masked("{0}", "{1}", (x_id, mask_id), p, scale)

    def vjp_formula(self, index, grad_id, out_id, x_id, mask_id, *, p, scale="inverted"):
        return _masked("{0}", "{1}", (grad_id, mask_id), p, scale)

    def note(self, *, p, scale="inverted"):
        rate = exact_string(p)
        if scale == "inverted":
            return f"inverted dropout, p = {rate}: kept units × 1/(1 − p) = {exact_string(_factor(p, scale))}"
        return f"dropout, p = {rate}, no scaling at training (activations × (1 − p) at test instead)"


def _factor(p, scale) -> Fraction:
    if scale not in DROPOUT_SCALINGS:
        raise ValueError(f"unknown dropout scaling {scale!r} (expected one of {DROPOUT_SCALINGS})")
    if not 0 <= p < 1:
        raise ValueError(f"dropout rate p = {exact_string(p)} must be at least 0 and below 1")
    return Fraction(1) / (1 - p) if scale == "inverted" else Fraction(1)


def _check_mask(x, mask):
    if np.shape(mask) != np.shape(x):
        raise ValueError(f"dropout mask has shape {np.shape(mask)}, the layer's values {np.shape(x)}")
    if any(v not in (0, 1) for v in np.asarray(mask, dtype=object).reshape(-1).tolist()):
        raise ValueError("a dropout mask holds only 0 (dropped) and 1 (kept)")


def _masked(value: str, mask: str, ids, p, scale) -> Formula:
    if scale != "inverted":
        return Formula(rf"{value} \odot {mask}", f"{value} ⊙ {mask}", ids)
    rate = exact_string(p)
    return Formula(rf"\frac{{ {value} \odot {mask} }}{{ 1 - {rate} }}", f"{value} ⊙ {mask} / (1 − {rate})", ids)


class Concat(Op):
    name = "concat"

    def forward(self, *inputs, axis=0, batched=False):
        return np.concatenate([np.asarray(a, dtype=object) for a in inputs], axis=_axis(inputs[0], axis, batched))

    def vjp(self, index, grad, out, *inputs, axis=0, batched=False):
        ax = _axis(inputs[0], axis, batched)
        start = sum(a.shape[ax] for a in inputs[:index])
        return np.take(grad, range(start, start + inputs[index].shape[ax]), axis=ax)

    def formula(self, *ids, axis=0, batched=False):
        parts = ", ".join("{%d}" % i for i in range(len(ids)))
        return Formula(rf"\operatorname{{concat}}({parts})", f"concat({parts})", ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, axis=0, batched=False):
        k = index + 1
        return Formula(rf"\operatorname{{split}}_{{ {k} }}({{0}})", f"split_{k}({{0}})", (grad_id,))

    def note(self, *, axis=0, batched=False):
        where = "the channel axis" if axis == 0 else f"axis {axis} of each sample"
        return (f"concatenated along {where} in input order; backward: split_k takes the block of the "
                "gradient that input k contributed")


def _axis(first, axis, batched):
    ax = np.ndim(first) + axis if axis < 0 else axis + (1 if batched else 0)
    if not 0 <= ax < np.ndim(first):
        raise ValueError(f"cannot concatenate along axis {axis} of inputs with {np.ndim(first)} axes")
    return ax


FLATTEN = Flatten()
DROPOUT = Dropout()
CONCAT = Concat()
