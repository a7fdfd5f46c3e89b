"""Layers that only rearrange a tensor: reshape (view), permute, transpose, t, flatten(start, end),
unsqueeze and squeeze. No parameters, no multiply-accumulates; each one's output shape follows PyTorch's
rule exactly.

Their dimension numbers count the batch axis, as PyTorch's (and Keras's Permute after adding the batch
axis 0) do: `x.transpose(1, 2)` swaps the two axes after the batch. The analysis keeps shapes without the
batch axis, and tracks where the batch axis is (`Effect.batch_axis`): a rule here applies the operation to
the full tensor with a symbolic batch axis B at that position, refuses one that would merge B with another
axis or make a new one, and gives the shape of the other axes in their new order and B's new position —
so `x.permute(1, 0, 2)` before a sequence-first nn.MultiheadAttention, and back again, is followed. The
batch size is taken to be more than 1 (`squeeze()` keeps B).

Receptive fields: a rearranged tensor's units are reported as seeing the whole input (as after flatten);
the analysis does not follow positions through a rearrangement.
"""
from __future__ import annotations

from .ir import Layer
from .kinds import kind
from .rules import ArchitectureError, Effect, prod


class _Batch:
    """The batch axis inside a full shape: a size nobody knows."""

    def __repr__(self) -> str:
        return "B"


B = _Batch()


def _full(shape, batch: int) -> list:
    full = list(shape)
    full.insert(batch, B)
    return full


def _result(full: list, **extra) -> Effect:
    return Effect(tuple(v for v in full if v is not B), batch_axis=full.index(B), global_view=True, **extra)


def _shown(full) -> str:
    return "(" + ", ".join(map(repr, full)) + ("," if len(full) == 1 else "") + ")"


def _dim(layer: Layer, setting: str, value: int, rank: int, full, extra: int = 0) -> int:
    """A dimension number of a tensor of `rank` axes (the batch counted), negative from the end; `extra`:
    1 for unsqueeze, whose position may be one past the last axis."""
    size = rank + extra
    if not -size <= value < size:
        raise ArchitectureError(f"dimension {value} is out of range for a tensor of {rank} axes {_shown(full)} "
                                f"(the batch axis B counts, as in PyTorch)", layer, setting)
    return value + size if value < 0 else value


def _one_shape(layer: Layer, shapes):
    if len(shapes) != 1:
        raise ArchitectureError(f"reads one layer, it was given {len(shapes)}", layer, "inputs")
    return shapes[0]


@kind("repeat_vector", required=("times",))
def repeat_vector(layer: Layer, shapes, layout: str, conv) -> Effect:
    """Keras `RepeatVector(n)`: a vector of d features becomes n steps of it, (n, d); it reads vectors only."""
    shape = _one_shape(layer, shapes)
    if len(shape) != 1:
        raise ArchitectureError(f"repeats a vector (one axis after the batch), it was given {_shown(list(shape))}",
                                layer, "inputs")
    return Effect((int(layer.get("times")), shape[0]))


@kind("permute", required=("dims",), batch_aware=True)
def permute(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`x.permute(0, 2, 1)` (dims as written, the batch axis counted); Keras `Permute((2, 1))` is dims (0, 2, 1)."""
    full = _full(_one_shape(layer, shapes), batch)
    dims = [_dim(layer, "dims", d, len(full), full) for d in layer.get("dims")]
    if sorted(dims) != list(range(len(full))):
        raise ArchitectureError(f"dims {tuple(layer.get('dims'))} must name each of the {len(full)} axes of "
                                f"{_shown(full)} once", layer, "dims")
    return _result([full[d] for d in dims])


@kind("transpose", required=("dim0", "dim1"), batch_aware=True)
def transpose(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`x.transpose(1, 2)` or `torch.transpose(x, 1, 2)`: dim0 1, dim1 2 (the batch axis counted)."""
    full = _full(_one_shape(layer, shapes), batch)
    a = _dim(layer, "dim0", layer.get("dim0"), len(full), full)
    b = _dim(layer, "dim1", layer.get("dim1"), len(full), full)
    full[a], full[b] = full[b], full[a]
    return _result(full)


@kind("t", batch_aware=True)
def t(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`x.t()` or `torch.t(x)`: a tensor of at most 2 axes (the batch counted) with its two axes swapped."""
    full = _full(_one_shape(layer, shapes), batch)
    if len(full) > 2:
        raise ArchitectureError(f"t() needs a tensor of at most 2 axes, got {_shown(full)}: use transpose", layer)
    return _result(full[::-1])


@kind("flatten", optional=("start_dim", "end_dim"), batch_aware=True)
def flatten(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`nn.Flatten()`, `x.flatten(1)`, `torch.flatten(x, 1)`, Keras Flatten(): start_dim 1, end_dim -1 (the
    default, everything after the batch); `nn.Flatten(2)` or `x.flatten(1, 2)` join only those axes."""
    full = _full(_one_shape(layer, shapes), batch)
    start = _dim(layer, "start_dim", layer.get("start_dim", 1), len(full), full)
    end = _dim(layer, "end_dim", layer.get("end_dim", -1), len(full), full)
    if start > end:
        raise ArchitectureError(f"start_dim {layer.get('start_dim', 1)} comes after end_dim "
                                f"{layer.get('end_dim', -1)} in {_shown(full)}", layer, "start_dim")
    joined = full[start:end + 1]
    others = [v for v in joined if v is not B]
    if B in joined and prod(others) != 1:           # B with axes of size 1 only stays B
        raise ArchitectureError(f"flattening axes {start}…{end} of {_shown(full)} would merge the batch axis B "
                                "with others (start at the axis after the batch: torch.flatten(x, 1))",
                                layer, "start_dim")
    return _result(full[:start] + [B if B in joined else prod(others)] + full[end + 1:])


@kind("reshape", required=("shape",), optional=("batch_inferred", "rows"), batch_aware=True)
def reshape(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """Keras `Reshape((7, 7, 64))` (shape without the batch axis); `x.view(x.size(0), -1, 28)` or
    `x.reshape(-1, 28, 28)`: the sizes after the batch entry, with batch_inferred when the batch entry
    was -1 or the batch size times `rows` (`out.size(0) * out.size(1)`).

    A first entry -1 that takes more than the batch — a language model's `out.view(-1, vocabulary)` on
    (batch, steps, vocabulary), or on (steps, batch, …) — puts each sample's rows into the batch axis, as
    PyTorch does: each sample gives (rows, *sizes), counted as such. Only whole rows of one sample: the sizes
    must divide what follows the batch axis, else samples would mix and that is refused."""
    shape = _one_shape(layer, shapes)
    target = [int(v) for v in layer.get("shape")]
    if layer.get("batch_inferred") and -1 not in target:
        merged = _rows_per_sample(layer, shape, batch, target)
        if merged is not None:
            return Effect((merged, *target), batch_axis=0, global_view=True)
    if batch != 0:
        raise ArchitectureError(f"reshapes a tensor whose batch axis is axis {batch} of "
                                f"{_shown(_full(shape, batch))}: move it first (permute or transpose)", layer)
    values = prod(shape)
    if -1 in target:
        known = prod(v for v in target if v != -1)
        if values % known:
            raise ArchitectureError(f"cannot reshape {tuple(shape)} ({values} values per sample) to "
                                    f"{tuple(target)}: {values} is not a multiple of {known}", layer, "shape")
        target[target.index(-1)] = values // known
    if prod(target) != values:
        batch_note = (" — the batch entry -1 would take up the difference and change the batch size"
                      if layer.get("batch_inferred") else "")
        raise ArchitectureError(f"cannot reshape {tuple(shape)} ({values} values per sample) to {tuple(target)} "
                                f"({prod(target)} values){batch_note}", layer, "shape")
    return Effect(tuple(target), batch_axis=0, global_view=True)


def _rows_per_sample(layer: Layer, shape, batch: int, target: list) -> int | None:
    """How many rows of `target`'s sizes each sample gives when the batch entry takes more than the batch
    (None when it is the batch alone, as in a flatten)."""
    values, row = prod(shape), prod(target)
    given = layer.get("rows")
    if row == values and given in (None, 1):
        return None
    after = prod(shape[batch:])                    # what follows the batch axis in the tensor
    if values % row or after % row:
        raise ArchitectureError(f"cannot reshape {_shown(_full(shape, batch))} to (-1, {', '.join(map(str, target))}): "
                                f"rows of {row} values would mix samples", layer, "shape")
    rows = values // row
    if given is not None and given != rows:
        raise ArchitectureError(f"the batch size times {given} rows of {tuple(target)} do not hold "
                                f"{_shown(_full(shape, batch))}: each sample gives {rows} such rows", layer, "shape")
    return rows


@kind("unflatten", required=("axis", "sizes"), batch_aware=True)
def unflatten(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`nn.Unflatten(1, (16, 7, 7))` or `x.unflatten(1, (16, 7, 7))`: axis 1 split into sizes (one may be -1),
    the batch axis counted."""
    full = _full(_one_shape(layer, shapes), batch)
    at = _dim(layer, "axis", layer.get("axis"), len(full), full)
    if full[at] is B:
        raise ArchitectureError(f"axis {layer.get('axis')} of {_shown(full)} is the batch axis", layer, "axis")
    sizes = [int(v) for v in layer.get("sizes")]
    if -1 in sizes:
        known = prod(v for v in sizes if v != -1)
        if full[at] % known:
            raise ArchitectureError(f"cannot split {full[at]} into {tuple(sizes)}", layer, "sizes")
        sizes[sizes.index(-1)] = full[at] // known
    if prod(sizes) != full[at]:
        raise ArchitectureError(f"cannot split the {full[at]} values of axis {at} into {tuple(sizes)} "
                                f"({prod(sizes)} values)", layer, "sizes")
    return _result(full[:at] + sizes + full[at + 1:])


@kind("unsqueeze", required=("axis",), batch_aware=True)
def unsqueeze(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`x.unsqueeze(1)` or `torch.unsqueeze(x, 1)`: axis 1, a new axis of size 1 there (the batch counted)."""
    full = _full(_one_shape(layer, shapes), batch)
    at = _dim(layer, "axis", layer.get("axis"), len(full), full, extra=1)
    return _result(full[:at] + [1] + full[at:])


@kind("squeeze", optional=("axes",), batch_aware=True)
def squeeze(layer: Layer, shapes, layout: str, conv, batch: int = 0) -> Effect:
    """`x.squeeze()` (every axis of size 1; the batch axis is taken to be larger) or `x.squeeze(1)`,
    `x.squeeze((1, 2))`: axes 1 or (1, 2), each only if its size is 1 (PyTorch leaves the others)."""
    full = _full(_one_shape(layer, shapes), batch)
    dims = layer.get("axes")
    if dims is None:
        chosen = set(range(len(full)))
    else:
        chosen = {_dim(layer, "axes", d, len(full), full) for d in ((dims,) if isinstance(dims, int) else dims)}
    return _result([v for i, v in enumerate(full) if not (i in chosen and v == 1)])


@kind("identity")
def identity(layer: Layer, shapes, layout: str, conv) -> Effect:
    """`nn.Identity()`: its input, unchanged."""
    return Effect(tuple(_one_shape(layer, shapes)))
