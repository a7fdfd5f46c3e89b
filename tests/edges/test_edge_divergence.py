"""Divergence as a verdict, and the work a long run may take, in every family that trains."""
from __future__ import annotations

import math

import pytest
import torch

import nnsolve
from edge_problems import single_unit, value
from nnsolve.engine.symbolic import DIVERGES
from nnsolve.problems import ProblemError
from nnsolve.limits import MAX_RECORDED_VALUES


def torch_overflow_update(lr: float, x: float, w: float, b: float, t: float, steps: int) -> int:
    """The update of ½(wx + b − t)² under SGD in float64 after which a parameter, or the loss at the new weights,
    is no longer finite."""
    w_, b_ = torch.tensor(w, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    for k in range(1, steps + 1):
        error = w_ * x + b_ - t
        w_, b_ = w_ - lr * error * x, b_ - lr * error
        loss = 0.5 * (w_ * x + b_ - t) ** 2
        if not all(math.isfinite(v) for v in (w_.item(), b_.item(), loss.item())):
            return k
    raise AssertionError("no overflow")


@pytest.mark.parametrize("lr", ["10", "1.5", "100"])
def test_a_diverging_run_stops_where_a_float64_run_overflows(lr):
    solution = nnsolve.solve(single_unit(optimizer={"type": "sgd", "lr": lr, "steps": 1000}, ask=["update"]))
    k = torch_overflow_update(float(lr), 3.0, 2.0, 0.5, 1.0, 1000)
    verdict = solution.step("convergence")
    assert value(solution, "convergence") == DIVERGES and solution.asked == ["convergence"]
    assert f"after update {k}," in verdict.note and "double precision" in verdict.note
    assert solution.has(f"W1({k - 1})") and not solution.has(f"b1({k + 1})")     # no update past the verdict


def test_answers_past_the_divergence_are_the_verdict():
    from nnsolve.check import check
    problem = single_unit(optimizer={"type": "sgd", "lr": 10, "steps": 1000},
                          answers={"W1(1000)": [["1e999"]], "b1(500)": ["diverges"]})
    report = check(problem)
    by_name = {r.name: r for r in report.results}
    assert not by_name["W1(1000)"].ok and "expected diverges" in by_name["W1(1000)"].reason
    assert by_name["b1(500)"].ok


def test_a_relu_rnn_growing_to_1e300_diverges_at_its_first_update():
    # hₜ = ReLU(xₜ + 10¹⁰·hₜ₋₁): h₃₀ ≈ 10²⁹⁰, exact integers all the way; the first update leaves double precision
    steps = 30
    problem = {"problem": "recurrent", "layout": "out_in",
               "weights": {"W": [[1]], "V": [["1e10"]], "b": [0], "U": [[1]]}, "x": [[1]] * steps, "h0": [0],
               "cell": {"activation": "relu", "input_weight": "W", "recurrent_weight": "V", "bias": "b"},
               "output": {"weight": "U"}, "loss": {"type": "mse", "targets": [[0]] * steps},
               "optimizer": {"type": "sgd", "lr": 1, "steps": 500}}
    solution = nnsolve.solve(problem)
    assert value(solution, f"h{steps}") == sum(10 ** (10 * k) for k in range(steps))
    assert value(solution, "convergence") == DIVERGES
    assert solution.step("convergence").note.startswith("after update 1,")


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "rmsprop"])
def test_a_thousand_updates_of_a_small_network_are_refused_up_front(optimizer):
    widths = [4, 8, 1]
    layers = [{"W": [["0.1"] * n_out for _ in range(n_in)], "b": ["0"] * n_out, "activation": "tanh"}
              for n_in, n_out in zip(widths, widths[1:])]
    problem = {"problem": "dense_network", "network": {"layout": "in_out", "layers": layers},
               "data": {"x": ["1", "2", "-1", "0.5"], "target": ["1"]}, "loss": {"type": "mse"},
               "optimizer": {"type": optimizer, "lr": "0.01", "steps": 1000}}
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(problem)
    issue, = refused.value.issues
    assert issue.path == "optimizer.steps" and "too many steps" in issue.message
    assert f"{MAX_RECORDED_VALUES.shown}" in issue.message and MAX_RECORDED_VALUES.hint in issue.message


def test_the_measured_bound_names_the_steps_that_fit():
    # two parameters: the up-front bound lets it start; what the first update records decides
    problem = single_unit(optimizer={"type": "adam", "lr": "0.1", "steps": 1000}, network={
        "layout": "in_out", "layers": [{"W": [["2", "1"]], "b": ["0.5", "0"], "activation": "tanh"},
                                       {"W": [["1"], ["1"]], "b": ["0"], "activation": "identity"}]})
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(problem)
    issue, = refused.value.issues
    fitting = int(issue.message.split("give at most ")[1].split(" ")[0].replace(",", ""))
    assert issue.path == "optimizer.steps" and 0 < fitting < 1000
    nnsolve.solve({**problem, "optimizer": {"type": "adam", "lr": "0.1", "steps": fitting}})   # and that many do fit
