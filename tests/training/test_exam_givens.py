"""What exams state as given, honoured the same way by every family that trains, against PyTorch float64:
a given ∂L/∂output (`upstream`) instead of a loss, a prescribed output delta δ = ŷ − t (`loss.output_delta`),
frozen parameters (`frozen`, a dense layer's `trainable`), a bias shared by a layer's units, and an
optimizer's state before the first update (`initial_state`, `previous_weights`, `previous_steps`) and its
learning rate per update (`lr_schedule`, `lr_decay`).

Each family's network is the one of test_every_loss_in_every_family, whose torch closures compute the loss
through `torch_loss`: replacing that function gives the objective these options define, independently of
nnsolve (G ⊙ output for upstream; a surrogate whose gradient at the logits is ŷ − t for the delta).
"""
from __future__ import annotations

from fractions import Fraction

import pytest
import test_every_loss_in_every_family as every
import torch
from test_every_loss_in_every_family import FAMILIES, activate, close, t64, values

import nnsolve
from nnsolve.problems.errors import ProblemError

# the output's shape in each family's network (dense and conv: a batch of two; attention: three tokens)
UPSTREAM = {"dense_network": [[0.5, -1.0], [0.25, 2.0]], "conv_network": [[1.0, -0.5], [0.75, 0.25]],
            "recurrent": [0.5, -1.5], "gated_rnn": [-0.75, 1.25],
            "attention": [[0.5, -1.0], [0.25, 2.0], [1.5, -0.5]]}
STEPS = {"recurrent": 3, "gated_rnn": 3}     # the sequence families call torch_loss once per time step


def without_loss(family: str, problem: dict) -> dict:
    out = {k: v for k, v in problem.items() if k not in ("loss", "target")}
    if family == "dense_network":
        out["data"] = {"x": problem["data"]["x"]}
    return out


@pytest.mark.parametrize("family", FAMILIES)
def test_a_given_upstream_gradient_starts_the_backward_pass_in_every_family(family, monkeypatch):
    problem, given, loss_of = FAMILIES[family]("mse")
    G = t64(UPSTREAM[family])
    calls = []

    def objective(key, y, z, t, rows):      # L = Σ G ⊙ output, at the last step of a sequence
        calls.append(1)
        last = len(calls) % STEPS.get(family, 1) == 0
        return (G * y).sum() if last else (0 * y).sum()
    monkeypatch.setattr(every, "torch_loss", objective)
    solution = nnsolve.solve({**without_loss(family, problem), "upstream": UPSTREAM[family],
                              "optimizer": {"type": "sgd", "lr": 0.1}})
    params = {name: t64(value).requires_grad_(True) for name, value in given.items()}
    loss = loss_of(params)
    loss.backward()
    close(values(solution, "loss"), loss, "Σ G ⊙ output")
    for name, p in params.items():
        close(values(solution, f"dL/d{name}"), p.grad, f"dL/d{name}")
    torch.optim.SGD(list(params.values()), lr=0.1).step()
    for name, p in params.items():
        close(values(solution, f"{name}(1)"), p, f"{name}(1)")


def test_an_upstream_of_the_wrong_shape_or_beside_a_loss_is_refused():
    problem, _, _ = FAMILIES["dense_network"]("mse")
    with pytest.raises(ProblemError, match=r"upstream: is a 2×3 array, but the output h2 .* is a 2×2 array"):
        nnsolve.solve({**without_loss("dense_network", problem), "upstream": [[1, 2, 3], [4, 5, 6]]})
    with pytest.raises(ProblemError, match="upstream: give either upstream"):
        nnsolve.solve({**problem, "upstream": UPSTREAM["dense_network"]})


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("key", ["mse", "bce", "cross_entropy_from_logits"])
def test_a_prescribed_output_delta_is_prediction_minus_target_in_every_family(family, key, monkeypatch):
    problem, given, loss_of = FAMILIES[family](key)
    act = every.LOSSES[key][1]
    logits = every.LOSSES[key][0].get("from_logits")

    def surrogate(_, y, z, t, rows):        # ∂/∂z of Σ (ŷ − t).detach() ⊙ z is ŷ − t
        yhat = activate("softmax" if logits else act, z)
        return ((yhat - t).detach() * z).sum()
    monkeypatch.setattr(every, "torch_loss", surrogate)
    loss = dict(problem["loss"], output_delta="prediction_minus_target")
    solution = nnsolve.solve({**problem, "loss": loss})
    params = {name: t64(value).requires_grad_(True) for name, value in given.items()}
    loss_of(params).backward()
    for name, p in params.items():
        close(values(solution, f"dL/d{name}"), p.grad, f"dL/d{name}")
    assert any("δ = ŷ − t" in text for _, text in solution.conventions)


def dense_problem(layer_keys: dict | None = None) -> dict:
    layer_keys = layer_keys or {}
    problem, _, _ = FAMILIES["dense_network"]("mse")
    layers = [dict(layer, **layer_keys.get(i, {})) for i, layer in enumerate(problem["network"]["layers"])]
    return {**problem, "network": {"layout": "in_out", "layers": layers}}


def sgd_with_frozen(frozen: set[str], problem: dict) -> None:
    """SGD in torch on every parameter but the frozen ones, compared with the solution's update."""
    _, given, loss_of = FAMILIES["dense_network"]("mse")
    solution = nnsolve.solve({**problem, "optimizer": {"type": "sgd", "lr": 0.5}})
    params = {name: t64(value).requires_grad_(name not in frozen) for name, value in given.items()}
    loss_of(params).backward()
    torch.optim.SGD([p for n, p in params.items() if n not in frozen], lr=0.5).step()
    for name, p in params.items():
        if name in frozen:
            assert not solution.has(f"dL/d{name}") and not solution.has(f"{name}(1)")
        else:
            close(values(solution, f"{name}(1)"), p, f"{name}(1)")
    assert any(label == "frozen" for label, _ in solution.conventions)


def test_frozen_biases_are_neither_differentiated_nor_updated():
    sgd_with_frozen({"b1", "b2"}, {**dense_problem(), "frozen": ["biases"]})


def test_a_layer_that_is_not_trainable_keeps_its_weights():
    sgd_with_frozen({"W1", "b1"}, dense_problem({0: {"trainable": False}}))
    sgd_with_frozen({"b2"}, dense_problem({1: {"trainable": {"b": False}}}))


@pytest.mark.parametrize("family", ["recurrent", "gated_rnn", "attention", "conv_network"])
def test_frozen_works_in_every_family(family):
    problem, given, loss_of = FAMILIES[family]("mse")
    name = next(iter(given))
    solution = nnsolve.solve({**problem, "frozen": [name], "optimizer": {"type": "sgd", "lr": 0.5}})
    params = {n: t64(v).requires_grad_(n != name) for n, v in given.items()}
    loss_of(params).backward()
    torch.optim.SGD([p for n, p in params.items() if n != name], lr=0.5).step()
    for n, p in params.items():
        if n != name:
            close(values(solution, f"{n}(1)"), p, f"{n}(1)")
    assert not solution.has(f"{name}(1)")


def test_a_frozen_name_that_is_no_parameter_is_refused():
    with pytest.raises(ProblemError, match=r"frozen\[0\]: names no parameter 'W9'"):
        nnsolve.solve({**dense_problem(), "frozen": ["W9"], "optimizer": {"type": "sgd"}})


def test_one_bias_shared_by_a_layer_gets_the_sum_of_the_units_gradients():
    # by hand: one unit-free layer u = x·W + b with W = [[1, 2]], x = [[1], [2]], b = 1/2 shared, t = 0, SSE
    problem = {"problem": "dense_network", "network": {"layout": "in_out", "layers": [{"W": [[1, 2]], "b": 0.5}]},
               "data": {"x": [[1], [2]], "target": [[0, 0], [0, 0]]}, "loss": {"type": "sse"},
               "optimizer": {"type": "sgd", "lr": 0.1}}
    solution = nnsolve.solve(problem)
    # u = [[3/2, 5/2], [5/2, 9/2]]; ∂L/∂u = 2u; ∂L/∂b = Σ 2u = 2·11 = 22; b(1) = 1/2 − 0.1·22 = −17/10
    assert solution.value("dL/db1")[()] == 22
    assert solution.value("b1(1)")[()] == Fraction(-17, 10)
    # and against torch, a batch through two layers with a shared bias in the first
    problem, given, loss_of = FAMILIES["dense_network"]("mse")
    layers = problem["network"]["layers"]
    shared = {**problem, "network": {"layout": "in_out", "layers": [{**layers[0], "b": 0.1}, layers[1]]}}
    solution = nnsolve.solve(shared)
    params = {name: t64(0.1 if name == "b1" else value).requires_grad_(True) for name, value in given.items()}
    loss_of(params).backward()
    for name, p in params.items():
        close(values(solution, f"dL/d{name}"), p.grad, f"dL/d{name}")


def test_the_frozen_biases_alternative_is_offered_where_an_optimizer_updates_biases():
    from nnsolve.api import load
    from nnsolve.problems.dense.checker import alternatives
    loaded = load({**dense_problem(), "optimizer": {"type": "sgd"}})
    statements = [statement for statement, _ in alternatives(loaded.model)]
    assert "the biases left frozen (only the weights updated)" in statements


def test_a_key_that_updated_only_the_weights_is_named_by_check():
    # the key's W2(2) comes from two updates that left the biases as they were (the second gradient differs)
    from nnsolve.check import check
    problem = {**dense_problem(), "optimizer": {"type": "sgd", "lr": 0.5, "steps": 2}}
    frozen = nnsolve.solve({**problem, "frozen": ["biases"]})
    answers = {"W2(2)": [[round(float(v), 6) for v in row] for row in frozen.value("W2(2)")]}
    result, = check(problem, answers=answers).results
    assert not result.ok and result.alternatives == ["the biases left frozen (only the weights updated)"]
