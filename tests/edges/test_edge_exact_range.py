"""Exact numbers that grow without bound: past the exact range a rational becomes a 50-digit number, the step and
the header say so, and rounding, display and JSON cope with numbers past 10^20, 10^1000 and float64's range."""
from __future__ import annotations

import json
from fractions import Fraction

import mpmath
import pytest

import nnsolve
from edge_problems import single_unit, value
from nnsolve.engine.computation import Computation, Symbol
from nnsolve.engine.formula import Formula
from nnsolve.engine.number import (BEYOND_EXACT_RANGE, EXACT_DIGITS, format_number, mp, parse_number,
                                   round_decimal, to_float)
from nnsolve.render import render

REFERENCE = mpmath.MPContext()
REFERENCE.dps = 60


def test_a_recorded_rational_past_the_exact_range_is_carried_to_fifty_digits():
    comp = Computation()
    tiny = comp.derived("q", Symbol("q", "q"), Fraction(1, 3 ** 5000), Formula("q", "q"), "forward")
    kept = comp.derived("r", Symbol("r", "r"), Fraction(1, 3 ** 100), Formula("r", "r"), "forward")
    assert len(str(3 ** 5000)) > EXACT_DIGITS
    assert not isinstance(tiny.value[()], Fraction) and BEYOND_EXACT_RANGE in tiny.note
    assert REFERENCE.almosteq(REFERENCE.mpf(tiny.value[()]), REFERENCE.mpf(3) ** -5000, rel_eps=REFERENCE.mpf(10) ** -48)
    assert kept.value[()] == Fraction(1, 3 ** 100) and kept.note == ""


def test_a_long_exact_run_switches_to_fifty_digits_and_stays_right():
    # lr = 0.0123456789 adds ten digits to every denominator: exact for ~200 updates, then 50 digits
    steps, lr, x, t = 230, Fraction("0.0123456789"), Fraction(3, 2), Fraction(1)
    solution = nnsolve.solve(single_unit(x="1.5", w="0.5", b="0.3", optimizer={"type": "sgd", "lr": str(lr),
                                                                                "steps": steps}))
    w, b = Fraction(1, 2), Fraction(3, 10)
    for _ in range(steps):          # ½(wx + b − t)²: ∂L/∂w = (wx + b − t)·x, ∂L/∂b = wx + b − t
        error = w * x + b - t
        w, b = w - lr * error * x, b - lr * error
    assert len(str(w.denominator)) > EXACT_DIGITS
    ours = value(solution, f"W1({steps})")
    assert not isinstance(ours, Fraction)
    assert REFERENCE.almosteq(REFERENCE.mpf(ours), REFERENCE.mpf(w.numerator) / w.denominator,
                              rel_eps=REFERENCE.mpf(10) ** -40)
    assert ("exact range" in dict(solution.conventions)) and any(BEYOND_EXACT_RANGE in s.note for s in solution.steps)
    assert "beyond the exact range: 50 significant digits" in str(solution)


@pytest.mark.parametrize("number, places, shown", [
    (mp.mpf("1.5e500"), 4, "1.5e+500"),                 # an mpf past 10^20: its digits past the 50th are noise
    (mp.mpf("-2.5e25"), 2, "-2.5e+25"),
    (mp.mpf("3.2968e-434295"), 4, "3.297e-434295"),     # σ(−10⁶): positive, too small for fixed point
    (Fraction(10) ** 400 + 1, 4, str(10 ** 400 + 1)),   # an exact integer is written out in full
    (mp.mpf(2) / 3, 10 ** 6, "0.66666666666666666666666666666667"),   # a million decimals are 32
    (Fraction(5, 2), -5, "3"),                           # negative places are none
])
def test_display_of_extreme_numbers(number, places, shown):
    assert format_number(number, places) == shown


def test_rounding_and_floats_of_extreme_numbers():
    huge = mp.mpf("1e400000")
    assert round_decimal(huge, 2) == huge                    # its own rounding, not a 400,000-digit integer
    assert round_decimal(mp.mpf("1e-400000"), 2) == 0
    assert to_float(huge) == float("inf") and to_float(-huge) == float("-inf")
    assert to_float(Fraction(10) ** 400) == float("inf")


def test_a_run_past_double_precision_prints_and_exports():
    solution = nnsolve.solve(single_unit(optimizer={"type": "sgd", "lr": 10, "steps": 1000}))
    data = json.loads(render(solution, "json"))     # Python reads the ±Infinity a float past 1.8·10^308 becomes
    assert data and "diverges" in render(solution, "text")
    last = next(s for s in reversed(solution.steps) if s.id.startswith("loss("))
    assert to_float(value(solution, last.id)) == float("inf")


@pytest.mark.parametrize("text", ["1/2/3", "1//2", "3/4/5/6"])
def test_two_fraction_bars_are_refused(text):
    with pytest.raises(ValueError, match="more than one '/'"):
        parse_number(text)
