"""Adaptive pooling to a given output size (PyTorch's nn.AdaptiveAvgPool1d/2d, nn.AdaptiveMaxPool1d/2d),
pixel shuffles (nn.PixelShuffle, nn.PixelUnshuffle), upsampling, group norm and registered buffers.

Adaptive pooling follows PyTorch's window rule (nnsolve.geometry.adaptive): output i of m along an axis
of n reads inputs ⌊i·n/m⌋ … ⌈(i + 1)·n/m⌉ − 1, so the pooling work is channels · Π (n + m − gcd(n, m))
reads. When m divides n those windows are a plain pool's (window = stride = n/m) and the receptive field
is exact; otherwise it is taken through the largest window and a jump of ⌈n/m⌉, an upper bound.
"""
from __future__ import annotations

from ..geometry import Window, adaptive
from .conventions import Conventions
from .ir import Layer
from .kinds import _one, kind
from .rules import ArchitectureError, Effect, Grid, prod


@kind("adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
      required=("output_size",), spatial_axes=(1, 2, 1, 2))
def adaptive_pool(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`nn.AdaptiveAvgPool2d((6, 6))`: output_size (6, 6); None on an axis keeps its size."""
    grid = Grid.of(_one(layer, shapes), layout)
    size = layer.get("output_size")
    size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * len(grid.spatial)
    if len(size) != len(grid.spatial):
        raise ArchitectureError(f"output_size has {len(size)} entries, the input has {len(grid.spatial)} spatial "
                                f"ax{'i' if len(grid.spatial) == 1 else 'e'}s", layer, "output_size")
    out = tuple(n if m is None else m for n, m in zip(grid.spatial, size))
    axes = [adaptive(n, m) for n, m in zip(grid.spatial, out)]
    return Effect(grid.rebuild(out, grid.channels), windows=tuple(Window(a.window, a.step, 0) for a in axes),
                  work={"pooling": grid.channels * prod(a.reads for a in axes)})


@kind("pixel_shuffle", "pixel_unshuffle", required=("factor",))
def pixel_shuffle(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`nn.PixelShuffle(r)`: (C·r², H, W) → (C, H·r, W·r); `nn.PixelUnshuffle(r)` the reverse."""
    shape = _one(layer, shapes)
    if len(shape) < 2:
        raise ArchitectureError(f"needs channels and spatial axes, got shape {tuple(shape)}", layer)
    grid, r = Grid.of(shape, layout), int(layer.get("factor"))
    scale = r ** len(grid.spatial)
    if layer.kind == "pixel_shuffle":
        if grid.channels % scale:
            raise ArchitectureError(f"the {grid.channels} channels are not a multiple of {r}^{len(grid.spatial)} = "
                                    f"{scale}", layer, "factor")
        return Effect(grid.rebuild(tuple(n * r for n in grid.spatial), grid.channels // scale),
                      windows=tuple(Window(1, 1, 0, r) for _ in grid.spatial))
    if any(n % r for n in grid.spatial):
        raise ArchitectureError(f"the spatial sizes {tuple(grid.spatial)} are not multiples of {r}", layer, "factor")
    return Effect(grid.rebuild(tuple(n // r for n in grid.spatial), grid.channels * scale),
                  windows=tuple(Window(1, r, 0) for _ in grid.spatial))


@kind("group_norm", required=("groups",), optional=("eps", "affine", "num_features"))
def group_norm(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`nn.GroupNorm(4, 32)`: groups 4 over the 32 channels, γ and β per channel (affine)."""
    shape = _one(layer, shapes)
    channels, groups = (Grid.of(shape, layout).channels if len(shape) > 1 else shape[0]), int(layer.get("groups"))
    if channels % groups:
        raise ArchitectureError(f"{groups} groups must divide the {channels} channels", layer, "groups")
    trainable = 2 * channels if layer.get("affine", True) else 0
    return Effect(tuple(shape), trainable=trainable, work={"normalization": 2 * prod(shape)},
                  formulas=lambda: (f"2·{channels} (γ, β)" if trainable else "0", "0"))


@kind("upsample", optional=("factor", "output_size", "mode"))
def upsample(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`nn.Upsample(scale_factor=2)`, Keras `UpSampling2D(2)`: each spatial size times `factor`, or
    `output_size` (a multiple of the input's). Nearest: each output repeats one input (the jump divides by
    the factor); linear/bilinear: each output mixes two neighbours per axis, its field taken as both (at
    most one position more: an upper bound)."""
    shape = _one(layer, shapes)
    if len(shape) < 2:
        raise ArchitectureError(f"needs channels and spatial axes, got shape {tuple(shape)}", layer)
    grid = Grid.of(shape, layout)
    size, factor = layer.get("output_size"), layer.get("factor")
    if (size is None) == (factor is None):
        raise ArchitectureError("give one of factor and output_size", layer, "factor")
    if size is not None:
        size = tuple(size) if isinstance(size, (tuple, list)) else (size,) * len(grid.spatial)
        if len(size) != len(grid.spatial) or any(m is None or m % n for n, m in zip(grid.spatial, size)):
            raise ArchitectureError(f"output_size {size} must be a multiple of the input's {tuple(grid.spatial)} "
                                    "on every axis", layer, "output_size")
        factors = tuple(m // n for n, m in zip(grid.spatial, size))
    else:
        factors = tuple(factor) if isinstance(factor, (tuple, list)) else (factor,) * len(grid.spatial)
        if len(factors) != len(grid.spatial):
            raise ArchitectureError(f"factor has {len(factors)} entries, the input has {len(grid.spatial)} spatial "
                                    "axes", layer, "factor")
    mode = layer.get("mode") or "nearest"
    if mode not in ("nearest", "linear", "bilinear"):
        raise ArchitectureError(f"mode {mode!r}: nearest, linear or bilinear", layer, "mode")
    taps = 1 if mode == "nearest" else 2
    return Effect(grid.rebuild(tuple(n * r for n, r in zip(grid.spatial, factors)), grid.channels),
                  windows=tuple(Window(taps, 1, 0, r) for r in factors))


@kind("buffer", required=("shape",), optional=("added", "held"))
def buffer(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`self.register_buffer('pe', torch.zeros(1, 500, 64))`: shape (1, 500, 64), counted as buffer values
    (saved with the model, not parameters); the layer passes its input through, and with `added` the
    forward adds (a slice of) the buffer to it (`x + self.pe[:, :x.size(1)]`): one addition per value. With `held`, a buffer a module
    holds beside the layers forward runs (PyTorch's register_buffer of known shape): its output is its own
    shape, which nothing reads."""
    shape = tuple(_one(layer, shapes)) if not layer.get("held") else tuple(layer.get("shape"))
    values = prod(layer.get("shape"))
    return Effect(shape, buffers=values, work={"elementwise": prod(shape)} if layer.get("added") else {},
                  formulas=lambda: (f"0 (buffer of {'×'.join(map(str, layer.get('shape')))} = {values} values)", "0"))


@kind("parameter", required=("shape",), optional=("trainable",))
def parameter(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """`self.weight = nn.Parameter(torch.ones(64))`: weights a module holds outside its layers, counted
    as the module's parameters (PyTorch's model.parameters() has them); its output is the weights' shape,
    which nothing after it reads (the forward uses the weights where it uses them)."""
    shape = tuple(layer.get("shape"))
    values = prod(shape)
    trainable = layer.get("trainable", True)
    return Effect(shape, trainable=values if trainable else 0, non_trainable=0 if trainable else values,
                  formulas=lambda: (f"{'×'.join(map(str, shape))} = {values}", "0"))
