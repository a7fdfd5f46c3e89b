"""The rule of every layer kind of `ir.KINDS` (see rules.py for what a rule returns)."""
from __future__ import annotations

from .conventions import Conventions
from .ir import Layer
from .rules import ArchitectureError, Effect, Grid, Window, dot, per_axis, prod, sliding


def _one(layer: Layer, shapes) -> tuple[int, ...]:
    if len(shapes) != 1:
        raise ArchitectureError(f"{layer.kind} reads one layer, it was given {len(shapes)}", layer, "inputs")
    return shapes[0]


def _with_bias(layer: Layer, macs_per_output: int, outputs: int) -> tuple[int, int]:
    return macs_per_output * outputs, (outputs if layer.get("bias", True) else 0)


def conv(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    groups = int(layer.get("groups", 1) or 1)
    filters = int(layer.get("filters"))
    if grid.channels % groups or filters % groups:
        raise ArchitectureError(f"groups={groups} must divide the {grid.channels} input channels and the {filters} filters", layer, "groups")
    spatial, windows = sliding(layer, grid, layer.get("kernel"), layer.get("stride"), layer.get("padding"),
                               layer.get("dilation"), conv)
    k = [w for w in per_axis(layer.get("kernel"), len(spatial), "kernel", layer)]
    fan_in = prod(k) * (grid.channels // groups)
    bias = 1 if layer.get("bias", True) else 0
    macs, adds = _with_bias(layer, fan_in, prod(spatial) * filters)
    group = f"{grid.channels}/{groups}" if groups > 1 else str(grid.channels)
    return Effect(grid.rebuild(spatial, filters), trainable=(fan_in + bias) * filters, macs=macs, bias_adds=adds,
                  windows=windows, params_formula=f"({dot(k)}·{group}{' + 1' if bias else ''})·{filters}",
                  macs_formula=f"{dot(spatial)}·{filters} outputs · {dot(k)}·{group}")


def conv_transpose(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    axes = len(grid.spatial)
    k = per_axis(layer.get("kernel"), axes, "kernel", layer)
    s = per_axis(layer.get("stride", 1) or 1, axes, "stride", layer)
    d = per_axis(layer.get("dilation", 1) or 1, axes, "dilation", layer)
    extra = per_axis(layer.get("output_padding", 0) or 0, axes, "output_padding", layer)
    padding = layer.get("padding", 0)
    sizes, windows = [], []
    for i, (n, ki, si, di, op) in enumerate(zip(grid.spatial, k, s, d, extra)):
        if padding == "same":
            out, pad = n * si, 0
        elif padding in (None, "valid"):
            out, pad = (n - 1) * si + max(di * (ki - 1) + 1, si) , 0
        else:
            pad = per_axis(padding, axes, "padding", layer)[i]
            out = (n - 1) * si - 2 * pad + di * (ki - 1) + op + 1
        sizes.append(out)
        windows.append(Window(-(-(di * (ki - 1) + 1) // si), 1, 0, upsample=si))
    filters = int(layer.get("filters"))
    bias = 1 if layer.get("bias", True) else 0
    fan = prod(k) * grid.channels
    return Effect(grid.rebuild(tuple(sizes), filters), trainable=fan * filters + bias * filters,
                  macs=prod(grid.spatial) * fan * filters, bias_adds=bias * prod(sizes) * filters,
                  windows=tuple(windows), params_formula=f"{dot(k)}·{grid.channels}·{filters}{f' + {filters}' if bias else ''}",
                  macs_formula=f"{dot(grid.spatial)} inputs · {dot(k)}·{grid.channels}·{filters}")


def depthwise(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    spatial, windows = sliding(layer, grid, layer.get("kernel"), layer.get("stride"), layer.get("padding"),
                               layer.get("dilation"), conv)
    k = per_axis(layer.get("kernel"), len(spatial), "kernel", layer)
    m = int(layer.get("depth_multiplier", 1) or 1)
    out_channels = grid.channels * m
    depth_params = prod(k) * out_channels
    outputs = prod(spatial)
    if layer.kind == "depthwise_conv2d":
        bias = out_channels if layer.get("bias", True) else 0
        return Effect(grid.rebuild(spatial, out_channels), trainable=depth_params + bias,
                      macs=outputs * depth_params, bias_adds=outputs * bias, windows=windows,
                      params_formula=f"{dot(k)}·{out_channels}{f' + {bias}' if bias else ''}",
                      macs_formula=f"{dot(spatial)} · {dot(k)}·{out_channels}")
    filters = int(layer.get("filters"))
    bias = filters if layer.get("bias", True) else 0
    return Effect(grid.rebuild(spatial, filters), trainable=depth_params + out_channels * filters + bias,
                  macs=outputs * (depth_params + out_channels * filters), bias_adds=outputs * bias, windows=windows,
                  params_formula=f"{dot(k)}·{out_channels} + {out_channels}·{filters}{f' + {filters}' if bias else ''}",
                  macs_formula=f"{dot(spatial)} · ({dot(k)}·{out_channels} + {out_channels}·{filters})")


def pool(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    stride = layer.get("stride") if layer.get("stride") is not None else layer.get("pool")
    spatial, windows = sliding(layer, grid, layer.get("pool"), stride, layer.get("padding"), None, conv,
                               ceil_mode=bool(layer.get("ceil_mode", False)))
    window = prod(per_axis(layer.get("pool"), len(spatial), "pool", layer))
    return Effect(grid.rebuild(spatial, grid.channels), windows=windows,
                  work={"pooling": window * prod(spatial) * grid.channels})


def global_pool(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    grid = Grid.of(shape, layout)
    out = grid.rebuild((1,) * len(grid.spatial), grid.channels) if layer.get("keepdims") else (grid.channels,)
    return Effect(out, global_view=True, work={"pooling": prod(shape)})


def dense(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    units, fan_in = int(layer.get("units")), shape[-1]      # Dense and Linear act on the last axis
    bias = 1 if layer.get("bias", True) else 0
    rows = prod(shape[:-1])
    return Effect((*shape[:-1], units), trainable=(fan_in + bias) * units, macs=rows * fan_in * units,
                  bias_adds=bias * rows * units, global_view=len(shape) == 1,
                  params_formula=f"({fan_in}{' + 1' if bias else ''})·{units}",
                  macs_formula=(f"{dot(shape[:-1])} rows · " if rows > 1 else "") + f"{fan_in}·{units}")


def batch_norm(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    channels = Grid.of(shape, layout).channels if len(shape) > 1 else shape[0]
    trainable = 2 * channels if layer.get("affine", True) else 0
    stats = 2 * channels if layer.get("track_running_stats", True) else 0
    counted = stats if conv.running_stats == "parameters" else 0
    formula = " + ".join(([f"2·{channels} (γ, β)"] if trainable else [])
                         + ([f"2·{channels} (moving μ, σ²)"] if counted else [])) or "0"
    return Effect(shape, trainable=trainable, non_trainable=counted, buffers=stats - counted,
                  work={"normalization": 2 * prod(shape)}, params_formula=formula)


def layer_norm(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    axes = layer.get("axes", [-1])
    axes = [axes] if isinstance(axes, int) else list(axes)
    normalized = prod(shape[a] for a in axes)
    trainable = 2 * normalized if layer.get("affine", True) else 0
    return Effect(shape, trainable=trainable, work={"normalization": 2 * prod(shape)},
                  params_formula=f"2·{normalized}" if trainable else "0")


def same_shape(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    work = {"activations": prod(shape)} if layer.kind == "activation" else {}
    return Effect(shape, work=work)


def flatten(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    return Effect((prod(_one(layer, shapes)),), global_view=True)


def reshape(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    target = [int(v) for v in layer.get("shape")]
    if target.count(-1) == 1:
        known = prod(v for v in target if v != -1)
        target[target.index(-1)] = prod(shape) // known
    if prod(target) != prod(shape):
        raise ArchitectureError(f"cannot reshape {tuple(shape)} ({prod(shape)} values) to {tuple(target)}", layer, "shape")
    return Effect(tuple(target), global_view=True)


def zero_padding(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    grid = Grid.of(_one(layer, shapes), layout)
    pad = layer.get("padding")
    pad = [pad] * 4 if isinstance(pad, int) else list(pad)
    if len(pad) == 2:
        pad = [pad[0], pad[0], pad[1], pad[1]]
    top, bottom, left, right = (int(p) for p in pad)
    h, w = grid.spatial
    return Effect(grid.rebuild((h + top + bottom, w + left + right), grid.channels),
                  windows=(Window(1, 1, top), Window(1, 1, left)))


def embedding(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    vocabulary, dim = int(layer.get("vocabulary")), int(layer.get("dim"))
    return Effect((*shape, dim), trainable=vocabulary * dim, params_formula=f"{vocabulary}·{dim}")


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


def recurrent(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    if len(shape) != 2:
        raise ArchitectureError(f"{layer.kind} reads a sequence (time steps, features), got shape {tuple(shape)}", layer)
    steps, features = shape
    units, gates = int(layer.get("units")), GATES[layer.kind]
    biases = bias_vectors(layer.kind, conv.rnn, layer.get("bias", True), layer.get("reset_after", True))
    per_step, per_step_formula = recurrent_macs_per_step(layer.kind, features, units)
    out = (steps, units) if layer.get("return_sequences") else (units,)
    return Effect(out, trainable=recurrent_params(layer.kind, features, units, biases), macs=steps * per_step,
                  bias_adds=steps * gates * biases * units, global_view=True,
                  params_formula=recurrent_params_formula(layer.kind, features, units, biases),
                  macs_formula=f"{steps} steps · {per_step_formula}")


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
                  params_formula=f"({query[-1]}{plus})·{heads}·{kd} + ({key[-1]}{plus})·{heads}·{kd} + "
                                 f"({value[-1]}{plus})·{heads}·{vd} + ({heads}·{vd}{plus})·{out_dim}",
                  macs_formula=f"projections + {tq}·{tk}·{heads}·({kd} + {vd}) for scores and weighted values")


def add(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    if len(shapes) < 2 or any(tuple(s) != tuple(shapes[0]) for s in shapes):
        raise ArchitectureError(f"add needs two or more inputs of one shape, got {[tuple(s) for s in shapes]}", layer, "inputs")
    return Effect(tuple(shapes[0]), work={"elementwise": (len(shapes) - 1) * prod(shapes[0])})


def concat(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    rank = len(shapes[0])
    axis = layer.get("axis")
    # like Keras and torch.cat, a non-negative axis counts the batch axis as 0
    axis = (rank - 1 if layout == "channels_last" else 0) if axis is None else (axis - 1 if axis > 0 else rank + axis)
    rest = {tuple(s[:axis]) + tuple(s[axis + 1:]) for s in shapes}
    if any(len(s) != rank for s in shapes) or len(rest) != 1:
        raise ArchitectureError(f"concat along axis {axis + 1} needs the other axes equal, got {[tuple(s) for s in shapes]}", layer, "inputs")
    out = list(shapes[0])
    out[axis] = sum(s[axis] for s in shapes)
    return Effect(tuple(out))


RULES = {
    "dense": dense, "conv1d": conv, "conv2d": conv, "conv_transpose2d": conv_transpose,
    "depthwise_conv2d": depthwise, "separable_conv2d": depthwise,
    "max_pool1d": pool, "max_pool2d": pool, "avg_pool1d": pool, "avg_pool2d": pool,
    "global_avg_pool": global_pool, "global_max_pool": global_pool,
    "batch_norm": batch_norm, "layer_norm": layer_norm, "dropout": same_shape, "activation": same_shape,
    "flatten": flatten, "reshape": reshape, "zero_padding2d": zero_padding, "embedding": embedding,
    "simple_rnn": recurrent, "lstm": recurrent, "gru": recurrent, "multihead_attention": attention,
    "add": add, "concat": concat,
}
