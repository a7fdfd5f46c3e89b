"""LSTM and GRU weights given as one matrix over the concatenation [hₜ₋₁, xₜ] or [xₜ, hₜ₋₁] (W_f · [hₜ₋₁, xₜ] + b_f),
per gate or stacked, in either layout: solved against torch.nn.LSTMCell / GRUCell in float64 with the matrix split
here by hand into weight_hh and weight_ih; and the refusals, each at its place."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from nnsolve.api import load, solve
from nnsolve.engine.number import to_float
from nnsolve.problems import ProblemError

TOL = 1e-10
entry = st.integers(-8, 8).map(lambda k: Fraction(k, 8))
GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


def matrix(draw, rows, cols):
    return [[draw(entry) for _ in range(cols)] for _ in range(rows)]


def t64(v):
    return torch.tensor(np.array(v, dtype=float), dtype=torch.float64)


@st.composite
def cases(draw):
    cell = draw(st.sampled_from(["lstm", "gru"]))
    gates = GATES[cell]
    hidden, width, steps = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    order = draw(st.sampled_from(["h_x", "x_h"]))
    layout = draw(st.sampled_from(["out_in", "in_out"]))
    stacked = draw(st.booleans())
    # the torch weights, gate by gate: W (hidden × width) on xₜ, U (hidden × hidden) on hₜ₋₁, biases
    W = {g: matrix(draw, hidden, width) for g in gates}
    U = {g: matrix(draw, hidden, hidden) for g in gates}
    b = {g: [draw(entry) for _ in range(hidden)] for g in gates}
    bh = {g: [draw(entry) for _ in range(hidden)] for g in gates}

    def joined(g):       # the out_in matrix over the concatenation, written as the file gives it
        rows = [(U[g][r] + W[g][r]) if order == "h_x" else (W[g][r] + U[g][r]) for r in range(hidden)]
        return rows if layout == "out_in" else [list(c) for c in zip(*rows)]

    p = {"problem": "gated_rnn", "cell": cell, "layout": layout, "concatenation": order,
         "x": matrix(draw, steps, width), "h0": [draw(entry) for _ in range(hidden)],
         **({"c0": [draw(entry) for _ in range(hidden)]} if cell == "lstm" else {}),
         "target": matrix(draw, steps, hidden), "loss": {"type": "half_sse"}}
    if stacked:
        blocks = [joined(g) for g in gates]
        p["weights"] = {"concatenated": sum(blocks, []) if layout == "out_in" else
                        [sum((blk[r] for blk in blocks), []) for r in range(hidden + width)],
                        "bias": sum((b[g] for g in gates), []), "recurrent_bias": sum((bh[g] for g in gates), [])}
    else:
        p["gates"] = {g: {"concatenated": joined(g), "bias": b[g], "recurrent_bias": bh[g]} for g in gates}
    return p, (W, U, b, bh)


@settings(max_examples=30, deadline=None)
@given(cases())
def test_concatenated_weights_match_torch_cells(case):
    p, (W, U, b, bh) = case
    gates = GATES[p["cell"]]
    solution = solve(p)
    module = torch.nn.LSTMCell if p["cell"] == "lstm" else torch.nn.GRUCell
    width, hidden = len(p["x"][0]), len(p["h0"])
    torch_cell = module(width, hidden, dtype=torch.float64)
    with torch.no_grad():
        torch_cell.weight_ih.copy_(t64(sum((W[g] for g in gates), [])))
        torch_cell.weight_hh.copy_(t64(sum((U[g] for g in gates), [])))
        torch_cell.bias_ih.copy_(t64(sum((b[g] for g in gates), [])))
        torch_cell.bias_hh.copy_(t64(sum((bh[g] for g in gates), [])))
    h, c = t64([p["h0"]]), t64([p["c0"]]) if p["cell"] == "lstm" else None
    loss = 0
    for t, x in enumerate(p["x"], 1):
        if p["cell"] == "lstm":
            h, c = torch_cell(t64([x]), (h, c))
        else:
            h = torch_cell(t64([x]), h)
        assert np.allclose([to_float(v) for v in solution.value(f"h{t}")], h[0].tolist(), rtol=TOL, atol=TOL)
        loss = loss + 0.5 * ((h[0] - t64(p["target"][t - 1])) ** 2).sum()
    loss.backward()
    grads = {"W": torch_cell.weight_ih.grad, "U": torch_cell.weight_hh.grad}
    for k, (prefix, grad) in enumerate(grads.items()):
        for j, g in enumerate(gates):
            expected = grad[j * hidden:(j + 1) * hidden]
            got = np.array([[to_float(v) for v in row] for row in solution.value(f"dL/d{prefix}_{g}")])
            got = got if p["layout"] == "out_in" else got.T
            assert np.allclose(got, expected.numpy(), rtol=TOL, atol=TOL), (prefix, g)
    # the split is stated in the header and on each part
    header = dict(solution.conventions)["concatenated weights"]
    first = "hₜ₋₁" if p["concatenation"] == "h_x" else "xₜ"
    assert header.startswith(f"each gate's matrix over [{first}")
    assert ("(multiplying hₜ₋₁) is U" in header or "(multiplying hₜ₋₁) are U" in header) and "(multiplying xₜ) " in header
    assert "multiplying xₜ" in solution.step(f"W_{gates[0]}").note


LSTM = """\
problem: gated_rnn
cell: lstm
x: [[1, 2]]
h0: [0]
c0: [0]
"""


def _issue(text, where):
    with pytest.raises(ProblemError) as e:
        load(text)
    found = [i for i in e.value.issues if i.path == where]
    assert found, [(i.path, i.message) for i in e.value.issues]
    return found[0]


def test_a_concatenated_matrix_of_the_wrong_width_is_refused_at_its_gate():
    text = LSTM + "concatenation: h_x\ngates:\n" + "".join(
        f"  {g}: {{concatenated: [[1, 2, 3]]}}\n" for g in "ifg") + "  o: {concatenated: [[1, 2]]}\n"
    issue = _issue(text, "gates.o.concatenated")
    assert "[hₜ₋₁, xₜ] has 1 + 2 = 3 entries" in issue.message and "got 2" in issue.message and issue.line == 11


def test_concatenated_needs_its_order_and_excludes_input():
    text = LSTM + "weights: {concatenated: [[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]}\n"
    assert "needs `concatenation`" in _issue(text, "weights.concatenated").message
    text = LSTM + "concatenation: x_h\nweights: {concatenated: [[1, 2, 3]], input: [[1, 2]]}\n"
    assert "not both" in _issue(text, "weights.input").message
    text = LSTM + "concatenation: x_h\nweights: {input: [[1, 2], [1, 2], [1, 2], [1, 2]], " \
                  "recurrent: [[1], [1], [1], [1]]}\n"
    issue = _issue(text, "concatenation")
    assert "no weights are given as `concatenated`" in issue.message and issue.line == 6


def test_the_documented_example(tmp_path):
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[3] / "docs" / "problem-format.md").read_text(encoding="utf-8")
    body = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
                if 'title: "LSTM step with weights over the concatenation [h, x]"' in b)
    solution = solve(load(body))
    assert solution.value("uf1").tolist() == [Fraction(95, 100)]      # 0.2·1 + 0.3·2 + 0.1·0.5 + 0.1
    assert solution.value("U_f").tolist() == [[Fraction(1, 10)]]
    assert solution.value("W_f").tolist() == [[Fraction(2, 10), Fraction(3, 10)]]
    # torch: one LSTMCell with the split weights (rows i, f, g, o)
    cell = torch.nn.LSTMCell(2, 1, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_hh.copy_(t64([[0.2], [0.1], [0.3], [-0.1]]))
        cell.weight_ih.copy_(t64([[-0.1, 0.4], [0.2, 0.3], [0.1, -0.2], [0.2, 0.1]]))
        cell.bias_ih.copy_(t64([0, 0.1, 0.1, 0]))
        cell.bias_hh.zero_()
    h, c = cell(t64([[1, 2]]), (t64([[0.5]]), t64([[0.1]])))
    assert to_float(solution.value("h1")[0]) == pytest.approx(h.item(), rel=1e-12)
    assert to_float(solution.value("c1")[0]) == pytest.approx(c.item(), rel=1e-12)


def test_check_explains_a_key_that_read_the_concatenation_the_other_way():
    """Hidden size = input width: a key that took W · [xₜ, hₜ₋₁] where the file says [hₜ₋₁, xₜ] is told so. The key's
    h₁ is computed here by hand with the other split: W_f = [[0.1]], U_f = [[0.2]], etc."""
    import math

    from nnsolve.check import check

    def sigmoid(v):
        return 1 / (1 + math.exp(-v))

    x, h0, c0 = 1.0, 0.5, 0.1
    rows = {"i": [0.2, -0.1], "f": [0.1, 0.2], "g": [0.3, 0.1], "o": [-0.1, 0.2]}     # [first, second] columns
    u = {g: r[0] * x + r[1] * h0 for g, r in rows.items()}     # read as [xₜ, hₜ₋₁]: the first column multiplies x
    c1 = sigmoid(u["f"]) * c0 + sigmoid(u["i"]) * math.tanh(u["g"])
    h1 = sigmoid(u["o"]) * math.tanh(c1)
    text = ("problem: gated_rnn\ncell: lstm\nconcatenation: h_x\nx: [1]\nh0: [0.5]\nc0: [0.1]\ngates:\n"
            + "".join(f"  {g}: {{concatenated: [{r}]}}\n" for g, r in rows.items())
            + f"answers: {{h1: {round(h1, 4)}}}\n")
    result, = check(text).results
    assert not result.ok and any("[xₜ, hₜ₋₁]" in a for a in result.alternatives)


def test_check_of_a_wrong_key_tries_the_other_layout_without_failing():
    """Read the other way round (in_out), a 1×3 concatenated matrix does not split: that convention is simply not
    the key's (the re-solve is refused, not a crash)."""
    from nnsolve.check import check

    text = ("problem: gated_rnn\ncell: lstm\nconcatenation: h_x\nx: [[1, 2]]\nh0: [0.5]\nc0: [0.1]\ngates:\n"
            + "".join(f"  {g}: {{concatenated: [[0.1, 0.2, 0.3]]}}\n" for g in "ifgo") + "answers: {h1: 0.123}\n")
    result, = check(text).results
    assert not result.ok and result.alternatives == []
