"""Losses of an output ŷ against a target t, with every convention keys disagree on as a parameter.

`scale` folds the ½ of squared error and the means over outputs and samples into one exact factor,
so SSE, MSE and "MSE meaning ½·SSE" are the same op with different scales.
The fused forms take the logits u as their differentiable input and give the textbook gradient
ŷ − t directly (softmax + cross-entropy, sigmoid + binary cross-entropy).
"""
from __future__ import annotations

from fractions import Fraction


from ..engine.formula import Formula
from ..engine.number import exact_string, mp, to_mpf
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

    Its inputs are (ŷ, t), or (u, ŷ, t) when ŷ is the sigmoid or softmax of logits u. Unfused, the gradient goes
    through ∂L/∂ŷ; `fused`, it goes straight to the logits as scale·(ŷ − t)/ln(base), the textbook shortcut for
    sigmoid + BCE and softmax + CE (the solver fuses CE only when each target row sums to 1).
    With the logits at hand, a ŷ that is not an exact number is not used through log ŷ and log(1 − ŷ): those come
    from u (ln σ(u) = −softplus(−u), ln softmax(u)ₖ = −ln Σⱼ e^(uⱼ − uₖ)), which equal them and keep their digits
    where ŷ is 0 or 1 to 50 digits (σ(200)). An exact ŷ (given, pinned, or rounded as a person does) is used as
    written, as that person would.
    Subclasses give the term, its derivative in ŷ, the same from the logits, and their notation.
    """

    value_latex = value_text = derivative_latex = derivative_text = fused_note = ""

    def term(self, y, t, base, log_zero):
        raise NotImplementedError

    def derivative(self, y, t, u=None):
        raise NotImplementedError

    def log_terms(self, u, y, t):
        """Σ weight·ln(probability) over the entries whose ŷ is not exact, computed from the logits."""
        raise NotImplementedError

    def forward(self, *inputs, scale, base, log_zero, fused):
        y, t = inputs[-2], inputs[-1]
        if len(inputs) == 2:
            return -scale * total(emap(lambda yi, ti: self.term(yi, ti, base, log_zero), y, t))
        exact = emap(lambda yi, ti: self.term(yi, ti, base, log_zero) if isinstance(yi, Fraction) else Fraction(0),
                     y, t)
        return -scale * (total(exact) + self.log_terms(inputs[0], y, t) / scalar.ln_of_base(base))

    def vjp(self, index, grad, out, *inputs, scale, base, log_zero, fused):
        y, t = inputs[-2], inputs[-1]
        factor = grad[()] * scale / scalar.ln_of_base(base)
        if fused:
            return factor * self.fused_gradient(y, t) if index == 0 else None
        if index != len(inputs) - 2:
            return None
        if len(inputs) == 3:
            return factor * emap(self.derivative, y, t, inputs[0])
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

    def derivative(self, y, t, u=None):
        return _ratio(-t, y, y) + _ratio(1 - t, 1 - y if u is None else scalar.complement(y, u), y)

    def log_terms(self, u, y, t):
        # t ln σ(u) + (1 − t) ln σ(−u), with ln σ(u) = −softplus(−u)
        return total(emap(lambda ui, yi, ti: Fraction(0) if isinstance(yi, Fraction) else
                          -(_weighted(ti, scalar.softplus, -ui) + _weighted(1 - ti, scalar.softplus, ui)), u, y, t))


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

    def derivative(self, y, t, u=None):
        return _ratio(-t, y, y)

    def log_terms(self, u, y, t):
        rows = zip(u.reshape(-1, u.shape[-1]), y.reshape(-1, y.shape[-1]), t.reshape(-1, t.shape[-1])) if u.ndim \
            else [(u.reshape(1), y.reshape(1), t.reshape(1))]
        out = Fraction(0)
        for logits, probabilities, targets in rows:
            for k, (yk, tk) in enumerate(zip(probabilities, targets)):
                if not isinstance(yk, Fraction) and tk != 0:
                    # ln softmax(u)ₖ = −ln(1 + Σ_{j≠k} e^(uⱼ − uₖ)): no digit lost when ŷₖ is 1 to 50 digits
                    rest = sum((scalar.exp(uj - logits[k]) for j, uj in enumerate(logits) if j != k), Fraction(0))
                    out -= tk * mp.log1p(to_mpf(rest))
        return out


def _weighted(weight, fn, x):
    """weight·fn(x), with 0·fn(x) = 0 even where fn(x) is not computed (0·log 0 = 0 as every key assumes)."""
    return Fraction(0) if weight == 0 else weight * fn(x)


def _xlog(weight, value, base, log_zero):
    """weight·log(value), with 0·log(0) = 0 as every key assumes."""
    if weight == 0:
        return Fraction(0)
    return weight * scalar.log(value, base, log_zero)


def _ratio(numerator, denominator, y):
    if numerator == 0:
        return Fraction(0)
    if denominator == 0:
        # log is −∞ at 0 with slope +∞: a log(0) clamp makes the loss finite, not its gradient
        raise scalar.DomainError(f"∂L/∂ŷ is infinite at ŷ = {exact_string(y)} (the slope of log at 0): the "
                                 "cross-entropy has no gradient there, clamped or not; give ŷ by its logits "
                                 "(a sigmoid or softmax output, or from_logits) or a ŷ strictly inside (0, 1)")
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
