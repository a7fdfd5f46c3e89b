"""The exam-paper corpus cases of the classics family (divergences, initialization, depth and width):
each encoded file reproduces the corpus's correct answer (computed independently of nnsolve) and
`nnsolve check` flags exactly the key answers the corpus calls wrong (here: none)."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.check import check_file
from nnsolve.engine.number import mp, to_float

ROOT = Path(__file__).resolve().parent.parent
CASES = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
FILES = {
    "s001-bits-qb-js-divergence": ROOT / "examples/bits-001/qb-js-divergence.yaml",
    "s001-bits-qb-kl-divergence-support": ROOT / "examples/bits-001/qb-kl-divergence-support.yaml",
    "s001-tum-ws21-p9a-xavier-he-variance": ROOT / "examples/tum-001/ws21-p9a-xavier-he-variance.yaml",
    "s001-bits-mk-q1a-depth-width": ROOT / "examples/bits-001/mk-q1a-depth-width.yaml",
}
# nnsolve id → field of the case's correct_answer
CORRECT_FIELDS = {
    "s001-bits-qb-js-divergence": {"JS": "log10", "js2.JS": "ln_nats", "js3.JS": "log2_bits"},
    "s001-bits-qb-kl-divergence-support": {"KL": "KL_P_Q", "kl2.KL": "KL_Q_P"},
    "s001-tum-ws21-p9a-xavier-he-variance": {
        "var_xavier": "xavier_fan_in", "var_he": "relu_he", "xavier2.var_xavier": "alt_glorot_fan_avg"},
    "s001-bits-mk-q1a-depth-width": {"depth": "depth", "width": "width"},
}


@pytest.mark.parametrize("case_id", sorted(FILES))
def test_file_names_its_case(case_id):
    assert load(FILES[case_id]).model.source.case == case_id


@pytest.mark.parametrize("case_id", sorted(FILES))
def test_values_match_the_corpus(case_id):
    solution = nnsolve.solve(FILES[case_id])
    correct = CASES[case_id]["correct_answer"]
    for quantity, field in CORRECT_FIELDS[case_id].items():
        value, expected = solution.value(quantity)[()], correct[field]
        if expected == "inf":
            assert value == mp.inf, quantity
        elif isinstance(expected, str):           # an exact fraction such as "1/2500"
            assert value == Fraction(expected), quantity
        else:
            assert math.isclose(to_float(value), expected, rel_tol=1e-9), quantity


@pytest.mark.parametrize("case_id", sorted(FILES))
def test_check_flags_exactly_the_wrong_key_answers(case_id):
    assert CASES[case_id]["key_correct"] is True
    report = check_file(FILES[case_id])
    assert all(r.ok for r in report.results) and report.ok
