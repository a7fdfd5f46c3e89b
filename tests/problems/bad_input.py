"""A valid problem and the tools to break it one way at a time, shared by the bad-input tests."""
from __future__ import annotations

import re

import pytest

import nnsolve
from nnsolve.problems.errors import Issue, ProblemError

from cli_runner import invoke

VALID = """\
problem: dense_network
title: the problem the bad inputs are made from
network:
  layout: in_out
  layers:
    - W: [[1, 2], [3, 4], [5, 6]]
      b: [0.1, 0.2]
      activation: relu
    - W: [[1], [2]]
      activation: sigmoid
data:
  x: [1, 2, 3]
  target: [1]
loss: {type: bce}
"""

# every optional section too, for tests that break any place of a problem
FULL = VALID + """\
penalty: {type: l2, lambda: 0.01, half: true}
optimizer: {type: adam, lr: 0.1, steps: 2}
conventions: {relu_derivative_at_zero: 1}
notation: {input: a}
ask: [forward, loss, update]
answers: {u1: [1, 2]}
digits: 3
"""

# a location is keys and [indices] only: pydantic's union tags ('function-before[...]', "literal['e']")
# must never reach the reader
CLEAN_PATH = re.compile(r"^(|[^.\[\]]+(\.[^.\[\]]+|\[\d+\])*)$")


def changed(old: str, new: str, text: str = VALID) -> str:
    """`text` with one exact snippet replaced (failing loudly if the snippet is not there once)."""
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def line_of(text: str, snippet: str) -> int:
    """The 1-based line where `snippet` first appears: tests name lines by their content."""
    index = text.index(snippet)
    return text.count("\n", 0, index) + 1


def issues(source) -> list[Issue]:
    """The issues solving `source` raises (the test fails if it solves)."""
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(source)
    found = caught.value.issues
    for issue in found:
        assert CLEAN_PATH.match(issue.path), f"internal location part in {issue.path!r}"
        assert "Literal(" not in issue.message and "function-" not in issue.message
    return found


def the_issue(source) -> Issue:
    found = issues(source)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def at(source, path: str) -> Issue:
    """The single issue at `path` among those `source` raises."""
    matching = [i for i in issues(source) if i.path == path]
    assert len(matching) == 1, f"no single issue at {path!r}"
    return matching[0]


def cli_rejects(tmp_path, text: str, message: str, line: int | None = None) -> None:
    """`nnsolve solve` on `text` exits 2 with `message` (at `line`, when given) and no traceback."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = invoke("solve", path)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr
    if line is not None:
        assert f"(line {line})" in result.stderr, result.stderr
