"""Every optimizer PyTorch has, against torch.optim in float64 on random small networks: each
updated weight and bias after each of 1–3 updates agrees to 1e-10 relative."""
from __future__ import annotations

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from optim_reference import assert_close, history_from_torch, networks, reference_history

import nnsolve

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STEPS = st.integers(1, 3)
RATES = st.sampled_from(("0.5", "0.1", "0.05"))


def compare(net, optimizer: dict, history, keys=None) -> None:
    solution = nnsolve.solve(net.problem(optimizer))
    for s, params in enumerate(history, start=1):
        for key, value in zip(keys or net.keys(), params):
            assert_close(solution.value(f"{key}({s})"), value.numpy(), f"{key}({s})")


def stays_moderate(net, optimizer: dict, bound: float = 1e4) -> bool:
    solution = nnsolve.solve(net.problem(optimizer))
    return all(abs(v) < bound for step in solution.steps for v in step.value.reshape(-1))


def exact_gradients_clear_of_zero(net, optimizer: dict, allow_zero: bool = False) -> bool:
    """Rprop branches on signs: leave out draws where a gradient is 0 or within float noise of it."""
    solution = nnsolve.solve(net.problem(optimizer))
    return all(abs(v) > 1e-6 or (allow_zero and v == 0)
               for step in solution.steps if step.id.startswith("dL/d") and step.id[4] in "Wb"
               for v in step.value.reshape(-1))


CASES = {   # name → (nnsolve optimizer settings, torch.optim factory)
    "sgd": (lambda lr, b: {"type": "sgd", "lr": lr},
            lambda lr, b: lambda p: torch.optim.SGD(p, lr=lr)),
    "momentum": (lambda lr, b: {"type": "momentum", "lr": lr, "beta": b},
                 lambda lr, b: lambda p: torch.optim.SGD(p, lr=lr, momentum=b)),
    "nesterov": (lambda lr, b: {"type": "nesterov", "lr": lr, "beta": b},
                 lambda lr, b: lambda p: torch.optim.SGD(p, lr=lr, momentum=b, nesterov=True)),
    "adagrad": (lambda lr, b: {"type": "adagrad", "lr": lr, "initial_accumulator": "0.1"},
                lambda lr, b: lambda p: torch.optim.Adagrad(p, lr=lr, initial_accumulator_value=0.1)),
    "rmsprop": (lambda lr, b: {"type": "rmsprop", "lr": lr, "rho": b, "eps": "1e-8"},
                lambda lr, b: lambda p: torch.optim.RMSprop(p, lr=lr, alpha=b, eps=1e-8)),
    "adam": (lambda lr, b: {"type": "adam", "lr": lr, "beta1": b, "beta2": "0.999", "eps": "1e-8"},
             lambda lr, b: lambda p: torch.optim.Adam(p, lr=lr, betas=(b, 0.999), eps=1e-8)),
}


@pytest.mark.parametrize("name", list(CASES))
@SETTINGS
@given(net=networks(), steps=STEPS, lr=RATES, beta=st.sampled_from(("0.9", "0.5")))
def test_matches_torch_optim(name, net, steps, lr, beta):
    ours, theirs = CASES[name]
    # A run that diverges (weights of 1e7 after three SGD steps of η = 0.5 on a squared error) is where
    # float64 itself loses the 1e-10 we compare to; exam problems do not diverge, so skip those draws.
    assume(stays_moderate(net, {**ours(lr, beta), "steps": steps}))
    if name in ("adagrad", "rmsprop", "adam"):
        # g/(√(g²) + ε) with |g| near ε turns float64's relative error in g into the update itself (seen:
        # 2.6e-10 on an Adam step with |g| ~ 1e-8); exact zeros are fine, both sides give no step
        assume(exact_gradients_clear_of_zero(net, {**ours(lr, beta), "steps": steps}, allow_zero=True))
    compare(net, {**ours(lr, beta), "steps": steps},
            history_from_torch(net, theirs(float(lr), float(beta)), steps))


@SETTINGS
@given(net=networks(activations=("sigmoid", "tanh")), steps=st.integers(1, 4),
       step_init=st.sampled_from(("0.1", "0.5")))
def test_irprop_minus_matches_torch_rprop(net, steps, step_init):
    optimizer = {"type": "rprop", "variant": "irprop-", "step_init": step_init, "steps": steps}
    assume(exact_gradients_clear_of_zero(net, optimizer))
    compare(net, optimizer, history_from_torch(
        net, lambda p: torch.optim.Rprop(p, lr=float(step_init), etas=(0.5, 1.2), step_sizes=(1e-6, 50)), steps))


@pytest.mark.parametrize("kind, cfg, make", [
    ("momentum", {"lr": 0.1, "beta": 0.9, "form": "pytorch"}, lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("momentum", {"lr": 0.1, "beta": 0.9, "form": "nesterov_pytorch"},
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)),
    ("adagrad", {"lr": 0.1, "eps": 1e-10, "inside": False, "G0": 0.1},
     lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-10, initial_accumulator_value=0.1)),
    ("rmsprop", {"lr": 0.01, "rho": 0.9, "eps": 1e-8, "inside": False},
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8)),
    ("adam", {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "inside": False, "bias_correction": True},
     lambda p: torch.optim.Adam(p, lr=0.1, eps=1e-8)),
    ("rprop", {"variant": "irprop-", "step_init": 0.1, "eta_plus": 1.2, "eta_minus": 0.5, "step_min": 1e-6,
               "step_max": 50}, lambda p: torch.optim.Rprop(p, lr=0.1)),
])
@settings(max_examples=5, deadline=None)
@given(net=networks(activations=("sigmoid", "tanh")))
def test_the_hand_written_references_agree_with_torch(kind, cfg, make, net):
    """The references the other variants are checked against reproduce torch where torch has the rule."""
    ours = reference_history(net, kind, cfg, 3)
    for mine, theirs in zip(ours, history_from_torch(net, make, 3)):
        for a, b in zip(mine, theirs):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-13)
