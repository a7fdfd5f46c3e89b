"""Checks that need several fields at once: every matrix fits the layer before it, the target fits
the output, the loss has what it needs. Each finding names its place."""
from __future__ import annotations

from .schema import DenseProblem

MAX_PARAMETERS = 200_000     # exact arithmetic on more than this is a float job, not an exam question
MAX_BATCH = 10_000


def _shape(m) -> tuple[int, int]:
    return len(m), len(m[0])


def consistency(p: DenseProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    x = p.data.x
    batched = isinstance(x[0], list)
    width = len(x[0]) if batched else len(x)
    samples = len(x) if batched else 1
    if samples > MAX_BATCH:
        found.append((("data", "x"), f"{samples} samples; at most {MAX_BATCH} are solved exactly"))
    layout = p.network.layout
    total = 0
    for i, layer in enumerate(p.network.layers):
        loc = ("network", "layers", i)
        rows, cols = _shape(layer.W)
        total += rows * cols
        n_in = rows if layout == "in_out" else cols
        n_out = cols if layout == "in_out" else rows
        if n_in != width:
            expected = f"{width}×{n_out}" if layout == "in_out" else f"{n_out}×{width}"
            hint = ""
            if (cols if layout == "in_out" else rows) == width:
                other = "out_in" if layout == "in_out" else "in_out"
                hint = f" — it fits the {other} layout: set network.layout: {other}, or transpose W"
            what = "layer input" if i else "input x"
            found.append((loc + ("W",), f"expected {expected} matrix ({layout}: {width} from the {what}), "
                                        f"got {rows}×{cols}{hint}"))
        if layer.b is not None and len(layer.b) != n_out:
            found.append((loc + ("b",), f"expected {n_out} biases (one per unit), got {len(layer.b)}"))
        if layer.activation.name == "softmax" and n_out < 2:
            found.append((loc + ("activation",), "softmax over a single unit is always 1; use sigmoid"))
        width = n_out
    if total > MAX_PARAMETERS:
        found.append((("network", "layers"), f"{total} weights; at most {MAX_PARAMETERS} are solved exactly"))
    t = p.data.target
    if t is not None:
        t_batched = isinstance(t[0], list)
        t_width = len(t[0]) if t_batched else len(t)
        t_samples = len(t) if t_batched else 1
        if t_width != width or t_samples != samples:
            want = f"{samples}×{width}" if batched else f"{width} values"
            got = f"{t_samples}×{t_width}" if t_batched else f"{t_width} values"
            found.append((("data", "target"), f"expected {want} (the network's output), got {got}"))
    if p.loss is not None and t is None:
        found.append((("data", "target"), "is required when a loss is given"))
    if p.optimizer is not None and p.loss is None:
        found.append((("loss",), "is required when an optimizer is given"))
    if p.loss is not None and p.loss.type in ("bce", "binary_cross_entropy") and t is not None:
        flat = [v for row in t for v in row] if isinstance(t[0], list) else t
        if any(v < 0 or v > 1 for v in flat):
            found.append((("data", "target"), "binary cross-entropy needs targets between 0 and 1"))
    if p.optimizer is not None and p.optimizer.type == "perceptron":
        acts = {layer.activation.name for layer in p.network.layers}
        if len(p.network.layers) != 1 or not acts <= {"step", "threshold", "sign"}:
            found.append((("optimizer", "type"), "the perceptron rule needs a single layer with a step or sign "
                                                 "activation"))
    return found
