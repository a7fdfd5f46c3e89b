"""Only what is asked is worked: a forward-only question gets no loss, no backward pass and no update in any
family that trains; a question about the loss gets no backward pass; attention's parameter counts appear when
asked; and only the conventions of what was worked are stated."""
from __future__ import annotations

import pytest
from test_every_loss_in_every_family import FAMILIES

import nnsolve

@pytest.mark.parametrize("family", FAMILIES)
def test_a_forward_only_question_works_no_loss_backward_or_update(family):
    problem, _, _ = FAMILIES[family]("mse")
    solution = nnsolve.solve({**problem, "optimizer": {"type": "adam", "steps": 2}, "ask": ["forward"]})
    assert not any(step.id.startswith(("dL/d", "loss")) or step.id.endswith("(1)") for step in solution.steps)
    labels = {label for label, _ in solution.conventions}
    assert not labels & {"loss", "optimizer", "hyperparameters", "updates", "gradient layout", "BPTT"}
    assert solution.asked and all(solution.has(i) for i in solution.asked)


@pytest.mark.parametrize("family", FAMILIES)
def test_a_question_about_the_loss_gets_no_backward_pass(family):
    problem, _, _ = FAMILIES[family]("mse")
    solution = nnsolve.solve({**problem, "ask": ["loss"]})
    assert solution.has("loss")
    assert not any(step.id.startswith("dL/d") for step in solution.steps)
    assert "loss" in {label for label, _ in solution.conventions}


def test_a_gradient_asked_is_worked_with_its_conventions():
    problem, _, _ = FAMILIES["dense_network"]("mse")
    solution = nnsolve.solve({**problem, "ask": ["dL/dW1"]})
    assert solution.has("dL/dW1")
    assert "gradient layout" in {label for label, _ in solution.conventions}


def test_attention_counts_its_parameters_only_when_asked():
    problem, _, _ = FAMILIES["attention"]("mse")
    assert not nnsolve.solve(problem).has("attention.params")
    asked = nnsolve.solve({**problem, "ask": ["output", "attention.params"]})
    # Q, K, V and the output projection: four 2×2 matrices, no biases given but counted with them: 4·(4 + 2)
    assert asked.value("attention.params")[()] == 24
