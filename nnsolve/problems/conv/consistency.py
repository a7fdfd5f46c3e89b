"""Checks that need several fields at once, run on shapes alone before anything is computed: each
kernel takes the channels it is given, every output size is positive, dense weights fit the flattened
features, the target fits the output, and the problem is small enough to solve exactly."""
from __future__ import annotations

import numpy as np

from ...ops.conv import Geometry, TransposedConv
from ...ops.pool import Windows
from ...training.checks import training_issues
from .output import loss_output
from .schema import ConvProblem

MAX_ENTRIES = 200_000
SPATIAL_RANK = {"conv1d": 1, "conv2d": 2, "conv_transpose2d": 2}


def shape_of(nested) -> tuple[int, ...]:
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        nested = nested[0]
    return tuple(shape)


def input_array(p: ConvProblem) -> np.ndarray:
    """x channels-first: a matrix is one channel (one row of channels for a 1-D first layer); HWC moves the
    channel axis to the front."""
    x = np.array(p.x, dtype=object)
    rank, lead = _first_rank(p), int(p.batch)
    if x.ndim - lead == rank:
        return np.expand_dims(x, lead)
    if p.layout == "HWC" and x.ndim - lead == rank + 1:
        return np.moveaxis(x, -1, lead)
    return x


def kernel_array(kind: str, kernel) -> np.ndarray:
    """The kernel in PyTorch's layout: k… alone is one filter over one channel; one more axis is one
    filter (conv: over several channels; transposed: from several input channels)."""
    k = np.array(kernel, dtype=object)
    rank = SPATIAL_RANK[kind]
    if k.ndim == rank:
        return k[None, None]
    if k.ndim == rank + 1:
        return k[None] if kind != "conv_transpose2d" else k[:, None]
    return k


def _first_rank(p: ConvProblem) -> int:
    for layer in p.layers:
        if layer.kind in SPATIAL_RANK:
            return SPATIAL_RANK[layer.kind]
    return 2


def consistency(p: ConvProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    x_shape = shape_of(p.x)
    if not x_shape or int(np.prod(x_shape)) > MAX_ENTRIES:
        found.append((("x",), f"expected a tensor of at most {MAX_ENTRIES:,} numbers, got shape {x_shape}"))
        return found
    full = input_array(p).shape
    if p.batch and len(full) < 2:
        found.append((("x",), f"batch: true needs one sample per entry of x's first axis, got shape {full}"))
        return found
    batch = full[:1] if p.batch else ()
    shape: tuple | None = full[len(batch):]
    named = {"x": shape}
    for i, layer in enumerate(p.layers):
        if layer.input is not None:
            if layer.input not in named:
                found.append((("layers", i, "input"), _unknown(layer.input, named)))
                shape = None
                break
            shape = named[layer.input]
        shape = _graph_shape(i, layer, shape, named, batch, found)
        if shape is None:
            break
        if layer.name is not None:
            if layer.name in named:
                found.append((("layers", i, "name"), f"{layer.name!r} names an earlier layer (or the input x): "
                                                     "names must be unique"))
            named[layer.name] = shape
    if shape is not None and p.target is not None and shape_of(p.target) != batch + shape:
        shape = batch + shape
        found.append((("target",), f"has shape {shape_of(p.target)}, the network's output {shape}"))
    found += training_issues(p, loss_output(p))
    return found


def _unknown(name: str, named: dict) -> str:
    return f"no earlier layer is named {name!r} (known: {', '.join(named)})"


def _graph_shape(i: int, layer, shape: tuple, named: dict, batch: tuple, found: list) -> tuple | None:
    """The shape after layer i for the layers that normalize, mask or join; the others by _layer_shape."""
    kind, spec, loc = layer.kind, layer.spec, ("layers", i, layer.kind)
    if kind == "batch_norm":
        if not batch:
            found.append((loc, "batch normalization needs a batch: set batch: true and give x one sample per "
                               "entry of its first axis"))
            return None
        for key in ("gamma", "beta"):
            if len(getattr(spec, key)) != shape[0]:
                found.append((loc + (key,), f"has {len(getattr(spec, key))} entries, one per "
                                            f"{'channel' if len(shape) > 1 else 'feature'} ({shape[0]})"))
        if spec.eps < 0:
            found.append((loc + ("eps",), "ε must not be negative"))
        return shape
    if kind == "dropout":
        if shape_of(spec.mask) != batch + shape:
            found.append((loc + ("mask",), f"has shape {shape_of(spec.mask)}, the layer's input {batch + shape}"))
        elif any(v not in (0, 1) for v in np.ravel(np.array(spec.mask, dtype=object))):
            found.append((loc + ("mask",), "holds only 0 (dropped) and 1 (kept)"))
        if not 0 <= spec.p < 1:
            found.append((loc + ("p",), "the drop rate must be at least 0 and below 1"))
        return shape
    if kind in ("add", "concat"):
        sources = [spec.from_] if kind == "add" else spec.from_
        for name in sources:
            if name not in named:
                found.append((loc + ("from",), _unknown(name, named)))
                return None
        if kind == "add":
            if named[spec.from_] != shape:
                found.append((loc + ("from",), f"{spec.from_!r} has shape {named[spec.from_]}, the layer's input "
                                               f"{shape}: a residual add needs equal shapes"))
                return None
            return shape
        shapes = [named[n] for n in sources]
        if len({s[1:] for s in shapes}) > 1 or any(not s for s in shapes):
            found.append((loc + ("from",), f"shapes {shapes} differ in more than the channel axis"))
            return None
        return (sum(s[0] for s in shapes),) + shapes[0][1:]
    return _layer_shape(i, layer, shape, found)


def _layer_shape(i: int, layer, shape: tuple, found: list) -> tuple | None:
    """The shape after layer i (channels-first, one sample), or None after reporting why it has none."""
    kind, spec, loc = layer.kind, layer.spec, ("layers", i, layer.kind)
    if kind in SPATIAL_RANK:
        rank = SPATIAL_RANK[kind]
        if len(shape) != rank + 1:
            found.append((loc, f"{kind} needs a (channels, {'L' if rank == 1 else 'H, W'}) input, got shape {shape}"))
            return None
        k = kernel_array(kind, spec.kernel)
        if k.ndim != rank + 2:
            found.append((loc + ("kernel",), f"expected a kernel of {rank + 2} axes (out, in, k…), got {k.ndim}"))
            return None
        groups = spec.groups
        channels_per_group = k.shape[1] if kind != "conv_transpose2d" else None
        out_channels = k.shape[0] if kind != "conv_transpose2d" else k.shape[1] * groups
        taken = k.shape[1] * groups if kind != "conv_transpose2d" else k.shape[0]
        if shape[0] % groups or out_channels % groups:
            found.append((loc + ("groups",), f"groups {groups} must divide the {shape[0]} input and {out_channels} "
                                             f"output channels"))
            return None
        if taken != shape[0]:
            what = (f"{channels_per_group} input channel(s) per group × {groups} group(s)" if channels_per_group
                    else f"{k.shape[0]} input channels")
            found.append((loc + ("kernel",), f"has shape {k.shape}: it takes {what}, but its input has "
                                             f"{shape[0]} channel(s)"))
            return None
        if spec.bias is not None and len(spec.bias) != out_channels:
            found.append((loc + ("bias",), f"has {len(spec.bias)} entries, one per output channel ({out_channels})"))
        try:
            if kind == "conv_transpose2d":
                if any(o >= s for o, s in zip(_pair(spec.output_padding), _pair(spec.stride))):
                    raise ValueError("output_padding must be smaller than the stride")
                geo, out_shape = TransposedConv.geometry((1,) + shape, k, spec.stride, spec.padding,
                                                         spec.output_padding, spec.dilation, groups)
                return out_shape[1:]
            geo = Geometry((1,) + shape, k.shape, spec.stride, spec.padding, spec.dilation, groups)
            return (out_channels,) + geo.out
        except ValueError as e:
            found.append((loc, f"{e} for an input of shape {shape}"))
            return None
    if kind in ("max_pool2d", "avg_pool2d"):
        if len(shape) != 3:
            found.append((loc, f"pooling needs a (channels, H, W) input, got shape {shape}"))
            return None
        try:
            return shape[:1] + Windows((1,) + shape, spec.pool, spec.stride, spec.padding, spec.ceil_mode).out
        except ValueError as e:
            found.append((loc, f"{e} for an input of shape {shape}"))
            return None
    if kind == "global_avg_pool":
        return shape[:1]
    if kind == "flatten":
        return (int(np.prod(shape)),)
    if kind == "dense":
        if len(shape) != 1:
            found.append((loc, f"dense needs a vector input (add flatten: {{}} before it), got shape {shape}"))
            return None
        rows, cols = len(spec.W), len(spec.W[0])
        n_in, units, side = (rows, cols, "row") if spec.layout == "in_out" else (cols, rows, "column")
        if n_in != shape[0]:
            found.append((loc + ("W",), f"is {rows}×{cols}: layout {spec.layout} needs a {side} per input, "
                                        f"{shape[0]} of them"))
            return None
        if spec.b is not None and len(spec.b) != units:
            found.append((loc + ("b",), f"has {len(spec.b)} entries, one per unit ({units})"))
        return (units,)
    return shape       # an activation keeps the shape


def _pair(v):
    return tuple(v) if isinstance(v, list) else (v, v)
