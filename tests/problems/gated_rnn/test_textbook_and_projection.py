"""Textbook sheets that number the LSTM's gates (g₁ output, g₂ forget, g₃ input, c̃ the candidate: BITS 001,
lines 583–596) give the PyTorch cell's numbers under their own names; an LSTM whose cell is wider than its
hidden state (PyTorch proj_size) against torch.nn.LSTM(proj_size=…) in float64; bad input for both."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from nnsolve.api import solve
from nnsolve.cli import app

from test_cells_vs_torch import close, entry, matrix, t64, value

NUMBERED = {"o": "g1", "f": "g2", "i": "g3", "g": "c"}
PER_GATE = {"i": ([[0.1, -0.2]], [[0.3]], [0.1]), "f": ([[0.5, 0.3]], [[-0.2]], [0]),
            "g": ([[-0.4, 0.2]], [[0.6]], [0.2]), "o": ([[0.9, 0.1]], [[0.4]], [-0.1])}
BASE = {"problem": "gated_rnn", "cell": "lstm", "x": [[1, 0.5], [-1, 2], [0.5, 0]], "h0": [0.2], "c0": [-0.1],
        "target": [[0.1], [0.3], [-0.2]], "loss": {"type": "half_sse"}}


def test_numbered_textbook_gates_give_the_pytorch_numbers_under_their_names():
    pytorch = {**BASE, "gates": {g: {"input": w, "recurrent": u, "bias": b} for g, (w, u, b) in PER_GATE.items()}}
    textbook = {**BASE, "formulation": "textbook",
                "gates": {NUMBERED[g]: {"input": w, "recurrent": u, "bias": b} for g, (w, u, b) in PER_GATE.items()}}
    a, b = solve(pytorch), solve(textbook)
    ids = {"g1": "o", "g2": "f", "g3": "i"}
    for t in (1, 2, 3):
        pairs = [(f"{n}_{t}", f"{role}{t}") for n, role in ids.items()]
        pairs += [(f"c_tilde{t}", f"g{t}"), (f"uc_tilde{t}", f"ug{t}"), (f"c{t}", f"c{t}"), (f"h{t}", f"h{t}")]
        for mine, theirs in pairs:
            assert np.array_equal(value(b, mine), value(a, theirs)), (mine, theirs)
    for n, role in {**ids, "c": "g"}.items():
        assert np.array_equal(value(b, f"dL/dW_{n}"), value(a, f"dL/dW_{role}")), n
    header = dict(b.conventions)
    assert "g₁ the output gate, g₂ the forget gate, g₃ the input" in header["gates"]
    assert "cₜ = g₂ ⊙ cₜ₋₁ + g₃ ⊙ c̃ₜ" in header["equations"]
    symbols = {step.id: step.text_symbol for step in b.steps}
    assert (symbols["g1_1"], symbols["c_tilde2"], symbols["W_g3"]) == ("g₁₁", "c̃₂", "W_g3")


def test_numbered_stacked_order_splits_the_rows_by_the_sheet_names():
    stacked = {"input": [PER_GATE[g][0][0] for g in "ofig"], "recurrent": [PER_GATE[g][1][0] for g in "ofig"]}
    by_name = {**BASE, "formulation": "textbook", "gate_order": ["g1", "g2", "g3", "c"], "weights": stacked}
    pytorch = {**BASE, "gates": {g: {"input": w, "recurrent": u} for g, (w, u, _) in PER_GATE.items()}}
    assert np.array_equal(value(solve(by_name), "h3"), value(solve(pytorch), "h3"))
    assert np.array_equal(value(solve(by_name), "dL/dU_g2"), value(solve(pytorch), "dL/dU_f"))


@st.composite
def projected(draw):
    cell = draw(st.integers(2, 3))
    hidden = draw(st.integers(1, cell - 1))     # torch requires proj_size < hidden_size
    width, steps = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return {"problem": "gated_rnn", "cell": "lstm", "x": matrix(draw, steps, width),
            "h0": [draw(entry) for _ in range(hidden)], "c0": [draw(entry) for _ in range(cell)],
            "weights": {"input": matrix(draw, 4 * cell, width), "recurrent": matrix(draw, 4 * cell, hidden),
                        "bias": [draw(entry) for _ in range(4 * cell)],
                        "recurrent_bias": [draw(entry) for _ in range(4 * cell)]},
            "projection": matrix(draw, hidden, cell),
            "target": matrix(draw, steps, hidden), "loss": {"type": "half_sse"}}


@settings(max_examples=30, deadline=None)
@given(projected())
def test_projection_matches_torch_lstm_proj_size(problem):
    solution = solve(problem)
    hidden, cell, steps = len(problem["h0"]), len(problem["c0"]), len(problem["x"])
    module = torch.nn.LSTM(len(problem["x"][0]), cell, proj_size=hidden).double()
    w = problem["weights"]
    with torch.no_grad():
        for param, v in ((module.weight_ih_l0, w["input"]), (module.weight_hh_l0, w["recurrent"]),
                         (module.bias_ih_l0, w["bias"]), (module.bias_hh_l0, w["recurrent_bias"]),
                         (module.weight_hr_l0, problem["projection"])):
            param.copy_(t64(v))
    h0 = t64(problem["h0"]).reshape(1, 1, hidden).requires_grad_()
    c0 = t64(problem["c0"]).reshape(1, 1, cell).requires_grad_()
    out, (_, c_last) = module(t64(problem["x"]).unsqueeze(1), (h0, c0))
    loss = 0.5 * ((out.squeeze(1) - t64(problem["target"])) ** 2).sum()
    loss.backward()
    for t in range(steps):
        close(solution, f"h{t + 1}", out[t, 0])
    close(solution, f"c{steps}", c_last)
    close(solution, "loss", loss)
    close(solution, "dL/dh0", h0.grad)
    close(solution, "dL/dc0", c0.grad)
    close(solution, "dL/dW_hr", module.weight_hr_l0.grad)
    for k, gate in enumerate("ifgo"):
        rows = slice(k * cell, (k + 1) * cell)
        close(solution, f"dL/dW_{gate}", module.weight_ih_l0.grad[rows])
        close(solution, f"dL/dU_{gate}", module.weight_hh_l0.grad[rows])
        close(solution, f"dL/dbh_{gate}", module.bias_hh_l0.grad[rows])
    assert "hₜ = W_hr mₜ" in dict(solution.conventions)["projection"]


GRU_WITH_PROJECTION = """problem: gated_rnn
cell: gru
x: [1, 2]
h0: 0
gates:
  r: {input: 0.1, recurrent: 0.2}
  z: {input: 0.3, recurrent: 0.4}
  n: {input: 0.5, recurrent: 0.6}
projection: [[1]]
"""
LSTM_GATES = """problem: gated_rnn
cell: lstm
formulation: {formulation}
x: [1, 2]
h0: 0
c0: 0
gates:
  g1: {{input: 0.1, recurrent: 0.2}}
  g2: {{input: 0.3, recurrent: 0.4}}
  {third}: {{input: 0.5, recurrent: 0.6}}
  c: {{input: 0.7, recurrent: 0.8}}
"""


def cli(tmp_path, text):
    path = tmp_path / "problem.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["solve", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_a_projection_on_a_gru_is_located(tmp_path):
    out = cli(tmp_path, GRU_WITH_PROJECTION)
    assert "projection" in out and "line 9" in out and "only an LSTM" in out


def test_a_gate_the_formulation_lacks_is_located(tmp_path):
    out = cli(tmp_path, LSTM_GATES.format(formulation="textbook", third="i"))
    assert "gates.i" in out and "line 10" in out and "g3 (input)" in out
    out = cli(tmp_path, LSTM_GATES.format(formulation="pytorch", third="g3"))
    assert "gates.g1" in out and "line 8" in out and "has gates i, f, g, o, not 'g1'" in out


def test_a_projection_of_the_wrong_size_is_located(tmp_path):
    text = LSTM_GATES.format(formulation="textbook", third="g3").replace("c0: 0", "c0: [0, 0]")
    out = cli(tmp_path, text + "projection: [[1, 2, 3]]\n")
    assert "projection" in out and "expected 1×2" in out
