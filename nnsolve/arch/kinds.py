"""The rule of every layer kind (see rules.py for what a rule returns), and next to each rule the table
row that declares the kind: the settings it requires and takes (settings.py says what each means), how
many spatial axes its input has, and which settings state the size of its input (checked against the
shape that arrives, in `check_declared`)."""
from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Callable

from ..geometry import Window, per_axis, transposed
from .conventions import Conventions
from .ir import Layer
from .rules import ArchitectureError, DeclaredSizeError, Effect, Grid, ShapeFormula, dot, prod, sliding

# a fused Keras activation; a Keras input_shape on any layer; `shares`: the layer whose weights this one
# uses again (a module called twice, a cell in a loop): its MACs count, its parameters are that layer's
EVERY_KIND = ("activation", "input_shape", "shares")


@dataclass(frozen=True)
class Kind:
    name: str
    rule: Callable
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    spatial_axes: int | None = None         # of its input (conv2d: 2); None: any
    batch_aware: bool = False               # its rule takes where the batch axis is (kinds_shape.py)

    @property
    def takes(self) -> tuple[str, ...]:
        return self.required + self.optional + EVERY_KIND


KINDS: dict[str, Kind] = {}


def kind(*names: str, required=(), optional=(), spatial_axes=None, batch_aware=False):
    """Declare the kinds a rule serves; `spatial_axes` is one number per name."""
    def register(rule):
        for i, name in enumerate(names):
            KINDS[name] = Kind(name, rule, tuple(required), tuple(optional),
                               spatial_axes[i] if spatial_axes else None, batch_aware)
        return rule
    return register


def _one(layer: Layer, shapes) -> tuple[int, ...]:
    if len(shapes) != 1:
        raise ArchitectureError(f"reads one layer, it was given {len(shapes)}", layer, "inputs")
    return shapes[0]


def _groups(layer: Layer, grid: Grid) -> tuple[int, int]:
    groups, filters = int(layer.settings.get("groups") or 1), int(layer.settings.get("filters"))
    if grid.channels % groups or filters % groups:
        raise ArchitectureError(f"groups={groups} must divide the {grid.channels} input channels and the "
                                f"{filters} filters", layer, "groups")
    return groups, filters


@kind("conv1d", "conv2d", required=("filters", "kernel"), spatial_axes=(1, 2),
      optional=("stride", "padding", "dilation", "groups", "bias", "in_channels"))
def conv(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    groups, filters = _groups(layer, grid)
    spatial, windows, padded, (axes, ceil) = sliding(layer, grid, conv)
    k = per_axis(layer.settings.get("kernel"), len(spatial), "kernel")
    fan_in = prod(k) * (grid.channels // groups)
    bias = 1 if layer.settings.get("bias", True) else 0
    outputs = prod(spatial) * filters
    group = f"{grid.channels}/{groups}" if groups > 1 else grid.channels
    return Effect(grid.rebuild(spatial, filters), trainable=(fan_in + bias) * filters, macs=fan_in * outputs,
                  bias_adds=bias * outputs, windows=windows, padded=padded,
                  formulas=lambda: (f"({dot(k)}·{group}{' + 1' if bias else ''})·{filters}",
                                    f"{dot(spatial)}·{filters} outputs · {dot(k)}·{group}"),
                  shape_formula=ShapeFormula(grid, axes, filters, ceil))


@kind("conv_transpose1d", "conv_transpose2d", required=("filters", "kernel"), spatial_axes=(1, 2),
      optional=("stride", "padding", "output_padding", "dilation", "groups", "bias", "in_channels"))
def conv_transpose(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    groups, filters = _groups(layer, grid)
    axes = transposed(grid.spatial, layer.get("kernel"), layer.get("stride"), layer.get("padding"),
                      layer.get("dilation"), layer.get("output_padding"))
    sizes, k = tuple(a.output for a in axes), tuple(a.kernel for a in axes)
    windows = tuple(a.upsampling_window for a in axes)
    bias = 1 if layer.get("bias", True) else 0
    per_group = f"{filters}/{groups}" if groups > 1 else filters
    fan = prod(k) * grid.channels * filters // groups
    return Effect(grid.rebuild(sizes, filters), trainable=fan + bias * filters,
                  macs=prod(grid.spatial) * fan, bias_adds=bias * prod(sizes) * filters, windows=windows,
                  padded=tuple(a.output + a.before + a.after for a in axes),
                  formulas=lambda: (f"{dot(k)}·{grid.channels}·{per_group}{f' + {filters}' if bias else ''}",
                                    f"{dot(grid.spatial)} inputs · {dot(k)}·{grid.channels}·{per_group}"),
                  shape_formula=ShapeFormula(grid, axes, filters, transposed_conv=True))


@kind("depthwise_conv2d", required=("kernel",), spatial_axes=(2,),
      optional=("stride", "padding", "dilation", "depth_multiplier", "bias", "in_channels"))
@kind("separable_conv2d", required=("filters", "kernel"), spatial_axes=(2,),
      optional=("stride", "padding", "dilation", "depth_multiplier", "bias"))
def depthwise(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    spatial, windows, padded, (axes, ceil) = sliding(layer, grid, conv)
    k = per_axis(layer.get("kernel"), len(spatial), "kernel")
    m = int(layer.get("depth_multiplier", 1) or 1)
    out_channels = grid.channels * m
    depth_params = prod(k) * out_channels
    outputs = prod(spatial)
    if layer.kind == "depthwise_conv2d":
        bias = out_channels if layer.get("bias", True) else 0
        return Effect(grid.rebuild(spatial, out_channels), trainable=depth_params + bias,
                      macs=outputs * depth_params, bias_adds=outputs * bias, windows=windows, padded=padded,
                      formulas=lambda: (f"{dot(k)}·{out_channels}{f' + {bias}' if bias else ''}",
                                        f"{dot(spatial)} · {dot(k)}·{out_channels}"),
                      shape_formula=ShapeFormula(grid, axes, out_channels, ceil))
    filters = int(layer.get("filters"))
    bias = filters if layer.get("bias", True) else 0
    return Effect(grid.rebuild(spatial, filters), trainable=depth_params + out_channels * filters + bias,
                  macs=outputs * (depth_params + out_channels * filters), bias_adds=outputs * bias, windows=windows,
                  padded=padded,
                  formulas=lambda: (f"{dot(k)}·{out_channels} + {out_channels}·{filters}"
                                    f"{f' + {filters}' if bias else ''}",
                                    f"{dot(spatial)} · ({dot(k)}·{out_channels} + {out_channels}·{filters})"),
                  shape_formula=ShapeFormula(grid, axes, filters, ceil))


@kind("max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", required=("pool",), spatial_axes=(1, 2, 1, 2),
      optional=("stride", "padding", "ceil_mode"))
def pool(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    spatial, windows, padded, (axes, ceil) = sliding(layer, grid, conv, setting="pool")
    window = prod(w.extent for w in windows)
    return Effect(grid.rebuild(spatial, grid.channels), windows=windows, padded=padded,
                  work={"pooling": window * prod(spatial) * grid.channels},
                  shape_formula=ShapeFormula(grid, axes, grid.channels, ceil))


@kind("global_avg_pool", "global_max_pool", optional=("keepdims",))
def global_pool(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    grid = Grid.of(shape, layout)
    out = grid.rebuild((1,) * len(grid.spatial), grid.channels) if layer.get("keepdims") else (grid.channels,)
    return Effect(out, global_view=True, work={"pooling": prod(shape)})


@kind("dense", required=("units",), optional=("bias", "in_features"))
def dense(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    units, fan_in = int(layer.get("units")), shape[-1]      # Dense and Linear act on the last axis
    bias = 1 if layer.get("bias", True) else 0
    rows = prod(shape[:-1])
    return Effect((*shape[:-1], units), trainable=(fan_in + bias) * units, macs=rows * fan_in * units,
                  bias_adds=bias * rows * units, global_view=len(shape) == 1,
                  formulas=lambda: (f"({fan_in}{' + 1' if bias else ''})·{units}",
                                    (f"{dot(shape[:-1])} rows · " if rows > 1 else "") + f"{fan_in}·{units}"))


@kind("batch_norm", "instance_norm", optional=("eps", "momentum", "affine", "track_running_stats", "num_features"))
def batch_norm(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """Batch norm; instance norm counts alike (γ, β and the running statistics per channel), but PyTorch's
    nn.InstanceNorm defaults to neither (affine and track_running_stats false)."""
    shape = _one(layer, shapes)
    channels = Grid.of(shape, layout).channels if len(shape) > 1 else shape[0]
    default = layer.kind == "batch_norm"
    trainable = 2 * channels if layer.get("affine", default) else 0
    stats = 2 * channels if layer.get("track_running_stats", default) else 0
    counted = stats if conv.running_stats == "parameters" else 0

    def formulas() -> tuple[str, str]:
        return " + ".join(([f"2·{channels} (γ, β)"] if trainable else [])
                          + ([f"2·{channels} (moving μ, σ²)"] if counted else [])) or "0", "0"
    return Effect(shape, trainable=trainable, non_trainable=counted, buffers=stats - counted,
                  work={"normalization": 2 * prod(shape)}, formulas=formulas)


@kind("layer_norm", optional=("axes", "affine", "eps", "normalized_shape"))
def layer_norm(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    axes = layer.get("axes", [-1])
    axes = [axes] if isinstance(axes, int) else list(axes)
    if any(not -len(shape) <= a < len(shape) for a in axes):
        raise ArchitectureError(f"axes {tuple(axes)}: the input has {len(shape)} axes (shape {tuple(shape)}, "
                                "without the batch axis)", layer, "axes")
    normalized = prod(shape[a] for a in axes)
    trainable = 2 * normalized if layer.get("affine", True) else 0
    return Effect(shape, trainable=trainable, work={"normalization": 2 * prod(shape)},
                  formulas=lambda: (f"2·{normalized}" if trainable else "0", "0"))


@kind("dropout", optional=("rate",))
@kind("activation", required=("function",))
def same_shape(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    work = {"activations": prod(shape)} if layer.kind == "activation" else {}
    return Effect(shape, work=work)


@kind("zero_padding2d", optional=("padding",), spatial_axes=(2,))
def zero_padding(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    pad = layer.get("padding", 1)                   # Keras's default: one row and column on every side
    pad = [pad] * 4 if isinstance(pad, int) else list(pad)
    if len(pad) == 2:
        pad = [pad[0], pad[0], pad[1], pad[1]]
    top, bottom, left, right = (int(p) for p in pad)
    h, w = grid.spatial
    return Effect(grid.rebuild((h + top + bottom, w + left + right), grid.channels),
                  windows=(Window(1, 1, top), Window(1, 1, left)))


@kind("embedding", required=("vocabulary", "dim"))
def embedding(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    vocabulary, dim = int(layer.get("vocabulary")), int(layer.get("dim"))
    return Effect((*shape, dim), trainable=vocabulary * dim, formulas=lambda: (f"{vocabulary}·{dim}", "0"))


GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def bias_vectors(kind: str, convention: str, bias: bool = True, reset_after: bool = True) -> int:
    """Bias vectors per weight block: Keras keeps one, except GRU with reset_after (its default), which
    keeps a second, recurrent one; PyTorch always keeps b_ih and b_hh."""
    if not bias:
        return 0
    return 2 if convention == "pytorch" or (kind == "gru" and reset_after) else 1


def recurrent_params(kind: str, features: int, units: int, biases: int) -> int:
    return GATES[kind] * (units * (features + units) + biases * units)


def recurrent_params_formula(kind: str, features: int, units: int, biases: int) -> str:
    bias = "" if not biases else f" + {units}" if biases == 1 else f" + {biases}·{units}"
    return f"{GATES[kind]}·({units}·({features} + {units}){bias})"


def recurrent_macs_per_step(kind: str, features: int, units: int) -> tuple[int, str]:
    # every block multiplies the input (d) and the previous state (h) into h units; the gating products
    # (⊙) are element-wise, not multiply-accumulates of a weight
    return GATES[kind] * units * (features + units), f"{GATES[kind]}·{units}·({features} + {units})"


@kind("multihead_attention", required=("heads", "key_dim"),
      optional=("value_dim", "bias", "output_dim", "batch_first", "embed_dim"))
def attention(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """Keras MultiHeadAttention: query, key and value projections to heads·key_dim (value_dim), then an
    output projection back to output_dim; inputs are [query, value] or [query, value, key] (or one)."""
    query = shapes[0]
    value = shapes[1] if len(shapes) > 1 else query
    key = shapes[2] if len(shapes) > 2 else value
    heads, kd = int(layer.get("heads")), int(layer.get("key_dim"))
    vd = int(layer.get("value_dim") or kd)
    out_dim = int(layer.get("output_dim") or query[-1])
    b = 1 if layer.get("bias", True) else 0
    tq, tk = prod(query[:-1]), prod(key[:-1])
    params = (query[-1] + b) * heads * kd + (key[-1] + b) * heads * kd + (value[-1] + b) * heads * vd \
        + (heads * vd + b) * out_dim
    macs = tq * query[-1] * heads * kd + tk * key[-1] * heads * kd + tk * value[-1] * heads * vd \
        + tq * tk * heads * (kd + vd) + tq * heads * vd * out_dim
    plus = " + 1" if b else ""
    return Effect((*query[:-1], out_dim), trainable=params, macs=macs,
                  bias_adds=b * (tq * heads * kd + tk * heads * (kd + vd) + tq * out_dim), global_view=True,
                  formulas=lambda: (f"({query[-1]}{plus})·{heads}·{kd} + ({key[-1]}{plus})·{heads}·{kd} + "
                                    f"({value[-1]}{plus})·{heads}·{vd} + ({heads}·{vd}{plus})·{out_dim}",
                                    f"projections + {tq}·{tk}·{heads}·({kd} + {vd}) for scores and weighted "
                                    "values"))


@kind("add")
def add(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    if len(shapes) < 2 or any(tuple(s) != tuple(shapes[0]) for s in shapes):
        raise ArchitectureError(f"needs two or more inputs of one shape, got {[tuple(s) for s in shapes]}", layer, "inputs")
    return Effect(tuple(shapes[0]), work={"elementwise": (len(shapes) - 1) * prod(shapes[0])})


@kind("multiply")
def multiply(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """The elementwise product (x * x.sigmoid(), a squeeze-and-excitation gate out * w of shape (C, 1, 1)):
    sizes equal or 1 on each axis, broadcast as PyTorch does; like add, no MACs, one elementwise operation
    per output value and further input."""
    if len(shapes) < 2 or any(len(s) != len(shapes[0]) for s in shapes):
        raise ArchitectureError(f"needs two or more inputs of one rank, got {[tuple(s) for s in shapes]}", layer,
                                "inputs")
    out = []
    for sizes in zip(*shapes):
        wide = {v for v in sizes if v != 1}
        if len(wide) > 1:
            raise ArchitectureError(f"the inputs' shapes {[tuple(s) for s in shapes]} do not broadcast (each size "
                                    "equal or 1)", layer, "inputs")
        out.append(wide.pop() if wide else 1)
    return Effect(tuple(out), work={"elementwise": (len(shapes) - 1) * prod(out)})


@kind("slice", required=("axis",), optional=("start", "stop", "step"))
def slice_(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """x[:, :d] (torch.split, chunk): part of one axis, as Python's slices take it; the axis counts the
    batch axis as 0, which is not sliced."""
    shape = list(_one(layer, shapes))
    axis = layer.get("axis")
    if not 1 <= axis <= len(shape):
        raise ArchitectureError(f"axis {axis}: the input has axes 1 to {len(shape)} besides the batch axis (0, "
                                "not sliced)", layer, "axis")
    size = len(range(*slice(layer.get("start"), layer.get("stop"), layer.get("step", 1)).indices(shape[axis - 1])))
    if size == 0:
        raise ArchitectureError(f"the slice leaves nothing of axis {axis} (size {shape[axis - 1]})", layer)
    shape[axis - 1] = size
    return Effect(tuple(shape))


@kind("concat", optional=("axis",))
def concat(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    rank = len(shapes[0])
    axis = layer.get("axis")
    # like Keras and torch.cat, a non-negative axis counts the batch axis as 0
    axis = (rank - 1 if layout == "channels_last" else 0) if axis is None else (axis - 1 if axis > 0 else rank + axis)
    if not 0 <= axis < rank:
        raise ArchitectureError(f"axis {layer.get('axis')}: the inputs have {rank} axes besides the batch axis "
                                "(a non-negative axis counts the batch axis as 0)", layer, "axis")
    rest = {tuple(s[:axis]) + tuple(s[axis + 1:]) for s in shapes}
    if any(len(s) != rank for s in shapes) or len(rest) != 1:
        raise ArchitectureError(f"concat along axis {axis + 1} needs the other axes equal, got {[tuple(s) for s in shapes]}", layer, "inputs")
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    return Effect(tuple(out))


KINDS["input"] = Kind("input", None, optional=("shape",))

# the rearranging, sequence and spatial kinds register themselves with `kind` from here: imported once this module is complete
import_module(".kinds_shape", __package__)
import_module(".kinds_sequence", __package__)
import_module(".kinds_spatial", __package__)
import_module(".kinds_cells", __package__)
import_module(".kinds_functions", __package__)


def _channels(shape, layout) -> int:
    return Grid.of(shape, layout).channels if len(shape) > 1 else shape[0]


# a setting that states the input size → (what it counts, the size that arrives in a shape)
DECLARED: dict[str, tuple[str, Callable]] = {
    "in_channels": ("input channels", _channels),
    "num_features": ("channels", _channels),
    "in_features": ("inputs", lambda shape, layout: shape[-1]),      # Dense and Linear act on the last axis
    "input_size": ("input features", lambda shape, layout: shape[-1]),
    "embed_dim": ("features", lambda shape, layout: shape[-1]),
    "d_model": ("features", lambda shape, layout: shape[-1]),
}


def check_declared(layer: Layer, shape: tuple, layout: str, flattened: tuple | None = None) -> None:
    """Refuse a layer whose stated input size differs from the shape that arrives (`flattened`: the
    shape a flatten just before it made a vector of, named in the message)."""
    for setting, (counted, arriving) in DECLARED.items():
        declared = layer.get(setting)
        arrived = arriving(shape, layout) if declared is not None else None
        if declared is not None and declared != arrived:
            came = f" ({'×'.join(map(str, flattened))})" if flattened and len(shape) == 1 else \
                f" (shape {tuple(shape)})" if len(shape) > 1 else ""
            raise DeclaredSizeError(f"{layer.called} declares {declared} {counted}, {arrived} "
                                    f"arrive{'s' if arrived == 1 else ''}{came}", layer, setting, declared, arrived)
    for setting, trailing in (("normalized_shape", True), ("input_shape", False)):
        declared = layer.get(setting)
        if declared is None:
            continue
        declared = tuple(declared)
        got = tuple(shape[-len(declared):]) if trailing and len(declared) <= len(shape) else tuple(shape)
        if len(got) != len(declared) or any(d is not None and d != g for d, g in zip(declared, got)):
            what = "normalized shape" if trailing else "input shape"
            raise DeclaredSizeError(f"{layer.called} declares the {what} {_shape(declared)}, "
                                    f"{_shape(got if trailing else shape)} arrives", layer, setting, declared, got)


def _shape(shape) -> str:
    return "(" + ", ".join("None" if v is None else str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"
