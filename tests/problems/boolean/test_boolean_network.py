"""Boolean networks: exact separability against a brute-force search, every network checked on its
whole truth table by an independent evaluation, and bad truth tables rejected with their place."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve
from nnsolve.problems import ProblemError
from nnsolve.problems.boolean.separability import separating_weights

from boolean_support import layers_of, run


def _table_yaml(rows, outputs, extra=""):
    body = "\n".join(f"  - [{', '.join(map(str, x + (y,)))}]" for x, y in zip(rows, outputs))
    return f"problem: boolean_network\ntruth_table:\n{body}\n{extra}"


def _evaluate(solution, x, compare=">"):
    return run(layers_of(solution), x, compare)


def _brute_separable(rows, outputs):
    # every threshold function of ≤ 3 inputs has integer weights |w| ≤ 2 (Muroga's tables) and then a
    # half-integer threshold in (−4, 4) that no net reaches; doubling gives |w| ≤ 4 and an odd bias |b| ≤ 7
    n = len(rows[0])
    for w in itertools.product(range(-4, 5), repeat=n):
        for bias in range(-7, 8, 2):
            nets = [sum(a * v for a, v in zip(w, x)) + bias for x in rows]
            if all((z > 0) if y else (z < 0) for z, y in zip(nets, outputs)):
                return True
    return False


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, 1), min_size=2 ** n,
                                                                         max_size=2 ** n))),
       st.sampled_from([">", ">="]))
def test_separability_and_network_on_every_row(table, compare):
    n, outputs = table
    rows = list(itertools.product((0, 1), repeat=n))
    assert (separating_weights(rows, [y == 1 for y in outputs]) is not None) == _brute_separable(rows, outputs)
    solution = solve(_table_yaml(rows, outputs, f"compare: '{compare}'\n"))
    assert [_evaluate(solution, x, compare) for x in rows] == outputs
    assert solution.value("errors")[()] == 0
    assert solution.value("separable")[()] == int(solution.has("w"))


@pytest.mark.parametrize("gate, n, separable", [("AND", 3, 1), ("NOR", 2, 1), ("XOR", 2, 0), ("parity", 4, 0),
                                                ("XNOR", 3, 0)])
def test_named_gates(gate, n, separable):
    solution = solve(f"problem: boolean_network\nfunction: {gate}\ninputs: {n}\n")
    assert solution.value("separable")[()] == separable
    rows = list(itertools.product((0, 1), repeat=n))
    produced = [_evaluate(solution, x) for x in rows]
    assert produced == list(solution.value("t"))
    if not separable and gate in ("XOR", "parity", "XNOR"):
        assert solution.value("hidden_units")[()] == n          # one 'at least k ones' unit per k


def test_allowed_weights_search_for_a_single_unit():
    solution = solve("problem: boolean_network\nfunction: OR\ninputs: 2\nallowed_weights: [-1, 0, 1]\n")
    assert [int(v) for v in solution.value("w")] == [1, 1] and solution.value("b")[()] == 0


def test_non_binary_entry_is_located():
    with pytest.raises(ProblemError) as error:
        solve("problem: boolean_network\ntruth_table:\n  - [0, 0, 1]\n  - [0, 2, 1]\n")
    assert "truth_table[1][1]" in str(error.value) and "line 4" in str(error.value)
