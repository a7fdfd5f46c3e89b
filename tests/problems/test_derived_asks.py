"""Derived asks (an element, argmax, an expression over computed ids) in every family, through the registry.

The values are computed here independently: by hand in fractions where they are rational, by PyTorch in float64
where they are not."""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
import torch
import yaml

import nnsolve
from nnsolve.check import check
from nnsolve.engine.number import to_float
from nnsolve.problems import ProblemError

ROOT = Path(__file__).resolve().parents[2]

SOFTMAX = """\
problem: dense_network
title: "Softmax classifier"
network:
  layout: in_out
  layers:
    - W: [[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]]
      b: [0.1, 0.0, -0.1]
      activation: softmax
data:
  x: [1.0, 2.0]
  target: [0, 1, 0]
loss: {type: cross_entropy}
"""


def solve(text: str, tmp_path, **extra):
    data = yaml.safe_load(text) | extra
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return nnsolve.solve(path), path


def torch_softmax():
    W = torch.tensor([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]], dtype=torch.float64)
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    u = x @ W + torch.tensor([0.1, 0.0, -0.1], dtype=torch.float64)
    return u, torch.softmax(u, 0)


def test_elements_argmax_and_expressions_of_a_dense_network(tmp_path):
    ask = ["y[2]", "W1[0][1]", "argmax(y)", "argmax(y) + 1", "y[1] - y[2]", "2*u1[0] + 1", "log(y[1]) / 2",
           "y - u1", "dL/dW1[1][2]"]
    solution, _ = solve(SOFTMAX, tmp_path, ask=ask)
    u, y = torch_softmax()
    assert solution.asked == ask
    assert to_float(solution.value("y[2]")[()]) == pytest.approx(y[2].item(), rel=1e-12)
    assert solution.value("W1[0][1]")[()] == Fraction(-1, 10)
    assert solution.value("argmax(y)")[()] == int(torch.argmax(y)) == 0
    assert solution.value("argmax(y) + 1")[()] == 1
    assert to_float(solution.value("y[1] - y[2]")[()]) == pytest.approx((y[1] - y[2]).item(), rel=1e-12)
    assert solution.value("2*u1[0] + 1")[()] == 2 * (Fraction(2, 10) + 2 * Fraction(5, 10) + Fraction(1, 10)) + 1
    assert to_float(solution.value("log(y[1]) / 2")[()]) == pytest.approx(math.log(y[1].item()) / 2, rel=1e-12)
    assert [to_float(v) for v in solution.value("y - u1")] == pytest.approx((y - u).tolist(), rel=1e-12)
    # ∂L/∂W1 = x (ŷ − t)ᵀ: row 1 is x₁ = 2 times ŷ − t
    assert to_float(solution.value("dL/dW1[1][2]")[()]) == pytest.approx(2 * y[2].item(), rel=1e-12)
    derived = [s for s in solution.steps if s.section == "Derived quantities"]
    assert {s.id for s in derived} >= set(ask)
    text = str(solution)
    assert "y[1] - y[2] = y[1] − y[2] = 0.2649 − 0.1454 = 0.1195" in text     # the formula with its numbers
    assert "2*u1[0] + 1 = 2 · u1[0] + 1 = 2 · 1.3 + 1 = 3.6" in text


def test_argmax_tie_takes_the_first_and_says_so(tmp_path):
    text = SOFTMAX.replace("[[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]]", "[[1, 1, 0], [0, 0, 0]]").replace(
        "[0.1, 0.0, -0.1]", "[0, 0, 0]")
    solution, _ = solve(text, tmp_path, ask=["argmax(y)"])
    step = solution.step("argmax(y)")
    assert step.value[()] == 0
    assert "entries 0, 1 tie for the largest: the first is taken" in step.note


def test_derived_asks_in_other_families(tmp_path):
    """The registry adds derived steps to every family's solution: an element and an expression of a gated RNN,
    an attention problem and an Elman RNN equal those entries of the quantities they name."""
    cases = {"examples/gated_rnn/lstm-two-steps.yaml": ("h1[0]", "h2[0] - h1[0]", "h1", "h2"),
             "examples/attention/self-attention-two-heads.yaml": ("A_h1[0][1]", "A_h1[0][1] + A_h1[0][2]", "A_h1",
                                                                  "A_h1"),
             "examples/recurrent/elman-sgd-two-steps.yaml": ("h1[0]", "h2[0] - h1[0]", "h1", "h2")}
    for example, (element, expression, first, second) in cases.items():
        data = yaml.safe_load((ROOT / example).read_text(encoding="utf-8"))
        data["ask"] = [element, expression]
        data.pop("answers", None)
        solution = nnsolve.solve(data)
        assert solution.asked == [element, expression], example
        a = solution.value(first).reshape(-1)
        b = solution.value(second).reshape(-1)
        if first == "A_h1":
            assert solution.value(element)[()] == solution.value(first)[0][1]
            assert solution.value(expression)[()] == solution.value(first)[0][1] + solution.value(first)[0][2]
        else:
            assert solution.value(element)[()] == a[0]
            assert solution.value(expression)[()] == b[0] - a[0]


@pytest.mark.parametrize("item, message", [
    ("y[1] - z[2]", "no quantity 'z' (column 8)"),
    ("y[0] - dL/dW3", "no quantity 'dL/dW3' (column 8); did you mean 'dL/dW1'?"),
    ("y[5]", "index 5 of y[5] is out of range: y is a vector of 3 (indices are 0-based: 0 to 2)"),
    ("argmax(W1)", "argmax takes a vector"),
    ("y[1] +* 2", "column 7: expected a number, a name or '('"),
    ("y + x", "combines quantities of different shapes"),
    ("y * u1", "a product of two vectors or matrices is ambiguous"),
    ("y u1", "a product of two vectors or matrices is ambiguous"),
    ("zz", "no quantity or group 'zz'"),
])
def test_a_derived_ask_naming_nothing_is_refused_with_its_line(tmp_path, item, message):
    with pytest.raises(ProblemError) as e:
        solve(SOFTMAX, tmp_path, ask=["u1", item])
    issue, = e.value.issues
    lines = (tmp_path / "p.yaml").read_text(encoding="utf-8").splitlines()
    assert issue.path == "ask[1]" and message in issue.message and item in lines[issue.line - 1]


def test_check_matches_derived_answers(tmp_path):
    _, y = torch_softmax()
    answers = {"y[1] - y[2]": round((y[1] - y[2]).item(), 4), "argmax(y)": 1, "2*u1[0] + 1": 3.6, "y[0]": 0.5896}
    _, path = solve(SOFTMAX, tmp_path, answers=answers)
    results = {r.name: r for r in check(path).results}
    assert results["y[1] - y[2]"].ok and results["2*u1[0] + 1"].ok and results["y[0]"].ok
    assert not results["argmax(y)"].ok
    assert results["y[0]"].target == "h1[0]"        # a plain element is still read as an element of the output


def test_check_refuses_a_derived_answer_naming_nothing(tmp_path):
    _, path = solve(SOFTMAX, tmp_path, answers={"y[1] - z[2]": 0.1})
    with pytest.raises(ProblemError) as e:
        check(path)
    issue, = e.value.issues
    assert "no quantity 'z'" in issue.message and issue.line is not None


def doc_example(title: str) -> str:
    import re
    text = (ROOT / "docs" / "problem-format.md").read_text(encoding="utf-8")
    return next(body for body in re.findall(r"```yaml\n(.*?)```", text, re.S) if f'title: "{title}"' in body)


def test_the_documented_example(tmp_path):
    path = tmp_path / "doc.yaml"
    path.write_text(doc_example("Derived asks: an element, the predicted class, a difference"), encoding="utf-8")
    solution = nnsolve.solve(path)
    _, y = torch_softmax()
    assert solution.asked == ["y[2]", "argmax(y)", "argmax(y) + 1", "y[1] - y[2]", "2*u1[0] + 1"]
    assert solution.value("2*u1[0] + 1")[()] == Fraction(18, 5)
    assert solution.value("argmax(y)")[()] == 0 and solution.value("argmax(y) + 1")[()] == 1
    assert to_float(solution.value("y[1] - y[2]")[()]) == pytest.approx((y[1] - y[2]).item(), rel=1e-12)
    assert all(r.ok for r in check(path).results)


def test_argmax_of_fifty_digit_values_equal_in_truth_is_a_tie():
    """e·e and e² differ in their last digits at 50-digit precision; argmax calls them a tie, and says so."""
    from types import SimpleNamespace

    import numpy as np

    from nnsolve.engine.number import mp
    from nnsolve.problems.derived import add_derived
    from nnsolve.solution import Solution, Step

    value = np.array([mp.e * mp.e, mp.exp(2), mp.mpf(7)], dtype=object)
    value[2] = mp.mpf(1)
    solution = Solution("t", "test", [], [Step("v", "v", "v", value, "Given")], [])
    add_derived(SimpleNamespace(ask=["argmax(v)"], answers={}), solution, {})
    step = solution.step("argmax(v)")
    assert step.value[()] == 0 and "entries 0, 1 tie for the largest (equal to 45 significant digits)" in step.note


def test_a_derived_ask_naming_the_pass_after_an_update_gets_it_computed(tmp_path):
    """The solver computes the pass after the last update only where something names it: `loss - loss(1)` does."""
    solution, _ = solve(SOFTMAX, tmp_path, optimizer={"type": "sgd", "lr": 0.5},
                        ask=["loss - loss(1)", "dL/dW1(1)[0][0] - dL/dW1[0][0]"])
    W = torch.tensor([[0.2, -0.1, 0.4], [0.5, 0.3, -0.2]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([0.1, 0.0, -0.1], dtype=torch.float64, requires_grad=True)
    x, t = torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor(1)

    def loss_and_grads(W, b):
        loss = torch.nn.functional.cross_entropy((x @ W + b)[None], t[None])
        return (loss, *torch.autograd.grad(loss, (W, b)))

    before, gW, gb = loss_and_grads(W, b)
    after, gW1, _ = loss_and_grads((W - 0.5 * gW).detach().requires_grad_(), (b - 0.5 * gb).detach().requires_grad_())
    assert to_float(solution.value("loss - loss(1)")[()]) == pytest.approx((before - after).item(), rel=1e-12)
    assert to_float(solution.value("dL/dW1(1)[0][0] - dL/dW1[0][0]")[()]) == pytest.approx(
        (gW1[0, 0] - gW[0, 0]).item(), rel=1e-12)


def test_numbers_stay_numbers_in_a_graph_whose_constants_are_nodes(tmp_path):
    """A computation graph names its constant nodes by their text (0.5, 2): in `2*x + 0.5` they are numbers still,
    and `y[0]y[1]`-style juxtaposition multiplies."""
    text = 'problem: computation_graph\ntitle: "g"\nexpression: "0.5*x*x + 2*y"\nvalues: {x: 3, y: 1}\n'
    solution, _ = solve(text, tmp_path, ask=["2*x + 0.5", "dL/dx - 0.5", "x y", "(x)(y)2"])
    assert solution.value("2*x + 0.5")[()] == Fraction(13, 2)
    assert solution.value("dL/dx - 0.5")[()] == Fraction(5, 2)      # ∂f/∂x = x = 3
    assert solution.value("x y")[()] == 3 and solution.value("(x)(y)2")[()] == 6     # scalars: a product


def test_an_answer_is_read_as_written_where_ask_also_names_a_derived_prefix_of_it(tmp_path):
    """`u1 - y` asked and `u1 - y[1]` answered: the answer is u1 minus one number (a vector), not (u1 - y)[1]; and an
    answer `y[1]` where ask made `y[1]` a step is still the element of the output (its pins reach what follows)."""
    _, y = torch_softmax()
    u1 = [Fraction(13, 10), Fraction(1, 2), Fraction(-1, 10)]
    expected = [round(float(u) - y[1].item(), 4) for u in u1]
    _, path = solve(SOFTMAX, tmp_path, ask=["u1 - y", "y[1]"], answers={"u1 - y[1]": expected,
                                                                        "y[1]": round(y[1].item(), 4)})
    results = {r.name: r for r in check(path).results}
    assert results["u1 - y[1]"].ok and results["u1 - y[1]"].target == "u1 - y[1]"
    assert results["y[1]"].ok and results["y[1]"].target == "h1[1]"
