"""Applying a named activation, with the conventions at its kinks, the same way in every family.

A family names an activation in its file (`relu`, `{name: leaky_relu, slope: 0.1}`, `logistic`); this
module turns the name into the op of `nnsolve.ops.activations` with its parameters, records the step,
and remembers which activations were used so that only the conventions that apply are stated.
"""
from __future__ import annotations

from fractions import Fraction

from ..engine.computation import Computation, Node, Symbol
from ..engine.number import exact_string
from ..ops.activations import ACTIVATIONS, SOFTMAX
from .schema import Activation

ALIASES = {"linear": "identity", "logistic": "sigmoid", "threshold": "step"}
RELU_FAMILY = {"relu", "leaky_relu", "elu"}
STEP_FAMILY = {"step", "sign"}
# outputs that are probabilities (each in (0, 1)); softmax rows also sum to 1
PROBABILITIES = {"sigmoid", "softmax"}


def canonical(activation: Activation | str | None) -> str | None:
    """`logistic` → `sigmoid`; a spec or a plain name; None stays None (an output given as numbers)."""
    if activation is None:
        return None
    name = activation if isinstance(activation, str) else activation.name
    return ALIASES.get(name, name)


def parameters(activation: Activation | str, conventions) -> dict:
    """The op's parameters: the file's (slope, α, threshold) and the conventions at its kinks."""
    name = canonical(activation)
    spec = Activation(name=name) if isinstance(activation, str) else activation
    relu_at_zero = getattr(conventions, "relu_derivative_at_zero", Fraction(0))
    step_derivative = getattr(conventions, "step_derivative", Fraction(0))
    if name == "relu":
        return {"relu_derivative_at_zero": relu_at_zero}
    if name == "leaky_relu":
        return {"slope": spec.slope, "relu_derivative_at_zero": relu_at_zero}
    if name == "elu":
        return {"alpha": spec.alpha, "relu_derivative_at_zero": relu_at_zero}
    if name == "step":
        low = Fraction(-1) if spec.output == "bipolar" else Fraction(0)
        return {"threshold": spec.threshold, "strict": spec.strict, "low": low, "high": Fraction(1),
                "step_derivative": step_derivative}
    if name == "sign":
        return {"sign_at_zero": getattr(conventions, "sign_at_zero", Fraction(0)), "step_derivative": step_derivative}
    return {}


class Activations:
    """Records activation steps for one solver and remembers the names it used."""

    def __init__(self, comp: Computation, conventions):
        self.comp = comp
        self.conventions = conventions
        self.used: set[str] = set()

    def apply(self, activation: Activation | str, u: Node, node_id: str, symbol: Symbol, **extra) -> Node:
        name = canonical(activation)
        self.used.add(name)
        if name == "softmax":
            return self.comp.apply(SOFTMAX, [u], node_id, symbol, **extra)
        return self.comp.apply(ACTIVATIONS[name], [u], node_id, symbol, **parameters(activation, self.conventions),
                               **extra)

    def statements(self) -> list[tuple[str, str]]:
        """The kink conventions of the activations used, and only those."""
        out = []
        if self.used & RELU_FAMILY:
            out.append(("ReLU'(0)", exact_string(getattr(self.conventions, "relu_derivative_at_zero", Fraction(0)))))
        if self.used & STEP_FAMILY:
            out.append(("step derivative", exact_string(getattr(self.conventions, "step_derivative", Fraction(0)))))
        return out
