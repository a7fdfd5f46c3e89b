"""Optimizer updates of the recurrent family and weights given per time step, against torch float64: the same
unrolled network written as a torch loop, trained by torch.optim (SGD, Adam) for one or two full-batch steps;
time_varying weights (W@1, W@2 …) against a loop that uses a different tensor at every step; the transpose mark
left out of BPTT formulas for numbers; a per-step list of the wrong length is a located error (exit 2)."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import torch
from hypothesis import assume, given, settings, strategies as st

from nnsolve import api
from nnsolve.engine.number import to_float
from nnsolve.render.text import render_text

from cli_runner import invoke

ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z}


def _solve(doc: dict, tmp: Path):
    path = tmp / "problem.json"
    path.write_text(json.dumps(doc))
    return api.solve(api.load(path))


def _close(solution, qid, tensor):
    value = solution.value(qid)
    got = np.vectorize(to_float, otypes=[float])(value) if np.ndim(value) else to_float(value[()])
    assert np.allclose(got, tensor.detach().numpy(), rtol=1e-10, atol=1e-10), (qid, got, tensor)


def _decimals(rng, shape):
    return np.round(rng.uniform(-1, 1, size=shape), 1)


def _unrolled_loss(T, xs, h0, targets, f, per_step):
    """Elman cell hₜ = f(Wₜxₜ + Vₜhₜ₋₁ + bₜ), linear output yₜ = Uₜhₜ, ½-free mean squared error summed over t."""
    h, loss = torch.tensor(h0), 0
    for t in range(len(xs)):
        w = {k: (v[t] if per_step else v) for k, v in T.items()}
        h = ACT[f](w["W"] @ torch.tensor(xs[t]) + w["V"] @ h + w["b"])
        y = w["U"] @ h
        loss = loss + ((y - torch.tensor(targets[t])) ** 2).mean()
    return loss


def _problem(arrays, xs, h0, targets, f, per_step, optimizer=None):
    doc = {"problem": "recurrent", "weights": {k: v.tolist() for k, v in arrays.items()},
           "x": xs.tolist(), "h0": h0.tolist(), "cell": {"activation": f, "bias": "b"},
           "output": {"weight": "U"}, "loss": {"type": "mse", "targets": targets.tolist()}}
    if per_step:
        doc["time_varying"] = True
    if optimizer:
        doc["optimizer"] = optimizer
    return doc


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), hidden=st.integers(1, 2), steps=st.integers(1, 3),
       f=st.sampled_from(["tanh", "sigmoid", "identity"]), kind=st.sampled_from(["sgd", "adam"]),
       updates=st.integers(1, 2), per_step=st.booleans())
def test_optimizer_steps_against_torch_optim(tmp_path_factory, seed, hidden, steps, f, kind, updates, per_step):
    rng = np.random.default_rng(seed)
    lead = (steps,) if per_step else ()
    arrays = {"W": _decimals(rng, lead + (hidden, 2)), "V": _decimals(rng, lead + (hidden, hidden)),
              "b": _decimals(rng, lead + (hidden,)), "U": _decimals(rng, lead + (1, hidden))}
    xs, h0, targets = _decimals(rng, (steps, 2)), _decimals(rng, hidden), _decimals(rng, (steps, 1))
    optimizer = {"type": kind, "lr": 0.1, "steps": updates}
    s = _solve(_problem(arrays, xs, h0, targets, f, per_step, optimizer), tmp_path_factory.mktemp("train"))
    T = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    opt = torch.optim.SGD(T.values(), lr=0.1) if kind == "sgd" else torch.optim.Adam(T.values(), lr=0.1, eps=1e-8)
    for k in range(1, updates + 1):
        opt.zero_grad()
        loss = _unrolled_loss(T, xs, h0, targets, f, per_step)
        loss.backward()
        if kind == "adam":  # Adam divides g by |g| + ε: a float-noise gradient (|g| ≲ ε) moves a full step
            assume(all(((T[n].grad.abs() > 1e-6) | (T[n].grad == 0)).all() for n in T))
        _close(s, "loss" if k == 1 else f"loss({k - 1})", loss)
        opt.step()
        for name, tensor in T.items():
            if per_step:
                for t in range(steps):
                    _close(s, f"{name}@{t + 1}({k})", tensor[t])
            else:
                _close(s, f"{name}({k})", tensor)


def test_time_varying_gradients_are_one_term_per_step(tmp_path):
    # hₜ = Wₜxₜ + Vₜhₜ₋₁ (identity), L = h₂, h₀ = 1, x = (1, 2), W = (3, 5), V = (7, 11):
    # h₁ = 3 + 7 = 10, h₂ = 10 + 11·10 = 120; ∂L/∂W@2 = x₂ = 2, ∂L/∂V@2 = h₁ = 10,
    # ∂L/∂W@1 = V@2·x₁ = 11, ∂L/∂V@1 = V@2·h₀ = 11, ∂L/∂h₀ = V@2·V@1 = 77
    s = _solve({"problem": "recurrent", "time_varying": True, "weights": {"W": [3, 5], "V": [7, 11]},
                "x": [1, 2], "h0": 1, "cell": {"activation": "identity"}, "differentiate": "h2"}, tmp_path)
    got = {q: s.value(q)[()] for q in ["h1", "h2", "dL/dW@2", "dL/dV@2", "dL/dW@1", "dL/dV@1", "dL/dh0"]}
    assert got == {"h1": 10, "h2": 120, "dL/dW@2": 2, "dL/dV@2": 10, "dL/dW@1": 11, "dL/dV@1": 11, "dL/dh0": 77}
    assert any(name == "weights over time" for name, _ in s.conventions)


def test_number_weights_print_no_transpose(tmp_path):
    s = _solve({"problem": "recurrent", "weights": {"W": 1, "V": -2}, "x": [2, 1.5], "h0": 2,
                "cell": {"activation": "relu"}, "differentiate": "h2"}, tmp_path)
    text = render_text(s)
    assert "ᵀ" not in text and "∂L/∂h₁ = V·(∂L/∂z₂)" in text, text
    # vectors keep it: ∂L/∂hₜ₋₁ = Vᵀ·δ is a real transpose
    v = _solve({"problem": "recurrent", "weights": {"W": [[1, 0], [0, 1]], "V": [[0.5, 0], [0, 0.5]]},
                "x": [[1, 2], [3, 4]], "h0": [0, 0], "cell": {"activation": "tanh"}, "differentiate": "h2"},
               tmp_path)
    assert "Vᵀ·" in render_text(v)


def test_per_step_list_of_the_wrong_length_is_located(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(textwrap.dedent("""\
        problem: recurrent
        time_varying: true
        weights:
          W: [1, 2, 3]
          V: [1, 2]
        x: [1, 2, 3]
        h0: 0
        """))
    result = invoke("solve", path)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert "expected one entry per time step (3)" in result.stderr and "(line 5)" in result.stderr, result.stderr
