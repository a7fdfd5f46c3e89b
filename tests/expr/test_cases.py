"""A verdict by cases of signs: how it is written, and which written answers agree with it."""
from __future__ import annotations

import pytest

from nnsolve.engine.symbolic import Verdict
from nnsolve.expr.cases import ByCases, by_cases
from nnsolve.expr.symbolic import symbol

MIN, MAX, FLAT = Verdict("local minimum", ("minimum", "min")), Verdict("local maximum", ("maximum", "max")), \
    Verdict("inconclusive (semidefinite Hessian)", ("inconclusive",))
A = symbol("a")
BY_SIGN_OF_A = ByCases([A], {(1,): MIN, (-1,): MAX, (0,): FLAT})


def test_cases_are_written_with_the_verdict_names_and_simple_conditions():
    assert BY_SIGN_OF_A.text == "local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0"
    assert BY_SIGN_OF_A.latex.startswith(r"\text{local minimum if } a > 0")


def test_one_verdict_under_every_sign_is_that_verdict():
    assert by_cases([A], {(1,): MIN, (-1,): MIN}) is MIN


@pytest.mark.parametrize("written", [
    "local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0",
    "min if a>0; max if a<0",
    "minimum if 0 < a",
    "local minimum if 2a > 0",
    "maximum if a is negative",
    "if a > 0: minimum",
    "minimum when a > 0, max if a < 0, otherwise inconclusive",
])
def test_written_cases_that_agree(written):
    assert BY_SIGN_OF_A.matches(written), BY_SIGN_OF_A.mismatch(written)


@pytest.mark.parametrize("written, why", [
    ("local minimum", "states no condition"),
    ("minimum if a >= 0", "under a = 0 it is inconclusive"),
    # "otherwise" is every sign not named before it, a = 0 included
    ("minimum when a > 0, otherwise max", "under a = 0 it is inconclusive"),
    ("saddle if a > 0", "under a > 0 it is local minimum"),
    ("minimum if b > 0", "cannot read the condition"),
    ("minimum if a > 1", "cannot read the condition"),
])
def test_written_cases_that_do_not(written, why):
    assert not BY_SIGN_OF_A.matches(written)
    assert why in BY_SIGN_OF_A.mismatch(written)


def test_rows_left_out_by_an_assumption_are_free():
    # at a point found by dividing by a, a = 0 is not a case: a key may still mention it
    assumed = ByCases([A], {(1,): MIN, (-1,): MAX})
    assert assumed.text == "local minimum if a > 0, local maximum if a < 0"
    assert assumed.matches("local minimum if a > 0, local maximum if a < 0, inconclusive if a = 0")
