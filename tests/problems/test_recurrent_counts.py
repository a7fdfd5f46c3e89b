"""Recurrent layers in the architecture family: both parameter conventions (PyTorch against real torch
modules, Keras against the hand formulas), MACs per time step, and the hidden size solved from a total."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.engine.number import to_float
from nnsolve.problems.arch.recurrent import GATES, HiddenSize, HiddenSizeSpec, bias_vectors, recurrent_params

from cli_runner import invoke

KINDS = st.sampled_from(sorted(GATES))
SIZES = st.integers(1, 40)
TORCH_MODULE = {"simple_rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def _solve(tmp_path, text: str):
    path = tmp_path / "problem.yaml"
    path.write_text(text, encoding="utf-8")
    return nnsolve.solve(path)


def _layer_problem(kind: str, features: int, units: int, steps: int = 5, bias: bool = True,
                   reset_after: bool = True) -> str:
    return (f"problem: architecture\ninput: {{shape: [{steps}, {features}]}}\nlayers:\n"
            f"  - {{kind: {kind}, name: rec, units: {units}, bias: {str(bias).lower()}, "
            f"reset_after: {str(reset_after).lower()}}}\n"
            "ask: [rec.params_keras, rec.params_pytorch, rec.macs_per_step, rec.macs]\n")


def _value(solution, quantity):
    return int(to_float(solution.value(quantity)[()]))


@settings(max_examples=25, deadline=None)
@given(kind=KINDS, features=SIZES, units=SIZES, bias=st.booleans())
def test_pytorch_count_is_torchs(tmp_path_factory, kind, features, units, bias):
    torch = pytest.importorskip("torch")
    module = getattr(torch.nn, TORCH_MODULE[kind])(features, units, bias=bias)
    solution = _solve(tmp_path_factory.mktemp("p"), _layer_problem(kind, features, units, bias=bias))
    assert _value(solution, "rec.params_pytorch") == sum(p.numel() for p in module.parameters())


def test_the_issue_examples_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    solution = _solve(tmp_path, _layer_problem("lstm", 4, 3))
    # LSTM(4→3): Keras 4·(3·(4 + 3) + 3) = 96, PyTorch 4·(3·(4 + 3) + 2·3) = 108
    assert (_value(solution, "rec.params_keras"), _value(solution, "rec.params_pytorch")) == (96, 108)
    assert sum(p.numel() for p in torch.nn.LSTM(4, 3).parameters()) == 108


@pytest.mark.parametrize("kind, features, units, bias, reset_after, keras", [
    ("simple_rnn", 3, 5, True, True, 3 * 5 + 5 * 5 + 5),                 # W, V, b: 45
    ("simple_rnn", 4, 12, False, True, 4 * 12 + 12 * 12),                # 192
    ("lstm", 10, 20, False, True, 4 * (10 + 20) * 20),                   # four blocks, 2400
    ("lstm", 4, 3, True, True, 4 * (4 * 3 + 3 * 3 + 3)),                 # 96
    ("gru", 4, 3, True, False, 3 * (4 * 3 + 3 * 3 + 3)),                 # one bias per block: 72
    ("gru", 4, 3, True, True, 3 * (4 * 3 + 3 * 3 + 2 * 3)),              # reset_after: input and recurrent bias, 81
])
def test_keras_count_is_the_hand_formula(tmp_path, kind, features, units, bias, reset_after, keras):
    solution = _solve(tmp_path, _layer_problem(kind, features, units, bias=bias, reset_after=reset_after))
    assert _value(solution, "rec.params_keras") == keras


@settings(max_examples=25, deadline=None)
@given(kind=KINDS, features=SIZES, units=SIZES, steps=st.integers(1, 30))
def test_macs_per_step_and_per_sequence(tmp_path_factory, kind, features, units, steps):
    solution = _solve(tmp_path_factory.mktemp("m"), _layer_problem(kind, features, units, steps))
    # each of the G blocks is a (units × features) and a (units × units) matrix-vector product
    per_step = GATES[kind] * units * (features + units)
    assert _value(solution, "rec.macs_per_step") == per_step
    assert _value(solution, "rec.macs") == steps * per_step


def _hidden_size_problem(kind, features, total, biases="keras", output_units=0, exact=False) -> str:
    return (f"problem: architecture\ninput: {{shape: [15, {features}]}}\n"
            f"hidden_size: {{kind: {kind}, total_params: {total}, biases: {biases}, output_units: {output_units}, "
            f"exact: {str(exact).lower()}}}\n")


@settings(max_examples=30, deadline=None)
@given(kind=KINDS, features=SIZES, units=SIZES, convention=st.sampled_from(["keras", "pytorch", "none"]),
       output_units=st.integers(0, 5))
def test_hidden_size_round_trip(tmp_path_factory, kind, features, units, convention, output_units):
    b = 0 if convention == "none" else bias_vectors(kind, convention)
    total = recurrent_params(kind, features, units, b) + output_units * units + output_units
    solution = _solve(tmp_path_factory.mktemp("h"), _hidden_size_problem(kind, features, total, convention,
                                                                        output_units))
    assert _value(solution, "hidden_size") == units
    a, b_, c = (int(to_float(v)) for v in solution.value("hidden_size.coefficients"))
    assert a * units * units + b_ * units + c == 0
    assert _value(solution, "hidden_size.discriminant") == b_ * b_ - 4 * a * c


def test_no_integer_hidden_size_is_said(tmp_path):
    # 4h² + 16h − 181 = 0: discriminant 16² + 16·181 = 3152, not a square (56² = 3136)
    solution = _solve(tmp_path, _hidden_size_problem("lstm", 3, 181))
    assert "no integer hidden size gives 181" in solution.step("hidden_size").note
    assert to_float(solution.value("hidden_size")[()]) == pytest.approx((-16 + 3152 ** 0.5) / 8)
    assert HiddenSize(HiddenSizeSpec(kind="lstm", total_params=180), 3, "keras").integer == 5


def test_an_exact_impossible_total_is_a_located_error(tmp_path):
    path = tmp_path / "problem.yaml"
    path.write_text(_hidden_size_problem("lstm", 3, 181, exact=True), encoding="utf-8")
    run = invoke("solve", path)
    assert run.exit_code == 2, run.stderr
    message = run.stdout + run.stderr
    assert "hidden_size.total_params" in message and "181" in message and "line 3" in message
    assert "Traceback" not in message


def test_an_input_without_axes_is_refused_at_its_line(tmp_path):
    """The hidden size's input features default to the input's last axis: an input shape of [] has none (found by
    `make fuzz SEED=5`, an internal error before)."""
    path = tmp_path / "problem.yaml"
    path.write_text("problem: architecture\ninput:\n  shape: []\nhidden_size: {kind: lstm, total_params: 180}\n",
                    encoding="utf-8")
    run = invoke("solve", path)
    assert run.exit_code == 2, run.stderr
    assert "input.shape" in run.stderr and "line 3" in run.stderr
