"""Element-wise arithmetic the gates of LSTM and GRU cells need: the Hadamard product a ⊙ b and the
complement 1 − a (a GRU keeps 1 − z of its candidate). Broadcasting is not used: both operands of a
product have the same shape, as a gate and the vector it scales do."""
from __future__ import annotations

from ..engine.formula import Formula
from .base import Op


class Hadamard(Op):
    """a ⊙ b: a gate times the vector it lets through."""

    name = "hadamard"

    def forward(self, a, b, **p):
        if a.shape != b.shape:
            raise ValueError(f"a Hadamard product needs equal shapes, got {a.shape} and {b.shape}")
        return a * b

    def vjp(self, index, grad, out, a, b, **p):
        return grad * (b if index == 0 else a)

    def formula(self, a_id, b_id, **p):
        return Formula(r"{0} \odot {1}", "{0} ⊙ {1}", (a_id, b_id))

    def vjp_formula(self, index, grad_id, out_id, a_id, b_id, **p):
        other = b_id if index == 0 else a_id
        return Formula(r"{0} \odot {1}", "{0} ⊙ {1}", (grad_id, other))


class Complement(Op):
    """1 − a: the share a gate leaves to the other branch (GRU: (1 − z) ⊙ n)."""

    name = "complement"

    def forward(self, a, **p):
        return 1 - a

    def vjp(self, index, grad, out, a, **p):
        return -grad

    def formula(self, a_id, **p):
        return Formula(r"{ 1 } - {0}", "1 − {0}", (a_id,))

    def vjp_formula(self, index, grad_id, out_id, a_id, **p):
        return Formula("-{0}", "−{0}", (grad_id,))


MUL = Hadamard()
COMPLEMENT = Complement()
