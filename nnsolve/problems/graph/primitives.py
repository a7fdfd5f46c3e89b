"""The primitive nodes of a computation graph, each with its value, its local derivative and its notation.

Each op states its local derivative ∂out/∂input once (`local`, `local_formula`); the chain rule step
that backpropagation shows is then ∂f/∂input = ∂f/∂out · ∂out/∂input.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from ...engine.formula import Formula
from ...engine.number import mp, to_mpf
from ...ops import scalar
from ...ops.base import Op
from ...ops.scalar import DomainError


def _s(v):
    return v[()] if isinstance(v, np.ndarray) else v


class Primitive(Op):
    latex = text = ""                    # templates over the inputs {0}, {1}

    def forward(self, *inputs, **p):
        return self.value(*[_s(v) for v in inputs], **p)

    def vjp(self, index, grad, out, *inputs, **p):
        return _s(grad) * self.local(index, _s(out), *[_s(v) for v in inputs], **p)

    def formula(self, *ids, **p):
        return Formula(self.latex, self.text, ids)

    def vjp_formula(self, index, grad_id, out_id, *ids, **p):
        local = self.local_formula(index, out_id, *ids, **p).shifted(1)
        return Formula(r"{0} \cdot " + local.latex, "{0} · " + local.text, (grad_id,) + local.args)

    def value(self, *inputs, **p):
        raise NotImplementedError

    def local(self, index, out, *inputs, **p):
        raise NotImplementedError

    def local_formula(self, index, out_id, *ids, **p) -> Formula:
        raise NotImplementedError


class Add(Primitive):
    name, latex, text = "add", "{0} + {1}", "{0} + {1}"

    def value(self, a, b):
        return a + b

    def local(self, index, out, a, b):
        return Fraction(1)

    def local_formula(self, index, out_id, *ids):
        return Formula("1", "1")


class Sub(Primitive):
    name, latex, text = "sub", "{0} - {1}", "{0} − {1}"

    def value(self, a, b):
        return a - b

    def local(self, index, out, a, b):
        return Fraction(1 if index == 0 else -1)

    def local_formula(self, index, out_id, *ids):
        return Formula("1", "1") if index == 0 else Formula("(-1)", "(−1)")


class Mul(Primitive):
    name, latex, text = "mul", r"{0} \cdot {1}", "{0} · {1}"

    def value(self, a, b):
        return a * b

    def local(self, index, out, a, b):
        return b if index == 0 else a

    def local_formula(self, index, out_id, a_id, b_id):
        other = b_id if index == 0 else a_id
        return Formula("{0}", "{0}", (other,))


class Div(Primitive):
    name, latex, text = "div", r"\frac{{0}}{{1}}", "{0} / {1}"

    def value(self, a, b):
        if b == 0:
            raise DomainError("division by zero")
        return a / b

    def local(self, index, out, a, b):
        return 1 / b if index == 0 else -a / (b * b)

    def local_formula(self, index, out_id, a_id, b_id):
        if index == 0:
            return Formula(r"\frac{ 1 }{{0}}", "1/{0}", (b_id,))
        return Formula(r"\left(-\frac{{0}}{{1}^2}\right)", "(−{0}/{1}²)", (a_id, b_id))


class Neg(Primitive):
    name, latex, text = "neg", "-{0}", "−{0}"

    def value(self, a):
        return -a

    def local(self, index, out, a):
        return Fraction(-1)

    def local_formula(self, index, out_id, a_id):
        return Formula("(-1)", "(−1)")


class Power(Primitive):
    """a^k for a constant exponent k: exact for an integer k, 50 digits otherwise."""

    name = "power"

    def value(self, a, exponent):
        return power(a, exponent)

    def local(self, index, out, a, exponent):
        return exponent * power(a, exponent - 1)

    def formula(self, a_id, exponent):
        return Formula("{0}^{ %s }" % _exp_text(exponent), "{0}^" + _exp_text(exponent), (a_id,))

    def local_formula(self, index, out_id, a_id, exponent):
        k = _exp_text(exponent)
        lower = _exp_text(exponent - 1)
        return Formula(r"%s \cdot {0}^{ %s }" % (k, lower), f"{k} · {{0}}^{lower}", (a_id,))


def _exp_text(k: Fraction) -> str:
    return str(k) if k >= 0 else f"({k})"


def power(a, k: Fraction):
    if k.denominator == 1:
        if a == 0 and k < 0:
            raise DomainError("0 to a negative power")
        return a ** int(k)
    if a < 0:
        raise DomainError(f"a negative number ({a}) to a fractional power")
    return Fraction(0) if a == 0 and k > 0 else mp.power(to_mpf(a), to_mpf(k))


class Function(Primitive):
    """A named function of one argument: value and derivative as functions of (input, output)."""

    def __init__(self, name, fn, derivative, latex_local, text_local, uses_out=False):
        self.name, self._fn, self._derivative = name, fn, derivative
        self.latex, self.text = {"relu": ("\\mathrm{ReLU}({0})", "relu({0})"), "atan": (r"\arctan({0})", "atan({0})")}.get(
            name, (rf"\{name}({{0}})" if name in ("exp", "log", "tanh", "sqrt", "sin", "cos", "tan") else rf"\mathrm{{{name}}}({{0}})",
                   f"{name}({{0}})"))
        if name == "sqrt":
            self.latex = r"\sqrt{{0}}"
        self._latex_local, self._text_local, self._uses_out = latex_local, text_local, uses_out

    def value(self, a):
        return self._fn(a)

    def local(self, index, out, a):
        return self._derivative(a, out)

    def local_formula(self, index, out_id, a_id):
        return Formula(self._latex_local, self._text_local, (out_id if self._uses_out else a_id,))


def _relu_slope(a, out):
    return Fraction(1) if a > 0 else Fraction(0)


def _sqrt_slope(a, out):
    if out == 0:
        raise DomainError("the square root has no derivative at 0")
    return 1 / (2 * out)


def _log_slope(base):
    def slope(a, out):
        return 1 / (a * scalar.ln_of_base(base))
    return slope


def _log(base):
    def value(a):
        if a <= 0:
            raise DomainError(f"log of {a}: the logarithm needs a positive number")
        return scalar.log(a, base)
    return value


def _trig(function, a, at_zero: int):
    return Fraction(at_zero) if a == 0 else function(to_mpf(a))


def _tan(a):
    """tan(a), refused where cos(a) is 0 to the working precision (a pole: π/2 + kπ)."""
    if a == 0:
        return Fraction(0)
    if abs(mp.cos(to_mpf(a))) < mp.mpf(10) ** -40:
        raise DomainError(f"tan at {mp.nstr(to_mpf(a), 8)}: cos is 0 there (a pole of tan)")
    return mp.tan(to_mpf(a))


class Extremum(Primitive):
    """max(a, b) or min(a, b): the derivative goes to the argument chosen; on a tie, to the first."""

    def __init__(self, name):
        self.name = name
        self.latex, self.text = rf"\{name}({{0}}, {{1}})", f"{name}({{0}}, {{1}})"

    def _first_wins(self, a, b):
        return a >= b if self.name == "max" else a <= b

    def value(self, a, b):
        return a if self._first_wins(a, b) else b

    def local(self, index, out, a, b):
        return Fraction(int(self._first_wins(a, b) == (index == 0)))

    def local_formula(self, index, out_id, a_id, b_id):
        return Formula(r"[{0} \text{ chosen}]", "[{0} chosen]", ((a_id, b_id)[index],))

    def note(self, **p):
        return f"the derivative of {self.name} goes to the argument it chose (to the first on a tie)"


FUNCTIONS = {
    "exp": Function("exp", scalar.exp, lambda a, out: out, "{0}", "{0}", uses_out=True),
    "log": Function("log", _log("e"), _log_slope("e"), r"\frac{ 1 }{{0}}", "1/{0}"),
    "log2": Function("log2", _log(2), _log_slope(2), r"\frac{ 1 }{{0} \ln 2}", "1/({0} ln 2)"),
    "log10": Function("log10", _log(10), _log_slope(10), r"\frac{ 1 }{{0} \ln 10}", "1/({0} ln 10)"),
    "sqrt": Function("sqrt", scalar.sqrt, _sqrt_slope, r"\frac{ 1 }{2 {0}}", "1/(2 · {0})", uses_out=True),
    "abs": Function("abs", scalar.absolute, lambda a, out: scalar.sign(a), r"\operatorname{sign}({0})",
                    "sign({0})"),
    "relu": Function("relu", lambda a: a if a > 0 else Fraction(0), _relu_slope, r"[{0} > 0]", "[{0} > 0]"),
    "sigmoid": Function("sigmoid", scalar.sigmoid, lambda a, out: out * (1 - out), r"{0}(1 - {0})",
                        "{0} · (1 − {0})", uses_out=True),
    "tanh": Function("tanh", scalar.tanh, lambda a, out: 1 - out * out, r"\left(1 - {0}^2\right)",
                        "(1 − {0}²)", uses_out=True),
    "softplus": Function("softplus", scalar.softplus, lambda a, out: scalar.sigmoid(a), r"\sigma({0})",
                         "σ({0})"),
    # ReLU's derivative [x > 0] and sign: flat wherever they have a derivative (0 at the jump, stated)
    "step": Function("step", lambda a: Fraction(int(a > 0)), lambda a, out: Fraction(0), "0", "0"),
    "sign": Function("sign", scalar.sign, lambda a, out: Fraction(0), "0", "0"),
    # sin, cos, tan, atan: exact at 0 (sin 0 = tan 0 = atan 0 = 0, cos 0 = 1), 50 digits elsewhere
    "sin": Function("sin", lambda a: _trig(mp.sin, a, 0), lambda a, out: _trig(mp.cos, a, 1), r"\cos({0})",
                    "cos({0})"),
    "cos": Function("cos", lambda a: _trig(mp.cos, a, 1), lambda a, out: -_trig(mp.sin, a, 0), r"(-\sin({0}))",
                    "(−sin({0}))"),
    "tan": Function("tan", _tan, lambda a, out: 1 + out * out, r"\left(1 + {0}^2\right)", "(1 + {0}²)",
                    uses_out=True),
    "atan": Function("atan", lambda a: _trig(mp.atan, a, 0), lambda a, out: 1 / (1 + a * a),
                     r"\frac{ 1 }{1 + {0}^2}", "1/(1 + {0}²)"),
    "max": Extremum("max"),
    "min": Extremum("min"),
}
FUNCTIONS["ln"] = FUNCTIONS["log"]
FUNCTIONS["σ"] = FUNCTIONS["sigmoid"]
FUNCTIONS["arctan"] = FUNCTIONS["atan"]
BINARY = {"+": Add(), "-": Sub(), "*": Mul(), "/": Div()}
NEG = Neg()
POWER = Power()
