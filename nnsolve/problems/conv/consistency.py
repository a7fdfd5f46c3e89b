"""Checks that need several fields at once, run on shapes alone before anything is computed: each
kernel takes the channels it is given, every output size is positive, dense weights fit the flattened
features, the target fits the output, and the problem is small enough to solve exactly.

Every shape is the architecture analyzer's (nnsolve/arch): the layers are written as its layer list —
a kernel becomes filters, a kernel size and the input channels it declares, a dense W units and the
inputs it declares — and the analyzer computes each output size with nnsolve.geometry, so the worked
numbers and a shape-only summary of the same network cannot disagree. What only explicit numbers have
(bias lengths, γ and β, dropout masks, a batch for batch norm, the target) is checked here, layer by
layer in the analyzer's order, stopping at the first layer whose output has no shape."""
from __future__ import annotations

import math

import numpy as np

from ...arch.analyze import layer_reports
from ...arch.conventions import Conventions
from ...arch.ir import Architecture, Layer as ArchLayer
from ...arch.rules import ArchitectureError, DeclaredSizeError
from ...limits import MAX_CONV_ENTRIES, MAX_WINDOW_PRODUCTS
from ...training.checks import training_issues
from .output import loss_output
from .schema import ConvProblem

SPATIAL_RANK = {"conv1d": 1, "conv2d": 2, "conv_transpose2d": 2}
GEOMETRY = {"conv2d": ("stride", "padding", "dilation", "groups"), "conv1d": ("stride", "padding", "dilation", "groups"),
            "conv_transpose2d": ("stride", "padding", "output_padding", "dilation", "groups")}
ANALYZER_CONVENTIONS = Conventions.for_framework("pytorch")      # floor output sizes; channels first


def shape_of(nested) -> tuple[int, ...]:
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        if not nested:          # [[]]: an empty axis ends the shape (a target of no numbers, said by the caller)
            break
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
    if p.notation.layer_index == "none" and len(p.layers) > 1:
        found.append((("notation", "layer_index"), f"none writes every layer's kernel and output with the same letter: "
                                                   f"it needs a network of one layer, this one has {len(p.layers)}"))
    x_shape = shape_of(p.x)
    if not x_shape or int(np.prod(x_shape)) > MAX_CONV_ENTRIES.value:
        found.append((("x",), f"expected a tensor of at most {MAX_CONV_ENTRIES.shown} numbers, got shape {x_shape}"
                              + (f" {MAX_CONV_ENTRIES.hint}" if x_shape else "")))
        return found
    full = input_array(p).shape
    if p.batch and len(full) < 2:
        found.append((("x",), f"batch: true needs one sample per entry of x's first axis, got shape {full}"))
        return found
    batch = full[:1] if p.batch else ()
    shape = _layer_shapes(p, full[len(batch):], batch, found)
    if shape is not None and p.target is not None and shape_of(p.target) != batch + shape:
        found.append((("target",), f"has shape {shape_of(p.target)}, the network's output {batch + shape}"))
    found += training_issues(p, loss_output(p), objective=p.upstream is not None)
    if shape is not None and p.upstream is not None and shape_of(p.upstream) != batch + shape:
        # checked before anything is computed (the pipeline checks it again against the output it builds)
        found.append((("upstream",), f"has shape {shape_of(p.upstream)}: ∂L/∂output has the shape of the network's "
                                     f"output, {batch + shape}"))
    return found


def _layer_shapes(p: ConvProblem, sample: tuple, batch: tuple, found: list) -> tuple | None:
    """The network's output shape (one sample), or None after reporting the first layer without one."""
    layers, stop = analyzer_layers(p, found)
    reports = layer_reports(Architecture("conv_network", sample, "channels_first", layers, "pytorch"),
                            ANALYZER_CONVENTIONS)
    shapes, previous = {"input": sample}, "input"
    for i, (layer, written) in enumerate(zip(p.layers, layers)):
        inputs = [shapes[s] for s in written.inputs or (previous,)]
        if not _fits(i, layer, inputs, batch, found):
            return None
        try:
            report = next(reports)
        except ArchitectureError as e:
            found.append(_located(e, i, layer, inputs[0]))
            return None
        issue = _size_issue(layer.kind, inputs[0], batch, report)
        if issue:
            found.append((("layers", i, layer.kind), issue))
            return None
        shapes[written.name] = report.shape
        previous = written.name
    return None if stop else shapes[previous]


def _size_issue(kind: str, shape: tuple, batch: tuple, report) -> str | None:
    """What would make the layer too large to compute exactly, read off its shapes before anything is
    allocated: its padded input (padding: 10⁹ on a 5×5 image), its output, or the work of its windows
    (a 10⁵×10⁵ pooling window over a 1×1 output)."""
    samples, most = math.prod(batch), MAX_CONV_ENTRIES.value
    effect = report.effect
    if effect.padded is not None:
        # a transposed convolution pads (and crops) its output; every other layer its input
        channels = report.shape[0] if kind == "conv_transpose2d" else shape[0]
        padded = (channels, *effect.padded)
        entries = samples * math.prod(padded)
        if entries > most:
            what = "its output before cropping" if kind == "conv_transpose2d" else "its padded input"
            return (f"{what} {batch + padded} holds {entries:,} numbers; at most {most:,} are computed exactly "
                    f"{MAX_CONV_ENTRIES.hint}")
    entries = samples * math.prod(report.shape)
    if entries > most:
        return (f"its output {batch + report.shape} holds {entries:,} numbers; at most {most:,} are computed exactly "
                f"{MAX_CONV_ENTRIES.hint}")
    products = samples * (effect.macs + effect.work.get("pooling", 0))
    if products > MAX_WINDOW_PRODUCTS.value:
        return (f"its windows take {products:,} products of exact numbers (multiply-accumulates and pooled "
                f"reads); at most {MAX_WINDOW_PRODUCTS.shown} are computed {MAX_WINDOW_PRODUCTS.hint}")
    return None


def analyzer_layers(p: ConvProblem, found: list) -> tuple[list[ArchLayer], bool]:
    """The layers as the analyzer's layer list (layer i is named z<i>, x is `input`), up to the first one
    that cannot be written (a name no earlier layer has, a kernel of the wrong rank); the second value
    says whether one was met (its problem is in `found`)."""
    named, previous, out = {"x": "input"}, "input", []
    for i, layer in enumerate(p.layers):
        loc, spec, name = ("layers", i, layer.kind), layer.spec, f"z{i + 1}"
        if layer.input is not None and layer.input not in named:
            found.append((("layers", i, "input"), _unknown(layer.input, named)))
            return out, True
        source = named[layer.input] if layer.input is not None else previous
        sources = [spec.from_] if layer.kind == "add" else spec.from_ if layer.kind == "concat" else []
        unknown = [n for n in sources if n not in named]
        if unknown:
            found.append((loc + ("from",), _unknown(unknown[0], named)))
            return out, True
        inputs = (source, named[spec.from_]) if layer.kind == "add" else \
            tuple(named[n] for n in spec.from_) if layer.kind == "concat" else (source,)
        settings = _settings(i, layer, found)
        if settings is None:
            return out, True
        out.append(ArchLayer(name, layer.kind, settings, inputs))      # the kinds are the analyzer's
        if layer.name is not None:
            if layer.name in named:
                found.append((("layers", i, "name"), f"{layer.name!r} names an earlier layer (or the input x): "
                                                     "names must be unique"))
            named[layer.name] = name
        previous = name
    return out, False


def _settings(i: int, layer, found: list) -> dict | None:
    """One layer's analyzer settings; None (after reporting) for a kernel that is not a kernel."""
    kind, spec, loc = layer.kind, layer.spec, ("layers", i, layer.kind)
    if kind in SPATIAL_RANK:
        rank = SPATIAL_RANK[kind]
        k = kernel_array(kind, spec.kernel)
        if k.ndim != rank + 2:
            found.append((loc + ("kernel",), f"expected a kernel of {rank + 2} axes (out, in, k…), got {k.ndim}"))
            return None
        transposed = kind == "conv_transpose2d"
        settings = {"filters": k.shape[1] * spec.groups if transposed else k.shape[0], "kernel": k.shape[2:],
                    "in_channels": k.shape[0] if transposed else k.shape[1] * spec.groups,
                    "bias": spec.bias is not None,
                    **{key: _axes(getattr(spec, key)) for key in GEOMETRY[kind]}}
        if spec.bias is not None and len(spec.bias) != settings["filters"]:
            found.append((loc + ("bias",), f"has {len(spec.bias)} entries, one per output channel "
                                           f"({settings['filters']})"))
        return settings
    if kind in ("max_pool2d", "avg_pool2d"):
        return {key: _axes(getattr(spec, key)) for key in ("pool", "stride", "padding", "ceil_mode")}
    if kind == "dense":
        rows, cols = len(spec.W), len(spec.W[0])
        n_in, units = (rows, cols) if spec.layout == "in_out" else (cols, rows)
        if spec.b is not None and len(spec.b) != units:
            found.append((loc + ("b",), f"has {len(spec.b)} entries, one per unit ({units})"))
        return {"units": units, "in_features": n_in, "bias": spec.b is not None}
    if kind == "activation":
        return {"function": spec.name}
    if kind == "dropout":
        return {"rate": spec.p}
    return {}                 # global_avg_pool, flatten, batch_norm, add, concat: the shape says it all


def _axes(value):
    return tuple(value) if isinstance(value, list) else value


def _located(e: ArchitectureError, i: int, layer, shape: tuple) -> tuple[tuple, str]:
    """The analyzer's refusal in this family's words, at the key it is about."""
    loc, spec = ("layers", i, layer.kind), layer.spec
    if isinstance(e, DeclaredSizeError) and layer.kind == "dense":
        rows, cols = len(spec.W), len(spec.W[0])
        side = "row" if spec.layout == "in_out" else "column"
        return loc + ("W",), f"is {rows}×{cols}: layout {spec.layout} needs a {side} per input, {e.arrived} of them"
    if isinstance(e, DeclaredSizeError):
        k = kernel_array(layer.kind, spec.kernel)
        what = (f"{k.shape[0]} input channels" if layer.kind == "conv_transpose2d" else
                f"{k.shape[1]} input channel(s) per group × {spec.groups} group(s)")
        return loc + ("kernel",), f"has shape {k.shape}: it takes {what}, but its input has {e.arrived} channel(s)"
    if e.setting is not None and e.setting in type(spec).model_fields:
        return loc + (e.setting,), str(e)
    return loc, f"{e} for an input of shape {shape}"


def _unknown(name: str, named: dict) -> str:
    return f"no earlier layer is named {name!r} (known: {', '.join(named)})"


def _fits(i: int, layer, inputs: list, batch: tuple, found: list) -> bool:
    """This family's own checks of a layer against the shapes it reads, before the analyzer's: the
    numbers given with it (γ, β, a dropout mask) and the joins, in this family's words; False when the
    layer's output has no shape."""
    kind, spec, loc, shape = layer.kind, layer.spec, ("layers", i, layer.kind), inputs[0]
    if kind == "dense" and len(shape) != 1:
        found.append((loc, f"dense needs a vector input (add flatten: {{}} before it), got shape {shape}"))
        return False
    if kind == "batch_norm":
        if not batch:
            found.append((loc, "batch normalization needs a batch: set batch: true and give x one sample per "
                               "entry of its first axis"))
            return False
        for key in ("gamma", "beta"):
            if len(getattr(spec, key)) != shape[0]:
                found.append((loc + (key,), f"has {len(getattr(spec, key))} entries, one per "
                                            f"{'channel' if len(shape) > 1 else 'feature'} ({shape[0]})"))
        if spec.eps < 0:
            found.append((loc + ("eps",), "ε must not be negative"))
    if kind == "dropout":
        if shape_of(spec.mask) != batch + shape:
            found.append((loc + ("mask",), f"has shape {shape_of(spec.mask)}, the layer's input {batch + shape}"))
        elif any(v not in (0, 1) for v in np.ravel(np.array(spec.mask, dtype=object))):
            found.append((loc + ("mask",), "holds only 0 (dropped) and 1 (kept)"))
        if not 0 <= spec.p < 1:
            found.append((loc + ("p",), "the drop rate must be at least 0 and below 1"))
    if kind == "add" and inputs[1] != shape:
        found.append((loc + ("from",), f"{spec.from_!r} has shape {inputs[1]}, the layer's input {shape}: a "
                                       "residual add needs equal shapes"))
        return False
    if kind == "concat" and (len({s[1:] for s in inputs}) > 1 or any(not s for s in inputs)):
        found.append((loc + ("from",), f"shapes {inputs} differ in more than the channel axis"))
        return False
    return True
