"""A message about an unreadable answer quotes what was written, shortened when it is long: a 100,000-digit
cell in a class's CSV is reported by its start and its length, not copied into the gradebook whole."""
import pytest

from nnsolve.check.numbers import AnswerError, read_number


def test_a_long_run_is_quoted_by_its_start_and_length():
    with pytest.raises(AnswerError) as e:
        read_number("9" * 100_000)
    assert "…(100,000 characters)" in e.value.message
    assert len(e.value.message) < 400


def test_a_short_answer_is_quoted_whole():
    with pytest.raises(AnswerError) as e:
        read_number("12abc")
    assert "'12abc'" in e.value.message
