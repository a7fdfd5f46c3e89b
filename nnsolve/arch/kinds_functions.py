"""Kinds for what a PyTorch forward computes with functions and indexing rather than layers: the scaled
dot-product attention of torch.nn.functional, a product `a @ b` of two tensors, the positions torch.arange
makes for a position embedding, a reduction over one axis (x.mean(dim=1)), one position of an axis
(x[:, 0]), F.pad, a tensor the same for every sample (an expanded class token); and nn.PReLU."""
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


def _axis_after_batch(layer: Layer, shape: tuple, setting: str = "axis") -> int:
    """A dimension number that counts the batch axis as 0 (as PyTorch's dim does): the per-sample axis it
    names; the batch axis itself is refused."""
    axis = int(layer.get(setting))
    rank = len(shape) + 1
    if not -rank <= axis < rank:
        raise ArchitectureError(f"dimension {axis} is out of range for a tensor of {rank} axes", layer, setting)
    axis %= rank
    if axis == 0:
        raise ArchitectureError("dimension 0 is the batch axis", layer, setting)
    return axis - 1


@kind("reduce", required=("axis",), optional=("keepdim", "function"))
def reduce(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """x.mean(dim=1), x.sum(1), x.amax(-1), x.max(dim=1).values: one axis reduced (kept as 1 with keepdim);
    no MACs (a pooling's work)."""
    shape = tuple(shapes[0])
    at = _axis_after_batch(layer, shape)
    out = shape[:at] + ((1,) if layer.get("keepdim") else ()) + shape[at + 1:]
    return Effect(out, work={"pooling": prod(shape)}, global_view=True)


@kind("select", required=("axis", "index"))
def select(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """x[:, 0] (a transformer's class token), x[:, -1]: one position of one axis, the axis dropped."""
    shape = tuple(shapes[0])
    at = _axis_after_batch(layer, shape)
    index = int(layer.get("index"))
    if not -shape[at] <= index < shape[at]:
        raise ArchitectureError(f"index {index} is out of range for an axis of {shape[at]}", layer, "index")
    return Effect(shape[:at] + shape[at + 1:], global_view=True)


@kind("pad", required=("pads",))
def pad(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """F.pad(x, (left, right[, top, bottom])): PyTorch's order, the last axis first; each padded axis grows
    by its two pads (a negative pad crops). No parameters, no MACs."""
    shape, pads = list(shapes[0]), [int(v) for v in layer.get("pads")]
    if len(pads) % 2 or len(pads) // 2 > len(shape):
        raise ArchitectureError(f"{len(pads)} pads for a tensor of {len(shape)} axes after the batch: two per "
                                "axis, the last axis first", layer, "pads")
    windows = []
    for k in range(len(pads) // 2):
        before, after = pads[2 * k], pads[2 * k + 1]
        shape[-1 - k] += before + after
        if shape[-1 - k] < 1:
            raise ArchitectureError("the pads crop the axis away", layer, "pads")
        windows.append(before)
    spatial = len(shapes[0]) - 1 if layout == "channels_first" else len(shapes[0]) - 1
    padded = len(pads) // 2
    if padded <= spatial and layout == "channels_first":
        from ..geometry import Window
        starts = [0] * (spatial - padded) + list(reversed(windows))
        return Effect(tuple(shape), windows=tuple(Window(1, 1, s) for s in starts))
    return Effect(tuple(shape))


@kind("constant", required=("shape",))
def constant(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """A tensor the same for every sample: a learned class token expanded to the batch
    (`self.cls.expand(n, -1, -1)`), its weights counted where the module holds them."""
    return Effect(tuple(int(v) for v in layer.get("shape")))


@kind("prelu", optional=("num_parameters",))
def prelu(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """nn.PReLU(n): one learned slope, or one per channel (n = the channels): n parameters."""
    shape = tuple(shapes[0])
    n = int(layer.get("num_parameters") or 1)
    channels = shape[0] if layout == "channels_first" else shape[-1]
    if n not in (1, channels):
        raise ArchitectureError(f"PReLU holds {n} slopes: 1, or one per channel ({channels})", layer,
                                "num_parameters")
    return Effect(shape, trainable=n, work={"activations": prod(shape)}, params_formula=str(n))
