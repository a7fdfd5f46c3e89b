"""An optimizer's state as an exam gives it — an initial velocity, the previous weights, Adam's moments and
step count, RMSProp's and Adagrad's accumulators — and a learning rate per update, against torch.optim in
float64 with its state set to the same values (or the rule by hand in torch where torch has no such form)."""
from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))
from test_every_loss_in_every_family import FAMILIES, close, t64, values  # noqa: E402

import nnsolve  # noqa: E402
from nnsolve.problems.errors import ProblemError  # noqa: E402

PROBLEM, GIVEN, LOSS_OF = FAMILIES["dense_network"]("mse")
# a state per parameter, in each parameter's shape
STATE = {"W1": [[0.1, -0.2, 0.05, 0.0], [0.2, 0.1, -0.1, 0.3], [0.0, 0.05, 0.1, -0.05]],
         "b1": [0.01, -0.02, 0.03, 0.0], "W2": [[0.1, 0.0], [-0.1, 0.2], [0.05, 0.05], [0.0, -0.3]],
         "b2": [0.02, -0.01]}
SQUARES = {name: (t64(v) ** 2 + 0.01).tolist() for name, v in STATE.items()}    # positive accumulators


def solve(optimizer: dict, steps: int = 2):
    return nnsolve.solve({**PROBLEM, "optimizer": {**optimizer, "steps": steps}})


def params() -> dict[str, torch.Tensor]:
    return {name: t64(value).requires_grad_(True) for name, value in GIVEN.items()}


def run(step, ps: dict, steps: int = 2, before=lambda k: None) -> None:
    for k in range(1, steps + 1):
        before(k)
        step.zero_grad()
        LOSS_OF(ps).backward()
        step.step()


def compare(solution, ps: dict, steps: int = 2) -> None:
    for name, p in ps.items():
        close(values(solution, f"{name}({steps})"), p, f"{name}({steps})")


def test_momentum_from_a_given_velocity():
    solution = solve({"type": "momentum", "lr": 0.1, "momentum": 0.9, "initial_state": {"v": STATE}})
    ps = params()
    step = torch.optim.SGD(list(ps.values()), lr=0.1, momentum=0.9)
    for name, p in ps.items():
        step.state[p]["momentum_buffer"] = t64(STATE[name])
    run(step, ps)
    compare(solution, ps)
    assert ("optimizer state", "v₀ given per parameter") in solution.conventions


def test_momentum_from_the_previous_weights_in_the_pytorch_form():
    # w(0) = w(−1) − η·v₀, so v₀ = (w(−1) − w(0))/η
    previous = {name: (t64(GIVEN[name]) + t64(STATE[name])).tolist() for name in GIVEN}
    solution = solve({"type": "momentum", "lr": 0.5, "momentum": 0.9, "previous_weights": previous})
    ps = params()
    step = torch.optim.SGD(list(ps.values()), lr=0.5, momentum=0.9)
    for name, p in ps.items():
        step.state[p]["momentum_buffer"] = t64(STATE[name]) / 0.5
    run(step, ps)
    compare(solution, ps)


def test_heavy_ball_from_the_previous_weights():
    # Δw(t) = β·Δw(t − 1) − η·g, with Δw(0) = w(0) − w(−1): the Sutskever form, by hand in torch
    previous = {name: (t64(GIVEN[name]) - t64(STATE[name])).tolist() for name in GIVEN}
    solution = solve({"type": "momentum", "form": "sutskever", "lr": 0.1, "momentum": 0.5,
                      "previous_weights": previous})
    ps = params()
    velocity = {name: t64(STATE[name]) for name in ps}
    for _ in range(2):
        for p in ps.values():
            p.grad = None
        LOSS_OF(ps).backward()
        with torch.no_grad():
            for name, p in ps.items():
                velocity[name] = 0.5 * velocity[name] - 0.1 * p.grad
                p += velocity[name]
    compare(solution, ps)
    close(values(solution, "v.W1(0)"), t64(STATE["W1"]), "v₀ = w(0) − w(−1)")


def test_look_ahead_nesterov_from_a_given_velocity():
    # w̃ = w + β·v; v ← β·v − η·∇L(w̃); w ← w + v — the first look-ahead point is no longer w itself
    solution = solve({"type": "nesterov", "form": "lookahead", "lr": 0.1, "momentum": 0.9,
                      "initial_state": {"v": STATE}})
    ps = params()
    velocity = {name: t64(STATE[name]) for name in ps}
    for _ in range(2):
        ahead = {name: (p.detach() + 0.9 * velocity[name]).requires_grad_(True) for name, p in ps.items()}
        LOSS_OF(ahead).backward()
        with torch.no_grad():
            for name, p in ps.items():
                velocity[name] = 0.9 * velocity[name] - 0.1 * ahead[name].grad
                p += velocity[name]
    compare(solution, ps)


def test_adam_from_given_moments_after_earlier_updates():
    solution = solve({"type": "adam", "lr": 0.01, "initial_state": {"m": STATE, "s": SQUARES},
                      "previous_steps": 3})
    ps = params()
    step = torch.optim.Adam(list(ps.values()), lr=0.01, eps=1e-8)
    for name, p in ps.items():
        step.state[p].update(step=torch.tensor(3.0), exp_avg=t64(STATE[name]), exp_avg_sq=t64(SQUARES[name]))
    run(step, ps)
    compare(solution, ps)
    assert "⁴" in solution.step("m_hat.W1(1)").formula.text       # update 1 is t = 3 + 1 = 4


def test_rmsprop_and_adagrad_from_given_accumulators():
    solution = solve({"type": "rmsprop", "lr": 0.01, "initial_state": {"s": SQUARES}})
    ps = params()
    step = torch.optim.RMSprop(list(ps.values()), lr=0.01, alpha=0.99, eps=1e-8)
    for name, p in ps.items():
        step.state[p].update(step=torch.tensor(0.0), square_avg=t64(SQUARES[name]))
    run(step, ps)
    compare(solution, ps)

    solution = solve({"type": "adagrad", "lr": 0.1, "initial_state": {"G": 0.25}})
    ps = params()
    run(torch.optim.Adagrad(list(ps.values()), lr=0.1, eps=1e-10, initial_accumulator_value=0.25), ps)
    compare(solution, ps)


def test_a_learning_rate_per_update_and_a_step_decay():
    solution = solve({"type": "sgd", "lr_schedule": [0.5, 0.1, 0.05]}, steps=3)
    ps = params()
    step = torch.optim.SGD(list(ps.values()), lr=0.5)
    rates = [0.5, 0.1, 0.05]

    def set_rate(k):
        step.param_groups[0]["lr"] = rates[k - 1]
    run(step, ps, 3, set_rate)
    compare(solution, ps, 3)
    assert solution.value("eta(2)")[()] == Fraction(1, 10)

    solution = solve({"type": "momentum", "lr": 0.4, "lr_decay": {"factor": 0.5, "every": 2}}, steps=3)
    ps = params()
    step = torch.optim.SGD(list(ps.values()), lr=0.4, momentum=0.9)
    decay = torch.optim.lr_scheduler.StepLR(step, step_size=2, gamma=0.5)
    for _ in range(3):
        step.zero_grad()
        LOSS_OF(ps).backward()
        step.step()
        decay.step()
    compare(solution, ps, 3)


@pytest.mark.parametrize("optimizer, message", [
    ({"type": "sgd", "lr_schedule": [0.1]}, "optimizer.lr_schedule: has 1 rates, one per update: steps is 2"),
    ({"type": "sgd", "lr": 0.1, "lr_schedule": [0.1, 0.2]}, "give lr_schedule or lr, not both"),
    ({"type": "adam", "initial_state": {"v": 0.1}}, "adam keeps no state v"),
    ({"type": "sgd", "initial_state": {"v": 0.1}}, "sgd keeps no state v"),
    ({"type": "momentum", "initial_state": {"v": {"W1": [1, 2]}}}, "initial_state.v.W1: has shape 2, but W1"),
    ({"type": "momentum", "initial_state": {"v": {"W7": 1}}}, "initial_state.v.W7: names no parameter"),
    ({"type": "momentum", "initial_state": {"v": {"W1": STATE["W1"]}}}, "has no value for b1"),
    ({"type": "nesterov", "previous_weights": STATE}, "the previous weights do not determine v"),
])
def test_a_state_that_does_not_fit_is_refused(optimizer, message):
    with pytest.raises(ProblemError) as error:
        solve(optimizer)
    assert message in str(error.value)


def test_calculus_descent_takes_the_same_state_and_schedule():
    # f = (w − 3)², f' = 2w − 6; v₁ = 0.9·1 + (−6) = −5.1, w₁ = 0 − 0.1·(−5.1) = 0.51;
    # f'(0.51) = −4.98, v₂ = 0.9·(−5.1) − 4.98 = −9.57, w₂ = 0.51 − 0.2·(−9.57) = 2.424
    solution = nnsolve.solve({"problem": "calculus", "function": "(w - 3)^2", "variables": ["w"],
                              "descent": {"type": "momentum", "start": {"w": 0}, "steps": 2,
                                          "lr_schedule": [0.1, 0.2], "initial_state": {"v": 1}}})
    assert solution.value("w(1)").reshape(-1)[0] == Fraction(51, 100)
    assert solution.value("w(2)").reshape(-1)[0] == Fraction(2424, 1000)
    with pytest.raises(ProblemError, match=r"descent\.initial_state\.v\.u: names no parameter"):
        nnsolve.solve({"problem": "calculus", "function": "(w - 3)^2", "variables": ["w"],
                       "descent": {"type": "momentum", "start": {"w": 0}, "initial_state": {"v": {"u": 1}}}})
