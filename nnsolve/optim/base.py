"""The optimizer protocol, the helpers every optimizer shares, and plain SGD.

An optimizer records each quantity it computes as a named step (`comp.derived(…, "update")`) whose
formula names the quantities it uses, so the worked solution shows it with symbols and with numbers.
Hyperparameters and initial states (v₀ = 0, G₀ …) are givens, so formulas can name them too.
All optimizer arithmetic is element-wise: g² is g ⊙ g, and g / (√s + ε) divides entry by entry.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..engine.computation import Computation, Node, Symbol
from ..engine.formula import Formula
from ..engine.number import exact_string
from ..engine.tensor import emap
from ..ops import scalar
from ..ops.scalar import DomainError

OPTIMIZERS: dict[str, type["Optimizer"]] = {}


def register(name: str):
    def deco(cls):
        OPTIMIZERS[name] = cls
        return cls
    return deco


@dataclass(frozen=True)
class Pass:
    """What one forward (and backward) pass at some weights gave, as an update needs it."""

    x: Node
    target: Node
    output: Node
    loss: Node
    grads: dict[str, Node]          # by parameter key: W1, b1, …


@dataclass(frozen=True)
class LookAhead:
    """The pass at Nesterov's look-ahead weights w + βv before update `update`.

    Its quantities carry the id suffix `(ahead<k>)` (`W1(ahead2)`, `u1(ahead2)`, `dL/dW1(ahead2)`) and
    a tilde over their symbol (W̃₁[2])."""

    update: int

    def __str__(self) -> str:
        return f"ahead{self.update}"


def look_ahead_symbol(plain: Symbol, update: int) -> Symbol:
    """W₁ → W̃₁[2]: the quantity at the look-ahead point of update 2."""
    return Symbol(rf"\tilde{{{plain.latex}}}^{{[{update}]}}", f"{plain.text[:1]}\u0303{plain.text[1:]}[{update}]")


class Optimizer:
    """Subclasses set `name` and implement `update` (one parameter) or `step` (all of them)."""

    name = "optimizer"
    default_eps = Fraction(1, 10 ** 8)

    def __init__(self, spec, comp: Computation, solver):
        self.spec = spec
        self.comp = comp
        self.solver = solver
        self._hyper: dict[str, Node] = {}

    # -- what the header and the section titles say --------------------------------------------
    @property
    def title(self) -> str:
        return self.name

    def rule(self) -> str:
        """The update rule in words and symbols, for the conventions header."""
        raise NotImplementedError

    def settings(self) -> list[tuple[str, object]]:
        """(symbol, value) of every hyperparameter in force."""
        return [("η", self.spec.lr)]

    def conventions(self) -> list[tuple[str, str]]:
        values = ", ".join(f"{symbol} = {exact_string(value)}" for symbol, value in self.settings())
        steps = self.spec.steps
        return [("optimizer", f"{self.title}: {self.rule()}"),
                ("hyperparameters", values),
                ("updates", f"{steps} full-batch update{'s' if steps > 1 else ''}; all optimizer arithmetic "
                            "is element-wise")]

    # -- recording ----------------------------------------------------------------------------
    def hyper(self, name: str, latex: str, text: str, value) -> Node:
        """A hyperparameter or initial state, recorded once as a given so formulas can show it by name."""
        if name not in self._hyper:
            self._hyper[name] = self.comp.given(name, Symbol(latex, text), value)
        return self._hyper[name]

    @property
    def eta(self) -> Node:
        return self.hyper("eta", r"\eta", "η", self.spec.lr)

    @property
    def eps(self) -> Node:
        return self.hyper("eps", r"\epsilon", "ε", self.eps_value)

    @property
    def eps_value(self):
        return self.spec.eps if self.spec.eps is not None else self.default_eps

    def record(self, node_id: str, symbol: Symbol, value, latex: str, text: str, args: tuple[Node, ...],
               note: str = "") -> Node:
        """A quantity of the update with its formula over the named `args` ({0}, {1} … in the templates)."""
        formula = Formula(latex, text, tuple(a.id for a in args))
        return self.comp.derived(node_id, symbol, value, formula, "update", note)

    def new_weight(self, key: str, step: int, param: Node, value, latex: str, text: str,
                   args: tuple[Node, ...], note: str = "") -> Node:
        node = self.record(f"{key}({step})", self.new_symbol(param, step), value, latex, text, args, note)
        # The updated weight is a leaf of the next forward pass, whose gradient the next update needs.
        node.differentiable = True
        return node

    @staticmethod
    def plain_symbol(param: Node) -> Symbol:
        """W₁[2] → W₁ (also in the superscript layer notation, whose step mark follows `{}`)."""
        latex = param.symbol.latex.split("^{[")[0].removesuffix("{}")
        return Symbol(latex, param.symbol.text.split("[")[0])

    def new_symbol(self, param: Node, step: int) -> Symbol:
        plain = self.plain_symbol(param)
        return Symbol(with_step(plain.latex, step), f"{plain.text}[{step}]")

    def state_symbol(self, latex: str, text: str, param: Node, step: int) -> Symbol:
        """The optimizer's state for one parameter after update `step`: v_W₁[2]."""
        plain = self.plain_symbol(param)
        return Symbol(rf"{latex}_{{{plain.latex}}}^{{[{step}]}}", f"{text}_{plain.text}[{step}]")

    def change_symbol(self, param: Node, step: int) -> Symbol:
        """The change an update makes to a parameter: ΔW₁[2]."""
        plain = self.plain_symbol(param)
        return Symbol(with_step(rf"\Delta {plain.latex}", step), f"Δ{plain.text}[{step}]")

    # -- the protocol -------------------------------------------------------------------------
    def needs_gradients(self, step: int) -> bool:
        """Whether update `step` uses ∂L/∂w at the current weights (the solver skips that pass if not)."""
        return True

    def lookahead(self, step: int, params: dict[str, Node]) -> dict[str, Node] | None:
        """Weights at which the gradient for update `step` is taken, when they are not `params`."""
        return None

    def step(self, step: int, params: dict[str, Node], at: Pass, ahead: Pass | None = None) -> dict[str, Node]:
        """Update every parameter; `at` is the pass at the current weights, `ahead` at `lookahead`'s."""
        self.at = at
        grads = (ahead or at).grads
        return {key: self.update(step, key, w, grads[key]) for key, w in params.items()}

    def update(self, step: int, key: str, w: Node, g: Node) -> Node:
        raise NotImplementedError


# -- element-wise arithmetic on exact tensors ---------------------------------------------------
def square(a: np.ndarray) -> np.ndarray:
    return a * a


def root(a: np.ndarray) -> np.ndarray:
    """√ entry by entry: exact for perfect squares of rationals, else 50-digit."""
    return emap(scalar.sqrt, a)


def ratio(numerator: np.ndarray, denominator: np.ndarray, what: str) -> np.ndarray:
    """numerator / denominator entry by entry, where 0/0 counts as 0.

    With ε = 0 a zero denominator means every gradient so far was 0 for that entry, so the numerator
    is 0 too and the weight has no reason to move; any other division by zero is a located error."""
    def divide(n, d):
        if d != 0:
            return n / d
        if n == 0:
            return Fraction(0)
        raise DomainError(f"{what}: division of {n} by zero; give ε > 0")
    return emap(divide, numerator, denominator)


ZERO_OVER_ZERO = "where √ + ε is 0 (ε = 0 and no gradient yet) the step is taken as 0"


def with_step(latex: str, step: int) -> str:
    """W_{1} → W_{1}^{[2]}; W^{(1)} → W^{(1)}{}^{[2]} (a second superscript needs its own base)."""
    return latex + ("{}" if "^" in latex else "") + f"^{{[{step}]}}"


def superscript(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


def latex_power(n: int) -> str:
    # `^{ 12}` with a space: `{12}` alone would read as formula placeholder 12.
    return "^{ %d}" % n


@register("sgd")
class SGD(Optimizer):
    name = "SGD"

    def rule(self):
        return "w ← w − η·∂L/∂w"

    def update(self, step, key, w, g):
        eta = self.eta
        return self.new_weight(key, step, w, w.value - eta.value[()] * g.value,
                               r"{0} - {1} {2}", "{0} − {1}·{2}", (w, eta, g))
