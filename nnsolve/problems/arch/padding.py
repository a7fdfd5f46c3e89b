"""The padding that keeps a layer's size, solved for rather than given (`padding: keep_size`).

An axis of n positions, a window of extent e = d(k − 1) + 1 and stride s give n outputs when
⌊(n + 2p − e)/s⌋ + 1 = n, i.e. (taking the smallest p, the one exams mean) 2p = (n − 1)s − n + e:
    p = ((n − 1)s − n + d(k − 1) + 1) / 2.
When that is not an integer no padding applied equally on both sides keeps the size; at stride 1 the
layer then takes TensorFlow's 'same' split (⌊2p/2⌋ before, the rest after), and the step says so.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from ...arch.analyze import analyze
from ...arch.ir import Architecture
from ...arch.rules import ArchitectureError, Grid, per_axis

KEEP_SIZE = "keep_size"
WINDOW_SETTING = {"max_pool1d": "pool", "max_pool2d": "pool", "avg_pool1d": "pool", "avg_pool2d": "pool"}


def keep_size_padding(n: int, kernel: int, stride: int, dilation: int) -> Fraction:
    return Fraction((n - 1) * stride - n + dilation * (kernel - 1) + 1, 2)


def solve_paddings(arch: Architecture, conventions) -> tuple[Architecture, list[tuple]]:
    """The architecture with every `keep_size` padding replaced by the solved one, and for each solved
    layer (name, per-axis padding, per-axis (n, k, s, d), note)."""
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
        k = per_axis(layer.get(WINDOW_SETTING.get(layer.kind, "kernel")), axes, "kernel", layer)
        default_stride = layer.get("pool") if layer.kind in WINDOW_SETTING else 1
        s = per_axis(layer.get("stride") or default_stride, axes, "stride", layer)
        d = per_axis(layer.get("dilation") or 1, axes, "dilation", layer)
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
        solved.append((layer.name, pads, list(zip(grid.spatial, k, s, d)), note))
    return replace(arch, layers=layers), solved
