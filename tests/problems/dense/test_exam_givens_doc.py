"""The docs' examples of what exams give (docs/problem-format.md §7): each number the text states, worked by
hand in fractions here."""
from __future__ import annotations

import re
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

import nnsolve

DOC = Path(__file__).resolve().parents[3] / "docs" / "problem-format.md"


def example(title: str):
    for body in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if f'title: "{title}"' in body:
            return nnsolve.solve(body)
    pytest.fail(f"no example {title!r}")


def equal(solution, quantity: str, expected) -> None:
    assert np.array_equal(np.asarray(solution.value(quantity), dtype=object),
                          np.asarray(expected, dtype=object)), (quantity, solution.value(quantity))


def test_given_upstream():
    s = example("Given the upstream gradient: backward through a sigmoid unit")
    # ŷ = σ(0) = 1/2, δ = 1/2 · 1/2 · 1/2
    equal(s, "dL/du1", [F(1, 8)])
    equal(s, "dL/dW1", [[F(1, 4)], [F(1, 8)]])
    equal(s, "dL/db1", [F(1, 8)])
    equal(s, "dL/dx", [F(1, 16), F(-1, 8)])
    assert "dL/dh1" not in s.asked


def test_prescribed_delta():
    s = example("The exam's delta on a sigmoid output with squared error")
    equal(s, "dL/du1", [F(-1, 2)])
    equal(s, "dL/dW1", [[F(-1)], [F(-1, 2)]])
    equal(s, "W1(1)", [[F(3, 2)], [F(-1, 2)]])
    equal(s, "b1(1)", [F(1, 2)])


def test_shared_frozen_bias():
    s = example("Only the weights are trained: one shared bias")
    equal(s, "u1", [F(5, 2), F(-1, 2)])
    equal(s, "dL/dW1", [[F(1, 2), F(1, 2)], [F(1), F(1)]])
    equal(s, "W1(1)", [[F(19, 20), F(-21, 20)], [F(2, 5), F(-1, 10)]])
    assert not s.has("b1(1)") and not s.has("dL/db1")


def test_momentum_from_previous_weights_with_a_schedule():
    s = example("Momentum from the previous weights, with a learning rate per step")
    equal(s, "v.W1(0)", [[F(1, 10)], [F(0)]])
    equal(s, "W1(1)", [[F(3, 4)], [F(-9, 10)]])
    equal(s, "W1(2)", [[F(183, 200)], [F(-83, 100)]])


def test_adam_later_in_a_run():
    s = example("Adam at step t = 2 from given moments")
    equal(s, "m_hat.W1(1)", [[F(1)]])
    equal(s, "s_hat.W1(1)", [[F(1)]])
    equal(s, "W1(1)", [[F(9, 10)]])
