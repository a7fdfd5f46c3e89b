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
from ..problems.errors import Issue, ProblemError

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
    return Symbol(*step_mark(rf"\tilde{{{plain.latex}}}", f"{plain.text[:1]}\u0303{plain.text[1:]}", update))


class Optimizer:
    """Subclasses set `name` and implement `update` (one parameter) or `step` (all of them)."""

    name = "optimizer"
    default_eps = Fraction(1, 10 ** 8)

    def __init__(self, spec, comp: Computation, solver):
        # calculus runs these optimizers on a function, under `descent:` (its settings add a `start`)
        self.place = "descent" if "start" in type(spec).model_fields else "optimizer"
        self.spec = spec
        self.comp = comp
        self.solver = solver
        self._hyper: dict[str, Node] = {}
        self.current = 1                    # the update being made: a schedule's rate depends on it

    # -- what the header and the section titles say --------------------------------------------
    @property
    def title(self) -> str:
        return self.name

    def rule(self) -> str:
        """The update rule in words and symbols, for the conventions header."""
        raise NotImplementedError

    def settings(self) -> list[tuple[str, object]]:
        """(symbol, value) of every hyperparameter in force."""
        return [self.rate_setting()]

    def rate_setting(self) -> tuple[str, object]:
        """η, or the rate of each update when they differ (a schedule, a step decay)."""
        spec = self.spec
        if getattr(spec, "lr_schedule", None) is not None:
            return "η", ", ".join(exact_string(r) for r in spec.lr_schedule) + " at updates 1, 2, … (a schedule)"
        decay = getattr(spec, "lr_decay", None)
        if decay is not None:
            every = "every update" if decay.every == 1 else f"every {decay.every} updates"
            return "η", (f"{exact_string(spec.lr)} at update 1, multiplied by {exact_string(decay.factor)} {every} "
                         f"(ηₖ = η·{exact_string(decay.factor)}^⌊(k − 1)/{decay.every}⌋)")
        return "η", spec.lr

    def rate(self, step: int):
        """The learning rate of update `step`."""
        spec = self.spec
        if getattr(spec, "lr_schedule", None) is not None:
            return spec.lr_schedule[step - 1]
        decay = getattr(spec, "lr_decay", None)
        if decay is not None:
            return spec.lr * decay.factor ** ((step - 1) // decay.every)
        return spec.lr

    def conventions(self) -> list[tuple[str, str]]:
        values = ", ".join(f"{symbol} = {value if isinstance(value, str) else exact_string(value)}"
                           for symbol, value in self.settings())
        steps = self.spec.steps
        out = [("optimizer", f"{self.title}: {self.rule()}"),
               ("hyperparameters", values),
               ("updates", f"{steps} full-batch update{'s' if steps > 1 else ''}; all optimizer arithmetic "
                           "is element-wise")]
        given = self.given_state()
        if given:
            out.append(("optimizer state", given))
        return out

    def given_state(self) -> str:
        """How the state before the first update was given, when it was (the header says so)."""
        spec, parts = self.spec, []
        for letter, value in sorted(getattr(spec, "initial_state", {}).items()):
            parts.append(f"{letter}₀ = {exact_string(value)} in every entry" if not isinstance(value, dict)
                         else f"{letter}₀ given per parameter")
        if getattr(spec, "previous_weights", None) is not None:
            parts.append("v₀ from the previous weights w(−1): " + self.velocity_from_previous())
        if getattr(spec, "previous_steps", 0):
            parts.append(f"{spec.previous_steps} updates already made: update k is t = {spec.previous_steps} + k "
                         "in the bias correction")
        return "; ".join(parts)

    def velocity_from_previous(self) -> str:
        return ""

    # -- recording ----------------------------------------------------------------------------
    def hyper(self, name: str, latex: str, text: str, value) -> Node:
        """A hyperparameter or initial state, recorded once as a given so formulas can show it by name."""
        if name not in self._hyper:
            self._hyper[name] = self.comp.given(name, Symbol(latex, text), value)
        return self._hyper[name]

    @property
    def eta(self) -> Node:
        """η of the update being made: one given, or one per update (`eta(k)`) under a schedule or decay."""
        spec = self.spec
        if getattr(spec, "lr_schedule", None) is None and getattr(spec, "lr_decay", None) is None:
            return self.hyper("eta", r"\eta", "η", spec.lr)
        k = self.current
        return self.hyper(f"eta({k})", rf"\eta^{{({k})}}", f"η{superscript_step(k)}", self.rate(k))

    def initial_state(self, letter: str, key: str, w: Node, default=Fraction(0), latex: str | None = None) -> Node:
        """The state `letter` of parameter `key` before the first update: one given for all (`v0`), or the file's
        value for this parameter (`v.W1(0)`), checked against the parameter's shape."""
        given = getattr(self.spec, "initial_state", {}).get(letter, default)
        latex = latex or letter
        if not isinstance(given, dict):
            return self.hyper(f"{letter}0", f"{latex}_0", f"{letter}₀", given)
        place = f"{self.place}.initial_state.{letter}"
        if key not in given:
            raise ProblemError([Issue(place, f"has no value for {key}: give one for every parameter trained "
                                             f"({', '.join(self.trained)})")])
        return self.given_for(key, w, given[key], f"{place}.{key}", f"{letter}.{key}(0)",
                              self.state_symbol(latex, letter, w, 0))

    def given_for(self, key: str, w: Node, value, place: str, node_id: str, symbol: Symbol) -> Node:
        """A per-parameter given of the file (a state, a previous weight), in the shape of the parameter."""
        array = np.array(value, dtype=object)
        if array.shape != w.value.shape and not (array.size == w.value.size == 1):
            raise ProblemError([Issue(place, f"has shape {_shape(array.shape)}, but {key} has shape "
                                             f"{_shape(w.value.shape)}")])
        if node_id not in self._hyper:
            self._hyper[node_id] = self.comp.given(node_id, symbol, array.reshape(w.value.shape))
        return self._hyper[node_id]

    @property
    def trained(self) -> list[str]:
        return list(getattr(self, "_trained", []))

    def check_state_keys(self, params: dict[str, Node]) -> None:
        """Every parameter id the file names in a per-parameter state must be one this problem trains."""
        self._trained = list(params)
        spec = self.spec
        named = [(f"initial_state.{letter}", value) for letter, value in getattr(spec, "initial_state", {}).items()
                 if isinstance(value, dict)]
        if getattr(spec, "previous_weights", None) is not None:
            named.append(("previous_weights", spec.previous_weights))
        issues = [Issue(f"{self.place}.{where}.{key}", f"names no parameter trained here (the parameters: "
                                                       f"{', '.join(params)})")
                  for where, values in named for key in values if key not in params]
        if issues:
            raise ProblemError(issues)

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

    def plain_symbol(self, param: Node) -> Symbol:
        """W₁⁽²⁾ → W₁: the symbol of the given parameter the node is a value of (W1(2), W1(ahead2) → W1)."""
        given = self.comp.nodes.get(param.id.split("(")[0])
        if given is not None:
            return given.symbol
        latex = param.symbol.latex.split("^{[")[0].split("^{(")[0].removesuffix("{}")
        return Symbol(latex, param.symbol.text.split("[")[0].split("⁽")[0])

    def new_symbol(self, param: Node, step: int) -> Symbol:
        """W₁ after update 2: W₁⁽²⁾."""
        plain = self.plain_symbol(param)
        return Symbol(*step_mark(plain.latex, plain.text, step))

    def state_symbol(self, latex: str, text: str, param: Node, step: int) -> Symbol:
        """The optimizer's state for one parameter after update `step`: v_W₁⁽²⁾ (⁽⁰⁾: before the first)."""
        plain = self.plain_symbol(param)
        return Symbol(*step_mark(rf"{latex}_{{{plain.latex}}}", f"{text}_{plain.text}", step, subscripted=True))

    def change_symbol(self, param: Node, step: int) -> Symbol:
        """The change an update makes to a parameter: ΔW₁⁽²⁾."""
        plain = self.plain_symbol(param)
        return Symbol(*step_mark(rf"\Delta {plain.latex}", f"Δ{plain.text}", step))

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
        self.current = step
        if not hasattr(self, "_trained"):     # a caller outside the training pipeline (calculus' descent)
            self.check_state_keys(params)
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


def step_mark(latex: str, text: str, step, subscripted: bool = False) -> tuple[str, str]:
    """A quantity after update `step`, as exams write it: W_{1}^{(2)}, W₁⁽²⁾. A symbol that already has a
    superscript (W^{(1)} in the superscript layer notation, σ²) keeps it and takes the update in brackets,
    W^{(1)}{}^{[2]}, W⁽¹⁾[2], so the two never read as one. `subscripted`: the symbol ends in a subscript
    that holds a superscript of its own (v_{W^{(1)}}), which the step mark follows without ambiguity."""
    if not subscripted and (_top_level_superscript(latex) or text.endswith("⁾")):
        return latex + ("{}" if _top_level_superscript(latex) else "") + f"^{{[{step}]}}", f"{text}[{step}]"
    return latex + f"^{{({step})}}", text + superscript_step(step)


def _top_level_superscript(latex: str) -> bool:
    r"""W^{(1)} has one; {\sigma^2} and v_{W^{(1)}} hold theirs inside braces."""
    depth = 0
    for c in latex:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c == "^" and depth == 0:
            return True
    return False


def _shape(shape: tuple) -> str:
    return "×".join(map(str, shape)) if shape else "a number"


def superscript_step(k) -> str:
    """⁽²⁾: the mark of a quantity after update 2 (W₁⁽²⁾); ⁽⁰⁾ is the state before the first update."""
    return "⁽" + str(k).replace("-", "⁻").translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")) + "⁾"


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
