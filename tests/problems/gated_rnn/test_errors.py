"""Bad shapes and missing states get located messages (path and line), never a traceback."""
from __future__ import annotations

import pytest

from nnsolve.api import load
from nnsolve.problems import ProblemError

LSTM = """problem: gated_rnn
cell: lstm
x: [[1, 0], [0, 1]]
h0: [0]
{c0}
gates:
  i: {{input: [[0.1, 0.2]], recurrent: [[0.3]]}}
  f: {{input: [[0.1, 0.2]], recurrent: [[0.3]]}}
  g: {{input: {g_input}, recurrent: [[0.3]]}}
  o: {{input: [[0.1, 0.2]], recurrent: [[0.3]]}}
"""


def issues(text):
    with pytest.raises(ProblemError) as caught:
        load(text)
    return [(i.path, i.line, i.message) for i in caught.value.issues]


def test_a_weight_of_the_wrong_size_is_located():
    found = issues(LSTM.format(c0="c0: [0]", g_input="[[0.1, 0.2, 0.3]]"))
    assert len(found) == 1
    path, line, message = found[0]
    assert path == "gates.g.input" and line == 9
    assert "expected 1×2" in message and "got 1×3" in message


def test_a_missing_c0_is_located():
    found = issues(LSTM.format(c0="", g_input="[[0.1, 0.2]]"))
    assert [(p, m.split(":")[0]) for p, _, m in found] == [("c0", "is required")]


def test_a_correct_file_loads():
    assert load(LSTM.format(c0="c0: [0]", g_input="[[0.1, 0.2]]")).model.cell == "lstm"
