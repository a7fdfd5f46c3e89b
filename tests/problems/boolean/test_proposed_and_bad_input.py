"""A proposed network is run on every row: its `errors` equals an independent count and `nnsolve check`
flags a key that claims it works when it does not. Bad truth tables, expressions and polygons exit 2
with a located message and no traceback."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve
from nnsolve.check import check_file

from boolean_support import run, scalar
from problems.bad_input import cli_rejects

XOR = "problem: boolean_network\nfunction: XOR\ninputs: 2\n"


def _count_wrong(layers, rows, outputs, compare):
    return sum(run(layers, x, compare) != t for x, t in zip(rows, outputs))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-2, 2), min_size=2, max_size=2), min_size=2, max_size=2),
       st.lists(st.integers(-2, 2), min_size=2, max_size=2), st.lists(st.integers(-2, 2), min_size=2, max_size=2),
       st.integers(-2, 2), st.sampled_from([">", ">="]))
def test_proposed_two_layer_network_errors_are_counted_exactly(W1, theta1, w2, b2, compare):
    solution = solve(XOR + f"compare: '{compare}'\nnetwork: {{W1: {W1}, theta1: {theta1}, w2: {w2}, b2: {b2}}}\n")
    rows, outputs = list(itertools.product((0, 1), repeat=2)), [0, 1, 1, 0]
    layers = [(W1, [-t for t in theta1]), ([w2], [b2])]           # threshold θ is the bias −θ
    assert scalar(solution, "errors") == _count_wrong(layers, rows, outputs, compare)


def test_single_proposed_unit_lists_its_wrong_rows():
    solution = solve("problem: boolean_network\ntruth_table: [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]\n"
                     "network: {w: [1, 1], theta: 0.5}\n")       # an OR unit offered for AND
    assert scalar(solution, "errors") == 2
    note = next(s.note for s in solution.steps if s.id == "errors")
    assert "x = (0, 1): t = 0, y = 1" in note and "x = (1, 0): t = 0, y = 1" in note


def test_check_flags_a_key_claiming_a_wrong_network_works(tmp_path):
    path = tmp_path / "claim.yaml"
    path.write_text(XOR + "network: {W1: [[1, -1], [-1, 1]], b1: [0, 0], w2: [1, 1], b2: -1}\n"
                          "answers: {errors: 0}\n")
    report = check_file(path)
    assert [r.target for r in report.results if not r.ok] == ["errors"]
    path.write_text(XOR + "network: {W1: [[1, -1], [-1, 1]], b1: [0, 0], w2: [1, 1], b2: 0}\n"
                          "answers: {errors: 0}\n")
    assert all(r.ok for r in check_file(path).results)


TABLE = "problem: boolean_network\ntruth_table:\n  - [0, 0, 0]\n  - [0, 1, 1]\n  - [1, 0, 1]\n  - [1, 1, 0]\n"


@pytest.mark.parametrize("text, message, line", [
    (TABLE.replace("[0, 1, 1]", "[0, 2, 1]"), "truth-table entries are 0 or 1, got 2", 4),
    (TABLE.replace("[1, 0, 1]", "[1, 0, 0.5]"), "truth-table entries are 0 or 1, got 0.5", 5),
    (TABLE.replace("[1, 1, 0]", "[1, 1]"), "row has 2 entries", 6),
    (TABLE.replace("[1, 1, 0]", "[0, 1, 0]"), "this input row appears twice", 6),
    (TABLE.replace("  - [1, 0, 1]\n", ""), "1 input row missing: [1, 0]", 2),
    ("problem: boolean_network\nexpression: 'a AND (b OR'\n", "column 12", 2),
    ("problem: boolean_network\nregion: {polygons: [[[0, 0], [1, 1], [2, 2]]]}\n", "zero area (degenerate)", 2),
    ("problem: boolean_network\nregion:\n  polygons:\n    - [[0, 0], [4, 0], [1, 1], [0, 4]]\n",
     "not strictly convex", 4),
    ("problem: boolean_network\nregion: {polygons: [[[0, 0], [1, 0]]]}\n", "at least 3 vertices", 2),
    (XOR + "network: {W1: [[1, -1]], b1: [0, 0], w2: [1], b2: 0}\n", "2 entries for 1 hidden units", 4),
    (XOR + "expression: 'a'\n", "give exactly one of truth_table", None),
])
def test_bad_input_is_located(tmp_path, text, message, line):
    cli_rejects(tmp_path, text, message, line)
