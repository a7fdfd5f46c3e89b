"""What every op provides, side by side: its value, its local derivative (as a vector-Jacobian
product) and its notation, both for the forward formula and for each backward contribution."""
from __future__ import annotations

import numpy as np

from ..engine.formula import Formula


class Op:
    """Subclasses set `name`."""

    def forward(self, *inputs: np.ndarray, **params) -> np.ndarray:
        raise NotImplementedError

    def vjp(self, index: int, grad: np.ndarray, out: np.ndarray, *inputs: np.ndarray, **params):
        """∂L/∂inputs[index] given ∂L/∂out; None where no gradient flows (targets, display-only inputs)."""
        raise NotImplementedError

    def formula(self, *ids: str, **params) -> Formula:
        raise NotImplementedError

    def vjp_formula(self, index: int, grad_id: str, out_id: str, *ids: str, **params) -> Formula:
        raise NotImplementedError

    def note(self, **params) -> str:
        """The convention this op applied, stated in the worked solution (e.g. ReLU'(0) = 0)."""
        return ""


class Add(Op):
    """a + b (+ …): total loss = data loss + penalty."""

    name = "add"

    def forward(self, *inputs, **params):
        result = inputs[0]
        for x in inputs[1:]:
            result = result + x
        return result

    def vjp(self, index, grad, out, *inputs, **params):
        return grad

    def formula(self, *ids, **params):
        placeholders = " + ".join("{%d}" % i for i in range(len(ids)))
        return Formula(placeholders, placeholders, ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, **params):
        return Formula("{0}", "{0}", (grad_id,))
