"""A computation graph with symbolic coefficients: leaves named under `symbols` have no number, and every
quantity that depends on them is a formula in them (f = 4·a, ∂f/∂w = 4·a); quantities that do not stay
numbers. The same graph, local derivatives and chain rule are recorded — each primitive keeps its own
notation — only the arithmetic is SymPy's, on `Formula` values that add and multiply like numbers.

Imported only for a graph that declares symbols (SymPy is half a second to import).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ...expr.symbolic import _FUNCTIONS, Expression, as_sympy_number, symbol, to_exact
from .primitives import Add, Div, Extremum, Function, Mul, Neg, Power, Primitive, Sub


def _sym(x) -> sp.Expr:
    if isinstance(x, FormulaValue):
        return x.expr
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    return as_sympy_number(x)


def wrap(expr: sp.Expr):
    """A formula where symbols remain, else the exact number (a Fraction, or 50 digits)."""
    expr = sp.sympify(expr)
    if expr.has(sp.zoo, sp.nan, sp.oo, sp.I):
        raise ValueError("not a real number (a division by 0, log(0) or the root of a negative number)")
    return FormulaValue(expr) if expr.free_symbols else to_exact(expr)


class FormulaValue(Expression):
    """A graph quantity's value in the symbols; arithmetic with numbers and other formulas gives formulas.
    A sum is written in brackets, so that where the chain rule shows it in a product it reads as one factor
    (∂f/∂p · a = (x + 3) · a, not x + 3 · a)."""

    def __init__(self, expr: sp.Expr):
        super().__init__(expr)
        if expr.is_Add:
            self.text, self.latex = f"({self.text})", rf"\left({self.latex}\right)"

    def __add__(self, other):
        return wrap(self.expr + _sym(other))

    def __radd__(self, other):
        return wrap(_sym(other) + self.expr)

    def __sub__(self, other):
        return wrap(self.expr - _sym(other))

    def __rsub__(self, other):
        return wrap(_sym(other) - self.expr)

    def __mul__(self, other):
        return wrap(self.expr * _sym(other))

    def __rmul__(self, other):
        return wrap(_sym(other) * self.expr)

    def __truediv__(self, other):
        return wrap(self.expr / _sym(other))

    def __rtruediv__(self, other):
        return wrap(_sym(other) / self.expr)

    def __neg__(self):
        return wrap(-self.expr)

    def __eq__(self, other):
        return isinstance(other, FormulaValue) and sp.simplify(self.expr - other.expr) == 0

    def __hash__(self):
        return hash(self.text)


def leaf(name: str) -> FormulaValue:
    return FormulaValue(symbol(name))


class Symbolically(Primitive):
    """`primitive` computed in SymPy: value and local derivatives of formulas; notation the primitive's own."""

    def __init__(self, primitive: Primitive):
        self.primitive = primitive
        self.name = primitive.name
        self.latex, self.text = primitive.latex, primitive.text

    def _expression(self, args: list[sp.Expr], **p) -> sp.Expr:
        op = self.primitive
        if isinstance(op, Add):
            return args[0] + args[1]
        if isinstance(op, Sub):
            return args[0] - args[1]
        if isinstance(op, Mul):
            return args[0] * args[1]
        if isinstance(op, Div):
            return args[0] / args[1]
        if isinstance(op, Neg):
            return -args[0]
        if isinstance(op, Power):
            k = p["exponent"]
            return args[0] ** sp.Rational(k.numerator, k.denominator)
        if isinstance(op, Extremum):
            return (sp.Max if op.name == "max" else sp.Min)(*args)
        assert isinstance(op, Function)
        return _FUNCTIONS[op.name](*args)

    def value(self, *inputs, **p):
        return wrap(self._expression([_sym(x) for x in inputs], **p))

    def local(self, index, out, *inputs, **p):
        places = [sp.Dummy() for _ in inputs]
        if isinstance(self.primitive, Extremum):      # the derivative goes to the chosen argument (first on a tie)
            a, b = (_sym(x) for x in inputs)
            first = sp.Ge(a, b) if self.primitive.name == "max" else sp.Le(a, b)
            if first not in (sp.true, sp.false):
                raise ValueError(f"{self.primitive.name} of formulas: which argument it chooses depends on the "
                                 "symbols")
            return Fraction(int((first == sp.true) == (index == 0)))
        derivative = sp.diff(self._expression(places, **p), places[index])
        return wrap(derivative.xreplace({d: _sym(x) for d, x in zip(places, inputs)}))

    def formula(self, *ids, **p):
        return self.primitive.formula(*ids, **p)

    def local_formula(self, index, out_id, *ids, **p):
        return self.primitive.local_formula(index, out_id, *ids, **p)

    def note(self, **p):
        return self.primitive.note(**p)
