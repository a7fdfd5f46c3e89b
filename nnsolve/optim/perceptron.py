"""Rosenblatt's perceptron rule for a single layer with a step or sign output.

  e = t − y,   ΔW = η·x·eᵀ (layout in_out) or η·e·xᵀ (out_in),   Δb = η·e,   W ← W + ΔW,   b ← b + Δb
For a batch (one sample per row) the changes of all samples are added: ΔW = η·Xᵀ·E (or η·Eᵀ·X), Δb = η·Σₙ eₙ.
It is SGD on ½(t − y)² with the step's derivative taken as 1; the worked solution shows t − y itself,
not a gradient. Ids: `error` (then `error(1)` … after each update, like the outputs they come from),
`change.W1(s)`, `change.b1(s)`, and W1(s), b1(s).
"""
from __future__ import annotations

import numpy as np

from ..engine.computation import Symbol
from .base import Optimizer, register, step_mark

# (layout, batched) → how ΔW is formed from η, x and e, with its templates over (η, x, e)
WEIGHT_CHANGE = {
    ("in_out", False): (lambda x, e: np.outer(x, e), r"{0}\, {1} {2}^{\top}", "{0}·{1}·{2}ᵀ"),
    ("out_in", False): (lambda x, e: np.outer(e, x), r"{0}\, {2} {1}^{\top}", "{0}·{2}·{1}ᵀ"),
    ("in_out", True): (lambda x, e: x.T.dot(e), r"{0}\, {1}^{\top} {2}", "{0}·{1}ᵀ·{2}"),
    ("out_in", True): (lambda x, e: e.T.dot(x), r"{0}\, {2}^{\top} {1}", "{0}·{2}ᵀ·{1}"),
}


@register("perceptron")
class Perceptron(Optimizer):
    name = "perceptron rule"

    def needs_gradients(self, step):
        return False

    def rule(self):
        batch = "; the changes of a batch's samples are added" if self.solver.batched else ""
        return (f"e = t − y (y the step output), W ← W + η·x·eᵀ, b ← b + η·e{batch} (this is SGD on ½(t − y)² "
                "with the step's derivative taken as 1)")

    def step(self, step, params, at, ahead=None):
        self.current = step
        eta = self.eta
        suffix = f"({step - 1})" if step > 1 else ""     # the error of the pass it comes from, like y
        letter = "E" if self.solver.batched else "e"
        symbol = Symbol(*step_mark(letter, letter, step - 1)) if step > 1 else Symbol(letter, letter)
        error = self.record(f"error{suffix}", symbol, at.target.value - at.output.value, "{0} - {1}", "{0} − {1}",
                            (at.target, at.output), "t − y: the step output's error, not a gradient")
        change, latex, text = WEIGHT_CHANGE[(self.solver.layout, self.solver.batched)]
        new = {}
        for key, w in params.items():
            if key.startswith("W"):
                value = eta.value[()] * change(at.x.value, error.value)
                delta = self.record(f"change.{key}({step})", self.change_symbol(w, step), value,
                                    latex, text, (eta, at.x, error))
            else:
                batch = self.solver.batched
                value = eta.value[()] * (error.value.sum(axis=0) if batch else error.value)
                delta = self.record(f"change.{key}({step})", self.change_symbol(w, step), value,
                                    r"{0} \sum_n {1}_n" if batch else r"{0}\, {1}",
                                    "{0}·Σₙ {1}ₙ" if batch else "{0}·{1}", (eta, error))
            new[key] = self.new_weight(key, step, w, w.value + delta.value, "{0} + {1}", "{0} + {1}", (w, delta))
        return new
