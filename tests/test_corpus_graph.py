"""The exam-paper corpus cases of the computation_graph family (skip connections, ReLU kinks, the sigmoid's
graph, a polynomial's partial derivatives): each encoded file reproduces the corpus's correct answer and
`nnsolve check` flags exactly the key answers that are wrong.

Symbolic cases are encoded as a numeric instance; there the expected value is the corpus's correct formula
(transcribed below, the corpus text beside it) evaluated on the instance's values."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.check import check_file
from nnsolve.engine.number import to_float

ROOT = Path(__file__).resolve().parent.parent
CASES = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
TUM, BITS = ROOT / "examples/tum-001", ROOT / "examples/bits-001"


def numeric(field):
    return lambda correct, values: correct[field]


def indicator(condition) -> Fraction:
    return Fraction(1 if condition else 0)


# file → (case id, {nnsolve id: expected value from the case's correct_answer and the file's values},
#         the key answers the corpus calls wrong)
FILES = {
    TUM / "p4g-resnet-block-derivative.yaml": ("s001-tum-p4g-resnet-block-derivative", {
        "dL/dx": lambda c, v: v["r"] + 1,                                   # "r + 1"
    }, set()),
    TUM / "p7e-skip-connection-gradient.yaml": ("s001-tum-p7e-skip-connection-gradient", {
        "dL/dw0": lambda c, v: v["w1"] * v["x"] * (v["w2"] * v["w3"] + 1),  # "w1*x*(w2*w3 + 1)"
    }, set()),
    TUM / "p7e-no-skip-gradient.yaml": ("s001-tum-p7e-skip-connection-gradient", {
        "dL/dw0": lambda c, v: v["w1"] * v["w2"] * v["w3"] * v["x"],        # "w1*w2*w3*x"
    }, set()),
    TUM / "ws21-p6a-skip-relu-derivative.yaml": ("s001-tum-ws21-p6ab-skip-relu-derivatives", {
        "y": lambda c, v: max(v["w"] * v["x"], 0),
        "dL/dx": lambda c, v: indicator(v["w"] * v["x"] > 0) * v["w"],      # "1(y > 0) * w"
    }, set()),
    TUM / "ws21-p6b-skip-relu-derivative.yaml": ("s001-tum-ws21-p6ab-skip-relu-derivatives", {
        "y": lambda c, v: max(v["w"] * v["x"] + v["x"], 0),
        "dL/dx": lambda c, v: indicator(v["w"] * v["x"] + v["x"] > 0) * (v["w"] + 1),  # "1(y > 0) * (w + 1)"
    }, set()),
    TUM / "ws21-p6c-a-skip-derivative-value.yaml": ("s001-tum-ws21-p6c-skip-derivative-values", {
        "dL/dx": numeric("a")}, set()),
    TUM / "ws21-p6c-b-skip-derivative-value.yaml": ("s001-tum-ws21-p6c-skip-derivative-values", {
        "dL/dx": numeric("b")}, set()),
    BITS / "ms23-q5-sigmoid-computation-graph.yaml": ("s001-bits-ms23-q5-sigmoid-computation-graph", {
        "p": numeric("p"), "q": numeric("q"), "r": numeric("r"), "f": numeric("f"),
        "dL/dr": numeric("df_dr"), "dL/dq": numeric("df_dq"), "dL/dp": numeric("df_dp"), "dL/dz": numeric("df_dz"),
    }, {"dL/dr", "dL/dq", "dL/dp", "dL/dz"}),
    BITS / "mk-q5a-computation-graph-gradient.yaml": ("s001-bits-mk-q5a-computation-graph-gradient", {
        "f": numeric("f"), "dL/dx": numeric("df_dx"), "dL/dy": numeric("df_dy"),
    }, set()),
}

# key_correct is false for the typo 4y³ − 36x (for 4y³ − 36y), but at the asked point x = y = 2 both
# formulas give −40, so no number the key implies is wrong and check rightly flags nothing
WRONG_ONLY_AS_A_FORMULA = {"s001-bits-mk-q5a-computation-graph-gradient"}


def _name(path: Path) -> str:
    return path.name


@pytest.mark.parametrize("path", sorted(FILES), ids=_name)
def test_file_names_its_case(path):
    assert load(path).model.source.case == FILES[path][0]


@pytest.mark.parametrize("path", sorted(FILES), ids=_name)
def test_values_match_the_corpus(path):
    case_id, expected_by_id, _ = FILES[path]
    solution = nnsolve.solve(path)
    correct, values = CASES[case_id]["correct_answer"], dict(load(path).model.values)
    for quantity, expected_of in expected_by_id.items():
        value, expected = solution.value(quantity)[()], expected_of(correct, values)
        if isinstance(expected, Fraction | int):
            assert value == expected, quantity
        else:                                   # the corpus's decimals (10 significant digits)
            assert math.isclose(to_float(value), expected, rel_tol=1e-9), quantity


@pytest.mark.parametrize("path", sorted(FILES), ids=_name)
def test_check_flags_exactly_the_wrong_key_answers(path):
    case_id, _, wrong = FILES[path]
    assert CASES[case_id]["key_correct"] is not (bool(wrong) or case_id in WRONG_ONLY_AS_A_FORMULA)
    report = check_file(path)
    assert {r.name for r in report.results if not r.ok} == wrong
    assert report.ok is (not wrong)
