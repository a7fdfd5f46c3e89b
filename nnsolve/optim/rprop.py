"""Resilient propagation: every weight has its own step size Δ, adapted from the sign of g·g_prev.

The four variants named by Igel & Hüsken ("Improving the Rprop learning algorithm", 2000):
  rprop+   Riedmiller & Braun 1993, with weight backtracking: where the sign flips, undo the last
           change (Δw ← −Δw_prev) and remember g as 0.
  rprop-   Riedmiller 1994, without backtracking: always Δw = −sign(g)·Δ.
  irprop+  backtrack only where the sign flipped AND the loss rose (L now > L before); remember g as 0.
  irprop-  where the sign flips, remember g as 0 and make no change there (PyTorch's torch.optim.Rprop).
Step sizes, for all four (Δ₀ = step_init at the first update, where g_prev is 0):
  Δ ← min(η⁺·Δ, Δmax) where g_prev·g > 0;  max(η⁻·Δ, Δmin) where g_prev·g < 0;  Δ where it is 0.
State ids (after update s, for parameter W1): `sign.W1(s)` = sign(g_prev ⊙ g) (from update 2 on),
`step.W1(s)` = Δ, `g.W1(s)` = the gradient remembered as g_prev (entries zeroed where the sign flipped;
not recorded by rprop-, which remembers ∂L/∂w itself), `change.W1(s)` = Δw, and W1(s) = W1 + Δw.
"""
from __future__ import annotations

from fractions import Fraction
from functools import partial

from ..engine.computation import Node, Symbol
from ..engine.tensor import emap
from ..ops.scalar import sign
from .base import Optimizer, register

ZERO = Fraction(0)

VARIANTS = {
    "rprop+": ("Rprop⁺ (with weight backtracking)",
               "where the sign flips, Δw = −Δw_prev and g_prev := 0; elsewhere Δw = −sign(∂L/∂w)·Δ"),
    "rprop-": ("Rprop⁻ (without weight backtracking)", "Δw = −sign(∂L/∂w)·Δ everywhere"),
    "irprop+": ("iRprop⁺ (backtracking where the loss rose)",
                "where the sign flips, Δw = −Δw_prev if the loss rose since the last update (else 0) and "
                "g_prev := 0; elsewhere Δw = −sign(∂L/∂w)·Δ"),
    "irprop-": ("iRprop⁻ (as PyTorch's Rprop)",
                "where the sign flips, g := 0 (no change there, and g_prev := 0); Δw = −sign(g)·Δ"),
}
STEP_RULE = "Δ ← min(η⁺·Δ, Δmax) where g_prev·g > 0, max(η⁻·Δ, Δmin) where < 0, unchanged where 0; Δ starts at Δ₀"


@register("rprop")
class Rprop(Optimizer):
    name = "Rprop"

    def __init__(self, spec, comp, solver):
        super().__init__(spec, comp, solver)
        self.step_size: dict[str, Node] = {}
        self.remembered: dict[str, Node] = {}
        self.last_change: dict[str, Node] = {}
        self.previous_loss: Node | None = None

    @property
    def variant(self) -> str:
        return self.spec.variant

    @property
    def title(self):
        return VARIANTS[self.variant][0]

    def rule(self):
        return f"{STEP_RULE}; {VARIANTS[self.variant][1]}; w ← w + Δw"

    def settings(self):
        s = self.spec
        return [("η⁺", s.eta_plus), ("η⁻", s.eta_minus), ("Δ₀", s.step_init), ("Δmin", s.step_min),
                ("Δmax", s.step_max)]

    def step(self, step, params, at, ahead=None):
        new = super().step(step, params, at, ahead)
        self.previous_loss = at.loss
        return new

    def hypers(self) -> dict[str, Node]:
        return {name: self.hyper(name, latex, text, getattr(self.spec, name)) for name, latex, text in (
            ("eta_plus", r"\eta^{+}", "η⁺"), ("eta_minus", r"\eta^{-}", "η⁻"), ("step_init", r"\Delta_0", "Δ₀"),
            ("step_min", r"\Delta_{\min}", "Δmin"), ("step_max", r"\Delta_{\max}", "Δmax"))}

    def update(self, step, key, w, g):
        h = self.hypers()
        state = partial(self._state, key=key, w=w, step=step)
        before = self.remembered.get(key)
        if before is None:      # g_prev = 0 everywhere: every step size stays at Δ₀
            agree = None
            delta = self.record(*state("step", r"\Delta", "Δ"), emap(lambda _: h["step_init"].value[()], g.value),
                                "{0}", "{0}", (h["step_init"],), "first update: g_prev = 0, so Δ = Δ₀")
        else:
            agree = self.record(*state("sign", r"\operatorname{sgn}", "sgn"),
                                emap(lambda a, b: sign(a * b), before.value, g.value),
                                r"\operatorname{sign}\left({0} \odot {1}\right)", "sign({0} ⊙ {1})", (before, g))
            delta = self.record(*state("step", r"\Delta", "Δ"),
                                emap(self._adapt, self.step_size[key].value, agree.value),
                                r"\begin{cases} \min\left({1} {0}, {2}\right) & {5} > 0 \\ "
                                r"\max\left({3} {0}, {4}\right) & {5} < 0 \\ {0} & {5} = 0 \end{cases}",
                                "min({1}·{0}, {2}) where {5} > 0; max({3}·{0}, {4}) where {5} < 0; "
                                "{0} where {5} = 0",
                                (self.step_size[key], h["eta_plus"], h["step_max"], h["eta_minus"], h["step_min"],
                                 agree))
        self.step_size[key] = delta
        kept = self._remember(key, g, agree, state)
        change = self._change(key, w, step, g, kept, delta, agree)
        return self.new_weight(key, step, w, w.value + change.value, "{0} + {1}", "{0} + {1}", (w, change))

    def _state(self, name: str, latex: str, text: str, key: str, w: Node, step: int) -> tuple[str, Symbol]:
        return f"{name}.{key}({step})", self.state_symbol(latex, text, w, step)

    def _adapt(self, delta, agreement):
        s = self.spec
        if agreement > 0:
            return min(s.eta_plus * delta, s.step_max)
        if agreement < 0:
            return max(s.eta_minus * delta, s.step_min)
        return delta

    def _remember(self, key: str, g: Node, agree: Node | None, state) -> Node:
        """The gradient kept as g_prev for the next update: zero where the sign flipped (not in rprop-)."""
        if agree is None or self.variant == "rprop-":
            self.remembered[key] = g
            return g
        kept = self.record(*state("g", "g", "g"), emap(lambda v, a: ZERO if a < 0 else v, g.value, agree.value),
                           r"{0} \text{ with } 0 \text{ where } {1} < 0", "{0} with 0 where {1} < 0", (g, agree))
        self.remembered[key] = kept
        return kept

    def _change(self, key: str, w: Node, step: int, g: Node, kept: Node, delta: Node, agree: Node | None) -> Node:
        """Δw for this update, by variant."""
        plain_latex, plain_text = r"-\operatorname{sign}\left({0}\right) \odot {1}", "−sign({0}) ⊙ {1}"
        note = ""
        if agree is None or self.variant in ("rprop-", "irprop-"):
            # irprop- steps with the kept gradient, whose zeros make no change where the sign flipped
            source = kept if self.variant == "irprop-" else g
            value = emap(lambda v, d: -sign(v) * d, source.value, delta.value)
            latex, text, args = plain_latex, plain_text, (source, delta)
        elif self.variant == "rprop+":
            before = self.last_change[key]
            value = emap(lambda v, d, a, p: -p if a < 0 else -sign(v) * d,
                         g.value, delta.value, agree.value, before.value)
            latex = r"\begin{cases} -{2} & {3} < 0 \\ " + plain_latex + r" & \text{otherwise} \end{cases}"
            text = "−{2} where {3} < 0 (backtrack); −sign({0}) ⊙ {1} elsewhere"
            args = (g, delta, before, agree)
        else:   # irprop+: backtrack only if the loss rose since the last update
            before, now, then = self.last_change[key], self.at.loss, self.previous_loss
            rose = now.value[()] > then.value[()]
            value = emap(lambda v, d, a, p: (-p if rose else ZERO) if a < 0 else -sign(v) * d,
                         g.value, delta.value, agree.value, before.value)
            latex = (r"\begin{cases} -{2} & {3} < 0,\ {4} > {5} \\ 0 & {3} < 0,\ {4} \le {5} \\ "
                     + plain_latex + r" & \text{otherwise} \end{cases}")
            text = "−{2} where {3} < 0 and {4} > {5}; 0 where {3} < 0 and {4} ≤ {5}; −sign({0}) ⊙ {1} elsewhere"
            args = (g, delta, before, agree, now, then)
            note = "the loss rose: flipped entries go back" if rose else \
                "the loss did not rise: flipped entries stay"
        node = self.record(f"change.{key}({step})", self.change_symbol(w, step), value, latex, text, args, note)
        self.last_change[key] = node
        return node
