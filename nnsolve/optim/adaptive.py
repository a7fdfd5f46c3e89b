"""Optimizers that divide by a running size of the gradient: Adagrad, RMSProp, Adam.

State ids (after update s, for parameter W1):
  Adagrad  G.W1(s)   G ← G + g²                       (G₀ = initial_accumulator)
  RMSProp  s.W1(s)   s ← ρ·s + (1 − ρ)·g²              (s₀ = 0; PyTorch calls ρ `alpha`)
  Adam     m.W1(s)   m ← β₁·m + (1 − β₁)·g             (m₀ = 0)
           s.W1(s)   s ← β₂·s + (1 − β₂)·g²            (s₀ = 0)
           m_hat.W1(s), s_hat.W1(s)  m / (1 − β₁ˢ), s / (1 − β₂ˢ)   (with bias correction)
The step is w ← w − η·a / (√b + ε) with ε outside the root (PyTorch, the Adam paper), or
w ← w − η·a / √(b + ε) with `eps_inside_sqrt`. Powers βˢ are exact; √ is exact for perfect squares.
"""
from __future__ import annotations

import unicodedata
from fractions import Fraction

import numpy as np

from ..engine.computation import Node
from .base import ZERO_OVER_ZERO, Optimizer, latex_power, ratio, register, root, square, superscript


class Adaptive(Optimizer):
    def __init__(self, spec, comp, solver):
        super().__init__(spec, comp, solver)
        self.state: dict[str, Node] = {}        # latest running sum or mean, by id stem (`s.W1`)

    def zero_start(self, *letters: str) -> str:
        """'; m₀ = s₀ = 0' for the states that start at 0 (a given start is stated under `optimizer state`)."""
        zero = [f"{letter}₀" for letter in letters if letter not in self.spec.initial_state]
        return f"; {' = '.join(zero)} = 0" if zero else ""

    def eps_words(self) -> str:
        return "ε inside √" if self.spec.eps_inside_sqrt else "ε outside √"

    def divided(self, top: str, bottom: str) -> str:
        return f"{top} / √({bottom} + ε)" if self.spec.eps_inside_sqrt else f"{top} / (√{bottom} + ε)"

    def settings(self):
        return [self.rate_setting(), ("ε", self.eps_value)]

    def running(self, step: int, key: str, w: Node, name: str, decay: Node | None, g: Node, squared: bool,
                start=Fraction(0)) -> Node:
        """decay·before + (1 − decay)·g (or g²); with no decay, before + g² (Adagrad's sum)."""
        before = self.state.get(f"{name}.{key}") or self.initial_state(name, key, w, start)
        gv = square(g.value) if squared else g.value
        i = 1 if decay is None else 2       # the placeholder of g in the template
        g_latex, g_text = (r"\left({%d}\right)^2" % i, "({%d})²" % i) if squared else ("{%d}" % i, "{%d}" % i)
        if decay is None:
            value = before.value + gv
            latex, text, args = "{0} + " + g_latex, "{0} + " + g_text, (before, g)
        else:
            d = decay.value[()]
            value = d * before.value + (1 - d) * gv
            latex, text = r"{0} {1} + (1 - {0}) " + g_latex, "{0}·{1} + (1 − {0})·" + g_text
            args = (decay, before, g)
        symbol = self.state_symbol(name, name, w, step)
        node = self.record(f"{name}.{key}({step})", symbol, value, latex, text, args)
        self.state[f"{name}.{key}"] = node
        return node

    def scaled_step(self, step: int, key: str, w: Node, top: Node, bottom: Node) -> Node:
        """w − η·top / (√bottom + ε), or / √(bottom + ε)."""
        eta, eps = self.eta, self.eps
        e = eps.value[()]
        if self.spec.eps_inside_sqrt:
            denominator = root(bottom.value + e)
            latex, text = r"{0} - \frac{{1} {2}}{\sqrt{{3} + {4}}}", "{0} − {1}·{2} / √({3} + {4})"
        else:
            denominator = root(bottom.value) + e
            latex, text = r"{0} - \frac{{1} {2}}{\sqrt{{3}} + {4}}", "{0} − {1}·{2} / (√{3} + {4})"
        value = w.value - eta.value[()] * ratio(top.value, denominator, f"{key}({step})")
        # numpy hands back a bare scalar for 0-d arithmetic (a function's single variable)
        note = ZERO_OVER_ZERO if any(d == 0 for d in np.asarray(denominator, dtype=object).reshape(-1)) else ""
        return self.new_weight(key, step, w, value, latex, text, (w, eta, top, bottom, eps), note)


@register("adagrad")
class Adagrad(Adaptive):
    default_eps = Fraction(1, 10 ** 10)     # PyTorch's Adagrad default

    @property
    def title(self):
        return f"Adagrad, {self.eps_words()}"

    def rule(self):
        return "G ← G + (∂L/∂w)², w ← w − η·" + self.divided("∂L/∂w", "G")

    def settings(self):
        given = "G" in self.spec.initial_state       # then stated with the optimizer's state
        return super().settings() + ([] if given else [("G₀", self.spec.initial_accumulator)])

    def update(self, step, key, w, g):
        G = self.running(step, key, w, "G", None, g, squared=True, start=self.spec.initial_accumulator)
        return self.scaled_step(step, key, w, g, G)


@register("rmsprop")
class RMSProp(Adaptive):
    @property
    def title(self):
        return f"RMSProp, {self.eps_words()}"

    def rule(self):
        return "s ← ρ·s + (1 − ρ)·(∂L/∂w)², w ← w − η·" + self.divided("∂L/∂w", "s") + self.zero_start("s")

    def settings(self):
        return [self.rate_setting(), ("ρ", self.spec.rho), ("ε", self.eps_value)]

    def update(self, step, key, w, g):
        rho = self.hyper("rho", r"\rho", "ρ", self.spec.rho)
        s = self.running(step, key, w, "s", rho, g, squared=True)
        return self.scaled_step(step, key, w, g, s)


@register("adam")
class Adam(Adaptive):
    @property
    def title(self):
        corrected = "bias-corrected" if self.spec.bias_correction else "without bias correction"
        return f"Adam, {corrected}, {self.eps_words()}"

    def rule(self):
        moments = "m ← β₁·m + (1 − β₁)·∂L/∂w, s ← β₂·s + (1 − β₂)·(∂L/∂w)²"
        if self.spec.bias_correction:
            return (f"{moments}, m̂ = m / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ) at update t, "
                    f"w ← w − η·{self.divided('m̂', 'ŝ')}{self.zero_start('m', 's')}")
        return f"{moments}, w ← w − η·{self.divided('m', 's')}{self.zero_start('m', 's')}"

    def settings(self):
        return [self.rate_setting(), ("β₁", self.spec.beta1), ("β₂", self.spec.beta2), ("ε", self.eps_value)]

    def update(self, step, key, w, g):
        beta1 = self.hyper("beta1", r"\beta_1", "β₁", self.spec.beta1)
        beta2 = self.hyper("beta2", r"\beta_2", "β₂", self.spec.beta2)
        m = self.running(step, key, w, "m", beta1, g, squared=False)
        s = self.running(step, key, w, "s", beta2, g, squared=True)
        if not self.spec.bias_correction:
            return self.scaled_step(step, key, w, m, s)
        return self.scaled_step(step, key, w, self.corrected(step, key, w, m, beta1),
                                self.corrected(step, key, w, s, beta2))

    def corrected(self, step: int, key: str, w: Node, moment: Node, beta: Node) -> Node:
        """moment / (1 − βᵗ), t the update's number: the moments start at 0 and are biased towards it."""
        name = moment.id.split(".")[0]
        t = step + self.spec.previous_steps          # bias correction counts the updates made before too
        value = moment.value / (1 - beta.value[()] ** t)
        symbol = self.state_symbol(rf"\hat{{{name}}}", unicodedata.normalize("NFC", f"{name}\u0302"), w, step)
        return self.record(f"{name}_hat.{key}({step})", symbol, value,
                           r"\frac{{0}}{1 - {1}" + latex_power(t) + "}",
                           "{0} / (1 − {1}" + superscript(t) + ")", (moment, beta))
