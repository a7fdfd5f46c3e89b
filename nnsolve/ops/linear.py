"""The affine map of a dense layer, in either weight layout.

`in_out`: W has one row per input (u = Wᵀx + b, as many keys write it);
`out_in`: W has one row per output unit (u = Wx + b, PyTorch's nn.Linear).
A batch is a matrix with one sample per row; the formulas then read U = XW + b or U = XWᵀ + b.
"""
from __future__ import annotations

import numpy as np

from ..engine.formula import Formula
from .base import Op

LAYOUTS = ("in_out", "out_in")


class Affine(Op):
    name = "affine"

    # shared_bias: b is one number added to every unit (and sample); its gradient sums over all of them
    def forward(self, x, w, b=None, *, layout, batched=False, shared_bias=False):
        u = x @ w if layout == "in_out" else x @ w.T
        return u if b is None else u + b

    def vjp(self, index, grad, out, x, w, b=None, *, layout, batched=False, shared_bias=False):
        if index == 2 and shared_bias:
            return np.asarray(grad, dtype=object).sum()
        if index == 0:
            return grad @ w.T if layout == "in_out" else grad @ w
        if index == 1:
            outer = _outer(x, grad, batched)              # [in][out]
            return outer if layout == "in_out" else outer.T
        return grad.sum(axis=0) if batched else grad

    def formula(self, x_id, w_id, b_id=None, *, layout, batched=False, shared_bias=False):
        if batched:
            latex = "{0} {1}" if layout == "in_out" else "{0} {1}^\\top"
            text = "{0}{1}" if layout == "in_out" else "{0}{1}ᵀ"
        else:
            latex = "{1}^\\top {0}" if layout == "in_out" else "{1} {0}"
            text = "{1}ᵀ{0}" if layout == "in_out" else "{1}{0}"
        ids = (x_id, w_id)
        if b_id is not None:
            latex, text, ids = latex + " + {2}", text + " + {2}", ids + (b_id,)
        return Formula(latex, text, ids)

    def vjp_formula(self, index, grad_id, out_id, x_id, w_id, b_id=None, *, layout, batched=False, shared_bias=False):
        if index == 0:
            if batched:
                return Formula(*(("{0} {1}^\\top", "{0}{1}ᵀ") if layout == "in_out" else ("{0} {1}", "{0}{1}")),
                               (grad_id, w_id))
            return Formula(*(("{1} {0}", "{1}{0}") if layout == "in_out" else ("{1}^\\top {0}", "{1}ᵀ{0}")),
                           (grad_id, w_id))
        if index == 1:
            if batched:
                pair = ("{1}^\\top {0}", "{1}ᵀ{0}") if layout == "in_out" else ("{0}^\\top {1}", "{0}ᵀ{1}")
            else:
                pair = ("{1} {0}^\\top", "{1}{0}ᵀ") if layout == "in_out" else ("{0} {1}^\\top", "{0}{1}ᵀ")
            return Formula(*pair, (grad_id, x_id))
        if shared_bias:
            return Formula(r"\textstyle\sum {0}", "Σ {0}", (grad_id,))
        if batched:
            return Formula(r"\textstyle\sum_{n} {0}", "Σₙ {0}", (grad_id,))
        return Formula("{0}", "{0}", (grad_id,))

    def note(self, *, layout, batched=False, shared_bias=False):
        return "W is [in][out]: u = Wᵀx + b" if layout == "in_out" else "W is [out][in]: u = Wx + b"


def _outer(x, grad, batched):
    if batched:
        return x.T @ grad
    return np.outer(x, grad).astype(object)


AFFINE = Affine()
