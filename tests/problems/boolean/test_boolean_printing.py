"""Every kind of Boolean solution (expression with its per-term network, region, proposed network, parity
tree) prints as text, Markdown with valid LaTeX, and JSON."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import nnsolve
from nnsolve.render import render

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "render"))
from render_latex_lint import latex_problems, math_spans  # noqa: E402

PROBLEMS = {
    "expression": "expression: 'x1 AND NOT x2 OR x3 XOR x1'\n",
    "region": "region: {polygons: [[[0, 0], [4, 0], [0, 3]], [[5, 5], [6, 5], [6, 6]]], inside: 0}\n",
    "proposed": "function: XOR\ninputs: 3\nnetwork: {W1: [[1, 1, 1]], theta1: [0.5], w2: [1], theta2: 0.5}\n",
    "weights": "function: XOR\ninputs: 2\nallowed_weights: [-1, 0, 1]\nhidden_units: 2\n",
    "bipolar ones": "ones: [[-1, 1], [1, -1]]\nencoding: bipolar\ncompare: '>='\n",
    "nothing found": "minterms: [1, 2]\ninputs: 2\nallowed_weights: [1]\nallowed_biases: [0, -1]\n",
}


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_prints_in_every_format(kind):
    solution = nnsolve.solve("problem: boolean_network\n" + PROBLEMS[kind])
    text = render(solution, "text")
    data = json.loads(render(solution, "json"))
    assert [s["id"] for s in data["steps"]] == solution.ids
    for step in solution.steps:
        assert f"{step.text_symbol} = " in text, step.id
    for span in math_spans(render(solution, "markdown")):
        assert latex_problems(span) == [], span
