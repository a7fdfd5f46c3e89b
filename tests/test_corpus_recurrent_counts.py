"""The recurrent parameter-count cases of the exam corpus (examples/<paper>/*.yaml), as
tests/test_corpus_conv.py does for convolutions: each file reproduces the corpus's correct answer
(tests/data/exam-cases.json, computed independently of nnsolve), and `nnsolve check` flags exactly the
key answers the corpus calls wrong."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.check import check_file
from nnsolve.engine.number import to_float

from corpus_files import case_files

ROOT = Path(__file__).resolve().parent.parent
CORPUS = {case["id"]: case for case in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}

# nnsolve id → path into the case's `correct_answer` (() for the whole answer)
CORRECT_FIELDS: dict[str, dict[str, tuple]] = {
    "s001-tum-p6a-rnn-param-count": {"rnn.params": ()},
    "s001-tum-sample-p6a-rnn-param-count-nobias": {"rnn.params": ()},
    "s001-bits-qb-lstm-word-predictor-weights": {"lstm.params": ("lstm_weights",), "output.params": ("output_weights",),
                                                 "total.params": ("total",)},
    "s001-bits-qb-rnn-word-predictor-params": {"total.params": ()},
    # ambiguous: the key's h ∈ R³ with c ∈ R⁸ is dimensionally impossible; the file takes the standard LSTM
    # with hidden and cell size 3 (the corpus's reading b)
    "s001-bits-es-2a-lstm-param-count": {"total.params": ("reading_b_standard_lstm_h_eq_c_eq_3",)},
    "s001-bits-es-3c-lstm-hidden-size-from-params": {"hidden_size": ("H",)},
}

WRONG_ANSWERS: dict[str, set[str]] = {
    "s001-bits-qb-lstm-word-predictor-weights": {"lstm.params", "total.params"},   # a factor 2 too many
    "s001-bits-es-2a-lstm-param-count": {"total.params"},       # the key's reading (140), not the file's
    "s001-bits-es-3c-lstm-hidden-size-from-params": {"hidden_size"},    # algebra slip: H = 5, not 2
}


CASE_FILES = case_files(CORRECT_FIELDS)


def test_every_recurrent_param_count_case_is_encoded():
    recurrent = {i for i, c in CORPUS.items() if c["type"] == "param_count" and ("rnn" in i or "lstm" in i)}
    assert recurrent == set(CORRECT_FIELDS) == set(CASE_FILES)


@pytest.mark.parametrize("case_id", sorted(CORRECT_FIELDS))
def test_case_matches_the_corpus(case_id):
    solution = nnsolve.solve(CASE_FILES[case_id])
    for quantity, path in CORRECT_FIELDS[case_id].items():
        expected = CORPUS[case_id]["correct_answer"]
        for key in path:
            expected = expected[key]
        assert to_float(solution.value(quantity)[()]) == float(expected), (case_id, quantity)


@pytest.mark.parametrize("case_id", sorted(CORRECT_FIELDS))
def test_check_flags_exactly_the_wrong_key_answers(case_id):
    wrong = WRONG_ANSWERS.get(case_id, set())
    assert CORPUS[case_id]["key_correct"] in ((not wrong), "ambiguous")
    report = check_file(CASE_FILES[case_id])
    assert {r.name for r in report.results if not r.ok} == wrong
    assert {r.name for r in report.results} == set(load(CASE_FILES[case_id]).model.answers)
