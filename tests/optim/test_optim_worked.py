"""Worked solutions of the optimizers: their steps appear under their ids with formulas, the header
states the rule, settings that do not apply are refused, and small cases give hand-derived exact values."""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve
from nnsolve.problems import ProblemError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "optimizers"


def _text_formula(solution, quantity_id: str) -> str:
    step = solution.step(quantity_id)
    return step.formula.fill(False, lambda i: solution.step(i).text_symbol)


@pytest.mark.parametrize("name, ids, formulas, header", [
    ("sgd", ["eta", "W1(1)", "b2(3)", "dL/dW1(2)", "loss(3)"], {"W1(1)": "W₁ − η·∂L/∂W₁"}, "SGD"),
    ("momentum", ["beta", "v0", "v.W1(1)", "v.b2(3)", "W2(3)"],
     {"v.W1(2)": "β·v_W₁⁽¹⁾ + ∂L/∂W₁⁽¹⁾", "W1(2)": "W₁⁽¹⁾ − η·v_W₁⁽²⁾"}, "momentum, PyTorch form"),
    ("nesterov", ["W1(ahead2)", "u1(ahead2)", "loss(ahead2)", "dL/dW1(ahead2)", "v.W1(3)", "W2(3)"],
     {"W1(ahead2)": "W₁⁽¹⁾ + β·v_W₁⁽¹⁾", "v.W1(2)": "β·v_W₁⁽¹⁾ − η·∂L/∂W̃₁⁽²⁾"}, "Nesterov, look-ahead form"),
    ("adagrad", ["G0", "G.W1(1)", "G.W2(2)", "W2(2)"],
     {"G.W1(2)": "G_W₁⁽¹⁾ + (∂L/∂W₁⁽¹⁾)²", "W1(1)": "W₁ − η·∂L/∂W₁ / (√G_W₁⁽¹⁾ + ε)"}, "Adagrad, ε outside √"),
    ("rmsprop", ["rho", "s0", "s.W1(1)", "s.b2(2)"], {"s.W1(1)": "ρ·s₀ + (1 − ρ)·(∂L/∂W₁)²"},
     "RMSProp, ε outside √"),
    ("adam", ["beta1", "beta2", "m.W1(1)", "s.W1(1)", "m_hat.W1(3)", "s_hat.b2(3)", "W1(3)"],
     {"m_hat.W1(3)": "m_W₁⁽³⁾ / (1 − β₁³)", "W1(1)": "W₁ − η·m̂_W₁⁽¹⁾ / (√ŝ_W₁⁽¹⁾ + ε)"},
     "Adam, bias-corrected, ε outside √"),
    ("rprop", ["step_init", "step.W1(1)", "sign.W1(2)", "step.W1(2)", "g.W1(2)", "change.W1(2)", "W1(4)"],
     {"sign.W1(2)": "sign(∂L/∂W₁ ⊙ ∂L/∂W₁⁽¹⁾)", "W1(2)": "W₁⁽¹⁾ + ΔW₁⁽²⁾"}, "Rprop⁺"),
    ("perceptron", ["error", "change.W1(1)", "change.b1(1)", "W1(1)", "error(1)", "W1(2)"],
     {"error": "T − ŷ", "change.W1(1)": "η·Xᵀ·E", "change.b1(1)": "η·Σₙ Eₙ"}, "perceptron rule"),
])
def test_example_shows_each_step(name, ids, formulas, header):
    solution = nnsolve.solve(EXAMPLES / f"{name}.yaml")
    for quantity in ids:
        assert solution.has(quantity), quantity
    for quantity, expected in formulas.items():
        assert _text_formula(solution, quantity) == expected
    states = [s for s in solution.steps
              if "." in s.id or s.id.startswith("error") or re.fullmatch(r"[Wb]\d+\(\d+\)", s.id)]
    assert states and all(s.section.startswith("Update") for s in states)
    conventions = dict(solution.conventions)
    assert conventions["optimizer"].startswith(header)
    assert "hyperparameters" in conventions


def test_every_optimizer_family_has_an_example():
    from nnsolve.optim import OPTIMIZERS
    assert {p.stem for p in EXAMPLES.glob("*.yaml")} == set(OPTIMIZERS)


def _one_weight(optimizer: dict) -> dict:
    # u = w·x with w = 1, x = 2, t = 1 and L = ½(u − t)²: u = 2, ∂L/∂w = (u − t)·x = 2.
    return {"problem": "dense_network",
            "network": {"layout": "in_out", "layers": [{"W": [[1]], "activation": "identity"}]},
            "data": {"x": [2], "target": [1]}, "loss": {"type": "half_sse"}, "optimizer": optimizer}


@pytest.mark.parametrize("optimizer, expected", [
    # w − η·g = 1 − 0.1·2
    ({"type": "sgd", "lr": "0.1"}, {"W1(1)": Fraction(4, 5)}),
    # update 2: u = 1.6, g = 0.6·2 = 1.2, v = 0.9·2 + 1.2 = 3, w = 0.8 − 0.1·3
    ({"type": "momentum", "lr": "0.1", "beta": "0.9", "steps": 2},
     {"v.W1(1)": 2, "W1(1)": Fraction(4, 5), "v.W1(2)": 3, "W1(2)": Fraction(1, 2)}),
    # v₁ = −0.2, w₁ = 0.8; w̃ = 0.8 + 0.9·(−0.2) = 0.62, u = 1.24, g̃ = 0.48, v₂ = −0.18 − 0.048, w₂ = 0.8 − 0.228
    ({"type": "nesterov", "form": "lookahead", "lr": "0.1", "beta": "0.9", "steps": 2},
     {"W1(ahead2)": Fraction(62, 100), "dL/dW1(ahead2)": Fraction(48, 100), "v.W1(2)": Fraction(-228, 1000),
      "W1(2)": Fraction(572, 1000)}),
    # with ε = 0 the first Adam and Adagrad steps are η·sign(g): m̂ = g, ŝ = g², √ŝ = |g| exactly
    ({"type": "adam", "lr": "0.1", "eps": "0"}, {"m_hat.W1(1)": 2, "s_hat.W1(1)": 4, "W1(1)": Fraction(9, 10)}),
    ({"type": "adagrad", "lr": "0.1", "eps": "0"}, {"G.W1(1)": 4, "W1(1)": Fraction(9, 10)}),
    # s = 0.01·4 = 0.04, √s = 0.2, w = 1 − 0.1·2/0.2
    ({"type": "rmsprop", "lr": "0.1", "rho": "0.99", "eps": "0"}, {"s.W1(1)": Fraction(1, 25), "W1(1)": 0}),
    # first Rprop step: w − sign(g)·Δ₀
    ({"type": "rprop", "step_init": "0.1"}, {"step.W1(1)": Fraction(1, 10), "W1(1)": Fraction(9, 10)}),
])
def test_hand_derived_exact_values(optimizer, expected):
    solution = nnsolve.solve(_one_weight(optimizer))
    for quantity, value in expected.items():
        assert solution.value(quantity).reshape(-1)[0] == value, quantity


def test_perceptron_example_by_hand():
    # Only the sample (1, 0) is misclassified (u = 0.2 − 0.1 = 0.1 ≥ 0 gives y = 1, t = 0): e = −1 there,
    # so ΔW = 0.1·(−1)·[1, 0]ᵀ and Δb = −0.1.
    solution = nnsolve.solve(EXAMPLES / "perceptron.yaml")
    assert solution.value("W1(1)").tolist() == [[Fraction(1, 10)], [Fraction(-1, 10)]]
    assert solution.value("b1(1)").tolist() == [Fraction(-2, 10)]
    assert not any(i.startswith("dL/d") for i in solution.ids)      # t − y, not a gradient


def test_no_correction_and_eps_inside_are_stated():
    solution = nnsolve.solve(_one_weight({"type": "adam", "bias_correction": False, "eps_inside_sqrt": True}))
    assert not solution.has("m_hat.W1(1)")
    assert dict(solution.conventions)["optimizer"].startswith("Adam, without bias correction, ε inside √")
    assert _text_formula(solution, "W1(1)") == "W₁ − η·m_W₁⁽¹⁾ / √(s_W₁⁽¹⁾ + ε)"


def test_superscript_layer_notation_keeps_one_superscript_per_base():
    problem = {**_one_weight({"type": "rprop"}), "notation": {"layer_index": "superscript"}}
    solution = nnsolve.solve(problem)
    assert solution.step("W1(1)").latex_symbol == "W^{(1)}{}^{[1]}"
    assert solution.step("change.W1(1)").latex_symbol == r"\Delta W^{(1)}{}^{[1]}"


def test_zero_gradient_with_zero_eps_keeps_the_weight():
    problem = _one_weight({"type": "adam", "eps": "0"})
    problem["data"] = {"x": [0], "target": [0]}
    solution = nnsolve.solve(problem)
    assert solution.value("W1(1)").reshape(-1)[0] == 1
    assert "taken as 0" in solution.step("W1(1)").note


def test_rounded_intermediates_round_the_optimizer_state():
    solution = nnsolve.solve(EXAMPLES / "adam.yaml", round_intermediates=3)
    value = solution.value("m_hat.W1(2)").reshape(-1)[0]
    assert value == round(value, 3)


@pytest.mark.parametrize("optimizer, message", [
    ({"type": "adam", "beta": "0.9"}, "optimizer.beta: does not apply to adam"),
    ({"type": "rprop", "lr": "0.1"}, "optimizer.lr: does not apply to rprop"),
    ({"type": "nesterov", "form": "ema"}, "optimizer.form: nesterov has the forms"),
    ({"type": "momentum", "form": "lookahead"}, "optimizer.form: momentum has the forms"),
    ({"type": "adam", "beta2": "1"}, "optimizer.beta2: must lie in [0, 1)"),
    ({"type": "rprop", "eta_minus": "1.5"}, "optimizer.eta_minus"),
    ({"type": "rprop", "step_init": "100"}, "optimizer.step_init: needs 0 ≤ step_min ≤ step_init ≤ step_max"),
    ({"type": "adagrad", "initial_accumulator": "-1"}, "optimizer.initial_accumulator"),
    ({"type": "sgd", "lr": "0"}, "optimizer.lr: the learning rate must be positive"),
])
def test_settings_that_cannot_apply_are_located_errors(optimizer, message):
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(_one_weight(optimizer))
    assert message in str(caught.value)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rprop"])
def test_every_optimizer_names_the_updated_weight_with_the_update_as_a_superscript(kind):
    solution = nnsolve.solve({**_one_weight({"type": kind, "steps": 2}), "ask": ["W1(2)", "loss(2)"]})
    assert solution.step("W1(1)").text_symbol == "W₁⁽¹⁾"
    assert solution.step("W1(2)").latex_symbol == "W_{1}^{(2)}"
    assert solution.step("loss(2)").text_symbol == "L⁽²⁾"
    assert solution.step("u1(1)").text_symbol == "u₁⁽¹⁾"
