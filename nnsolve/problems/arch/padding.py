"""The padding that keeps a layer's size, solved for rather than given (`padding: keep_size`).

nnsolve.geometry.keep_size_padding gives the padding p on each side that makes the output size equal
the input size (the smallest such p, the one exams mean). When it is not an integer no padding applied
equally on both sides keeps the size; at stride 1 the layer then takes TensorFlow's 'same' split (the
smaller half before, the rest after), and the step says so.
"""
from __future__ import annotations

from dataclasses import replace

from ...arch.analyze import analyze
from ...arch.ir import Architecture
from ...arch.rules import ArchitectureError, Grid
from ...geometry import GeometryError, keep_size_padding, keep_size_text, per_axis

KEEP_SIZE = "keep_size"
WINDOW_SETTING = {"max_pool1d": "pool", "max_pool2d": "pool", "avg_pool1d": "pool", "avg_pool2d": "pool"}


def solve_paddings(arch: Architecture, conventions) -> tuple[Architecture, list[tuple]]:
    """The architecture with every `keep_size` padding replaced by the solved one, and for each solved
    layer (name, per-axis padding, the formula per axis, note)."""
    solved: list[tuple] = []
    layers = list(arch.layers)
    for i, layer in enumerate(layers):
        if layer.get("padding") != KEEP_SIZE:
            continue
        before = replace(arch, layers=layers[:i])
        shapes = {"input": tuple(arch.input_shape), **{r.name: r.shape for r in analyze(before, conventions).layers}}
        source = layer.inputs[0] if layer.inputs else (layers[i - 1].name if i else "input")
        grid = Grid.of(shapes[source], arch.layout)
        axes = len(grid.spatial)
        if axes == 0:
            raise ArchitectureError("padding keep_size needs spatial axes", layer, "padding")
        window = WINDOW_SETTING.get(layer.kind, "kernel")
        try:
            k = per_axis(layer.get(window), axes, window)
            s = per_axis(layer.get("stride") or (layer.get("pool") if window == "pool" else 1), axes, "stride")
            d = per_axis(layer.get("dilation") or 1, axes, "dilation")
        except GeometryError as e:
            raise ArchitectureError(str(e), layer, e.setting) from None
        pads = [keep_size_padding(*axis) for axis in zip(grid.spatial, k, s, d)]
        if all(p.denominator == 1 for p in pads):
            padding, note = tuple(int(p) for p in pads), "padding on both sides that keeps the size"
        elif all(v == 1 for v in s):
            padding = "same"
            note = (f"p = {', '.join(dict.fromkeys(map(str, pads)))} is not an integer: no padding applied "
                    "equally on both sides keeps the size; the layer uses "
                    "TensorFlow's 'same' split (the smaller half before, the larger after)")
        else:
            raise ArchitectureError(f"the padding that keeps the size would be {', '.join(map(str, pads))}: not an "
                                    "integer, and at stride > 1 no 'same' split keeps it either", layer, "padding")
        layers[i] = replace(layer, settings={**layer.settings, "padding": padding})
        text = "; ".join(dict.fromkeys(keep_size_text(*axis) for axis in zip(grid.spatial, k, s, d)))
        solved.append((layer.name, pads, text, note))
    return replace(arch, layers=layers), solved
