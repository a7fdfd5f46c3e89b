"""LSTM and GRU steps and gradients against PyTorch float64: nn.LSTM / nn.GRU for the hidden and cell
states and the weight gradients, a hand-written torch loop (same equations, autograd) for every gate and
for the variants torch has no module for (the original GRU, one bias per gate)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve
from nnsolve.engine.number import to_float

TOL = 1e-10
entry = st.integers(-8, 8).map(lambda k: Fraction(k, 8))


def matrix(draw, rows, cols):
    return [[draw(entry) for _ in range(cols)] for _ in range(rows)]


@st.composite
def cells(draw, cell):
    gates = 4 if cell == "lstm" else 3
    hidden, width, steps = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return {
        "problem": "gated_rnn", "cell": cell,
        "x": matrix(draw, steps, width), "h0": [draw(entry) for _ in range(hidden)],
        **({"c0": [draw(entry) for _ in range(hidden)]} if cell == "lstm" else {}),
        "weights": {"input": matrix(draw, gates * hidden, width), "recurrent": matrix(draw, gates * hidden, hidden),
                    "bias": [draw(entry) for _ in range(gates * hidden)],
                    "recurrent_bias": [draw(entry) for _ in range(gates * hidden)]},
        "target": matrix(draw, steps, hidden), "loss": {"type": "half_sse"},
    }


def t64(v):
    return torch.tensor(np.array(v, dtype=float), dtype=torch.float64)


def value(solution, qid):
    return np.array([to_float(v) for v in np.ravel(solution.value(qid))])


def close(solution, qid, expected):
    got, want = value(solution, qid), np.ravel(expected.detach().numpy())
    assert got.shape == want.shape, qid
    assert np.allclose(got, want, atol=TOL, rtol=0), (qid, got, want)


def run_module(problem):
    cell = problem["cell"]
    w = problem["weights"]
    hidden, width = len(problem["h0"]), len(problem["x"][0])
    module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(width, hidden).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(t64(w["input"]))
        module.weight_hh_l0.copy_(t64(w["recurrent"]))
        module.bias_ih_l0.copy_(t64(w["bias"]))
        module.bias_hh_l0.copy_(t64(w["recurrent_bias"]))
    x = t64(problem["x"]).unsqueeze(1)
    h0 = t64(problem["h0"]).reshape(1, 1, hidden).requires_grad_()
    state = (h0, t64(problem["c0"]).reshape(1, 1, hidden).requires_grad_()) if cell == "lstm" else h0
    out, last = module(x, state)
    loss = 0.5 * ((out.squeeze(1) - t64(problem["target"])) ** 2).sum()
    loss.backward()
    return module, out.squeeze(1), last, loss, h0


@settings(max_examples=30, deadline=None)
@given(cells("lstm"))
def test_lstm_matches_torch(problem):
    solution = solve(problem)
    module, out, (h_last, c_last), loss, h0 = run_module(problem)
    hidden, steps = len(problem["h0"]), len(problem["x"])
    for t in range(steps):
        close(solution, f"h{t + 1}", out[t])
    close(solution, f"c{steps}", c_last)
    close(solution, "loss", loss)
    close(solution, "dL/dh0", h0.grad)
    for k, gate in enumerate("ifgo"):
        rows = slice(k * hidden, (k + 1) * hidden)
        close(solution, f"dL/dW_{gate}", module.weight_ih_l0.grad[rows])
        close(solution, f"dL/dU_{gate}", module.weight_hh_l0.grad[rows])
        close(solution, f"dL/db_{gate}", module.bias_ih_l0.grad[rows])
        close(solution, f"dL/dbh_{gate}", module.bias_hh_l0.grad[rows])
    # every gate, from the same equations written out in torch
    w = {k: t64(v) for k, v in problem["weights"].items()}
    h, c = t64(problem["h0"]), t64(problem["c0"])
    for t, x in enumerate(t64(problem["x"]), 1):
        z = w["input"] @ x + w["recurrent"] @ h + w["bias"] + w["recurrent_bias"]
        i, f, g, o = z.split(hidden)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        for name, v in zip("ifgoch", (i, f, g, o, c, h)):
            close(solution, f"{name}{t}", v)


def gru_loop(problem, reset, two_biases=True):
    """The GRU by hand (r, z, n stacked), returning every gate per step and the loss."""
    w = {k: t64(v).requires_grad_() for k, v in problem["weights"].items()}
    hidden = len(problem["h0"])
    h = t64(problem["h0"])
    found, loss = [], 0
    for x, target in zip(t64(problem["x"]), t64(problem["target"])):
        W, U = w["input"].split(hidden), w["recurrent"].split(hidden)
        b = w["bias"].split(hidden)
        bh = w["recurrent_bias"].split(hidden) if two_biases else (0, 0, 0)
        r = torch.sigmoid(W[0] @ x + U[0] @ h + b[0] + bh[0])
        z = torch.sigmoid(W[1] @ x + U[1] @ h + b[1] + bh[1])
        if reset == "after":
            n = torch.tanh(W[2] @ x + b[2] + r * (U[2] @ h + bh[2]))
        else:
            n = torch.tanh(W[2] @ x + U[2] @ (r * h) + b[2] + bh[2])
        h = (1 - z) * n + z * h
        found.append({"r": r, "z": z, "n": n, "h": h})
        loss = loss + 0.5 * ((h - target) ** 2).sum()
    loss.backward()
    return found, loss, w


@settings(max_examples=30, deadline=None)
@given(cells("gru"))
def test_gru_matches_torch(problem):
    solution = solve(problem)
    module, out, h_last, loss, h0 = run_module(problem)
    hidden = len(problem["h0"])
    for t in range(len(problem["x"])):
        close(solution, f"h{t + 1}", out[t])
    close(solution, "loss", loss)
    close(solution, "dL/dh0", h0.grad)
    for k, gate in enumerate("rzn"):
        rows = slice(k * hidden, (k + 1) * hidden)
        close(solution, f"dL/dW_{gate}", module.weight_ih_l0.grad[rows])
        close(solution, f"dL/dU_{gate}", module.weight_hh_l0.grad[rows])
        close(solution, f"dL/dbh_{gate}", module.bias_hh_l0.grad[rows])
    found, _, _ = gru_loop(problem, "after")
    for t, gates in enumerate(found, 1):
        for name, v in gates.items():
            close(solution, f"{name}{t}", v)


@settings(max_examples=25, deadline=None)
@given(cells("gru"), st.booleans())
def test_original_gru_and_one_bias_match_a_torch_loop(problem, two_biases):
    problem = {**problem, "reset": "before"}
    if not two_biases:
        problem["weights"] = {k: v for k, v in problem["weights"].items() if k != "recurrent_bias"}
    solution = solve(problem)
    found, loss, w = gru_loop({**problem, "weights": {**problem["weights"], "recurrent_bias":
                                                     problem["weights"].get("recurrent_bias", [0])}},
                              "before", two_biases)
    hidden = len(problem["h0"])
    for t, gates in enumerate(found, 1):
        for name, v in gates.items():
            close(solution, f"{name}{t}", v)
    close(solution, "loss", loss)
    for k, gate in enumerate("rzn"):
        rows = slice(k * hidden, (k + 1) * hidden)
        close(solution, f"dL/dW_{gate}", w["input"].grad[rows])
        close(solution, f"dL/dU_{gate}", w["recurrent"].grad[rows])
        close(solution, f"dL/db_{gate}", w["bias"].grad[rows])
