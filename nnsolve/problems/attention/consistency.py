"""Checks across fields: every projection takes the width of the sequence it reads, Q and K agree, the
heads divide the widths, the mask leaves every query a key, and the problem is small enough to do exactly."""
from __future__ import annotations

from ...limits import MAX_ATTENTION_TOKENS, MAX_ATTENTION_WIDTH
from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import AttentionProblem


def widths(p: AttentionProblem, name: str) -> tuple[int, int]:
    """(input width, output width) of a projection in the stated layout."""
    w = getattr(p, name)
    rows, cols = len(w), len(w[0])
    return (rows, cols) if p.layout == "in_out" else (cols, rows)


def consistency(p: AttentionProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    n_q, d_q = len(p.X), len(p.X[0])
    source = p.memory if p.memory is not None else p.X
    n_k, d_kv = len(source), len(source[0])
    rule = "a row per input feature" if p.layout == "in_out" else "a column per input feature"
    for name, width, seq in (("W_Q", d_q, "X"), ("W_K", d_kv, "memory" if p.memory else "X"),
                             ("W_V", d_kv, "memory" if p.memory else "X")):
        got, out = widths(p, name)
        if got != width:
            side = "rows" if p.layout == "in_out" else "columns"
            found.append(((name,), f"has {got} {side}, but {seq} has {width} features per token ({p.layout}: {rule})"))
        bias = getattr(p, "b" + name[1:])
        if bias is not None and len(bias) != out:
            found.append((("b" + name[1:],), f"expected {out} entries (one per column of {name}'s output), got {len(bias)}"))
    q_out, k_out, v_out = (widths(p, n)[1] for n in ("W_Q", "W_K", "W_V"))
    if q_out != k_out:
        found.append((("W_K",), f"gives keys of width {k_out}, the queries have width {q_out}: QKᵀ needs them equal"))
    for name, out in (("W_Q", q_out), ("W_V", v_out)):
        if out % p.heads:
            found.append((("heads",), f"{name} gives {out} columns, not divisible by {p.heads} heads"))
    if p.W_O is not None:
        got, out = widths(p, "W_O")
        if got != v_out:
            found.append((("W_O",), f"takes {got} features, the concatenated heads have {v_out}"))
        if p.b_O is not None and len(p.b_O) != out:
            found.append((("b_O",), f"expected {out} entries, got {len(p.b_O)}"))
    elif p.b_O is not None:
        found.append((("b_O",), "a bias of the output projection needs W_O"))
    if p.d_k is not None and p.d_k <= 0:
        found.append((("d_k",), "must be positive"))
    _check_mask(p, n_q, n_k, found)
    out_width = widths(p, "W_O")[1] if p.W_O is not None and not found else v_out
    for key, given in (("upstream", p.upstream), ("loss", p.loss.target if p.loss else None)):
        if given is not None and (len(given), len(given[0])) != (n_q, out_width):
            loc = (key,) if key == "upstream" else ("loss", "target")
            found.append((loc, f"expected a {n_q}×{out_width} matrix (a row per query), got {len(given)}×{len(given[0])}"))
    over = [limit for limit, size in ((MAX_ATTENTION_TOKENS, max(n_q, n_k)),
                                      (MAX_ATTENTION_WIDTH, max(d_q, d_kv, q_out, v_out))) if size > limit.value]
    if over:
        found.append((("X",), f"at most {MAX_ATTENTION_TOKENS.value} tokens and width {MAX_ATTENTION_WIDTH.value} "
                              f"are solved exactly (raise it with {' and '.join(l.variable for l in over)})"))
    target = [v for row in p.loss.target for v in row] if p.loss is not None else []
    output = Output(canonical(p.activation), "the attention output", ("W_O",) if p.W_O is not None else ("W_V",), targets=target,
                    target_at=("loss", "target"))
    found += training_issues(p, output, objective=p.upstream is not None)
    return found


def _check_mask(p: AttentionProblem, n_q: int, n_k: int, found: list) -> None:
    mask = p.mask
    for i, pos in enumerate(mask.padding):
        if not 1 <= pos <= n_k:
            found.append((("mask", "padding", i), f"key position {pos} is not among 1 … {n_k}"))
    if mask.keep is not None:
        if (len(mask.keep), len(mask.keep[0])) != (n_q, n_k):
            found.append((("mask", "keep"), f"expected {n_q}×{n_k} (queries × keys)"))
            return
        if any(v not in (0, 1) for row in mask.keep for v in row):
            found.append((("mask", "keep"), "holds only 0 (masked) and 1 (kept)"))
            return
    if not found and any(not any(row) for row in keep_matrix(p, n_q, n_k)):
        found.append((("mask",), "hides every key from some query: its softmax is undefined"))


def keep_matrix(p: AttentionProblem, n_q: int, n_k: int) -> list[list[int]]:
    """1 where query i may attend to key j: the causal, padding and explicit masks together."""
    padded = set(p.mask.padding)
    keep = [[1] * n_k for _ in range(n_q)]
    for i in range(n_q):
        for j in range(n_k):
            hidden = (p.mask.causal and j > i) or (j + 1) in padded or \
                (p.mask.keep is not None and p.mask.keep[i][j] == 0)
            keep[i][j] = 0 if hidden else 1
    return keep


def is_masked(p: AttentionProblem) -> bool:
    return p.mask.causal or bool(p.mask.padding) or p.mask.keep is not None
