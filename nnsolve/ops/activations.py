"""Element-wise activations, one row each: value, derivative and notation together.

Derivative templates use {1} for the activation's output and {2} for its input (the pre-activation),
so σ' can be written σ(1−σ) through the output, as exam keys do.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from ..engine.formula import Formula
from ..engine.number import exact_string
from ..engine.tensor import emap, total
from . import scalar
from .base import Op

ONE, ZERO = Fraction(1), Fraction(0)


@dataclass(frozen=True)
class Elementwise(Op):
    name: str
    value: Callable
    derivative: Callable            # (x, y, params) -> f'(x)
    latex: str
    text: str
    d_latex: str
    d_text: str
    describe: Callable = lambda p: ""

    def forward(self, x, **p):
        return emap(lambda v: self.value(v, p), x)

    def vjp(self, index, grad, out, x, **p):
        return grad * emap(lambda v, y: self.derivative(v, y, p), x, out)

    def formula(self, x_id, **p):
        return Formula(_fill_params(self.latex, p), _fill_params(self.text, p), (x_id,))

    def vjp_formula(self, index, grad_id, out_id, x_id, **p):
        return Formula(r"{0} \odot " + _fill_params(self.d_latex, p), "{0} ⊙ " + _fill_params(self.d_text, p),
                       (grad_id, out_id, x_id))

    def note(self, **p):
        return self.describe(p)


def _fill_params(template: str, p: dict) -> str:
    for key, value in p.items():
        template = template.replace(f"<{key}>", exact_string(value) if isinstance(value, Fraction) else str(value))
    return template


def _step_value(v, p):
    above = v > p["threshold"] if p["strict"] else v >= p["threshold"]
    return p["high"] if above else p["low"]


def _step_note(p):
    rel = ">" if p["strict"] else "≥"
    return (f"step(u) = {exact_string(p['high'])} if u {rel} {exact_string(p['threshold'])} else "
            f"{exact_string(p['low'])}; step'(u) taken as {exact_string(p['step_derivative'])}")


ACTIVATIONS: dict[str, Elementwise] = {
    "identity": Elementwise(
        "identity", lambda v, p: v, lambda v, y, p: ONE,
        "{0}", "{0}", "1", "1"),
    "sigmoid": Elementwise(
        "sigmoid", lambda v, p: scalar.sigmoid(v), lambda v, y, p: y * scalar.complement(y, v),
        r"\sigma({0})", "σ({0})", r"{1} \odot (1 - {1})", "{1} ⊙ (1 − {1})",
        lambda p: "σ'(u) = σ(u)(1 − σ(u))"),
    "tanh": Elementwise(
        "tanh", lambda v, p: scalar.tanh(v),
        lambda v, y, p: 1 - y * y if isinstance(y, Fraction) else scalar.sech_squared(v),
        r"\tanh({0})", "tanh({0})", r"(1 - {1}^2)", "(1 − {1}²)",
        lambda p: "tanh'(u) = 1 − tanh²(u)"),
    "relu": Elementwise(
        "relu", lambda v, p: v if v > 0 else ZERO,
        lambda v, y, p: ONE if v > 0 else (ZERO if v < 0 else p["relu_derivative_at_zero"]),
        r"\mathrm{ReLU}({0})", "ReLU({0})", r"\mathbb{ 1 }[{2} > 0]", "𝟙[{2} > 0]",
        lambda p: f"ReLU'(0) = {exact_string(p['relu_derivative_at_zero'])}"),
    "leaky_relu": Elementwise(
        "leaky_relu", lambda v, p: v if v > 0 else p["slope"] * v,
        lambda v, y, p: ONE if v > 0 else (p["slope"] if v < 0 else p["relu_derivative_at_zero"]),
        r"\mathrm{LeakyReLU}_{ <slope> }({0})", "LeakyReLU_<slope>({0})",
        r"(1 \text{ if } {2} > 0 \text{ else } <slope>)", "(1 if {2} > 0 else <slope>)",
        lambda p: f"leaky ReLU slope {exact_string(p['slope'])}; derivative at 0 taken as "
                  f"{exact_string(p['relu_derivative_at_zero'])}"),
    "elu": Elementwise(
        "elu", lambda v, p: v if v > 0 else p["alpha"] * (scalar.exp(v) - 1),
        lambda v, y, p: ONE if v > 0 else (p["alpha"] * scalar.exp(v) if v < 0 else p["relu_derivative_at_zero"]),
        r"\mathrm{ELU}_{ <alpha> }({0})", "ELU_<alpha>({0})",
        r"(1 \text{ if } {2} > 0 \text{ else } {1} + <alpha>)", "(1 if {2} > 0 else {1} + <alpha>)",
        lambda p: f"ELU α = {exact_string(p['alpha'])}; derivative at 0 taken as "
                  f"{exact_string(p['relu_derivative_at_zero'])}"),
    "softplus": Elementwise(
        "softplus", lambda v, p: scalar.softplus(v), lambda v, y, p: scalar.sigmoid(v),
        r"\mathrm{softplus}({0})", "softplus({0})", r"\sigma({2})", "σ({2})",
        lambda p: "softplus(u) = ln(1 + eᵘ), softplus'(u) = σ(u)"),
    "step": Elementwise(
        "step", _step_value, lambda v, y, p: p["step_derivative"],
        r"\mathrm{step}({0})", "step({0})", "<step_derivative>", "<step_derivative>", _step_note),
    "sign": Elementwise(
        "sign", lambda v, p: scalar.sign(v, p["sign_at_zero"]), lambda v, y, p: p["step_derivative"],
        r"\mathrm{sign}({0})", "sign({0})", "<step_derivative>", "<step_derivative>",
        lambda p: f"sign(0) = {exact_string(p['sign_at_zero'])}; sign'(u) taken as "
                  f"{exact_string(p['step_derivative'])}"),
}


class Softmax(Op):
    """Row-wise softmax; its Jacobian-vector product is y ⊙ (g − ⟨g, y⟩)."""

    name = "softmax"

    def forward(self, u, **p):
        return _rows(u, _softmax_vector)

    def vjp(self, index, grad, out, u, **p):
        if out.ndim == 1:
            return _softmax_vjp(grad, out)
        return np.array([_softmax_vjp(g, y) for g, y in zip(grad, out)], dtype=object)

    def formula(self, u_id, **p):
        return Formula(r"\mathrm{softmax}({0})", "softmax({0})", (u_id,))

    def vjp_formula(self, index, grad_id, out_id, u_id, **p):
        return Formula(r"{1} \odot \left({0} - {0}^\top {1}\right)", "{1} ⊙ ({0} − {0}·{1})", (grad_id, out_id))

    def note(self, **p):
        return "softmax(u)ᵢ = e^{uᵢ} / Σⱼ e^{uⱼ}"


def _softmax_vector(u):
    if all(isinstance(v, Fraction) for v in u) and len(set(u)) == 1:
        return np.array([Fraction(1, len(u))] * len(u), dtype=object)   # equal logits: exactly uniform
    shift = max(u)
    exps = [scalar.exp(v - shift) for v in u]
    denominator = sum(exps[1:], exps[0])
    return np.array([e / denominator for e in exps], dtype=object)


def _softmax_vjp(g, y):
    inner = total(g * y)
    return y * (g - inner)


def _rows(u, fn):
    if u.ndim == 1:
        return fn(list(u))
    return np.array([fn(list(row)) for row in u], dtype=object)


SOFTMAX = Softmax()
