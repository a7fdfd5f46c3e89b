"""Attention from Q, K and V given directly (no X, no projections) against PyTorch float64: the output and
∂L/∂Q, ∂L/∂K, ∂L/∂V (and ∂L/∂W_O with an output projection), with heads, masks and a loss; and the refusals."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.api import load
from nnsolve.problems import ProblemError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import F, assert_close, leaf, matrix  # noqa: E402

SMALL = settings(max_examples=25, deadline=None)


@st.composite
def problems(draw):
    n_q, n_k, heads = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.sampled_from([1, 2]))
    width, v_width = heads * draw(st.integers(1, 2)), heads * draw(st.integers(1, 2))
    p = {"problem": "attention", "Q": matrix(draw, n_q, width), "K": matrix(draw, n_k, width),
         "V": matrix(draw, n_k, v_width), "heads": heads}
    out = v_width
    if draw(st.booleans()):
        p["layout"] = draw(st.sampled_from(["in_out", "out_in"]))
        out = draw(st.integers(1, 3))
        p["W_O"] = matrix(draw, v_width, out) if p["layout"] == "in_out" else matrix(draw, out, v_width)
    mask = draw(st.sampled_from(["none", "causal", "padding"]))
    if mask == "causal" and n_q <= n_k:
        p["mask"] = {"causal": True}
    elif mask == "padding" and n_k > 1:
        p["mask"] = {"padding": [n_k]}
    p["upstream"] = matrix(draw, n_q, out)
    return p


def torch_attention(p, t):
    q, k, v, h = t["Q"], t["K"], t["V"], p["heads"]
    n_q, n_k = q.shape[0], k.shape[0]
    hidden = torch.zeros(n_q, n_k, dtype=torch.bool)
    mask = p.get("mask", {})
    if mask.get("causal"):
        hidden |= torch.ones(n_q, n_k, dtype=torch.bool).triu(1)
    for pos in mask.get("padding", []):
        hidden[:, pos - 1] = True
    outs = []
    for j in range(h):
        dk, dv = q.shape[1] // h, v.shape[1] // h
        qj, kj, vj = q[:, j * dk:(j + 1) * dk], k[:, j * dk:(j + 1) * dk], v[:, j * dv:(j + 1) * dv]
        outs.append(torch.softmax((qj @ kj.T / math.sqrt(dk)).masked_fill(hidden, float("-inf")), dim=-1) @ vj)
    z = torch.cat(outs, dim=1)
    if "W_O" in t:
        return z @ t["W_O"] if p["layout"] == "in_out" else z @ t["W_O"].T
    return z


@SMALL
@given(problems())
def test_given_q_k_v_values_and_gradients_match_torch(p):
    solution = nnsolve.solve(load(p))
    t = {k: leaf(p[k]) for k in ("Q", "K", "V", "W_O") if k in p}
    out = torch_attention(p, t)
    (out * torch.tensor(np.array(p["upstream"], dtype=float))).sum().backward()
    assert_close(solution.value("output"), out, "output")
    for name, tensor in t.items():
        assert_close(solution.value(f"dL/d{name}"), tensor.grad, f"dL/d{name}")
    assert set(solution.groups["input_gradient"]) == {"dL/dQ", "dL/dK", "dL/dV"}


@SMALL
@given(st.data(), st.integers(1, 4), st.sampled_from([1, 2, 4]), st.booleans())
def test_given_q_k_v_match_scaled_dot_product_attention_with_a_loss(data, n, d, causal):
    p = {"problem": "attention", **{k: matrix(data.draw, n, d) for k in "QKV"}, "mask": {"causal": causal},
         "loss": {"type": "sse", "target": matrix(data.draw, n, d)}}
    solution = nnsolve.solve(load(p))
    t = {k: leaf(p[k]) for k in "QKV"}
    z = F.scaled_dot_product_attention(t["Q"][None], t["K"][None], t["V"][None], is_causal=causal)[0]
    ((z - torch.tensor(np.array(p["loss"]["target"], dtype=float))) ** 2).sum().backward()
    assert_close(solution.value("Z"), z, "Z")
    for k in "QKV":
        assert_close(solution.value(f"dL/d{k}"), t[k].grad, f"dL/d{k}")


BASE = "problem: attention\nQ: [[1, 0], [0, 1]]\nK: [[1, 2], [0, 1]]\nV: [[1, 0], [0, 1]]\n"


@pytest.mark.parametrize("extra, where, message", [
    ("X: [[1, 0], [0, 1]]\n", "X", "Q, K and V are given directly, so there is no X and no projection"),
    ("W_Q: [[1, 0], [0, 1]]\nlayout: in_out\n", "W_Q", "there is no X and no projection"),
    ("W_O: [[1, 0], [0, 1]]\n", "layout", "is required with W_O"),
    ("W_O: [[1, 0, 1]]\nlayout: in_out\n", "W_O", "takes 1 features, the concatenated heads have 2"),
    ("encoder_block: {d_ff: 4}\n", "encoder_block", "counts projections"),
    ("loss: {type: mse, target: [[0, 1], [1, 0]]}\noptimizer: {type: sgd, lr: 0.1}\n", "optimizer",
     "has nothing to update"),
    ("heads: 3\n", "heads", "Q gives 2 columns, not divisible by 3 heads"),
])
def test_given_q_k_v_refusals_are_located(extra, where, message):
    with pytest.raises(ProblemError) as e:
        load(BASE + extra)
    issue = next(i for i in e.value.issues if i.path == where)
    assert message in issue.message
    written = [n for n, line in enumerate((BASE + extra).splitlines(), 1) if line.startswith(where + ":")]
    if written:                 # a missing key has no line of its own
        assert issue.line == written[0]


@pytest.mark.parametrize("text, where, message", [
    ("problem: attention\nQ: [[1, 0]]\nK: [[1, 2]]\n", "V", "is required with Q and K"),
    ("problem: attention\nQ: [[1, 0]]\nK: [[1, 2, 3]]\nV: [[1]]\n", "K", "keys of width 3, the queries have width 2"),
    ("problem: attention\nQ: [[1, 0]]\nK: [[1, 2]]\nV: [[1], [2]]\n", "V", "has 2 rows, but K has 1 keys"),
    ("problem: attention\nlayout: in_out\nW_Q: [[1]]\nW_K: [[1]]\nW_V: [[1]]\n", "X", "is required"),
])
def test_shapes_of_given_q_k_v_are_checked(text, where, message):
    with pytest.raises(ProblemError) as e:
        load(text)
    issue = next(i for i in e.value.issues if i.path == where)
    assert message in issue.message and issue.line is not None


def test_the_documented_example(tmp_path):
    import re
    text = (Path(__file__).resolve().parents[3] / "docs" / "problem-format.md").read_text(encoding="utf-8")
    body = next(b for b in re.findall(r"```yaml\n(.*?)```", text, re.S)
                if 'title: "Causal attention from given Q, K, V"' in b)
    p = load(body)
    solution = nnsolve.solve(p)
    assert solution.value("S").tolist() == [[1, 0, 1], [2, 1, 0], [3, 1, 1]]      # QKᵀ by hand
    data = {k: getattr(p.model, k) for k in ("Q", "K", "V", "upstream")}
    t = {k: leaf(data[k]) for k in "QKV"}
    z = F.scaled_dot_product_attention(t["Q"][None], t["K"][None], t["V"][None], is_causal=True)[0]
    (z * torch.tensor(np.array(data["upstream"], dtype=float))).sum().backward()
    assert_close(solution.value("Z"), z, "Z")
    for k in "QKV":
        assert_close(solution.value(f"dL/d{k}"), t[k].grad, f"dL/d{k}")
    assert solution.asked == ["A", "Z", "dL/dQ", "dL/dK", "dL/dV"]
