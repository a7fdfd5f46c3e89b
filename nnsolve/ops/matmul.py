"""Matrix ops of attention: product, transpose, scaling by a constant, row-wise masking, column blocks.

    MATMUL(a, b)        a·b, or a·bᵀ with param `transpose_b` (the scores Q Kᵀ)
    TRANSPOSE(a)        aᵀ
    SCALE(a)            a × factor; param `factor` (exact), param `shown` (how the factor reads, e.g. 1/√2)
    MASK(s, keep)       entries of s where `keep` is 0 become −∞ (softmax then gives them weight 0)
    COLUMNS(a)          columns start … stop − 1 of a (one head's block); params `start`, `stop`, `head`
    INNER(a, g)         Σ a ⊙ g: the loss whose gradient at a is a given g (an exam's "∂L/∂O is …")

Backward (G = ∂L/∂out): for C = AB, ∂A = G Bᵀ and ∂B = Aᵀ G; for C = ABᵀ, ∂A = G B and ∂B = Gᵀ A;
transpose gives Gᵀ; scaling multiplies G by the factor; masking keeps G where the entry was kept (0 where
it was −∞); a column block puts G back in its columns, zeros elsewhere.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..engine.formula import Formula
from ..engine.number import mp
from ..engine.tensor import total
from .base import Op

MINUS_INFINITY = mp.mpf("-inf")


class MatMul(Op):
    name = "matmul"

    def forward(self, a, b, *, transpose_b=False):
        return a @ (b.T if transpose_b else b)

    def vjp(self, index, grad, out, a, b, *, transpose_b=False):
        if index == 0:
            return grad @ (b if transpose_b else b.T)
        return grad.T @ a if transpose_b else a.T @ grad

    def formula(self, a_id, b_id, *, transpose_b=False):
        if transpose_b:
            return Formula("{0} {1}^\\top", "{0}{1}ᵀ", (a_id, b_id))
        return Formula("{0} {1}", "{0}{1}", (a_id, b_id))

    def vjp_formula(self, index, grad_id, out_id, a_id, b_id, *, transpose_b=False):
        if index == 0:
            pair = ("{0} {1}", "{0}{1}") if transpose_b else ("{0} {1}^\\top", "{0}{1}ᵀ")
            return Formula(*pair, (grad_id, b_id))
        pair = ("{0}^\\top {1}", "{0}ᵀ{1}") if transpose_b else ("{1}^\\top {0}", "{1}ᵀ{0}")
        return Formula(*pair, (grad_id, a_id))


class Transpose(Op):
    name = "transpose"

    def forward(self, a):
        return a.T

    def vjp(self, index, grad, out, a):
        return grad.T

    def formula(self, a_id):
        return Formula("{0}^\\top", "{0}ᵀ", (a_id,))

    def vjp_formula(self, index, grad_id, out_id, a_id):
        return Formula("{0}^\\top", "{0}ᵀ", (grad_id,))


class Scale(Op):
    name = "scale"

    def forward(self, a, *, factor, shown):
        return a * factor

    def vjp(self, index, grad, out, a, *, factor, shown):
        return grad * factor

    def formula(self, a_id, *, factor, shown):
        return _scaled(a_id, shown)

    def vjp_formula(self, index, grad_id, out_id, a_id, *, factor, shown):
        return _scaled(grad_id, shown)


def _scaled(quantity_id: str, shown: tuple[str, str]) -> Formula:
    latex, text = shown
    return Formula(rf"{latex} \, {{0}}", f"{text} · {{0}}", (quantity_id,))


class Mask(Op):
    name = "mask"

    def forward(self, s, keep):
        _check_keep(s, keep)
        out = s.copy()
        out[keep == 0] = MINUS_INFINITY
        return out

    def vjp(self, index, grad, out, s, keep):
        if index:
            return None
        kept = grad.copy()
        kept[keep == 0] = Fraction(0)
        return kept

    def formula(self, s_id, keep_id):
        return Formula(r"\operatorname{mask}({0}, {1})", "mask({0}, {1})", (s_id, keep_id))

    def vjp_formula(self, index, grad_id, out_id, s_id, keep_id):
        return Formula(r"{0} \odot {1}", "{0} ⊙ {1}", (grad_id, keep_id))

    def note(self):
        return "entries whose mask is 0 set to −∞ (weight e^−∞ = 0 after the softmax); no gradient flows through them"


def _check_keep(s, keep):
    if np.shape(keep) != np.shape(s):
        raise ValueError(f"the mask has shape {np.shape(keep)}, the scores {np.shape(s)}")
    if any(v not in (0, 1) for v in np.asarray(keep, dtype=object).reshape(-1).tolist()):
        raise ValueError("a mask holds only 0 (masked) and 1 (kept)")
    if any(not any(v == 1 for v in row) for row in np.asarray(keep, dtype=object).reshape(-1, np.shape(keep)[-1])):
        raise ValueError("a row of the mask hides every key: its softmax is undefined")


class Columns(Op):
    name = "columns"

    def forward(self, a, *, start, stop, head):
        return a[:, start:stop]

    def vjp(self, index, grad, out, a, *, start, stop, head):
        full = np.full(a.shape, Fraction(0), dtype=object)
        full[:, start:stop] = grad
        return full

    def formula(self, a_id, *, start, stop, head):
        return Formula(rf"{{0}}_{{[:,\, {start + 1}..{stop}]}}", f"{{0}}[:, {start + 1}..{stop}]", (a_id,))

    def vjp_formula(self, index, grad_id, out_id, a_id, *, start, stop, head):
        return Formula(rf"\operatorname{{place}}_{{ {start + 1}..{stop} }}({{0}})",
                       f"place_{start + 1}..{stop}({{0}})", (grad_id,))

    def note(self, *, start, stop, head):
        return f"head {head} takes columns {start + 1} to {stop} (contiguous blocks, head 1 first, as PyTorch splits)"


class Inner(Op):
    name = "inner"

    def forward(self, a, g):
        return total(a * g)

    def vjp(self, index, grad, out, a, g):
        return grad * g if index == 0 else None

    def formula(self, a_id, g_id):
        return Formula(r"\textstyle\sum {0} \odot {1}", "Σ {0} ⊙ {1}", (a_id, g_id))

    def vjp_formula(self, index, grad_id, out_id, a_id, g_id):
        return Formula("{0} \\, {1}", "{0} · {1}", (grad_id, g_id))

    def note(self):
        return "a loss whose gradient at the output is the given G"


MATMUL = MatMul()
TRANSPOSE = Transpose()
SCALE = Scale()
MASK = Mask()
COLUMNS = Columns()
INNER = Inner()
