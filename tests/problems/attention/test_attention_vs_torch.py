"""The attention family against PyTorch float64: a hand-written torch implementation (any layout, heads,
mask, cross-attention, d_k), torch's own scaled_dot_product_attention and nn.MultiheadAttention (its
in_proj weights mapped to W_Q, W_K, W_V); values and the gradients of X, memory and every weight."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.api import load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "ops"))
from torch_reference import F, assert_close, leaf, matrix  # noqa: E402

SMALL = settings(max_examples=25, deadline=None)


@st.composite
def problems(draw):
    n_q, heads = draw(st.integers(1, 3)), draw(st.sampled_from([1, 2]))
    cross = draw(st.booleans())
    n_k = draw(st.integers(1, 3)) if cross else n_q
    d, d_kv = draw(st.sampled_from([2, 3])), draw(st.sampled_from([2, 3]))
    d_kv = d_kv if cross else d
    width, v_width = heads * draw(st.integers(1, 2)), heads * draw(st.integers(1, 2))
    layout = draw(st.sampled_from(["in_out", "out_in"]))

    def weight(n_in, n_out):
        return matrix(draw, n_in, n_out) if layout == "in_out" else matrix(draw, n_out, n_in)

    p = {"problem": "attention", "layout": layout, "X": matrix(draw, n_q, d), "heads": heads,
         "W_Q": weight(d, width), "W_K": weight(d_kv, width), "W_V": weight(d_kv, v_width)}
    if cross:
        p["memory"] = matrix(draw, n_k, d_kv)
    if draw(st.booleans()):
        p.update({f"b_{k}": matrix(draw, 1, w)[0] for k, w in (("Q", width), ("K", width), ("V", v_width))})
    out = v_width
    if draw(st.booleans()):
        out = draw(st.integers(1, 3))
        p["W_O"] = weight(v_width, out)
        if draw(st.booleans()):
            p["b_O"] = matrix(draw, 1, out)[0]
    mask = draw(st.sampled_from(["none", "causal", "padding"]))
    if mask == "causal":
        p["mask"] = {"causal": True}
    elif mask == "padding" and n_k > 1:
        p["mask"] = {"padding": [n_k]}
    if draw(st.booleans()):
        p["d_k"] = draw(st.sampled_from([1, 2, 5]))
    p["upstream"] = matrix(draw, n_q, out)
    return p


def torch_attention(p, t):
    """Scaled dot-product attention written out in torch, from the leaves in `t`."""
    def project(seq, name):
        w = t[f"W_{name}"]
        y = seq @ w if p["layout"] == "in_out" else seq @ w.T
        return y + t[f"b_{name}"] if f"b_{name}" in t else y

    source = t.get("memory", t["X"])
    q, k, v = project(t["X"], "Q"), project(source, "K"), project(source, "V")
    h = p["heads"]
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
        scores = qj @ kj.T / math.sqrt(p.get("d_k", dk))
        outs.append(torch.softmax(scores.masked_fill(hidden, float("-inf")), dim=-1) @ vj)
    z = torch.cat(outs, dim=1)
    return project(z, "O") if "W_O" in t else z


def _leaves(p):
    names = ["X", "memory", "W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"]
    return {k: leaf(p[k]) for k in names if k in p}


@SMALL
@given(problems())
def test_values_and_every_gradient_match_torch(p):
    solution = nnsolve.solve(load(p))
    t = _leaves(p)
    out = torch_attention(p, t)
    (out * torch.tensor(np.array(p["upstream"], dtype=float))).sum().backward()
    assert_close(solution.value("output"), out, "output")
    for name, tensor in t.items():
        assert_close(solution.value(f"dL/d{name}"), tensor.grad, f"dL/d{name}")


@SMALL
@given(st.data(), st.integers(1, 4), st.sampled_from([1, 2, 4]), st.booleans())
def test_single_head_matches_scaled_dot_product_attention(data, n, d, causal):
    p = {"problem": "attention", "layout": "in_out", "X": matrix(data.draw, n, d),
         **{f"W_{k}": matrix(data.draw, d, d) for k in "QKV"}, "mask": {"causal": causal}}
    solution = nnsolve.solve(load(p))
    t = _leaves(p)
    q, k, v = (t["X"] @ t[f"W_{c}"] for c in "QKV")
    ref = F.scaled_dot_product_attention(q[None], k[None], v[None], is_causal=causal)[0]
    assert_close(solution.value("Z"), ref, "Z")


@SMALL
@given(st.data(), st.integers(1, 3), st.sampled_from([(2, 1), (2, 2), (4, 2)]), st.booleans())
def test_matches_torch_multihead_attention(data, n, shape, causal):
    """nn.MultiheadAttention computes q = W x + b (out_in), its in_proj_weight stacks W_Q, W_K, W_V."""
    d, heads = shape
    p = {"problem": "attention", "layout": "out_in", "X": matrix(data.draw, n, d), "heads": heads,
         **{f"W_{k}": matrix(data.draw, d, d) for k in "QKVO"},
         **{f"b_{k}": matrix(data.draw, 1, d)[0] for k in "QKVO"},
         "mask": {"causal": causal}, "upstream": matrix(data.draw, n, d)}
    solution = nnsolve.solve(load(p))
    mha = torch.nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.tensor(np.array(p["W_Q"] + p["W_K"] + p["W_V"], dtype=float)))
        mha.in_proj_bias.copy_(torch.tensor(np.array(p["b_Q"] + p["b_K"] + p["b_V"], dtype=float)))
        mha.out_proj.weight.copy_(torch.tensor(np.array(p["W_O"], dtype=float)))
        mha.out_proj.bias.copy_(torch.tensor(np.array(p["b_O"], dtype=float)))
    x = leaf(p["X"])[None]
    x.retain_grad()
    hidden = torch.ones(n, n, dtype=torch.bool).triu(1) if causal else None
    out, _ = mha(x, x, x, attn_mask=hidden, need_weights=False)
    (out[0] * torch.tensor(np.array(p["upstream"], dtype=float))).sum().backward()
    assert_close(solution.value("output"), out[0], "output")
    assert_close(solution.value("dL/dX"), x.grad[0], "dL/dX")
    stacked = np.concatenate([np.asarray(solution.value(f"dL/dW_{k}"), dtype=object) for k in "QKV"])
    assert_close(stacked, mha.in_proj_weight.grad, "dL/d in_proj_weight")
    assert_close(solution.value("dL/dW_O"), mha.out_proj.weight.grad, "dL/dW_O")
