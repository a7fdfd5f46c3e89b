"""Kinds for what a PyTorch forward computes with functions rather than layers: the scaled dot-product
attention of torch.nn.functional, a product `a @ b` of two tensors, and the positions torch.arange makes
for a position embedding."""
from __future__ import annotations

from math import prod

from .conventions import Conventions
from .ir import Layer
from .kinds import kind
from .rules import ArchitectureError, Effect


@kind("scaled_dot_product")
def scaled_dot_product(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """F.scaled_dot_product_attention(q, k, v): q (…, T, E), k (…, S, E), v (…, S, Ev) → (…, T, Ev).
    Its two products — the scores q·kᵀ and the weighted values — are T·S·E and T·S·Ev multiply-accumulates
    for each of the leading axes' entries (the heads), counted as multi-head attention's are."""
    if len(shapes) != 3:
        raise ArchitectureError(f"reads a query, a key and a value, it was given {len(shapes)}", layer, "inputs")
    q, k, v = (tuple(s) for s in shapes)
    if len(q) < 2 or len(k) != len(q) or len(v) != len(q) or q[:-2] != k[:-2] or k[:-2] != v[:-2] \
            or q[-1] != k[-1] or k[-2] != v[-2]:
        raise ArchitectureError(f"query {q}, key {k} and value {v} do not fit: expected (…, T, E), (…, S, E) and "
                                "(…, S, Ev)", layer)
    heads, t, s, e, ev = prod(q[:-2]), q[-2], k[-2], q[-1], v[-1]
    return Effect((*q[:-1], ev), macs=heads * t * s * (e + ev), global_view=True,
                  macs_formula=f"{heads}·{t}·{s}·({e} + {ev}) for scores and weighted values")


@kind("positions", required=("length",))
def positions(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """torch.arange(t): the positions 0 … t − 1 (for a position embedding), the same for every sample."""
    return Effect((int(layer.get("length")),))


@kind("matmul", optional=("right",))
def matmul(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`a @ b` of two tensors of the model (attention's q @ kᵀ and att @ v): (…, T, E) @ (…, E, S) → (…, T, S),
    T·E·S multiply-accumulates for each entry of the leading axes (the heads), which must agree. With
    `right`, b is a module's own weights of that shape, (E,) or (E, S): (…, E) @ (E,) → (…), one
    multiply-accumulate per value of a; (…, E) @ (E, S) → (…, S)."""
    right = layer.get("right")
    if right is not None:
        a, w = tuple(shapes[0]), tuple(right)
        if len(shapes) != 1 or len(w) not in (1, 2) or a[-1] != w[0]:
            raise ArchitectureError(f"{a} @ weights {w}: expected (…, E) @ (E,) or (E, S)", layer)
        out = a[:-1] + w[1:]
        return Effect(out, macs=prod(a) * (w[1] if len(w) == 2 else 1), global_view=True,
                      macs_formula=f"{prod(a[:-1])}·{a[-1]}" + (f"·{w[1]}" if len(w) == 2 else ""))
    if len(shapes) != 2:
        raise ArchitectureError(f"multiplies two tensors, it was given {len(shapes)}", layer, "inputs")
    a, b = (tuple(s) for s in shapes)
    if len(a) < 2 or len(b) != len(a) or a[:-2] != b[:-2] or a[-1] != b[-2]:
        raise ArchitectureError(f"{a} @ {b}: expected (…, T, E) @ (…, E, S) with the same leading sizes", layer)
    lead, t, e, s = prod(a[:-2]), a[-2], a[-1], b[-1]
    return Effect((*a[:-1], s), macs=lead * t * e * s, global_view=True,
                  macs_formula=f"{lead}·{t}·{e}·{s}" if lead > 1 else f"{t}·{e}·{s}")
