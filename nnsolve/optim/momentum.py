"""Momentum in its three textbook forms, and Nesterov's accelerated gradient in two.

The velocity starts at v₀ = 0 (a given, so the first update shows β·v₀). Forms:
  pytorch    v ← β·v + g,            w ← w − η·v          (torch.optim.SGD(momentum=β))
  sutskever  v ← β·v − η·g,          w ← w + v            (Sutskever et al. 2013; the rate inside v)
  ema        v ← β·v + (1 − β)·g,    w ← w − η·v          (an exponential moving average of g)
Nesterov:
  pytorch    v ← β·v + g,            w ← w − η·(g + β·v)  (torch.optim.SGD(nesterov=True))
  lookahead  w̃ = w + β·v,  v ← β·v − η·∇L(w̃),  w ← w + v (Sutskever's form; `sutskever` is a synonym)
The look-ahead form runs a forward and backward pass at w̃ (ids `W1(ahead2)`, `dL/dW1(ahead2)` …) before
the update; at the first update v₀ = 0, so w̃ = w and the gradient already computed is the one used.
"""
from __future__ import annotations

from ..engine.computation import Node, Symbol
from ..problems.errors import Issue, ProblemError
from .base import LookAhead, Optimizer, look_ahead_symbol, register, step_mark

VELOCITY = {  # form → (value from β, v, η, g), latex, text, names of the formula's arguments
    "pytorch": (lambda b, v, e, g: b * v + g, r"{0} {1} + {2}", "{0}·{1} + {2}", ("beta", "v", "g")),
    "sutskever": (lambda b, v, e, g: b * v - e * g, r"{0} {1} - {2} {3}", "{0}·{1} − {2}·{3}",
                  ("beta", "v", "eta", "g")),
    "ema": (lambda b, v, e, g: b * v + (1 - b) * g, r"{0} {1} + (1 - {0}) {2}", "{0}·{1} + (1 − {0})·{2}",
            ("beta", "v", "g")),
}


@register("momentum")
class Momentum(Optimizer):
    FORMS = {
        "pytorch": ("momentum, PyTorch form", "v ← β·v + ∂L/∂w, w ← w − η·v"),
        "sutskever": ("momentum, Sutskever form", "v ← β·v − η·∂L/∂w, w ← w + v"),
        "ema": ("momentum, moving-average form", "v ← β·v + (1 − β)·∂L/∂w, w ← w − η·v"),
    }

    def __init__(self, spec, comp, solver):
        super().__init__(spec, comp, solver)
        self.velocity: dict[str, Node] = {}

    @property
    def form(self) -> str:
        return self.spec.form

    @property
    def title(self):
        return self.FORMS[self.form][0]

    def rule(self):
        return self.FORMS[self.form][1] + ("" if self.state_given() else "; v₀ = 0")

    def state_given(self) -> bool:
        return "v" in self.spec.initial_state or self.spec.previous_weights is not None

    def velocity_from_previous(self) -> str:
        if self.velocity_form() == "sutskever":
            return "w(0) = w(−1) + v₀, so v₀ = w(0) − w(−1)"
        return "w(0) = w(−1) − η·v₀, so v₀ = (w(−1) − w(0)) / η (η of update 1)"

    def start_velocity(self, key: str, w: Node) -> Node:
        """v₀ of one parameter: 0, the file's, or what the previous weights w(−1) imply."""
        previous = self.spec.previous_weights
        if previous is None:
            return self.initial_state("v", key, w)
        if key not in previous:
            raise ProblemError([Issue(f"{self.place}.previous_weights", f"has no value for {key}: give the previous "
                                                                    f"value of every parameter trained "
                                                                    f"({', '.join(self.trained)})")])
        plain = self.plain_symbol(w)
        before = self.given_for(key, w, previous[key], f"{self.place}.previous_weights.{key}", f"{key}(-1)",
                                Symbol(*step_mark(plain.latex, plain.text, -1)))
        symbol = self.state_symbol("v", "v", w, 0)
        if self.velocity_form() == "sutskever":
            return self.record(f"v.{key}(0)", symbol, w.value - before.value, "{0} - {1}", "{0} − {1}", (w, before),
                               "the change that led to the given weights: w(0) = w(−1) + v₀")
        eta = self.eta
        return self.record(f"v.{key}(0)", symbol, (before.value - w.value) / eta.value[()],
                           r"\frac{{0} - {1}}{{2}}", "({0} − {1}) / {2}", (before, w, eta),
                           "the velocity that led to the given weights: w(0) = w(−1) − η·v₀")

    def settings(self):
        return [self.rate_setting(), ("β", self.spec.momentum)]

    @property
    def beta(self) -> Node:
        return self.hyper("beta", r"\beta", "β", self.spec.momentum)

    def velocity_form(self) -> str:
        return self.form

    def new_velocity(self, step: int, key: str, w: Node, g: Node, note: str = "") -> Node:
        before = self.velocity.get(key) or self.start_velocity(key, w)
        value, latex, text, names = VELOCITY[self.velocity_form()]
        nodes = {"beta": self.beta, "v": before, "eta": self.eta, "g": g}
        v = self.record(f"v.{key}({step})", self.state_symbol("v", "v", w, step),
                        value(self.beta.value[()], before.value, self.eta.value[()], g.value),
                        latex, text, tuple(nodes[n] for n in names), note)
        self.velocity[key] = v
        return v

    def update(self, step, key, w, g):
        v = self.new_velocity(step, key, w, g)
        if self.form == "sutskever":
            return self.new_weight(key, step, w, w.value + v.value, "{0} + {1}", "{0} + {1}", (w, v))
        return self.new_weight(key, step, w, w.value - self.eta.value[()] * v.value,
                               r"{0} - {1} {2}", "{0} − {1}·{2}", (w, self.eta, v))


@register("nesterov")
class Nesterov(Momentum):
    FORMS = {
        "pytorch": ("Nesterov, PyTorch form", "v ← β·v + ∂L/∂w, w ← w − η·(∂L/∂w + β·v)"),
        "lookahead": ("Nesterov, look-ahead form",
                      "w̃ = w + β·v, v ← β·v − η·∂L/∂w at w̃, w ← w + v"),
    }

    @property
    def form(self):
        return "lookahead" if self.spec.form in ("lookahead", "sutskever") else "pytorch"

    def velocity_form(self):
        return "sutskever" if self.form == "lookahead" else "pytorch"

    def needs_gradients(self, step):
        return self.form != "lookahead" or step == 1     # later look-ahead updates use ∇L(w̃) only

    def lookahead(self, step, params):
        if self.form != "lookahead" or (not self.velocity and not self.state_given()):
            return None
        beta = self.beta
        ahead = {}
        for key, w in params.items():
            v = self.velocity.get(key) or self.start_velocity(key, w)
            self.velocity[key] = v
            node = self.record(f"{key}({LookAhead(step)})", look_ahead_symbol(self.plain_symbol(w), step),
                               w.value + beta.value[()] * v.value, r"{0} + {1} {2}", "{0} + {1}·{2}", (w, beta, v))
            node.differentiable = True      # the look-ahead pass differentiates with respect to it
            ahead[key] = node
        return ahead

    def update(self, step, key, w, g):
        if self.form == "lookahead":
            note = "" if step > 1 or self.state_given() else \
                "first update: v₀ = 0, so the look-ahead point w + β·v₀ is w itself"
            v = self.new_velocity(step, key, w, g, note)
            return self.new_weight(key, step, w, w.value + v.value, "{0} + {1}", "{0} + {1}", (w, v))
        v = self.new_velocity(step, key, w, g)
        eta, beta = self.eta, self.beta
        return self.new_weight(key, step, w, w.value - eta.value[()] * (g.value + beta.value[()] * v.value),
                               r"{0} - {1} \left({2} + {3} {4}\right)", "{0} − {1}·({2} + {3}·{4})",
                               (w, eta, g, beta, v))
