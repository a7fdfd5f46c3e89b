"""Exact scalars: reading numbers, rounding as a person does, and printing irrational values."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.number import (decimal_string, format_number, mp, parse_number, round_decimal, to_fraction,
                                   to_mpf)
from nnsolve.ops import scalar

SETTINGS = settings(max_examples=40, deadline=None)


@pytest.mark.parametrize("text, value", [
    ("0.1", Fraction(1, 10)),
    ("-2.50", Fraction(-5, 2)),
    ("−0.5", Fraction(-1, 2)),           # the typographic minus of a pasted exam
    ("3", Fraction(3)),
    ("1_000", Fraction(1000)),
    ("3/4", Fraction(3, 4)),
    ("-1/3", Fraction(-1, 3)),
    ("0.3/0.4", Fraction(3, 4)),
    ("1e-3", Fraction(1, 1000)),
    ("2.5E2", Fraction(250)),
    ("-1e-9", Fraction(-1, 10 ** 9)),
    (0.1, Fraction(1, 10)),             # a Python float: the decimal its repr shows, not its binary value
    (7, Fraction(7)),
])
def test_parse_number_is_exact(text, value):
    assert parse_number(text) == value
    assert isinstance(parse_number(text), Fraction)


@pytest.mark.parametrize("bad", ["abc", "1/0", "inf", "nan", "", True, float("inf")])
def test_parse_number_refuses_non_numbers(bad):
    with pytest.raises(ValueError):
        parse_number(bad)


@SETTINGS
@given(whole=st.integers(-10 ** 6, 10 ** 6), places=st.integers(0, 8))
def test_parse_number_reads_any_decimal_exactly(whole, places):
    text = f"{whole / 10 ** places:.{places}f}" if places else str(whole)
    assert parse_number(text) == Fraction(text)


@pytest.mark.parametrize("x, places, rounded", [
    (Fraction(125, 1000), 2, Fraction(13, 100)),       # half goes away from zero …
    (Fraction(-125, 1000), 2, Fraction(-13, 100)),     # … on both sides (not to even, not up)
    (Fraction(5, 2), 0, Fraction(3)),
    (Fraction(-5, 2), 0, Fraction(-3)),
    (Fraction(124, 1000), 2, Fraction(12, 100)),
    (Fraction(-124, 1000), 2, Fraction(-12, 100)),
    (Fraction(1, 3), 4, Fraction(3333, 10000)),
    (Fraction(2, 3), 4, Fraction(6667, 10000)),
    (Fraction(-4999, 10000), 3, Fraction(-500, 1000)),
    (Fraction(0), 3, Fraction(0)),
])
def test_round_half_away_from_zero(x, places, rounded):
    assert round_decimal(x, places) == rounded


def test_round_mpf_values():
    assert round_decimal(mp.mpf("0.125"), 2) == Fraction(13, 100)     # 0.125 is exact in binary
    assert round_decimal(-mp.mpf("0.125"), 2) == Fraction(-13, 100)
    assert round_decimal(mp.sqrt(2), 3) == Fraction(1414, 1000)
    assert round_decimal(mp.e, 5) == Fraction(271828, 100000)
    assert round_decimal(-mp.pi, 2) == Fraction(-314, 100)
    # tanh(1.3) = 0.86172315931…: an mpf rounds to what a calculator shows
    assert round_decimal(scalar.tanh(Fraction(13, 10)), 2) == Fraction(86, 100)


@SETTINGS
@given(numerator=st.integers(-10 ** 9, 10 ** 9), places=st.integers(0, 6))
def test_round_decimal_agrees_with_decimal_module(numerator, places):
    from decimal import ROUND_HALF_UP, Decimal
    x = Fraction(numerator, 7919)
    expected = (Decimal(numerator) / Decimal(7919)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # ROUND_HALF_UP in `decimal` is half away from zero; 40 digits are far more than 7919 can disturb
    assert round_decimal(x, places) == Fraction(expected)


@pytest.mark.parametrize("x, text", [
    (Fraction(1, 8), "0.125"),
    (Fraction(-16, 5), "-3.2"),
    (Fraction(7), "7"),
    (Fraction(1, 10 ** 12), "0.000000000001"),
])
def test_decimal_string_of_terminating_fractions_is_complete(x, text):
    assert decimal_string(x) == text


def significant_digits(text: str) -> int:
    mantissa = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def test_decimal_string_of_a_repeating_or_irrational_value_shows_32_significant_digits():
    assert decimal_string(Fraction(1, 3)) == "0." + "3" * 32
    assert significant_digits(decimal_string(scalar.tanh(Fraction(1)))) == 32
    assert decimal_string(-mp.pi).startswith("-3.1415926535897932384626433832795")


FUNCTIONS = {"exp": (scalar.exp, mpmath.exp), "tanh": (scalar.tanh, mpmath.tanh),
             "sigmoid": (scalar.sigmoid, lambda v: 1 / (1 + mpmath.exp(-v))),
             "log": (scalar.log, mpmath.log), "sqrt": (scalar.sqrt, mpmath.sqrt),
             "softplus": (scalar.softplus, lambda v: mpmath.log(1 + mpmath.exp(v)))}


@SETTINGS
@given(k=st.integers(1, 2000), name=st.sampled_from(sorted(FUNCTIONS)))
def test_decimal_string_has_30_correct_significant_digits(k, name):
    """Against mpmath's global context at 80 digits, independent of nnsolve's private 50-digit one."""
    ours, reference = FUNCTIONS[name]
    x = Fraction(k, 100) if name in ("log", "sqrt") else Fraction(k - 1000, 100)
    text = decimal_string(ours(x))
    with mpmath.workdps(80):
        true = reference(mpmath.mpf(x.numerator) / x.denominator)
        shown = mpmath.mpf(text)
        # 30 correct significant digits (trailing zeros are dropped, so fewer may be written)
        assert abs(shown - true) <= abs(true) * mpmath.mpf(10) ** -30, (text, true)
    assert significant_digits(text) <= 32


@pytest.mark.parametrize("x, places, text", [
    (Fraction(183, 10 ** 8), 4, "1.83e-6"),          # below half a unit of the last place: significant digits
    (Fraction(-183, 10 ** 8), 4, "-1.83e-6"),
    (Fraction(123456, 10 ** 12), 4, "1.235e-7"),
    (Fraction(4, 10 ** 5), 4, "4.0e-5"),
    (Fraction(5, 10 ** 5), 4, "0.0001"),             # exactly half a unit rounds away from zero instead
    (Fraction(0), 4, "0"),
    (Fraction(32, 10), 4, "3.2"),                    # a given is shown as written
    (Fraction(1, 3), 4, "0.3333"),
    (Fraction(-2, 3), 2, "-0.67"),
    (Fraction(7, 2), 0, "4"),
])
def test_format_number(x, places, text):
    assert format_number(x, places) == text


def test_format_number_of_a_tiny_irrational_keeps_its_digits():
    tiny = scalar.exp(Fraction(-20))          # e^−20 = 2.0611536…e−9
    assert format_number(tiny, 4) == "2.061e-9"
    assert float(format_number(-tiny, 3)) == pytest.approx(-2.06e-9)


def test_to_fraction_and_back_is_exact_for_mpf():
    x = mp.sqrt(3)
    assert to_mpf(to_fraction(x)) == x
    assert to_fraction(Fraction(2, 7)) == Fraction(2, 7)


def test_rounding_a_vanishing_irrational_does_not_build_a_giant_fraction():
    """σ(−10¹⁰) ≈ 10^(−4.3·10⁹): its exact binary value has billions of digits; rounding and display
    must answer from the exponent alone (this hung, eating memory, when RMSProp was rounded to 3 dp)."""
    tiny = scalar.sigmoid(Fraction(-10 ** 10))
    assert round_decimal(tiny, 4) == 0
    assert round_decimal(-tiny, 0) == 0
    assert format_number(tiny, 4).endswith("e-4342944820")
