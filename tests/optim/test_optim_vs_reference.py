"""The variants PyTorch lacks, against the hand-written float64 textbook rules of optim_reference
(gradients from torch.autograd, updates written out from the papers' formulas)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from optim_reference import matrix, networks, perceptron_history, reference_history, vector
from test_optim_vs_torch import compare, exact_gradients_clear_of_zero

import nnsolve

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VARIANTS = [   # (nnsolve optimizer settings, reference kind, reference settings)
    ({"type": "momentum", "form": "sutskever", "lr": "0.1", "beta": "0.9"},
     "momentum", {"lr": 0.1, "beta": 0.9, "form": "sutskever"}),
    ({"type": "momentum", "form": "ema", "lr": "0.5", "beta": "0.8"},
     "momentum", {"lr": 0.5, "beta": 0.8, "form": "ema"}),
    ({"type": "nesterov", "form": "lookahead", "lr": "0.1", "beta": "0.9"},
     "momentum", {"lr": 0.1, "beta": 0.9, "form": "lookahead"}),
    ({"type": "nesterov", "form": "sutskever", "lr": "0.2", "beta": "0.5"},
     "momentum", {"lr": 0.2, "beta": 0.5, "form": "lookahead"}),
    ({"type": "adagrad", "lr": "0.1", "eps": "1e-6", "eps_inside_sqrt": True, "initial_accumulator": "0.5"},
     "adagrad", {"lr": 0.1, "eps": 1e-6, "inside": True, "G0": 0.5}),
    ({"type": "rmsprop", "lr": "0.01", "rho": "0.9", "eps": "1e-6", "eps_inside_sqrt": True},
     "rmsprop", {"lr": 0.01, "rho": 0.9, "eps": 1e-6, "inside": True}),
    ({"type": "adam", "lr": "0.1", "beta1": "0.9", "beta2": "0.99", "eps": "1e-8", "bias_correction": False},
     "adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "inside": False, "bias_correction": False}),
    ({"type": "adam", "lr": "0.05", "beta1": "0.8", "beta2": "0.999", "eps": "1e-4", "eps_inside_sqrt": True},
     "adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.999, "eps": 1e-4, "inside": True, "bias_correction": True}),
]


@pytest.mark.parametrize("ours, kind, cfg", VARIANTS, ids=[
    "momentum-sutskever", "momentum-ema", "nesterov-lookahead", "nesterov-sutskever", "adagrad-eps-inside",
    "rmsprop-eps-inside", "adam-no-bias-correction", "adam-eps-inside"])
@SETTINGS
@given(net=networks(), steps=st.integers(1, 3))
def test_matches_textbook_rule(ours, kind, cfg, net, steps):
    compare(net, {**ours, "steps": steps}, reference_history(net, kind, cfg, steps))


@pytest.mark.parametrize("variant", ["rprop+", "rprop-", "irprop+", "irprop-"])
@SETTINGS
@given(net=networks(activations=("sigmoid", "tanh")), steps=st.integers(2, 4),
       step_init=st.sampled_from(("0.1", "0.5", "1")))
def test_rprop_variants_match_igel_husken(variant, net, steps, step_init):
    # Large first steps overshoot, so signs flip and the backtracking branches are exercised.
    optimizer = {"type": "rprop", "variant": variant, "step_init": step_init, "steps": steps,
                 "eta_plus": "1.2", "eta_minus": "0.5", "step_min": "0.000001", "step_max": "50"}
    assume(exact_gradients_clear_of_zero(net, optimizer))
    cfg = {"variant": variant, "step_init": float(step_init), "eta_plus": 1.2, "eta_minus": 0.5,
           "step_min": 1e-6, "step_max": 50.0}
    compare(net, optimizer, reference_history(net, "rprop", cfg, steps))


@st.composite
def perceptrons(draw):
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    layout = draw(st.sampled_from(("in_out", "out_in")))
    W = draw(matrix(n_in, n_out) if layout == "in_out" else matrix(n_out, n_in))
    samples = draw(st.sampled_from((None, 2, 4)))
    x = draw(vector(n_in) if samples is None else matrix(samples, n_in))
    labels = st.sampled_from((0, 1))
    t = draw(st.lists(labels, min_size=n_out, max_size=n_out) if samples is None else
             st.lists(st.lists(labels, min_size=n_out, max_size=n_out), min_size=samples, max_size=samples))
    return layout, W, draw(vector(n_out)), x, t


@SETTINGS
@given(case=perceptrons(), steps=st.integers(1, 3), lr=st.sampled_from(("0.1", "1", "0.25")))
def test_perceptron_rule_matches_rosenblatt(case, steps, lr):
    layout, W, b, x, t = case
    problem = {"problem": "dense_network",
               "network": {"layout": layout, "layers": [
                   {"W": W, "b": b, "activation": {"name": "step", "threshold": 0, "output": "binary"}}]},
               "data": {"x": x, "target": t}, "loss": {"type": "half_sse"},
               "optimizer": {"type": "perceptron", "lr": lr, "steps": steps}}
    solution = nnsolve.solve(problem)
    for s, (W_ref, b_ref) in enumerate(perceptron_history(W, b, x, t, lr, layout, steps), start=1):
        assert solution.value(f"W1({s})").tolist() == W_ref
        assert solution.value(f"b1({s})").tolist() == b_ref

