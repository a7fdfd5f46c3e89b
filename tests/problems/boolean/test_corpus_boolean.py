"""The rectangle rebuilt from a key's four lines gets exactly those lines as its edge units (the XNOR
chain's corpus values are data: examples/perceptron/*.expect.yaml, tests/test_corpus.py)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import nnsolve

from boolean_support import layers_of, run

ROOT = Path(__file__).resolve().parents[3]
RECTANGLE = ROOT / "examples/perceptron/bits-mk-q3-decision-boundary-rectangle.yaml"


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
