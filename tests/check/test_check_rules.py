"""The comparison rules on their own, with hand-made numbers."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.check.answers import decimals_written, read_value
from nnsolve.check.compare import agreement, slack
from nnsolve.engine.number import mp, round_decimal
from nnsolve.problems.loader import Literal


def arr(*values) -> np.ndarray:
    out = np.empty((len(values),), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def key(*texts: str) -> np.ndarray:
    return arr(*(Literal(t) for t in texts))


@pytest.mark.parametrize("text, places", [("0.80", 2), ("-0.5", 1), ("3", None), ("1/3", None),
                                          ("1.83e-6", 8), ("2E-3", 3), ("0.0", 1)])
def test_decimals_as_written(text, places):
    assert decimals_written(Literal(text)) == places


def test_a_vector_claims_the_precision_of_its_finest_number():
    from nnsolve.check.answers import KeyAnswer
    answer = KeyAnswer("u1", "u1", (), key("0.04", "0"), None, 0)
    assert answer.decimals == 2


def test_half_a_unit_in_the_last_place_either_way_on_the_boundary():
    exact = arr(Fraction(1, 8))                      # 0.125: both 0.12 and 0.13 are "0.125 to 2 dp"
    never = lambda places: None                      # noqa: E731
    assert agreement(key("0.13"), exact, never, 2, None) == "exact to 2 dp"
    assert agreement(key("0.12"), exact, never, 2, None) == "exact to 2 dp"
    assert agreement(key("0.14"), exact, never, 2, None) is None
    # an irrational value a hair above the boundary: 0.125 + 1e-45 is still 0.13 or 0.12 to 2 dp
    near = arr(mp.mpf(1) / 8 + mp.mpf(10) ** -45)
    assert agreement(key("0.12"), near, never, 2, None) == "exact to 2 dp"


def test_band_of_hand_rounded_values():
    exact = arr(Fraction(1))
    hand = {2: arr(Fraction(110, 100)), 3: arr(Fraction(1050, 1000)), 4: arr(Fraction(10300, 10000)),
            5: arr(Fraction(101000, 100000))}
    # 1.07 matches no single K to ±0.005, but lies between the K = 2 … 5 values
    rule = agreement(key("1.07"), exact, hand.get, 2, None)
    assert rule == "within the range of hand-rounded values (intermediates rounded to 2–5 dp)"
    assert agreement(key("1.10"), exact, hand.get, 2, None) == "matches with intermediates rounded to 2 dp"
    assert agreement(key("1.12"), exact, hand.get, 2, None) is None
    # a key claiming 10 decimals did not work at 2–5: lying between those values is no excuse
    assert agreement(key("1.0700000000"), exact, hand.get, 10, None) is None


def test_explicit_tolerance_replaces_the_default():
    exact = arr(Fraction(5758, 10000))
    hand = lambda places: arr(Fraction(59, 100))     # noqa: E731
    assert agreement(key("0.59"), exact, hand, 2, None) == "matches with intermediates rounded to 2 dp"
    assert agreement(key("0.59"), exact, hand, 2, Fraction(1, 100)) is None
    assert agreement(key("0.58"), exact, hand, 2, Fraction(1, 100)) == "within ±0.01"


@settings(max_examples=40, deadline=None)
@given(st.fractions(min_value=-1000, max_value=1000, max_denominator=10 ** 6), st.integers(1, 6))
def test_the_value_rounded_to_d_places_always_agrees_to_d_places(value, places):
    rounded = round_decimal(value, places)
    text = f"{float(rounded):.{places}f}"
    written = Literal(text)
    d = decimals_written(written)
    assert agreement(arr(written), arr(value), lambda k: None, d, None) is not None
    # and a key one unit further from the value (so neither rounded nor truncated) does not
    away = 2 * slack(places) if Fraction(written) >= value else -2 * slack(places)
    off = Literal(f"{float(Fraction(written) + away):.{places}f}")
    assert abs(Fraction(off) - value) > slack(places)
    assert agreement(arr(off), arr(value), lambda k: None, d, None) is None


def test_ragged_and_non_numbers_are_format_errors():
    from nnsolve.check.answers import AnswerError
    with pytest.raises(AnswerError, match="rows have different lengths"):
        read_value([[Literal("1")], [Literal("2"), Literal("3")]])
    with pytest.raises(AnswerError, match="expected a number"):
        read_value([Literal("1"), "one"])
    with pytest.raises(AnswerError, match="mixes numbers and lists"):
        read_value([Literal("1"), [Literal("2")]])
    assert read_value([[1, 2], [3, 4]]).shape == (2, 2)
