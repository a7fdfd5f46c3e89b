"""Losses of an output ŷ against a target t, with every convention keys disagree on as a parameter.

`scale` folds the ½ of squared error and the means over outputs and samples into one exact factor,
so SSE, MSE and "MSE meaning ½·SSE" are the same op with different scales.
The fused forms take the logits u as their differentiable input and give the textbook gradient
ŷ − t directly (softmax + cross-entropy, sigmoid + binary cross-entropy).
"""
from __future__ import annotations

from fractions import Fraction


from ..engine.formula import Formula
from ..engine.number import exact_string
from ..engine.tensor import emap, total
from . import scalar
from .base import Op


def loss_scale(half: bool, outputs: str, samples: str, n_outputs: int, n_samples: int) -> Fraction:
    scale = Fraction(1, 2) if half else Fraction(1)
    if outputs == "mean":
        scale /= n_outputs
    if samples == "mean":
        scale /= n_samples
    return scale


def _prefix(scale: Fraction, latex: bool) -> str:
    if scale == 1:
        return ""
    if latex:
        # spaces inside the braces: `{1}` would read as a Formula placeholder, `{ 1 }` typesets the same
        core = rf"\tfrac{{ {scale.numerator} }}{{ {scale.denominator} }}" if scale.denominator != 1 else str(scale)
        return core + " "
    return ("½" if scale == Fraction(1, 2) else exact_string(scale)) + " · "


def _base_suffix(base, latex: bool) -> str:
    if base == "e":
        return ""
    return rf" / \ln {base}" if latex else f" / ln {base}"


def _log(base, latex: bool) -> str:
    if base == "e":
        return r"\ln" if latex else "ln"
    return rf"\log_{{ {base} }}" if latex else f"log{base}"   # `{2}` would read as a placeholder


class SquaredError(Op):
    name = "squared_error"

    def forward(self, y, t, *, scale):
        d = y - t
        return scale * total(d * d)

    def vjp(self, index, grad, out, y, t, *, scale):
        return grad[()] * 2 * scale * (y - t) if index == 0 else None

    def formula(self, y_id, t_id, *, scale):
        return Formula(_prefix(scale, True) + r"\sum ({0} - {1})^2", _prefix(scale, False) + "Σ ({0} − {1})²",
                       (y_id, t_id))

    def vjp_formula(self, index, grad_id, out_id, y_id, t_id, *, scale):
        coefficient = 2 * scale
        return Formula(_prefix(coefficient, True) + "({0} - {1})", _prefix(coefficient, False) + "({0} − {1})",
                       (y_id, t_id))


class _LogLoss(Op):
    """A cross-entropy −scale·Σ term(ŷ, t) in a stated log base.

    Unfused, its input is ŷ and the gradient goes through ∂L/∂ŷ; `fused`, its inputs are (u, ŷ, t) and
    the gradient goes straight to the logits u as scale·(ŷ − t)/ln(base), the textbook shortcut for
    sigmoid + BCE and softmax + CE (the solver fuses CE only when each target row sums to 1).
    Subclasses give the term, its derivative in ŷ, and their notation.
    """

    value_latex = value_text = derivative_latex = derivative_text = fused_note = ""

    def term(self, y, t, base, log_zero):
        raise NotImplementedError

    def derivative(self, y, t):
        raise NotImplementedError

    def forward(self, *inputs, scale, base, log_zero, fused):
        y, t = inputs[-2], inputs[-1]
        return -scale * total(emap(lambda yi, ti: self.term(yi, ti, base, log_zero), y, t))

    def vjp(self, index, grad, out, *inputs, scale, base, log_zero, fused):
        if index != 0:
            return None
        y, t = inputs[-2], inputs[-1]
        factor = grad[()] * scale / scalar.ln_of_base(base)
        if fused:
            return factor * self.fused_gradient(y, t)
        return factor * emap(self.derivative, y, t)

    def fused_gradient(self, y, t):
        return y - t

    def formula(self, *ids, scale, base, log_zero, fused):
        return Formula("-" + _prefix(scale, True) + self.value_latex.replace("<log>", _log(base, True)),
                       "−" + _prefix(scale, False) + self.value_text.replace("<log>", _log(base, False)),
                       (ids[-2], ids[-1]))

    def vjp_formula(self, index, grad_id, out_id, *ids, scale, base, log_zero, fused):
        inner_latex, inner_text = ("({0} - {1})", "({0} − {1})") if fused else \
            (self.derivative_latex, self.derivative_text)
        return Formula(_prefix(scale, True) + inner_latex + _base_suffix(base, True),
                       _prefix(scale, False) + inner_text + _base_suffix(base, False), (ids[-2], ids[-1]))

    def note(self, *, scale, base, log_zero, fused):
        return _log_note(base, log_zero) + (f"; {self.fused_note} gradient fused: ∂L/∂u = ŷ − t" if fused else "")


class BinaryCrossEntropy(_LogLoss):
    """−Σ [t log ŷ + (1 − t) log(1 − ŷ)]."""

    name = "binary_cross_entropy"
    value_latex = r"\sum \left[{1} <log> {0} + (1 - {1}) <log>(1 - {0})\right]"
    value_text = "Σ [{1} <log> {0} + (1 − {1}) <log>(1 − {0})]"
    derivative_latex = r"\left(-\frac{{1}}{{0}} + \frac{1 - {1}}{1 - {0}}\right)"
    derivative_text = "(−{1}/{0} + (1 − {1})/(1 − {0}))"
    fused_note = "sigmoid + BCE"

    def term(self, y, t, base, log_zero):
        return _xlog(t, y, base, log_zero) + _xlog(1 - t, 1 - y, base, log_zero)

    def derivative(self, y, t):
        return _ratio(-t, y) + _ratio(1 - t, 1 - y)


class CrossEntropy(_LogLoss):
    """−Σ t log ŷ against any targets (one-hot labels, or a reconstruction −Σ x log x̂)."""

    name = "cross_entropy"
    value_latex = r"\sum {1} <log> {0}"
    value_text = "Σ {1} <log> {0}"
    derivative_latex = r"\left(-\frac{{1}}{{0}}\right)"
    derivative_text = "(−{1}/{0})"
    fused_note = "softmax + cross-entropy"

    def term(self, y, t, base, log_zero):
        return _xlog(t, y, base, log_zero)

    def fused_gradient(self, y, t):
        # ŷ·Σt − t; it is the shown ŷ − t when each target row sums to 1, the only case the solver fuses
        mass = t.sum(axis=-1, keepdims=True) if t.ndim > 1 else total(t)
        return y * mass - t

    def derivative(self, y, t):
        return _ratio(-t, y)


def _xlog(weight, value, base, log_zero):
    """weight·log(value), with 0·log(0) = 0 as every key assumes."""
    if weight == 0:
        return Fraction(0)
    return weight * scalar.log(value, base, log_zero)


def _ratio(numerator, denominator):
    if numerator == 0:
        return Fraction(0)
    if denominator == 0:
        raise scalar.DomainError("the loss gradient divides by ŷ = 0 or 1 − ŷ = 0; use the fused gradient")
    return numerator / denominator


def _log_note(base, log_zero) -> str:
    text = "natural log" if base == "e" else f"log base {base}"
    if log_zero is not None:
        text += f"; log(0) taken as {exact_string(log_zero)}"
    return text


SQUARED_ERROR = SquaredError()
BINARY_CROSS_ENTROPY = BinaryCrossEntropy()
CROSS_ENTROPY = CrossEntropy()


class Penalty(Op):
    """λ Σ w² (L2, optionally with ½) or λ Σ |w| (L1) over the given parameter tensors."""

    name = "penalty"

    def forward(self, *weights, kind, strength):
        if kind == "l2":
            return strength * sum((total(w * w) for w in weights), Fraction(0))
        return strength * sum((total(emap(scalar.absolute, w)) for w in weights), Fraction(0))

    def vjp(self, index, grad, out, *weights, kind, strength):
        w = weights[index]
        if kind == "l2":
            return grad[()] * 2 * strength * w
        return grad[()] * strength * emap(lambda v: scalar.sign(v), w)

    def formula(self, *ids, kind, strength):
        if kind == "l2":
            latex = " + ".join(r"\lVert {%d} \rVert^2" % i for i in range(len(ids)))
            text = " + ".join("‖{%d}‖²" % i for i in range(len(ids)))
        else:
            latex = " + ".join(r"\lVert {%d} \rVert_1" % i for i in range(len(ids)))
            text = " + ".join("‖{%d}‖₁" % i for i in range(len(ids)))
        s = exact_string(strength)
        return Formula(rf"{s} \left({latex}\right)", f"{s} · ({text})", ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, kind, strength):
        if kind == "l2":
            c = exact_string(2 * strength)
            return Formula(c + " {0}", c + " · {0}", (ids[index],))
        s = exact_string(strength)
        return Formula(s + r" \operatorname{sign}({0})", s + " · sign({0})", (ids[index],))

    def note(self, *, kind, strength):
        return "L2 penalty λΣw²" if kind == "l2" else "L1 penalty λΣ|w| (sign(0) = 0)"


PENALTY = Penalty()



class GaussianNLL(Op):
    """Negative log-likelihood of targets under ŷ + N(0, σ²) noise: Σ ½ ln(2πσ²) + (t − ŷ)²/(2σ²).

    Linear regression's MLE question: with σ fixed, the first term is a constant and minimising the
    loss is minimising the squared error.
    """

    name = "gaussian_nll"

    def forward(self, y, t, *, sigma, scale):
        d = y - t
        count = d.size
        constant = count * scalar.log(2 * scalar.PI * sigma * sigma) / 2
        return scale * (constant + total(d * d) / (2 * sigma * sigma))

    def vjp(self, index, grad, out, y, t, *, sigma, scale):
        return grad[()] * scale * (y - t) / (sigma * sigma) if index == 0 else None

    def formula(self, y_id, t_id, *, sigma, scale):
        s = exact_string(sigma)
        return Formula(_prefix(scale, True) + rf"\sum \left[\tfrac12 \ln(2\pi \cdot {s}^2) + "
                       rf"\frac{{({{1}} - {{0}})^2}}{{2 \cdot {s}^2}}\right]",
                       _prefix(scale, False) + f"Σ [½ ln(2π·{s}²) + ({{1}} − {{0}})²/(2·{s}²)]", (y_id, t_id))

    def vjp_formula(self, index, grad_id, out_id, y_id, t_id, *, sigma, scale):
        s = exact_string(sigma)
        return Formula(_prefix(scale, True) + rf"\frac{{{{0}} - {{1}}}}{{{s}^2}}",
                       _prefix(scale, False) + f"({{0}} − {{1}})/{s}²", (y_id, t_id))

    def note(self, *, sigma, scale):
        return f"Gaussian noise with σ = {exact_string(sigma)} (natural log)"


GAUSSIAN_NLL = GaussianNLL()
