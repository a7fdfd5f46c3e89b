"""The two small ops a recurrent cell needs beyond the activations: a sum of weight·vector products plus a
bias (z = W·x + V·h + b, in either weight layout, a scalar weight scaling element-wise), and the "loss"
that is one quantity itself (∂h₃/∂V is ∂L/∂V with L = h₃, or the sum of its elements)."""
from __future__ import annotations

import numpy as np

from ...engine.formula import Formula
from ...ops.base import Op


def _times(w, v, layout):
    if w.ndim == 0 or v.ndim == 0:
        return w * v
    return w @ v if layout == "out_in" else w.T @ v


class LinearSum(Op):
    """inputs: weight₁, value₁, weight₂, value₂, … and then the bias if `bias`."""

    name = "linear_sum"

    def forward(self, *inputs, layout, bias):
        pairs = inputs[:-1] if bias else inputs
        total = sum((_times(pairs[i], pairs[i + 1], layout) for i in range(0, len(pairs), 2)),
                    np.zeros((), dtype=object))
        return total + inputs[-1] if bias else total

    def vjp(self, index, grad, out, *inputs, layout, bias):
        if bias and index == len(inputs) - 1:
            return grad
        if index % 2 == 0:                                  # a weight: ∂z/∂W is the value it multiplies
            v = inputs[index + 1]
            if inputs[index].ndim == 0:
                return np.asarray((grad * v).sum() if np.ndim(grad * v) else grad * v, dtype=object)
            outer = np.outer(grad, v).astype(object)          # [out][in]
            return outer if layout == "out_in" else outer.T
        w = inputs[index - 1]
        if w.ndim == 0:
            return grad * w
        if inputs[index].ndim == 0:                        # a scalar state broadcast against a vector weight
            return np.asarray((w * grad).sum(), dtype=object)
        return w.T @ grad if layout == "out_in" else w @ grad

    def formula(self, *ids, layout, bias):
        pairs = ids[:-1] if bias else ids
        one = "{%d} {%d}" if layout == "out_in" else "{%d}^\\top {%d}"
        one_text = "{%d}·{%d}" if layout == "out_in" else "{%d}ᵀ{%d}"
        latex = " + ".join(one % (i, i + 1) for i in range(0, len(pairs), 2))
        text = " + ".join(one_text % (i, i + 1) for i in range(0, len(pairs), 2))
        if bias:
            latex, text = latex + " + {%d}" % (len(ids) - 1), text + " + {%d}" % (len(ids) - 1)
        return Formula(latex, text, ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, layout, bias):
        if bias and index == len(ids) - 1:
            return Formula("{0}", "{0}", (grad_id,))
        if index % 2 == 0:
            pair = ("{0} {1}^\\top", "{0}·{1}ᵀ") if layout == "out_in" else ("{1} {0}^\\top", "{1}·{0}ᵀ")
            return Formula(*pair, (grad_id, ids[index + 1]))
        pair = ("{1}^\\top {0}", "{1}ᵀ·{0}") if layout == "out_in" else ("{1} {0}", "{1}·{0}")
        return Formula(*pair, (grad_id, ids[index - 1]))

    def note(self, *, layout, bias):
        return ("weights are [out][in]: W·x" if layout == "out_in" else "weights are [in][out]: Wᵀx") + \
            "; a scalar weight scales every element"


class Quantity(Op):
    """L = q (a scalar), q[i] (one element) or Σ q (every element): what "∂q/∂V" differentiates."""

    name = "quantity"

    def forward(self, q, *, element):
        if q.ndim == 0:
            return q
        return np.asarray(q[element] if element is not None else q.sum(), dtype=object)

    def vjp(self, index, grad, out, q, *, element):
        if q.ndim == 0:
            return grad
        g = np.zeros(q.shape, dtype=object)
        g[...] = 0
        if element is None:
            g[...] = grad[()]
        else:
            g[element] = grad[()]
        return g

    def formula(self, q_id, *, element):
        if element is None:
            return Formula("{0}", "{0}", (q_id,))
        return Formula("{0}_{%s}" % element, "{0}[%s]" % element, (q_id,))

    def vjp_formula(self, index, grad_id, out_id, q_id, *, element):
        return Formula("{0}", "{0}", (grad_id,))

    def note(self, *, element):
        return "the quantity differentiated (its elements summed when it is a vector)" if element is None \
            else "the element differentiated"


LINEAR_SUM = LinearSum()
QUANTITY = Quantity()
