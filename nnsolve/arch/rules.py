"""What each layer kind does to a shape: its output shape, its parameters, its multiply-accumulates,
its other element-wise work and its window (for receptive fields). Shapes only: nothing is allocated.

Every rule takes the layer, the shapes it reads (without the batch axis, in the architecture's layout)
and the conventions, and returns an `Effect` whose formulas say how each count was obtained.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from ..geometry import Window, size_text, slide
from .conventions import Conventions
from .ir import Layer


class ArchitectureError(ValueError):
    """A description that cannot be analysed (a shape that does not fit, a missing setting); `layer` names
    the layer so the message can be located, `setting` the setting at fault (None: the layer as a whole)."""

    def __init__(self, message: str, layer: Layer | None = None, setting: str | None = None):
        super().__init__(message)
        self.layer, self.setting = layer, setting


class DeclaredSizeError(ArchitectureError):
    """A layer states the size of its input (PyTorch's in_features or in_channels, Keras's input_shape,
    a layer list's in_channels) and another size arrives."""

    def __init__(self, message: str, layer: Layer, setting: str, declared, arrived):
        super().__init__(message, layer, setting)
        self.declared, self.arrived = declared, arrived


@dataclass(slots=True, init=False)
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
    # where the batch axis is in the output (counting it; 0 in front); None: where it was in the input
    batch_axis: int | None = None
    # the spatial sizes of the padded tensor a computation on numbers allocates (the input with its
    # padding, the windows' reach in ceil mode; a transposed convolution's output with the padding it
    # crops): None for a layer that pads nothing
    padded: tuple[int, ...] | None = None
    # () → (params formula, MACs formula) with the layer's numbers, "(3·3·64 + 1)·128": called only when a
    # worked solution prints them (a summary never does, and writing them was a fifth of its analysis)
    formulas: Callable[[], tuple[str, str]] | None = None
    # the output shape with each slid axis's size formula in numbers, written only when a worked solution asks
    shape_formula: "ShapeFormula | None" = None

    def __init__(self, shape, trainable=0, non_trainable=0, buffers=0, macs=0, bias_adds=0, work=None,
                 windows=None, global_view=False, batch_axis=None, padded=None, formulas=None,
                 shape_formula=None, params_formula: str | None = None, macs_formula: str | None = None):
        """`params_formula` and `macs_formula`: a formula written out already, for a rule whose formulas
        cost nothing to write (or `dataclasses.replace` of one); it replaces that one of `formulas`."""
        self.shape, self.trainable, self.non_trainable, self.buffers = shape, trainable, non_trainable, buffers
        self.macs, self.bias_adds, self.work = macs, bias_adds, {} if work is None else work
        self.windows, self.global_view, self.batch_axis, self.padded = windows, global_view, batch_axis, padded
        if params_formula is not None or macs_formula is not None:
            formulas = _written(formulas, params_formula, macs_formula)
        self.formulas, self.shape_formula = formulas, shape_formula

    @property
    def params_formula(self) -> str:
        return self.formulas()[0] if self.formulas else "0"

    @property
    def macs_formula(self) -> str:
        return self.formulas()[1] if self.formulas else "0"


def _written(formulas, params: str | None, macs: str | None) -> Callable[[], tuple[str, str]]:
    def written() -> tuple[str, str]:
        before = formulas() if formulas else ("0", "0")
        return before[0] if params is None else params, before[1] if macs is None else macs
    return written


class ShapeFormula(NamedTuple):
    """[⌊(32 + 2·1 − 5)/2⌋ + 1, ⌊(32 + 2·1 − 5)/2⌋ + 1, 64]: the output shape, each slid axis as its formula
    (nnsolve.geometry's). Kept as the axes, and written on demand: a summary never needs the text."""
    grid: "Grid"
    axes: tuple
    channels: int
    ceil_mode: bool = False
    transposed_conv: bool = False

    def text(self) -> str:
        sizes = tuple(size_text(a, self.ceil_mode, self.transposed_conv) for a in self.axes)
        return "[" + ", ".join(map(str, self.grid.rebuild(sizes, self.channels))) + "]"


class Grid(NamedTuple):
    """A shape split into spatial axes and channels, in a layout; `rebuild` puts it back. (A named tuple:
    one is made per layer, and a frozen dataclass's __init__ costs several times more.)"""
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


def prod(values) -> int:
    return math.prod(values)


def dot(values) -> str:
    return "·".join(str(v) for v in values)


def sliding(layer: Layer, grid: Grid, conv: Conventions, setting: str = "kernel"
            ) -> tuple[tuple[int, ...], tuple[Window, ...], tuple[int, ...], tuple]:
    """Output size per spatial axis, the receptive-field windows, the padded input's sizes (see
    Effect.padded) and (the axes, ceil mode) for the sizes' formulas, of a convolution (`setting` kernel)
    or a pooling (`setting` pool, whose stride defaults to the window); ceil when the layer or the
    convention says so. The sizes are nnsolve.geometry's."""
    settings = layer.settings
    window = settings.get(setting)
    stride = settings.get("stride")
    ceil = bool(settings.get("ceil_mode", False)) or conv.output_size == "ceil"
    axes = slide(grid.spatial, window, (window if setting == "pool" else 1) if stride is None else stride,
                 settings.get("padding"), settings.get("dilation"), setting=setting, ceil_mode=ceil)
    # one loop, not three comprehensions: each is a function call, and they were a third of a convolution's rule
    outputs, windows, padded = [], [], []
    for a in axes:
        outputs.append(a.output)
        windows.append(a.window)
        padded.append(max(a.size + a.before + a.after, a.covered))
    return tuple(outputs), tuple(windows), tuple(padded), (axes, ceil)
