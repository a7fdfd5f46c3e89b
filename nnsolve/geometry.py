"""Layer geometry, once: how many outputs a sliding window (a convolution's kernel, a pooling window)
gives along one axis, what padding `same` and `keep_size` mean, the output size of a transposed
convolution, and how a layer moves a receptive field. The explicit-number ops (nnsolve/ops), the
shape-only analyzer (nnsolve/arch), the unknown-kernel systems and the padding solver all ask here, so
no two of them can disagree on a size.

Along an axis of n positions a window of k taps spaced d apart (dilation) spans the extent
e = d(k − 1) + 1; with stride s and p_b, p_a positions of padding before and after it gives
    out = ⌊(n + p_b + p_a − e)/s⌋ + 1                                              (floor, the default)
Ceil mode rounds up instead, but drops a last window that would start in the right padding (PyTorch).
`same` is TensorFlow's at any stride (PyTorch's too, which allows it at stride 1 only): out = ⌈n/s⌉, the
total padding max((out − 1)s + e − n, 0), its smaller half before. A transposed convolution, the
gradient of the convolution that maps its output back to its input, gives
    out = (n − 1)s − p_b − p_a + e + output_padding.
A receptive field (size, jump, start) per axis goes through a window as
    size + (e − 1)·jump,  jump·s,  start − p_b·jump.
"""
from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral
from typing import NamedTuple

WINDOW_WORDS = {"kernel": "kernel", "pool": "pooling window"}


class GeometryError(ValueError):
    """A size that cannot be: a stride of 0, negative padding, a window wider than its padded input.
    `setting` names the setting at fault (None: no single one, as for a window that does not fit)."""

    def __init__(self, message: str, setting: str | None = None):
        super().__init__(message)
        self.setting = setting


def whole(value, setting: str, least: int) -> int:
    """A whole-number setting of at least `least` (the loader's exact 3 counts; 2.5, True and 'x' do not)."""
    if value.__class__ is int and value >= least:       # the common case, without the checks of an ABC
        return value
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise GeometryError(f"{setting} must be a whole number, got {value!r}", setting)
    if value < least:
        raise GeometryError(f"{setting} must be at least {least}, got {value}", setting)
    return int(value)


def per_axis(value, axes: int, setting: str, least: int = 1) -> tuple[int, ...]:
    """One number for every spatial axis, or a list with one per axis."""
    if value.__class__ is int and value >= least:
        return (value,) * axes
    if isinstance(value, (list, tuple)):
        if len(value) != axes:
            raise GeometryError(f"{setting} has {len(value)} entries, the layer has {axes} spatial "
                                f"ax{'i' if axes == 1 else 'e'}s", setting)
        return tuple(whole(v, setting, least) for v in value)
    return (whole(value, setting, least),) * axes


def extent(kernel: int, dilation: int = 1) -> int:
    return dilation * (kernel - 1) + 1


def same_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """(before, after) of TensorFlow's 'same': ⌈n/s⌉ outputs, the odd position of padding after."""
    total = max((-(-n // stride) - 1) * stride + extent(kernel, dilation) - n, 0)
    return total // 2, total - total // 2


def keep_size_padding(n: int, kernel: int, stride: int = 1, dilation: int = 1) -> Fraction:
    """The padding p on each side with ⌊(n + 2p − e)/s⌋ + 1 = n, the smallest (the one exams mean):
    2p = (n − 1)s − n + e. Not an integer when no padding applied equally on both sides keeps n."""
    return Fraction((n - 1) * stride - n + extent(kernel, dilation), 2)


def keep_size_text(n: int, kernel: int, stride: int, dilation: int) -> str:
    return f"(({n} − 1)·{stride} − {n} + {dilation}·({kernel} − 1) + 1)/2"


OUTPUT_SIZE_TEXT = {
    "floor": "⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (floor)",
    "ceil": "⌈(n + 2p − d(k − 1) − 1)/s⌉ + 1 (ceil; a window must start inside the input or its left padding)",
}


def output_size(n: int, kernel: int, stride: int = 1, before: int = 0, after: int = 0, dilation: int = 1,
                ceil_mode: bool = False) -> int:
    """The number of windows along an axis; below 1 when the window does not fit (callers use `slide`,
    which refuses that)."""
    span = n + before + after - extent(kernel, dilation)
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= n + before:         # the last window would start in the right padding
        out -= 1
    return out


def size_text(axis: "Axis", ceil_mode: bool = False, transposed_conv: bool = False) -> str:
    """The output size's formula with the axis's numbers, for a worked solution: ⌊(32 + 2·1 − 5)/2⌋ + 1
    (a dilated window's extent written d·(k − 1) + 1; unequal padding as p_b + p_a); with ceil mode's
    dropped last window a trailing − 1; a transposed convolution's (n − 1)·s − 2·p + k + output_padding."""
    pad = f"2·{axis.before}" if axis.before == axis.after else f"{axis.before} + {axis.after}"
    window = str(axis.kernel) if axis.dilation == 1 else f"({axis.dilation}·({axis.kernel} − 1) + 1)"
    if transposed_conv:
        extra = axis.output - ((axis.size - 1) * axis.stride - axis.before - axis.after + axis.extent)
        pads = pad if axis.before == axis.after else f"({pad})"
        return f"({axis.size} − 1)·{axis.stride} − {pads} + {window}" + (f" + {extra}" if extra else "")
    left, right = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
    text = f"{left}({axis.size} + {pad} − {window})/{axis.stride}{right} + 1"
    span = axis.size + axis.before + axis.after - axis.extent
    if ceil_mode and axis.output < -(-span // axis.stride) + 1:
        text += " − 1"                        # PyTorch drops a last window that starts in the right padding
    return text


def size_equation(axis: "Axis", ceil_mode: bool = False, transposed_conv: bool = False) -> str:
    """`size_text` = the size: ⌊(32 + 2·1 − 5)/2⌋ + 1 = 15."""
    return f"{size_text(axis, ceil_mode, transposed_conv)} = {axis.output}"


class Window(NamedTuple):
    """How a layer moves a receptive field along one axis: each output reads `extent` positions of its
    input, the next output `stride` further on, the first starting `pad` positions before the input.
    A transposed convolution moves 1/`upsample` of an input position per output."""
    extent: int
    stride: int
    pad: int
    upsample: int = 1


class Field(NamedTuple):
    """A receptive field along one axis, relative to the network input: output unit 0 sees positions
    start … start + size − 1, the next unit `jump` further on. A named tuple rather than a frozen
    dataclass: one is built per layer and axis, and a dataclass's __init__ was a tenth of ResNet-152's
    analysis."""
    size: int
    jump: int | Fraction
    start: int | Fraction

    @property
    def centre(self) -> Fraction:
        return self.start + Fraction(self.size - 1, 2)

    def through(self, window: Window) -> "Field":
        extent, stride, pad, upsample = window
        if extent == 1 and stride == 1 and pad == 0 and upsample == 1:
            return self                   # a 1×1 window at stride 1 (a pointwise convolution) moves nothing
        # plain ints unless a transposed convolution made the jump a fraction (Fractions are slow)
        jump = self.jump if upsample == 1 else Fraction(self.jump) / upsample
        size = self.size + (extent - 1) * self.jump
        if size.__class__ is not int:
            size = int(size) if size == int(size) else math.ceil(size)
        return new_field(Field, (size, jump * stride, self.start - pad * self.jump))


# Field(size, jump, start) made without the named tuple's argument handling, in half the time: a summary
# makes one per layer and axis that moves the field
new_field = tuple.__new__


class Axis(NamedTuple):
    """One spatial axis of a sliding window: the input size, the window's settings, the padding
    before and after, and the number of outputs."""
    size: int
    kernel: int
    stride: int
    dilation: int
    before: int
    after: int
    output: int

    @property
    def extent(self) -> int:
        return extent(self.kernel, self.dilation)

    @property
    def covered(self) -> int:
        """Positions from the first window's start to the last one's end: the padded input, or (ceil
        mode) beyond it, or (floor) short of it when the windows leave a remainder."""
        return (self.output - 1) * self.stride + self.extent

    def position(self, output, tap):
        """The input position tap `tap` of output `output` reads (negative or ≥ size: in the padding);
        numbers or numpy arrays."""
        return output * self.stride + tap * self.dilation - self.before

    @property
    def window(self) -> Window:
        return Window(self.extent, self.stride, self.before)

    @property
    def upsampling_window(self) -> Window:
        """The receptive-field window of the transposed convolution on this axis: each output moves 1/s
        of an input position and is reached by ⌈e/s⌉ inputs."""
        return Window(-(-self.extent // self.stride), 1, 0, upsample=self.stride)


def padding_sides(padding, sizes, kernel, stride, dilation) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis from 'valid', 'same', a number, one per axis, or (before, after) pairs."""
    axes = len(sizes)
    if padding is None:
        padding = 0
    if padding.__class__ is int and padding >= 0:
        return ((padding, padding),) * axes
    if isinstance(padding, str):
        word = padding.lower()
        if word == "valid":
            return ((0, 0),) * axes
        if word == "same":
            return tuple(same_padding(*axis) for axis in zip(sizes, kernel, stride, dilation))
        raise GeometryError(f"padding {padding!r}: expected a number, one per axis, 'valid' or 'same'", "padding")
    if isinstance(padding, (list, tuple)) and padding and all(isinstance(p, (list, tuple)) for p in padding):
        if len(padding) != axes or any(len(p) != 2 for p in padding):
            raise GeometryError(f"padding {padding!r}: expected a (before, after) pair for each of the {axes} "
                                "spatial axes", "padding")
        return tuple((whole(b, "padding", 0), whole(a, "padding", 0)) for b, a in padding)
    return tuple((p, p) for p in per_axis(padding, axes, "padding", 0))


def slide(sizes, kernel, stride=1, padding=0, dilation=1, *, ceil_mode: bool = False,
          setting: str = "kernel") -> tuple[Axis, ...]:
    """Every spatial axis of a convolution (`setting` "kernel") or a pooling (`setting` "pool", whose
    explicit padding PyTorch limits to half the window); GeometryError for a setting out of range or a
    window that does not fit."""
    axes = len(sizes)
    k = per_axis(kernel, axes, setting)
    s = per_axis(1 if stride is None else stride, axes, "stride")
    d = per_axis(1 if dilation is None else dilation, axes, "dilation")
    pads = padding_sides(padding, sizes, k, s, d)
    if setting == "pool" and any(2 * max(p) > extent(ki, di) for p, ki, di in zip(pads, k, d)):
        raise GeometryError(f"padding {_sides(pads)} is more than half the pooling window {_sizes(k)}", "padding")
    out = []
    for n, ki, si, di, (before, after) in zip(sizes, k, s, d, pads):
        axis = Axis(n, ki, si, di, before, after, output_size(n, ki, si, before, after, di, ceil_mode))
        if axis.output < 1:
            rounding = ("⌈", "⌉") if ceil_mode else ("⌊", "⌋")
            raise GeometryError(
                f"the {WINDOW_WORDS.get(setting, setting)} does not fit: it spans {axis.extent} positions"
                f"{f' (dilation {di})' if di != 1 else ''}, the padded axis has {n + before + after} "
                f"({rounding[0]}({n} + {before + after} − {axis.extent})/{si}{rounding[1]} + 1 = {axis.output} "
                f"outputs)", None)
        out.append(axis)
    return tuple(out)


def transposed(sizes, kernel, stride=1, padding=0, dilation=1, output_padding=None) -> tuple[Axis, ...]:
    """Every spatial axis of a transposed convolution: `output` its output size, `before`/`after` the
    padding of the convolution it is the transpose of. Numbers pad like PyTorch; 'valid' and 'same' pad
    like Keras, which without an output_padding gives (n − 1)s + max(e, s) and n·s."""
    axes = len(sizes)
    k = per_axis(kernel, axes, "kernel")
    s = per_axis(1 if stride is None else stride, axes, "stride")
    d = per_axis(1 if dilation is None else dilation, axes, "dilation")
    given = None if output_padding is None else per_axis(output_padding, axes, "output_padding", 0)
    word = padding.lower() if isinstance(padding, str) else None
    if word not in (None, "valid", "same"):
        raise GeometryError(f"padding {padding!r}: expected a number, one per axis, 'valid' or 'same'", "padding")
    numbers = padding_sides(padding, sizes, k, s, d) if word is None else None
    out = []
    for i, (n, ki, si, di) in enumerate(zip(sizes, k, s, d)):
        e = extent(ki, di)
        op = given[i] if given is not None else None
        if op is not None and op >= max(si, di):
            raise GeometryError(f"output_padding {op} must be smaller than the stride {si} or the dilation {di}",
                                "output_padding")
        if word == "valid":
            before = after = 0
            op = max(si - e, 0) if op is None else op
        elif word == "same":
            if op is None:                     # Keras: exactly n·s outputs
                total, op = max(e - si, 0), max(si - e, 0)
                before, after = total // 2, total - total // 2
            else:
                before = after = e // 2
        else:
            before, after = numbers[i]
            op = op or 0
        size = (n - 1) * si - before - after + e + op
        if size < 1:
            raise GeometryError(f"the transposed convolution's output size ({n} − 1)·{si} − {before + after} + "
                                f"{e} + {op} = {size} is not positive", None)
        out.append(Axis(n, ki, si, di, before, after, size))
    return tuple(out)


class Adaptive(NamedTuple):
    """An adaptive pooling axis of n inputs and m outputs (PyTorch's rule): output i reads inputs
    ⌊i·n/m⌋ … ⌈(i + 1)·n/m⌉ − 1. `window` is the largest of those windows and `step` the largest step
    between two starts (both n/m when m divides n, the windows then a plain pool's: a receptive field
    through them is exact, otherwise an upper bound); `reads` is the sum of all m windows,
    n + m − gcd(n, m)."""
    window: int
    step: int
    reads: int


def adaptive(n: int, m: int) -> Adaptive:
    # output i's window is ⌊n/m⌋ + ⌈(t + r)/m⌉, t = i·n mod m (a multiple of g = gcd(n, m), at most
    # m − g), r = n mod m: the largest is ⌊n/m⌋ + 2 when r > g, else + 1 (+ 0 when r = 0). The step
    # after output i is ⌊n/m⌋ + ⌊(t + r)/m⌋: t ≥ m − r happens r times over i = 0 … m − 1, once at the
    # last output (no step after it), so some step is ⌊n/m⌋ + 1 exactly when r ≥ 2
    r, g = n % m, math.gcd(n, m)
    window = n // m + (0 if r == 0 else 2 if r > g else 1)
    return Adaptive(window, n // m + (1 if r >= 2 else 0), n + m - g)


def _sides(pads) -> str:
    sides = [str(b) if b == a else f"{b}+{a}" for b, a in pads]
    return sides[0] if len(set(sides)) == 1 else ", ".join(sides)


def _sizes(values) -> str:
    return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))
