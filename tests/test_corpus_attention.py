"""The exam-paper corpus case of issue 4 on positional encoding (examples/ntu-000/): the encoded file
reproduces the corpus's correct answer (computed independently of nnsolve), and `nnsolve check` flags
exactly the key's wrong answer (dimension 3: cos(4.8233) is +0.1107, the key wrote −0.1107)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import nnsolve
from nnsolve.check import check_file
from nnsolve.engine.number import to_float

ROOT = Path(__file__).resolve().parent.parent
CASE_ID = "s000-q4c-ii-sinusoidal-positional-encoding"
CASE = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}[CASE_ID]
FILE = ROOT / "examples/ntu-000/q4c-ii-sinusoidal-positional-encoding.yaml"


def test_file_names_the_case():
    assert nnsolve.api.load(FILE).model.source.case == CASE_ID


def test_values_match_the_corpus_in_radians():
    solution = nnsolve.solve(FILE)
    expected = CASE["correct_answer"]["radians"]
    assert len(expected) == 11
    for dim, value in expected.items():
        assert math.isclose(to_float(solution.value(dim)[()]), value, rel_tol=1e-9), dim


def test_check_flags_only_dimension_3():
    assert CASE["key_correct"] is False
    report = check_file(FILE)
    assert {r.name for r in report.results if not r.ok} == {"dim3"}
    assert {r.name for r in report.results} == set(CASE["key_answer"])
    assert not report.ok
