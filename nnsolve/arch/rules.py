"""What each layer kind does to a shape: its output shape, its parameters, its multiply-accumulates,
its other element-wise work and its window (for receptive fields). Shapes only: nothing is allocated.

Every rule takes the layer, the shapes it reads (without the batch axis, in the architecture's layout)
and the conventions, and returns an `Effect` whose formulas say how each count was obtained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .conventions import Conventions
from .ir import Layer


class ArchitectureError(ValueError):
    """A description that cannot be analysed (a shape that does not fit, a missing setting); `layer` names
    the layer so the message can be located."""

    def __init__(self, message: str, layer: Layer | None = None, setting: str | None = None):
        super().__init__(message)
        self.layer, self.setting = layer, setting


@dataclass(frozen=True)
class Window:
    """A sliding window along one spatial axis: it reads `extent` input positions (d(k−1)+1), moves by
    `stride`, and its first window starts `pad` positions before the input (the left padding)."""
    extent: int
    stride: int
    pad: int
    upsample: int = 1          # transposed convolution: the output moves 1/upsample of an input step


@dataclass
class Effect:
    shape: tuple[int, ...]
    trainable: int = 0
    non_trainable: int = 0
    buffers: int = 0
    macs: int = 0
    bias_adds: int = 0
    work: dict[str, int] = field(default_factory=dict)      # activations / pooling / normalization / elementwise
    windows: tuple[Window, ...] | None = None                # None: every output sees what its input saw
    global_view: bool = False                                # each output sees the whole input
    params_formula: str = "0"
    macs_formula: str = "0"


@dataclass(frozen=True)
class Grid:
    """A shape split into spatial axes and channels, in a layout; `rebuild` puts it back."""
    spatial: tuple[int, ...]
    channels: int
    channels_last: bool

    @classmethod
    def of(cls, shape: tuple[int, ...], layout: str) -> "Grid":
        if layout == "channels_last":
            return cls(tuple(shape[:-1]), shape[-1], True)
        return cls(tuple(shape[1:]), shape[0], False)

    def rebuild(self, spatial, channels) -> tuple[int, ...]:
        return (*spatial, channels) if self.channels_last else (channels, *spatial)


def per_axis(value, axes: int, what: str, layer: Layer) -> tuple:
    if isinstance(value, (list, tuple)):
        if len(value) != axes:
            raise ArchitectureError(f"{what} has {len(value)} entries, the layer has {axes} spatial axes", layer, what)
        return tuple(int(v) for v in value)
    return (int(value),) * axes


def prod(values) -> int:
    return math.prod(values)


def dot(values) -> str:
    return "·".join(str(v) for v in values)


def sliding(layer: Layer, grid: Grid, kernel, stride, padding, dilation, conv: Conventions,
            ceil_mode: bool = False) -> tuple[tuple[int, ...], tuple[Window, ...]]:
    """Output size per spatial axis and the windows: 'valid', 'same' (TensorFlow's split: the extra pad
    goes after) or explicit padding on both sides; floor unless the convention or the layer says ceil."""
    axes = len(grid.spatial)
    if axes == 0:
        raise ArchitectureError(f"{layer.kind} needs spatial axes, its input has shape {grid.rebuild((), grid.channels)}", layer)
    k = per_axis(kernel, axes, "kernel", layer)
    s = per_axis(stride if stride is not None else 1, axes, "stride", layer)
    d = per_axis(dilation if dilation is not None else 1, axes, "dilation", layer)
    sizes, windows = [], []
    for n, ki, si, di in zip(grid.spatial, k, s, d):
        extent = di * (ki - 1) + 1
        if padding == "same":
            out = -(-n // si)
            pad = max((out - 1) * si + extent - n, 0) // 2
        else:
            pad = 0 if padding in (None, "valid") else per_axis(padding, axes, "padding", layer)[len(sizes)]
            span = n + 2 * pad - extent
            out = span // si + 1
            if (ceil_mode or conv.output_size == "ceil") and span % si:
                out = -(-span // si) + 1
                if (out - 1) * si >= n + pad:       # PyTorch: the last window must start inside the input
                    out -= 1
        if out < 1:
            raise ArchitectureError(f"window of {extent} does not fit an axis of {n} (padding {pad}, stride {si})", layer, "kernel")
        sizes.append(out)
        windows.append(Window(extent, si, pad))
    return tuple(sizes), tuple(windows)
