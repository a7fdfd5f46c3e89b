"""A gate's pre-activation: W·xₜ + U·hₜ₋₁ + biases, one op so that a worked step reads as the sheet
writes it. Each term is the dense layer's affine map (ops/linear.py), in either weight layout."""
from __future__ import annotations

from ...engine.formula import Formula
from ...ops.base import Op
from ...ops.linear import AFFINE


class GateSum(Op):
    """inputs: x, W, h, U, then 0–2 biases."""

    name = "gate_sum"

    def forward(self, x, w, h, u, *biases, layout):
        total = AFFINE.forward(x, w, layout=layout) + AFFINE.forward(h, u, layout=layout)
        for b in biases:
            total = total + b
        return total

    def vjp(self, index, grad, out, x, w, h, u, *biases, layout):
        if index >= 4:
            return grad
        pair = (x, w) if index < 2 else (h, u)
        return AFFINE.vjp(index % 2, grad, out, *pair, layout=layout)

    def formula(self, x_id, w_id, h_id, u_id, *bias_ids, layout):
        term = "{1}^\\top {0}" if layout == "in_out" else "{1} {0}"
        text = "{1}ᵀ{0}" if layout == "in_out" else "{1}{0}"
        second = lambda t: t.replace("{1}", "{3}").replace("{0}", "{2}")  # noqa: E731
        latex = " + ".join([term, second(term)] + ["{%d}" % (4 + i) for i in range(len(bias_ids))])
        plain = " + ".join([text, second(text)] + ["{%d}" % (4 + i) for i in range(len(bias_ids))])
        return Formula(latex, plain, (x_id, w_id, h_id, u_id) + tuple(bias_ids))

    def vjp_formula(self, index, grad_id, out_id, x_id, w_id, h_id, u_id, *bias_ids, layout):
        if index >= 4:
            return Formula("{0}", "{0}", (grad_id,))
        ids = (x_id, w_id) if index < 2 else (h_id, u_id)
        return AFFINE.vjp_formula(index % 2, grad_id, out_id, *ids, layout=layout)

    def note(self, *, layout):
        return AFFINE.note(layout=layout)


GATE_SUM = GateSum()
