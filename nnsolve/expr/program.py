"""Formulas compiled once into a straight-line program over mpmath numbers, for evaluating them at many
points (the iterates of a long descent).

The program is the list of the formulas' distinct parts in an order where each comes after its operands,
each evaluated by the same rules as `symbolic.numeric` (the one walk every value of a calculus solution
goes through): SymPy is not consulted per point, and a part shared by f and its gradient is computed once.
As in `numeric`, a run is made at PRECISION + 15 working digits; where a sum in it cancels more than 12
digits, it is made again at PRECISION + 40 and kept only where both agree to the digits shown.
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp

from ..engine.number import mp
from .symbolic import (CANCELLATION, CANCELLED, MAX_SATURATION, PRECISION, RANGE_BITS, BeyondRange, _apply, _in_range,
                       sigmoid)

LOW, HIGH = PRECISION + 15, PRECISION + 40


class Unreliable(ArithmeticError):
    """The two working precisions disagree beyond the digits shown, or a part is not one the program knows."""


class Program:
    """f₁, f₂ … of `variables`, evaluated together: `run([x, y])` → [f₁(x, y), f₂(x, y), …] as mpf."""

    def __init__(self, formulas: list[sp.Expr], variables: list[sp.Symbol]):
        self.variables = list(variables)
        self.formulas = list(formulas)
        place: dict[sp.Expr, int] = {v: i for i, v in enumerate(self.variables)}
        self.steps: list[tuple[sp.Expr, int, tuple[int, ...]]] = []     # (part, its place, its operands')
        self.constants: list[tuple[int, sp.Expr]] = []              # (place, a number, π or e)

        def visit(root: sp.Expr) -> int:
            stack = [(root, False)]
            while stack:                      # iterative: a deep formula must not meet Python's recursion limit
                e, expanded = stack.pop()
                if e in place:
                    continue
                if e.is_Symbol:
                    raise Unreliable(f"{e} has no value")
                if e.is_Number or e in (sp.pi, sp.E):
                    place[e] = len(place)
                    self.constants.append((place[e], e))
                elif expanded:
                    place[e] = len(place)
                    self.steps.append((e, place[e], tuple(place[a] for a in e.args)))
                else:
                    stack.append((e, True))
                    stack.extend((a, False) for a in e.args if a not in place)
            return place[root]

        self.outputs = [visit(f) for f in formulas]
        self.size = len(place)
        self._constants: dict[int, list] = {}
        # + − × ÷ and integer powers of rationals only: at a rational point the values are rational, exactly
        self.rational = all(part.is_Add or part.is_Mul or (part.is_Pow and part.exp.is_Integer)
                            for part, _, _ in self.steps) and all(e.is_Rational for _, e in self.constants)

    @property
    def parts(self) -> int:
        return len(self.steps) + len(self.constants)

    def _at(self, dps: int, values: list) -> tuple[list, bool]:
        if mp.dps != dps:
            with mp.workdps(dps):
                return self._at(dps, values)
        if dps not in self._constants:
            self._constants[dps] = [(i, _constant(e)) for i, e in self.constants]
            self._compiled = [(_operation(part), at, operands) for part, at, operands in self.steps]
        slots: list = [None] * self.size
        for i, v in enumerate(values):
            slots[i] = v if isinstance(v, mp.mpf) else mp.mpf(v)
        for i, c in self._constants[dps]:
            slots[i] = c
        flags: dict = {}
        for operation, at, operands in self._compiled:
            slots[at] = operation([slots[j] for j in operands], flags)
        return [slots[i] for i in self.outputs], CANCELLED in flags

    def exact(self, values: list) -> list:
        """A rational program at a rational point: Fractions, exactly."""
        slots: list = [None] * self.size
        slots[:len(values)] = values
        for i, e in self.constants:
            slots[i] = Fraction(int(e.p), int(e.q))
        for part, at, operands in self.steps:
            args = [slots[j] for j in operands]
            if part.is_Add:
                slots[at] = sum(args[1:], args[0])
            elif part.is_Mul:
                out = args[0]
                for a in args[1:]:
                    out *= a
                slots[at] = out
            else:
                if args[0] == 0 and part.exp < 0:
                    raise ValueError("a division by 0")
                slots[at] = args[0] ** int(part.exp)
        out = [slots[i] for i in self.outputs]
        for v in out:
            if v and v.numerator.bit_length() - v.denominator.bit_length() > RANGE_BITS:
                raise BeyondRange("a value beyond 10^±1000")
        return out

    def run(self, values: list, low: int = LOW, high: int = HIGH) -> list:
        """The formulas at the point (each value a Fraction or an mpf): Fractions where the program is rational
        and the point too, else mpf at PRECISION + 15 digits; ValueError where a part has no real value,
        BeyondRange where one leaves the range, Unreliable where cancellation leaves fewer than PRECISION
        digits certain."""
        if self.rational and all(isinstance(v, Fraction) for v in values):
            return self.exact(values)
        digits = low - 13               # the digits kept where both precisions agree (PRECISION + 2 at LOW)
        try:
            first, cancelled = self._at(low, values)
            if not cancelled:
                return [_in_range(v, f) for v, f in zip(first, self.formulas)]
            second, _ = self._at(high, values)
        except (ZeroDivisionError, OverflowError) as e:
            raise ValueError(str(e)) from None
        out = []
        with mp.workdps(low):
            for a, b, f in zip(first, second, self.formulas):
                if a != b and not (b and abs(a - b) <= abs(b) * mp.mpf(10) ** -digits):
                    raise Unreliable("cancellation beyond the working precision")
                out.append(_in_range(+b, f))
        return out


def _operation(part: sp.Expr):
    """How one part is computed from its operands' values: a sum of two, a product and a square written out
    (the hot path of a descent), anything else by `_apply`, as `numeric` computes it."""
    if part.is_Add and len(part.args) == 2:
        def add(args, flags):
            a, b = args
            total = a + b
            largest = max(abs(a), abs(b))
            if largest and abs(total) < largest * CANCELLATION:
                flags[CANCELLED] = True
            return total
        return add
    if part.is_Mul:
        def multiply(args, flags):
            out = args[0]
            for a in args[1:]:
                out *= a
            return out
        return multiply
    if part.is_Pow and part.exp == 2:
        return lambda args, flags: args[0] * args[0]
    if part.is_Pow and part.exp == -1:
        def reciprocal(args, flags):
            if not args[0]:
                raise ValueError("a division by 0")
            return 1 / args[0]
        return reciprocal
    if part.is_Pow and part.exp.is_Integer:
        k = int(part.exp)

        def integer_power(args, flags):
            if not args[0] and k < 0:
                raise ValueError("a division by 0")
            return mp.power(args[0], k)
        return integer_power
    if part.is_Add:
        def total(args, flags):
            out = mp.fsum(args)
            largest = max(abs(a) for a in args)
            if largest and abs(out) < largest * CANCELLATION:
                flags[CANCELLED] = True
            return out
        return total
    if isinstance(part, sigmoid):
        def logistic(args, flags):
            x = args[0]
            if abs(x) > MAX_SATURATION:
                raise BeyondRange("a value beyond 10^±1000")
            return 1 / (1 + mp.exp(-x))
        return logistic
    return lambda args, flags: _apply(part, args, flags)


def _constant(e: sp.Expr):
    if e is sp.pi:
        return +mp.pi
    if e is sp.E:
        return +mp.e
    if e.is_Rational:
        return mp.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return mp.mpf(e._mpf_)
    raise ValueError("not a real number")
