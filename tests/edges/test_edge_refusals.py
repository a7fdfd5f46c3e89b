"""Inputs that used to be accepted silently, each now refused with its place and line."""
from __future__ import annotations

import pytest

import nnsolve
from edge_problems import single_unit
from nnsolve.problems import ProblemError

UNIT = """\
problem: dense_network
network:
  layout: in_out
  layers:
    - {W: [[2]], b: [0.5], activation: identity}
data:
  x: [3]
  target: [1]
loss: {type: half_sse}
"""

LSTM = """\
problem: gated_rnn
cell: lstm
x: [1, 0.5]
h0: 0
c0: 0
gates:
  i: {input: 0.5, recurrent: 0.1, bias: 0}
  f: {input: 0.2, recurrent: 0.3, bias: 1}
  g: {input: 0.4, recurrent: -0.2, bias: 0}
  o: {input: 0.6, recurrent: 0.2, bias: 0}
target: [0.1, 0.3]
loss: {type: half_sse}
"""


def the_issue(text: str):
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(text)
    issue, = refused.value.issues
    return issue


def line_of(text: str, snippet: str) -> int:
    return text[:text.index(snippet)].count("\n") + 1


def test_a_number_with_two_fraction_bars():
    text = UNIT.replace("x: [3]", "x: [1/2/3]")
    issue = the_issue(text)
    assert issue.path == "data.x[0]" and "more than one '/'" in issue.message and issue.line == line_of(text, "x:")


@pytest.mark.parametrize("rounding, where", [("[-1, 2]", "key_rounding[0]"), ("[2, 31]", "key_rounding[1]"),
                                             ("-3", "key_rounding[0]")])
def test_key_rounding_outside_what_a_person_keeps(rounding, where):
    text = UNIT + f"key_rounding: {rounding}\n"
    issue = the_issue(text)
    assert issue.path == where and issue.line == line_of(text, "key_rounding")


def test_a_gate_order_naming_one_gate_four_times():
    text = LSTM + "gate_order: [i, i, i, i]\n"
    issue = the_issue(text)
    assert issue.path == "gate_order" and "once, got i, i, i, i" in issue.message
    assert issue.line == line_of(text, "gate_order")
    nnsolve.solve(LSTM + "gate_order: [i, f, g, o]\n")      # a true permutation is still fine


@pytest.mark.parametrize("beta", ["1e999", "1.5", "-0.1"])
@pytest.mark.parametrize("kind", ["momentum", "nesterov"])
def test_a_momentum_factor_outside_zero_to_one(kind, beta):
    text = UNIT + f"optimizer: {{type: {kind}, lr: 0.1, beta: {beta}, steps: 20}}\n"
    issue = the_issue(text)
    assert issue.path == "optimizer.beta" and "[0, 1]" in issue.message and issue.line == line_of(text, "optimizer")


@pytest.mark.parametrize("beta", ["0", "0.9", "1"])
def test_a_momentum_factor_inside_zero_to_one_is_kept(beta):
    solution = nnsolve.solve(single_unit(optimizer={"type": "momentum", "lr": "0.1", "beta": beta, "steps": 3}))
    assert solution.has("W1(3)")
