"""Every constraint of a `variants:` block holds on every accepted variant: 1,000 seeded variants of a small network,
and a few hundred of a convolution and an unknown-kernel problem, each constraint checked here with the test's own
reading of the solution (not the constraint code's)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve
from nnsolve.problems.loader import read_number

ROOT = Path(__file__).resolve().parents[2]

SMALL_NETWORK = """
problem: dense_network
title: "2-2-1 ReLU network"
network:
  layout: in_out
  layers:
    - {W: [[0.5, -0.5], [1, 0.5]], b: [0, 0.5], activation: relu}
    - {W: [[1], [-0.5]], b: [0], activation: identity}
data: {x: [1, 2], target: [1]}
loss: {type: half_sse}
optimizer: {type: sgd, lr: 0.1}
ask: [h1, y, loss, dL/dW1, W2(1)]
variants:
  seed: 11
  vary:
    network.layers[0].W: {from: -2, to: 2, step: 0.5, nonzero: true}
    network.layers[1].W: {from: -1, to: 1, step: 0.25}
    network.layers[0].b: {values: [0, 0.5, -0.5], per: matrix}
    data.x: {from: -3, to: 3}
    data.target: [0, 1, 2, 3]
  constraints:
    - no_kink_at_zero
    - loss_falls
    - {within: [0.1, 20], answers: loss}
    - {decimals: 3, answers: [W2(1)]}
    - {expression: "abs(y[0] - t[0]) >= 0.25"}
    - distinct_answers
"""


def _flat(solution, qid):
    return solution.value(qid).reshape(-1).tolist()


def test_every_constraint_holds_on_1000_variants():
    run = nnsolve.vary(SMALL_NETWORK, n=1000)
    assert run.complete and len(run.variants) == 1000
    keys = set()
    for variant in run.variants:
        s = variant.solution
        b1 = [value for place, value in variant.givens if place[:3] == ("network", "layers", 0) and place[3] == "b"]
        assert len(set(b1)) == 1                                  # per: matrix: one value for both biases
        assert all(x != 0 for x in _flat(s, "u1"))         # the ReLU layer; u2 feeds the identity
        assert _flat(s, "loss(1)")[0] < _flat(s, "loss")[0]
        assert Fraction(1, 10) <= _flat(s, "loss")[0] <= 20
        assert all((x * 1000).denominator == 1 for x in _flat(s, "W2(1)"))
        assert abs(_flat(s, "h2")[0] - _flat(s, "t")[0]) >= Fraction(1, 4)
        assert all(value != 0 for place, value in variant.givens if place[:4] == ("network", "layers", 0, "W"))
        frozen = repr(variant.key)
        assert frozen not in keys
        keys.add(frozen)
        # the key is the solution as shown: each number within half a unit of its last decimal
        for qid, shown in variant.key.items():
            for text, exact in zip(_texts(shown), _flat(s, qid)):
                places = len(text.partition(".")[2])
                assert abs(read_number(text) - exact) <= Fraction(1, 2 * 10 ** places)
    # the report's counts add up: every try was accepted or rejected for at least one reason
    assert run.tries >= 1000 and sum(run.rejected.values()) >= run.tries - 1000


def _texts(value):
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value]


def _windows(z, pool=2):
    """The 2×2 windows of each channel of a (C, H, W) list, as lists of values."""
    out = []
    for channel in z:
        for r in range(0, len(channel) - pool + 1, pool):
            for c in range(0, len(channel[0]) - pool + 1, pool):
                out.append([channel[r + i][c + j] for i in range(pool) for j in range(pool)])
    return out


def test_no_pool_ties_and_no_kink_on_a_convolution():
    run = nnsolve.vary(ROOT / "examples/variants/conv-relu-maxpool.yaml", n=100)
    assert run.complete
    for variant in run.variants:
        s = variant.solution
        z2 = s.value("z2").tolist()
        for window in _windows(z2):
            assert window.count(max(window)) == 1, window
        assert all(x != 0 for x in _flat(s, "z1"))
        assert _flat(s, "loss(1)")[0] < _flat(s, "loss")[0]


def test_unique_solution_of_unknown_kernel_entries():
    run = nnsolve.vary(ROOT / "examples/variants/unknown-kernel-entries.yaml", n=200)
    assert run.complete
    for variant in run.variants:
        s = variant.solution
        assert dict(s.conventions)["solution"] == "unique"
        a, b = _flat(s, "a")[0], _flat(s, "b")[0]
        assert a != b and -5 <= a <= 5 and -5 <= b <= 5
        assert (a * 10).denominator == 1 and (b * 10).denominator == 1
        # the solution solves the equations the variant states
        data = variant.data
        image = [[Fraction(v) for v in row] for row in data["input"]]
        kernel = [[a, Fraction(1)], [Fraction(0), b]]
        for output in data["outputs"]:
            i, j = (int(k) for k in output["at"])
            value = sum(image[i + m][j + n] * kernel[m][n] for m in range(2) for n in range(2))
            assert value == output["value"]


@pytest.mark.parametrize("constraint", ["distinct_answers: within", "no_kink_at_zero"])
def test_keys_only_runs_keep_no_solutions(constraint):
    text = SMALL_NETWORK.split("  constraints:")[0] + f"  constraints:\n    - {{{constraint}}}\n"
    run = nnsolve.vary(text, n=20, keys_only=True)
    assert run.complete and all(v.solution is None and v.data is None and v.key for v in run.variants)
