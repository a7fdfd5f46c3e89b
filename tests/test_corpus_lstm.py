"""The BITS sample LSTM question (corpus case s001-bits-sample-lstm-forward): every gate, state and output
of its three steps against the corpus's independently computed `correct_answer` (reading a: the key's own
equations with the sheet's U_i), and `nnsolve check` flags exactly the key's wrong answers."""
from __future__ import annotations

import json
from pathlib import Path

from nnsolve.api import load, solve
from nnsolve.check import check_file
from nnsolve.engine.number import to_float

ROOT = Path(__file__).resolve().parents[1]
CASE_FILE = ROOT / "examples" / "bits-001" / "sample-lstm-forward.yaml"
CASE_ID = "s001-bits-sample-lstm-forward"
CORPUS = {c["id"]: c for c in json.loads((ROOT / "tests" / "data" / "exam-cases.json").read_text())}
NAMES = {"o": "o", "i": "i", "f": "f", "c_tilde": "g", "s": "c", "h": "h", "y": "y"}   # corpus → nnsolve id
# The key used U_i = 0.3 for i1 (the sheet says 0.9); s1 and h1 are built on that i1.
WRONG = {"i1", "c1", "h1"}


def test_every_step_matches_the_corpus():
    case = CORPUS[CASE_ID]
    solution = solve(load(CASE_FILE))
    for t, row in enumerate(case["correct_answer"]["reading_a_key_equations_correct_Ui"], 1):
        for corpus_name, value in row.items():
            got = to_float(solution.value(f"{NAMES[corpus_name]}{t}").ravel()[0])
            assert abs(got - value) < 1e-9, (corpus_name, t, got, value)


def test_check_flags_exactly_the_wrong_key_answers():
    assert CORPUS[CASE_ID]["key_correct"] is False
    report = check_file(CASE_FILE)
    assert {r.name for r in report.results if not r.ok} == WRONG
    assert {r.name for r in report.results} == set(load(CASE_FILE).model.answers)
