"""Checks across fields: every projection takes the width of the sequence it reads, Q and K agree, the
heads divide the widths, the mask leaves every query a key, and the problem is small enough to do exactly."""
from __future__ import annotations

from ...limits import MAX_ATTENTION_TOKENS, MAX_ATTENTION_WIDTH
from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import AttentionProblem


PROJECTED = ("X", "memory", "W_Q", "W_K", "W_V", "b_Q", "b_K", "b_V")
DIRECT = ("Q", "K", "V")


def given_directly(p: AttentionProblem) -> bool:
    """Q, K and V are given as matrices (a blog's or an exam's "given Q, K, V"), with no X and no projections."""
    return any(getattr(p, k) is not None for k in DIRECT)


def widths(p: AttentionProblem, name: str) -> tuple[int, int]:
    """(input width, output width) of a projection in the stated layout."""
    w = getattr(p, name)
    rows, cols = len(w), len(w[0])
    return (rows, cols) if p.layout == "in_out" else (cols, rows)


def sizes(p: AttentionProblem) -> tuple[int, int, int, int]:
    """(queries, keys, width of a query and key, width of a value) of the attention, as given or projected."""
    if given_directly(p):
        return len(p.Q), len(p.K), len(p.Q[0]), len(p.V[0])
    return len(p.X), len((p.memory or p.X)), widths(p, "W_Q")[1], widths(p, "W_V")[1]


def consistency(p: AttentionProblem) -> list[tuple[tuple, str]]:
    found, fatal = _direct_issues(p) if given_directly(p) else _projection_issues(p)
    if fatal:
        return found            # the widths below need every input there
    n_q, n_k, q_out, v_out = sizes(p)
    for name, out in (("Q" if given_directly(p) else "W_Q", q_out), ("V" if given_directly(p) else "W_V", v_out)):
        if out % p.heads:
            found.append((("heads",), f"{name} gives {out} columns, not divisible by {p.heads} heads"))
    if p.W_O is not None:
        if p.layout is None:
            found.append((("layout",), "is required with W_O: in_out (out = Z W_O) or out_in (out = Z W_Oᵀ, "
                                       "PyTorch's layout)"))
            return found
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
    d_in = (len(p.Q[0]), len(p.K[0])) if given_directly(p) else (len(p.X[0]), len((p.memory or p.X)[0]))
    over = [limit for limit, size in ((MAX_ATTENTION_TOKENS, max(n_q, n_k)),
                                      (MAX_ATTENTION_WIDTH, max(*d_in, q_out, v_out))) if size > limit.value]
    if over:
        found.append((("Q" if given_directly(p) else "X",),
                      f"at most {MAX_ATTENTION_TOKENS.value} tokens and width {MAX_ATTENTION_WIDTH.value} "
                      f"are solved exactly (raise it with {' and '.join(l.variable for l in over)})"))
    target = [v for row in p.loss.target for v in row] if p.loss is not None else []
    blamed = ("W_O",) if p.W_O is not None else ("V",) if given_directly(p) else ("W_V",)
    output = Output(canonical(p.activation), "the attention output", blamed, targets=target,
                    target_at=("loss", "target"))
    found += training_issues(p, output, objective=p.upstream is not None)
    return found


def _projection_issues(p: AttentionProblem) -> tuple[list[tuple[tuple, str]], bool]:
    """X and the three projections, each reading the width of its sequence; keys as wide as queries. True with
    the issues if one is missing."""
    found: list[tuple[tuple, str]] = []
    for key, what in (("X", "the query sequence, one token per row (or give Q, K and V directly)"),
                      ("W_Q", "the query projection"), ("W_K", "the key projection"), ("W_V", "the value projection"),
                      ("layout", "in_out (Q = X W_Q) or out_in (Q = X W_Qᵀ, PyTorch's layout)")):
        if getattr(p, key) is None:
            found.append(((key,), f"is required: {what}"))
    if found:
        return found, True
    d_q = len(p.X[0])
    source = p.memory if p.memory is not None else p.X
    d_kv = len(source[0])
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
    q_out, k_out = (widths(p, n)[1] for n in ("W_Q", "W_K"))
    if q_out != k_out:
        found.append((("W_K",), f"gives keys of width {k_out}, the queries have width {q_out}: QKᵀ needs them equal"))
    return found, False


def _direct_issues(p: AttentionProblem) -> tuple[list[tuple[tuple, str]], bool]:
    """Q, K and V given directly: all three, none of X and the projections, keys as wide as queries, a value
    per key; nothing for an encoder block to count, nothing for an optimizer to update without W_O."""
    found: list[tuple[tuple, str]] = []
    for key in PROJECTED:
        if getattr(p, key) is not None:
            found.append(((key,), "Q, K and V are given directly, so there is no X and no projection: give either "
                                  "Q, K and V, or X with W_Q, W_K and W_V"))
    for key in DIRECT:
        if getattr(p, key) is None:
            found.append(((key,), f"is required with {' and '.join(k for k in DIRECT if getattr(p, k) is not None)}: "
                                  "Q, K and V are given together (one row per query, key, value)"))
    if found:
        return found, True
    if len(p.K[0]) != len(p.Q[0]):
        found.append((("K",), f"has keys of width {len(p.K[0])}, the queries have width {len(p.Q[0])}: "
                              "QKᵀ needs them equal"))
    if len(p.V) != len(p.K):
        found.append((("V",), f"has {len(p.V)} rows, but K has {len(p.K)} keys: one value per key"))
    if p.encoder_block is not None:
        found.append((("encoder_block",), "counts projections, which Q, K and V given directly do not have"))
    if p.optimizer is not None and p.W_O is None:
        found.append((("optimizer",), "has nothing to update: Q, K and V are given (not parameters) and there is "
                                      "no W_O"))
    return found, False


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
