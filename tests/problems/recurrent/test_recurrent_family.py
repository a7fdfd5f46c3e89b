"""The recurrent family against torch float64: nn.RNN (tanh, relu) with a squared-error loss over every hₜ,
a hand-written torch loop for Jordan feedback, identity/sigmoid cells and an output layer; and located
errors (a sequence of the wrong width, a missing h₀) with exit code 2."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from problems.bad_input import cli_rejects
import torch
from hypothesis import assume, given, settings, strategies as st

from nnsolve.engine.number import to_float
from problems.solving import solve_text  # noqa: E402



def _decimals(rng, shape):
    return np.round(rng.uniform(-1, 1, size=shape), 1)


def _close(solution, qid, tensor):
    got = np.array(to_float_all(solution.value(qid)), dtype=float)
    assert np.allclose(got, tensor.detach().numpy(), rtol=1e-10, atol=1e-10), (qid, got, tensor)


def to_float_all(value):
    return np.vectorize(to_float, otypes=[float])(value) if np.ndim(value) else to_float(value[()])


def _yaml(weights, xs, h0, cell, extra=""):
    doc = {"problem": "recurrent", "weights": {k: v.tolist() for k, v in weights.items()},
           "x": [x.tolist() for x in xs], "h0": h0.tolist(), "cell": cell}
    return json.dumps(doc)[:-1] + extra + "}"


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n_in=st.integers(1, 3), hidden=st.integers(1, 3), steps=st.integers(1, 3),
       nonlinearity=st.sampled_from(["tanh", "relu"]))
def test_elman_against_torch_rnn(tmp_path_factory, seed, n_in, hidden, steps, nonlinearity):
    rng = np.random.default_rng(seed)
    W, V, b = _decimals(rng, (hidden, n_in)), _decimals(rng, (hidden, hidden)), _decimals(rng, hidden)
    xs, h0, targets = _decimals(rng, (steps, n_in)), _decimals(rng, hidden), _decimals(rng, (steps, hidden))
    rnn = torch.nn.RNN(n_in, hidden, nonlinearity=nonlinearity, dtype=torch.float64)
    with torch.no_grad():   # torch has two biases: b_ih carries ours, b_hh is zero (their sum is what counts)
        rnn.weight_ih_l0.copy_(torch.tensor(W)), rnn.weight_hh_l0.copy_(torch.tensor(V))
        rnn.bias_ih_l0.copy_(torch.tensor(b)), rnn.bias_hh_l0.zero_()
    x = torch.tensor(xs, requires_grad=True)
    start = torch.tensor(h0, requires_grad=True)
    out, _ = rnn(x.unsqueeze(1), start.view(1, 1, -1))
    if nonlinearity == "relu":
        # A pre-activation that is exactly 0 sits on ReLU's kink: nnsolve takes its stated ReLU'(0) there,
        # torch sees ±5.6e-17 after float rounding and takes 1 or 0, so such draws are redrawn (the kink's
        # convention is tested in tests/ops/test_activations_vs_torch.py). Any other pre-activation is a
        # multiple of 10⁻⁴ (one-decimal numbers, at most three steps), so 1e-9 tells the two apart.
        previous = torch.cat([start.view(1, -1), out[:-1, 0]]).detach().numpy()
        assume(np.abs(xs @ W.T + previous @ V.T + b).min() > 1e-9)
    loss = ((out.squeeze(1) - torch.tensor(targets)) ** 2).sum()
    loss.backward()
    extra = ', "loss": {"type": "sse", "over": "h", "targets": %s}' % json.dumps(targets.tolist())
    s = solve_text(_yaml({"W": W, "V": V, "b": b}, xs, h0, {"activation": nonlinearity, "bias": "b"}, extra),
                   tmp_path_factory.mktemp("rnn"))
    for t in range(steps):
        _close(s, f"h{t + 1}", out[t, 0])
        _close(s, f"dL/dx{t + 1}", x.grad[t])
    _close(s, "loss", loss)
    _close(s, "dL/dW", rnn.weight_ih_l0.grad)
    _close(s, "dL/dV", rnn.weight_hh_l0.grad)
    _close(s, "dL/db", rnn.bias_ih_l0.grad)
    _close(s, "dL/dh0", start.grad)


ACT = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda z: z, "relu": torch.relu}


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n_in=st.integers(1, 3), hidden=st.integers(1, 3), steps=st.integers(1, 3),
       f=st.sampled_from(["tanh", "sigmoid", "identity"]), g=st.sampled_from(["sigmoid", "identity"]),
       feedback=st.sampled_from(["hidden", "output"]))
def test_elman_and_jordan_against_a_torch_loop(tmp_path_factory, seed, n_in, hidden, steps, f, g, feedback):
    rng = np.random.default_rng(seed)
    fed = 2 if feedback == "output" else hidden         # Jordan feeds back a 2-unit output
    arrays = {"W": _decimals(rng, (hidden, n_in)), "V": _decimals(rng, (hidden, fed)), "b": _decimals(rng, hidden),
              "U": _decimals(rng, (2, hidden)), "c": _decimals(rng, 2)}
    xs, h0, y0 = _decimals(rng, (steps, n_in)), _decimals(rng, hidden), _decimals(rng, 2)
    targets = _decimals(rng, (steps, 2))
    extra = (', "y0": %s, "output": {"weight": "U", "bias": "c", "activation": "%s"}, "loss": {"type": "mse", '
             '"targets": %s}' % (json.dumps(y0.tolist()), g, json.dumps(targets.tolist())))
    s = solve_text(_yaml(arrays, xs, h0, {"activation": f, "bias": "b", "feedback": feedback}, extra),
                   tmp_path_factory.mktemp("jordan"))
    T = {k: torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
    x = torch.tensor(xs, requires_grad=True)
    h, y = torch.tensor(h0, requires_grad=True), torch.tensor(y0, requires_grad=True)
    start_h, start_y = h, y
    hs, ys, loss = [], [], 0
    for t in range(steps):
        h = ACT[f](T["W"] @ x[t] + T["V"] @ (y if feedback == "output" else h) + T["b"])
        y = ACT[g](T["U"] @ h + T["c"])
        hs.append(h), ys.append(y)
        loss = loss + ((y - torch.tensor(targets[t])) ** 2).mean()
    loss.backward()
    for t in range(steps):
        _close(s, f"h{t + 1}", hs[t])
        _close(s, f"y{t + 1}", ys[t])
    _close(s, "loss", loss)
    for k in arrays:
        _close(s, f"dL/d{k}", T[k].grad)
    if feedback == "hidden":
        _close(s, "dL/dh0", start_h.grad)
    else:   # Jordan: h₀ is never used, y₀ is what is fed back
        _close(s, "dL/dy0", start_y.grad)


def test_step_cell_derivative_convention(tmp_path):
    # hₜ = step(w xₜ + v hₜ₋₁): step' is the stated convention (here 0), so every gradient is 0 by hand
    s = solve_text(textwrap.dedent("""\
        problem: recurrent
        weights: {w: 2, v: -1}
        x: [1, 0.5]
        h0: 0
        cell: {activation: step, input_weight: w, recurrent_weight: v}
        differentiate: h2
        """), tmp_path)
    # z₁ = 2·1 = 2 ≥ 0 → 1; z₂ = 2·0.5 − 1·1 = 0 ≥ 0 → 1 (the default step is high at the threshold)
    assert [s.value("h1")[()], s.value("h2")[()]] == [1, 1]
    assert s.value("dL/dw")[()] == 0 and s.value("dL/dv")[()] == 0


GOOD = """\
problem: recurrent
weights:
  W: [[1, 0], [0, 1]]
  V: [[0.5, 0], [0, 0.5]]
x:
  - [1, 2]
  - [3, 4]
h0: [0, 0]
cell: {activation: tanh}
"""
BAD = {
    "sequence width": (("  - [3, 4]", "  - [3, 4, 5]"), "x[1]: x2 has 3 value(s) but x1 has 2", 7),
    "missing h0": (("h0: [0, 0]\n", ""), "h0", None),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_located_and_exits_2(tmp_path, name):
    (old, new), message, line = BAD[name]
    assert old in GOOD
    cli_rejects(tmp_path, GOOD.replace(old, new), message, line)
