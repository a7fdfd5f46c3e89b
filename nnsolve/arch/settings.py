"""What each layer setting of a YAML layer list means, how its value is read, and the spellings users
paste from Keras and PyTorch that are read as it (`strides: 2` is the stride, said so in the solution).
Which kind takes which settings is the table in kinds.py; a key that is neither a setting of its kind nor
an alias of one is refused, so a misspelt setting can never be silently left at its default.
"""
from __future__ import annotations

from fractions import Fraction
from numbers import Integral
from typing import Callable

from ..geometry import GeometryError, whole
from ..limits import MAX_SIZE       # any whole-number setting and any input size: 10^80 units is a typo


class SettingError(ValueError):
    """A setting's value out of range or of the wrong sort; `setting` names it where the reader knows."""

    def __init__(self, message: str, setting: str | None = None):
        super().__init__(message)
        self.setting = setting


def _bounded(n: int, value) -> int:
    if n > MAX_SIZE.value:
        raise SettingError(f"expected at most {MAX_SIZE.shown} (no layer comes near; raise it with "
                           f"{MAX_SIZE.variable}), got {_short(value)}")
    return n


def _repr(value) -> str:
    """A value as messages quote it: a number as typed (the loader's) or exactly (5/2), text quoted."""
    if type(value) is Fraction:
        return str(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_repr(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}…({len(text)} digits)"


def _whole(value) -> int | None:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    return None


def count(value):
    n = _whole(value)
    if n is None or n < 1:
        raise SettingError(f"expected a whole number ≥ 1, got {_repr(value)}")
    return _bounded(n, value)


def _axes_of(least: int) -> Callable:
    def read(value):
        items = value if isinstance(value, (list, tuple)) else [value]
        try:
            numbers = tuple(whole(v, "value", least) for v in items)
        except GeometryError:
            numbers = ()
        if not numbers:
            raise SettingError(f"expected a whole number ≥ {least} or one per spatial axis, got {_repr(value)}")
        for n in numbers:
            _bounded(n, value)
        return numbers if isinstance(value, (list, tuple)) else numbers[0]
    return read


sizes = _axes_of(1)
offsets = _axes_of(0)


def padding(value):
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("valid", "same", "keep_size"):
            return word
        raise SettingError(f"expected valid, same, keep_size, a number or one per spatial axis, got {_repr(value)}")
    return offsets(value)


def zero_padding(value):
    items = offsets(value)
    if isinstance(items, tuple) and len(items) not in (2, 4):
        raise SettingError(f"expected one number, [rows, columns] or [top, bottom, left, right], got {_repr(value)}")
    return items


def flag(value):
    if not isinstance(value, bool):
        raise SettingError(f"expected true or false, got {_repr(value)}")
    return value


def amount(value):
    if isinstance(value, float):                      # JSON-read bundled files: the typed digits
        value = Fraction(repr(value))
    if isinstance(value, bool) or not isinstance(value, (Integral, Fraction)) or value < 0:
        raise SettingError(f"expected a number ≥ 0, got {_repr(value)}")
    return value


def rate(value):
    value = amount(value)
    if value >= 1:
        raise SettingError(f"expected a drop rate below 1, got {value}")
    return value


def fraction(value):
    value = amount(value)
    if value > 1:
        raise SettingError(f"expected a number from 0 to 1, got {value}")
    return value


def text(value):
    if not isinstance(value, str) or not value.strip():
        raise SettingError(f"expected a name such as relu, got {_repr(value)}")
    return value.strip()


def axis(value):
    if _whole(value) is None:
        raise SettingError(f"expected an axis number, got {_repr(value)}")
    return int(value)


def bound(value):
    """A slice's start or stop: a whole number (negative counts from the end) or None (the axis' end)."""
    if value is None:
        return None
    return axis(value)


def axes(value):
    items = value if isinstance(value, (list, tuple)) else [value]
    read = tuple(axis(v) for v in items)
    return read if isinstance(value, (list, tuple)) else read[0]


def order(value):
    if not isinstance(value, (list, tuple)) or not value:
        raise SettingError(f"expected the axes in their new order, e.g. [0, 2, 1], got {_repr(value)}")
    return tuple(axis(v) for v in value)


def whole_numbers(value):
    if not isinstance(value, (list, tuple)) or not value or any(_whole(v) is None for v in value):
        raise SettingError(f"expected whole numbers, e.g. [2, 0], got {_repr(value)}")
    return tuple(int(v) for v in value)


def output_size(value):
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or any(v is not None and (_whole(v) is None or _whole(v) < 1) for v in items):
        raise SettingError(f"expected an output size ≥ 1 or one per spatial axis (null keeps an axis), got "
                           f"{_repr(value)}")
    read = tuple(None if v is None else _bounded(_whole(v), value) for v in items)
    return read if isinstance(value, (list, tuple)) else read[0]


def merge_mode(value):
    if value not in ("concat", "sum", "ave", "mul"):
        raise SettingError(f"expected concat, sum, ave or mul, got {_repr(value)}")
    return value


def shape(value):
    items = value if isinstance(value, (list, tuple)) else None
    if not items or any(_whole(v) is None or (_whole(v) < 1 and _whole(v) != -1) for v in items) \
            or [_whole(v) for v in items].count(-1) > 1:
        raise SettingError(f"expected a shape such as [7, 7, 64] (one entry may be -1), got {_repr(value)}")
    return tuple(_bounded(_whole(v), value) for v in items)


def declared_shape(value):
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or any(v is not None and (_whole(v) is None or _whole(v) < 1) for v in items):
        raise SettingError(f"expected sizes such as [28, 28, 1] (null for any size), got {_repr(value)}")
    return tuple(None if v is None else _bounded(_whole(v), value) for v in items)


def dims(value):
    items = sizes(value)
    return items if isinstance(items, tuple) else (items,)


# setting → (how its value is read, what it means)
SETTINGS: dict[str, tuple[Callable, str]] = {
    "units": (count, "the number of outputs"),
    "filters": (count, "the number of output channels"),
    "kernel": (sizes, "the kernel size"),
    "pool": (sizes, "the pooling window"),
    "stride": (sizes, "the stride"),
    "dilation": (sizes, "the spacing of the kernel's taps"),
    "padding": (padding, "valid, same, keep_size or a number per side"),
    "output_padding": (offsets, "extra output positions of a transposed convolution"),
    "groups": (count, "the number of channel groups"),
    "depth_multiplier": (count, "output channels per input channel"),
    "bias": (flag, "whether the layer adds a bias"),
    "ceil_mode": (flag, "round the output size up"),
    "keepdims": (flag, "keep the pooled axes as size 1"),
    "eps": (amount, "ε"), "momentum": (fraction, "the running statistics' momentum"),
    "affine": (flag, "learned scale and shift"), "track_running_stats": (flag, "keep running statistics"),
    "axes": (axes, "the axes (layer_norm: normalized, batch not counted; squeeze: batch counted)"), "axis": (axis, "the axis (concat: joined along; unsqueeze: the new one's place)"),
    "rate": (rate, "the drop rate"),
    "start": (bound, "where a slice starts (None: the axis' start)"),
    "stop": (bound, "where a slice stops (None: the axis' end)"), "step": (count, "a slice's step"),
    "activation": (text, "a fused activation"), "function": (text, "the activation"),
    "shape": (shape, "a shape"),
    # the rearranging kinds (kinds_shape.py): dimension numbers count the batch axis, as PyTorch's
    "dims": (order, "the axes in their new order"), "dim0": (axis, "the first axis swapped"),
    "dim1": (axis, "the second axis swapped"), "start_dim": (axis, "the first axis flattened"),
    "end_dim": (axis, "the last axis flattened"),
    "batch_inferred": (flag, "the batch entry was -1"),
    "times": (count, "how many steps repeat the vector"),
    "vocabulary": (count, "the number of tokens"), "dim": (count, "the embedding size"),
    "return_sequences": (flag, "output every time step"), "reset_after": (flag, "GRU: reset gate after the product"),
    "batch_first": (flag, "the batch axis first"),
    "num_layers": (count, "stacked layers"), "bidirectional": (flag, "both directions"),
    "proj_size": (count, "an LSTM's projection size"), "merge_mode": (merge_mode, "how two directions merge"),
    "dim_feedforward": (count, "the feed-forward width"), "norm_first": (flag, "the norms before each block"),
    "final_norm": (flag, "a LayerNorm after the last layer"), "d_model": (count, "the features it expects"),
    "output_size": (output_size, "the output size per spatial axis"), "factor": (count, "the upscale factor"),
    "added": (flag, "the forward adds the buffer to its input"),
    "held": (flag, "a buffer held beside the layers: nothing reads it"),
    "trainable": (flag, "parameter: learned (requires_grad)"),
    "sizes": (shape, "the sizes an axis is split into"), "mode": (text, "nearest, linear or bilinear"),
    "heads": (count, "the number of heads"), "key_dim": (count, "the size of each head's queries and keys"),
    "value_dim": (count, "the size of each head's values"), "output_dim": (count, "the output size"),
    # sizes a layer declares for its input, checked against what arrives
    "in_channels": (count, "the input channels it expects"), "in_features": (count, "the inputs it expects"),
    "num_features": (count, "the channels it normalizes"), "input_size": (count, "the features per step it expects"),
    "embed_dim": (count, "the features it expects"), "normalized_shape": (dims, "the trailing axes it expects"),
    "input_shape": (declared_shape, "the input shape it expects"),
    "shares": (text, "the name of an earlier layer whose weights it uses again"),
    "length": (count, "the number of positions"),
    "right": (dims, "the shape of the weights a tensor is multiplied by"),
    "keepdim": (flag, "keep the reduced axis, of size 1"), "index": (axis, "the position taken"),
    "pads": (whole_numbers, "the pads, two per axis, the last axis first"),
    "num_parameters": (count, "the number of learned slopes"),
}
READERS_BY_KIND = {("zero_padding2d", "padding"): zero_padding, ("input", "shape"): dims, ("buffer", "shape"): dims, ("parameter", "shape"): dims,
                   ("upsample", "factor"): sizes}

KERAS, TORCH = "Keras spelling", "PyTorch spelling"
# alias → (the settings it may stand for, the first one its kind takes; where the spelling comes from)
ALIASES: dict[str, tuple[tuple[str, ...], str]] = {
    "strides": (("stride",), KERAS), "kernel_size": (("kernel", "pool"), "Keras and PyTorch spelling"),
    "pool_size": (("pool",), KERAS), "dilation_rate": (("dilation",), KERAS), "use_bias": (("bias",), KERAS),
    "out_channels": (("filters",), TORCH), "out_features": (("units",), TORCH), "hidden_size": (("units",), TORCH),
    "units": (("filters",), "a dense layer's word"), "filters": (("units",), "a convolution's word"),
    "input_dim": (("in_features", "vocabulary"), KERAS), "output_dim": (("dim",), KERAS),
    "num_embeddings": (("vocabulary",), TORCH), "embedding_dim": (("dim",), TORCH),
    "num_heads": (("heads",), "Keras and PyTorch spelling"), "nhead": (("heads",), TORCH),
    "upscale_factor": (("factor",), TORCH), "downscale_factor": (("factor",), TORCH),
    "scale_factor": (("factor",), TORCH), "num_groups": (("groups",), TORCH), "unflattened_size": (("sizes",), TORCH), "p": (("rate",), TORCH), "epsilon": (("eps",), KERAS),
    "target_shape": (("shape",), KERAS), "elementwise_affine": (("affine",), TORCH),
    "in_channels": (("num_features",), TORCH), "in_features": (("num_features",), TORCH),
}


def reader(kind: str, setting: str) -> Callable:
    return READERS_BY_KIND.get((kind, setting)) or SETTINGS[setting][0]


def read_given(kind: str, settings: dict) -> dict:
    """Settings that came another way than a layer list (a snippet's arguments) read as a layer list's
    are, so every range check applies to both; SettingError naming the first setting refused. Keys that
    are no setting of the table (a reader's own, such as num_layers) pass unread."""
    out = dict(settings)
    for setting, value in settings.items():
        if setting in SETTINGS:
            try:
                out[setting] = reader(kind, setting)(value)
            except SettingError as e:
                raise SettingError(str(e), setting) from None
    return out


def alias_target(key: str, takes) -> str | None:
    """The setting an alias stands for in a kind that takes `takes`, or None."""
    targets, _ = ALIASES.get(key, ((), ""))
    return next((t for t in targets if t in takes), None)


def alias_statement(layers) -> str | None:
    """One line for the solution's header: every alias read, where it comes from, in which layers."""
    seen: dict[tuple[str, str], list[str]] = {}
    for layer in layers:
        for written, canonical in layer.aliases:
            seen.setdefault((written, canonical), []).append(layer.name)
    if not seen:
        return None
    return "; ".join(f"{written} read as {canonical} ({ALIASES[written][1]}) in {', '.join(names)}"
                     for (written, canonical), names in seen.items())
