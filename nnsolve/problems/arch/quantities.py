"""Quantities of the architecture family beyond each layer's own counts: weight tensor shapes in a
framework's order, and sums of a count over a selection of layers.

A sum is named `sum(SELECTION).QUANTITY`, QUANTITY one of params, trainable_params,
non_trainable_params, macs, flops, and SELECTION one of
    conv1+conv2+fc            the named layers
    conv1..pool2              the layers from conv1 to pool2 in order, both included
    every batch_norm          every layer of a kind
    first 3 batch_norm        the first (or `last`) N layers of a kind
so "the non-trainable parameters of the first three batch-norm layers" is
`sum(first 3 batch_norm).non_trainable_params`. Only the sums a problem asks for or answers are computed.
"""
from __future__ import annotations

import re

from ...arch.analyze import Analysis, LayerReport
from ...arch.rules import Grid
from ...geometry import per_axis

COUNTS = {"params": lambda r: r.params, "trainable_params": lambda r: r.effect.trainable,
          "non_trainable_params": lambda r: r.effect.non_trainable, "macs": lambda r: r.macs,
          "flops": lambda r: r.flops}
SUM = re.compile(r"^sum\((?P<selection>[^()]+)\)\.(?P<count>\w+)$")
OF_KIND = re.compile(r"^(?:(?P<every>every)|(?P<end>first|last)\s+(?P<n>\d+))\s+(?P<kind>\w+)$")


class SelectionError(ValueError):
    pass


def is_sum(quantity_id: str) -> bool:
    return quantity_id.startswith("sum(")


def select(analysis: Analysis, selection: str) -> list[LayerReport]:
    reports = analysis.layers
    names = [r.name for r in reports]
    selection = " ".join(selection.split())
    kind = OF_KIND.match(selection)
    if kind:
        of_kind = [r for r in reports if r.layer.kind == kind["kind"]]
        if not of_kind:
            raise SelectionError(f"no layer of kind {kind['kind']!r}")
        if kind["every"]:
            return of_kind
        n = int(kind["n"])
        if not 1 <= n <= len(of_kind):
            raise SelectionError(f"{kind['end']} {n} {kind['kind']}: there are {len(of_kind)} such layers")
        return of_kind[:n] if kind["end"] == "first" else of_kind[-n:]
    parts = [p.strip() for p in selection.split("..")] if ".." in selection else \
        [p.strip() for p in selection.split("+")]
    unknown = [p for p in parts if p not in names]
    if unknown:
        raise SelectionError(f"no layer named {unknown[0]!r} (layers: {', '.join(names)})")
    if ".." in selection:
        if len(parts) != 2 or names.index(parts[0]) > names.index(parts[1]):
            raise SelectionError(f"a range is FIRST..LAST with FIRST before LAST, got {selection!r}")
        return reports[names.index(parts[0]):names.index(parts[1]) + 1]
    return [reports[names.index(p)] for p in parts]


def layer_sum(analysis: Analysis, quantity_id: str) -> tuple[int, str]:
    """The value of a `sum(…).count` id and its formula text; SelectionError for a malformed id."""
    m = SUM.match(quantity_id)
    if not m or m["count"] not in COUNTS:
        raise SelectionError(f"{quantity_id!r}: a sum is sum(SELECTION).COUNT with COUNT one of {', '.join(COUNTS)}, "
                             "e.g. sum(first 3 batch_norm).non_trainable_params")
    chosen, count = select(analysis, m["selection"]), COUNTS[m["count"]]
    values = [count(r) for r in chosen]
    return sum(values), " + ".join(f"{v} ({r.name})" for v, r in zip(values, chosen))


def weight_order(framework: str, layout: str) -> str:
    """Whose order weight shapes are given in: the framework's, or for nnsolve's own format the one that
    matches the layout (PyTorch is channels-first, Keras channels-last)."""
    if framework in ("keras", "pytorch"):
        return framework
    return "pytorch" if layout == "channels_first" else "keras"


ORDER_STATEMENT = {
    "pytorch": "PyTorch order: Linear (out, in), Conv (out, in/groups, kh, kw), ConvTranspose (in, out/groups, kh, kw)",
    "keras": "Keras order: Dense (in, out), Conv (kh, kw, in/groups, out), Conv2DTranspose (kh, kw, out, in), "
             "DepthwiseConv2D (kh, kw, in, multiplier)",
}


def weight_shape(r: LayerReport, analysis: Analysis, order: str) -> tuple[int, ...] | None:
    """The shape of a layer's weight tensor (bias excluded), or None for a layer without one."""
    layer, arch = r.layer, analysis.architecture
    shape_in = input_shape(r, analysis)
    keras = order == "keras"
    if layer.kind == "dense":
        return (shape_in[-1], layer.get("units")) if keras else (layer.get("units"), shape_in[-1])
    if layer.kind == "embedding":
        return (layer.get("vocabulary"), layer.get("dim"))
    if layer.kind not in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "depthwise_conv2d"):
        return None
    grid = Grid.of(shape_in, arch.layout)
    k = per_axis(layer.get("kernel"), len(grid.spatial), "kernel")
    c_in, groups = grid.channels, int(layer.get("groups", 1) or 1)
    if layer.kind == "depthwise_conv2d":
        m = int(layer.get("depth_multiplier", 1) or 1)
        return (*k, c_in, m) if keras else (c_in * m, 1, *k)
    filters = int(layer.get("filters"))
    if layer.kind in ("conv_transpose1d", "conv_transpose2d"):
        return (*k, filters, c_in) if keras else (c_in, filters // groups, *k)
    return (*k, c_in // groups, filters) if keras else (filters, c_in // groups, *k)


def input_shape(r: LayerReport, analysis: Analysis) -> tuple[int, ...]:
    """The shape a layer reads (its first input's)."""
    source = r.inputs[0] if r.inputs else None
    return analysis.report(source).shape if _is_layer(analysis, source) else tuple(analysis.architecture.input_shape)


def _is_layer(analysis: Analysis, name) -> bool:
    return name is not None and analysis.has(name)
