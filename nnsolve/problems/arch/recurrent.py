"""Recurrent layers counted both ways, their multiply-accumulates per time step, and the inverse
problem: the hidden size h that gives a stated parameter total.

A layer of G weight blocks (simple_rnn 1, GRU 3, LSTM 4) reading d features into h units holds
G·(h·(d + h) + B·h) parameters, B the bias vectors per block: Keras 1 (GRU with reset_after: 2), PyTorch
always 2 (b_ih and b_hh), none without bias. Given the total N (plus an optional dense output layer of o
units, o·h weights and o biases) h solves the quadratic
    G·h² + (G·(d + B) + o)·h + o·b_out − N = 0,
whose positive root (the constant is negative, so there is exactly one) must be an integer.
"""
from __future__ import annotations

from fractions import Fraction
from math import isqrt
from typing import Literal, Optional

from pydantic import Field

from ...arch.kinds import (GATES, bias_vectors, recurrent_params,
                           recurrent_params_formula as params_formula)
from ...engine.number import mp
from ..fields import Model

CONVENTIONS = ("keras", "pytorch")


def both_conventions(kind: str, features: int, units: int, bias: bool, reset_after: bool) -> dict[str, tuple[int, str]]:
    """{'keras': (count, formula), 'pytorch': (count, formula)} for one recurrent layer."""
    out = {}
    for convention in CONVENTIONS:
        b = bias_vectors(kind, convention, bias, reset_after)
        out[convention] = (recurrent_params(kind, features, units, b), params_formula(kind, features, units, b))
    return out


class HiddenSizeSpec(Model):
    kind: Literal["simple_rnn", "lstm", "gru"]
    total_params: int = Field(gt=0, description="the stated parameter total N")
    input_size: Optional[int] = Field(default=None, gt=0, description="features per time step (default: the input's last axis)")
    biases: Optional[Literal["keras", "pytorch", "none"]] = Field(
        default=None, description="bias convention (default: the problem's recurrent convention)")
    reset_after: bool = Field(default=True, description="GRU: Keras' reset_after (a second bias vector)")
    output_units: int = Field(default=0, ge=0, description="a dense output layer after the recurrent one (0: none)")
    output_bias: bool = True
    exact: bool = Field(default=False, description="true: a total no integer h gives is an error in the file")


class HiddenSize:
    """The quadratic a·h² + b·h + c = 0 of a HiddenSizeSpec, its discriminant and its positive root."""

    def __init__(self, spec: HiddenSizeSpec, input_size: int, convention: str):
        self.spec, self.d = spec, input_size
        self.convention = spec.biases or convention
        self.B = 0 if self.convention == "none" else bias_vectors(spec.kind, self.convention, True, spec.reset_after)
        g, o = GATES[spec.kind], spec.output_units
        self.a, self.b = g, g * (input_size + self.B) + o
        self.c = (o if spec.output_bias else 0) - spec.total_params
        self.discriminant = self.b * self.b - 4 * self.a * self.c

    @property
    def root(self):
        """The positive root: a Fraction when the discriminant is a perfect square, else an mpf."""
        s = isqrt(self.discriminant)
        if s * s == self.discriminant:
            return Fraction(-self.b + s, 2 * self.a)
        return (-self.b + mp.sqrt(self.discriminant)) / (2 * self.a)

    @property
    def integer(self) -> int | None:
        r = self.root
        return int(r) if isinstance(r, Fraction) and r.denominator == 1 else None

    def equation(self) -> str:
        g, o = GATES[self.spec.kind], self.spec.output_units
        bias = "" if not self.B else " + h" if self.B == 1 else f" + {self.B}·h"
        out = f" + {o}·h" + (f" + {o}" if self.spec.output_bias else "") if o else ""
        return (f"{g}·(h·({self.d} + h){bias}){out} = {self.spec.total_params}  ⇒  "
                f"{self.a}·h² + {self.b}·h − {-self.c} = 0")

    def discriminant_text(self) -> str:
        return f"{self.b}² + 4·{self.a}·{-self.c}"

    def root_text(self) -> str:
        return f"(−{self.b} + sqrt({self.discriminant}))/(2·{self.a})"

    def verdict(self) -> str:
        n = self.spec.total_params
        h = self.integer
        if h is None:
            return f"no integer hidden size gives {n} (the positive root is not an integer)"
        check = recurrent_params(self.spec.kind, self.d, h, self.B) + self.spec.output_units * h + \
            (self.spec.output_units if self.spec.output_bias else 0)
        return f"h = {h}; check: {check} parameters"
