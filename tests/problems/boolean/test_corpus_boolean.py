"""Boolean corpus files: the XNOR chain's tree reading (the key's) agrees with the corpus, and the
rectangle rebuilt from a key's four lines gets exactly those lines as its edge units."""
from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import nnsolve
from nnsolve.check import check_file

from boolean_support import layers_of, run, scalar

ROOT = Path(__file__).resolve().parents[3]
CASES = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
XNOR5 = ROOT / "examples/perceptron/bits-mk-q3b-xnor5-depth-width.yaml"
RECTANGLE = ROOT / "examples/perceptron/bits-mk-q3-decision-boundary-rectangle.yaml"


def test_xnor5_tree_reading_matches_the_corpus_and_the_key_agrees():
    tree = CASES["s001-bits-mk-q3b-xnor5-depth-width"]["correct_answer"]["reading_a_tree_of_3_neuron_blocks"]
    solution = nnsolve.solve(XNOR5)
    assert scalar(solution, "tree_units") == tree["neurons"]
    assert scalar(solution, "tree_depth") == tree["layers"]
    assert scalar(solution, "tree_errors") == 0
    report = check_file(XNOR5)
    assert report.ok and {r.name for r in report.results} == {"tree_units", "tree_depth"}


def test_rectangle_edge_units_are_the_keys_lines():
    solution = nnsolve.solve(RECTANGLE)
    (W1, b1), _ = layers_of(solution)
    # the key: PQ x2 = 6, QR x1 = 7, SR x2 = 2, PS x1 = 4, i.e. w·x = c with w a unit axis vector
    key = {((0, 1), 6), ((1, 0), 7), ((0, 1), 2), ((1, 0), 4)}
    ours = {(tuple(abs(v) for v in w), abs(b)) for w, b in zip(W1, b1)}
    assert ours == {(w, Fraction(c)) for w, c in key}
    for point, inside in (((5, 4), 1), ((Fraction(41, 10), Fraction(59, 10)), 1), ((3, 4), 0), ((5, 7), 0),
                          ((8, 4), 0), ((5, 1), 0)):
        assert run(layers_of(solution), point) == inside
