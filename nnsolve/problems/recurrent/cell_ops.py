"""The two small ops a recurrent cell needs beyond the activations: a sum of weight·vector products plus a
bias (z = W·x + V·h + b, in either weight layout, a scalar weight scaling element-wise), and the "loss"
that is one quantity itself (∂h₃/∂V is ∂L/∂V with L = h₃, or the sum of its elements)."""
from __future__ import annotations

import numpy as np

from ...engine.formula import Formula
from ...ops.base import Op


def _mark(i: int, scalars: tuple, latex: bool) -> str:
    """The transpose mark for input i, or nothing when it is a number (a number's transpose is itself)."""
    if i < len(scalars) and scalars[i]:
        return ""
    return "^\\top" if latex else "ᵀ"


def _times(w, v, layout):
    if w.ndim == 0 or v.ndim == 0:
        return w * v
    return w @ v if layout == "out_in" else w.T @ v


def _all_numbers(scalars: tuple) -> bool:
    """Every input a number: then the sum and its gradient δ are numbers too."""
    return bool(scalars) and all(scalars)


class LinearSum(Op):
    """inputs: weight₁, value₁, weight₂, value₂, … and then the bias if `bias`; `scalars` says which inputs are
    numbers, only so that the formulas leave out a transpose that means nothing."""

    name = "linear_sum"

    def forward(self, *inputs, layout, bias, scalars=()):
        pairs = inputs[:-1] if bias else inputs
        total = sum((_times(pairs[i], pairs[i + 1], layout) for i in range(0, len(pairs), 2)),
                    np.zeros((), dtype=object))
        return total + inputs[-1] if bias else total

    def vjp(self, index, grad, out, *inputs, layout, bias, scalars=()):
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

    def formula(self, *ids, layout, bias, scalars=()):
        pairs = ids[:-1] if bias else ids

        def product(i: int, latex: bool) -> str:
            if layout == "out_in":
                return ("{%d} {%d}" if latex else "{%d}·{%d}") % (i, i + 1)
            return ("{%d}%s {%d}" if latex else "{%d}%s{%d}") % (i, _mark(i, scalars, latex), i + 1)

        latex = " + ".join(product(i, True) for i in range(0, len(pairs), 2))
        text = " + ".join(product(i, False) for i in range(0, len(pairs), 2))
        if bias:
            latex, text = latex + " + {%d}" % (len(ids) - 1), text + " + {%d}" % (len(ids) - 1)
        return Formula(latex, text, ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, layout, bias, scalars=()):
        if bias and index == len(ids) - 1:
            return Formula("{0}", "{0}", (grad_id,))
        if index % 2 == 0:                                  # ∂L/∂W = δ·vᵀ ([out][in]) or v·δᵀ ([in][out])
            value = index + 1
            if layout == "out_in":
                pair = ("{0} {1}" + _mark(value, scalars, True), "{0}·{1}" + _mark(value, scalars, False))
            else:   # δ is the sum's gradient: a number exactly when the sum is
                mark = ("", "") if _all_numbers(scalars) else ("^\\top", "ᵀ")
                pair = ("{1} {0}" + mark[0], "{1}·{0}" + mark[1])
            return Formula(*pair, (grad_id, ids[value]))
        weight = index - 1
        if layout == "out_in":
            pair = ("{1}%s {0}" % _mark(weight, scalars, True), "{1}%s·{0}" % _mark(weight, scalars, False))
        else:
            pair = ("{1} {0}", "{1}·{0}")
        return Formula(*pair, (grad_id, ids[weight]))

    def note(self, *, layout, bias, scalars=()):
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
