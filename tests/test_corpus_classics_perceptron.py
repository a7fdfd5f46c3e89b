"""The exam-paper corpus cases of perceptron learning and Boolean threshold networks: each encoded file
reproduces the corpus's correct answer (computed independently of nnsolve) and `nnsolve check` flags
exactly the key answers the corpus calls wrong."""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.check import check_file
from nnsolve.engine.number import to_float

ROOT = Path(__file__).resolve().parent.parent
CASES = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
EXAMPLES = ROOT / "examples/perceptron"


def _file(case_id: str) -> Path:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        if load(path).model.source.case == case_id:
            return path
    raise AssertionError(f"{case_id} has no example file")


def _floats(value):
    return [to_float(v) for v in value.ravel()]


def test_perceptron_one_epoch_matches_the_corpus_trace():
    case = CASES["s001-bits-ms23-q1-perceptron-one-epoch"]["correct_answer"]["threshold_0.5"]
    solution = nnsolve.solve(_file("s001-bits-ms23-q1-perceptron-one-epoch"))
    for r, row in enumerate(case["trace"], start=1):
        assert _floats(solution.value(f"e1.r{r}.net")) == pytest.approx([row["z"]])
        assert _floats(solution.value(f"e1.r{r}.y")) == [row["h"]]
        assert _floats(solution.value(f"e1.r{r}.w")) == pytest.approx([row["w1"], row["w2"]])
        assert _floats(solution.value(f"e1.r{r}.b")) == pytest.approx([row["b"]])


def test_check_flags_the_bias_slip_only():
    report = check_file(_file("s001-bits-ms23-q1-perceptron-one-epoch"))
    wrong = {r.target for r in report.results if not r.ok}
    assert wrong == {"b"}


def test_xnor_epoch_matches_the_bias_learned_reading():
    rows = CASES["s001-bits-mk-q3a-xnor-perceptron-epoch"]["correct_answer"]["reading_a_bias_learned"]
    solution = nnsolve.solve(_file("s001-bits-mk-q3a-xnor-perceptron-epoch"))
    for r, row in enumerate(rows, start=1):
        assert _floats(solution.value(f"e1.r{r}.y")) == [row["y"]]
        assert _floats(solution.value(f"e1.r{r}.w")) == pytest.approx([row["w1"], row["w2"]])
        assert _floats(solution.value(f"e1.r{r}.b")) == pytest.approx([row["w0"]])
    assert _floats(solution.value("separable")) == [0]      # XNOR: the corpus's convention note


def test_not_x_unit_satisfies_the_key_inequalities():
    solution = nnsolve.solve(_file("s001-bits-qb-perceptron-weights"))
    b, c = _floats(solution.value("w"))
    (a,) = _floats(solution.value("b"))
    # the corpus's constraints, with a = bias, b = weight of X, c = weight of Y
    assert a > 0 and a + c > 0 and a + b < 0 and a + b + c < 0
    # the key's own answer also realises NOT X under step(net > 0)
    key = CASES["s001-bits-qb-perceptron-weights"]["correct_answer"]["example"]
    for x, y in itertools.product((0, 1), repeat=2):
        assert (key["a"] + key["b"] * x + key["c"] * y > 0) == (x == 0)


def test_xor_network_from_minus_one_zero_one_computes_xor():
    solution = nnsolve.solve(_file("s001-tum-ws21-p9c-xor-threshold-network"))
    W1 = [[to_float(v) for v in row] for row in solution.value("W1")]
    b1, w2, (b2,) = _floats(solution.value("b1")), _floats(solution.value("w2")), _floats(solution.value("b2"))
    assert all(v in (-1, 0, 1) for v in sum(W1, []) + b1 + w2 + [b2])
    assert len(W1) == 2
    table = CASES["s001-tum-ws21-p9c-xor-threshold-network"]["correct_answer"]["truth_table"]
    for x1, x2, y in table:
        hidden = [int(w[0] * x1 + w[1] * x2 + b > 0) for w, b in zip(W1, b1)]
        assert int(sum(v * h for v, h in zip(w2, hidden)) + b2 > 0) == y


def test_xnor5_chain_has_one_hidden_layer_of_five():
    expected = CASES["s001-bits-mk-q3b-xnor5-depth-width"]["correct_answer"]["reading_b_single_hidden_layer_parity"]
    solution = nnsolve.solve(_file("s001-bits-mk-q3b-xnor5-depth-width"))
    assert _floats(solution.value("hidden_units")) == [expected["hidden_units"]]
    assert _floats(solution.value("layers")) == [expected["layers"]]
    assert _floats(solution.value("neurons")) == [expected["neurons"]]
    assert _floats(solution.value("errors")) == [0]
