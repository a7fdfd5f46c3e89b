"""The tensors of a PyTorch forward: their sizes at each point (`x.size()`, `x.shape[-1]`, by the same
analysis the summary makes), indexing and slicing, splitting, and the tensor methods that rearrange them
(view, reshape, permute, transpose, flatten, unsqueeze, squeeze). Mixed into TorchReader (pytorch.py)."""
from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from .common import SnippetError, describe, shape_so_far, shown
from .torch_functions import NOT_HANDLED
from .torch_modules import ACTIVATION_FUNCTIONS, RECURRENT, BatchSize, tensor_method as rearrangement
from .torch_values import BATCH, REARRANGEMENTS, SAME_TENSOR, BatchRows, Tensor
from .values import Opaque


class TensorsMixin:
    def items_other(self, value, node):
        """`n, t = x.shape` (the sizes at this point of forward); `values, indices = x.max(dim=1)`."""
        from .torch_functions import Reduced
        if isinstance(value, _Shape):
            sizes = self.known_sizes(value.tensor)
            if sizes is None:
                raise SnippetError(f"{describe(node)}: the sizes are not known here", node)
            return list(sizes)
        if isinstance(value, Reduced):
            return [value.values, value.indices]
        return super().items_other(value, node)

    def subscript_other(self, owner, index, index_node, node):
        if isinstance(owner, _Shape):
            if index == 0:
                return BATCH
            sizes = self.known_sizes(owner.tensor)
            if sizes is not None and _axis(index, len(sizes)) is not None:
                return sizes[_axis(index, len(sizes))]
            return Opaque(f"{describe(node)} (line {node.lineno})")
        from .torch_functions import Reduced
        if isinstance(owner, Reduced) and index in (0, 1) and not isinstance(index, bool):
            return (owner.values, owner.indices)[index]
        if isinstance(owner, Tensor):
            one = self.one_position(owner, index, node)
            if one is not NOT_HANDLED:
                return one
            if self.last_step_applies(owner, index):
                return self.last_step(owner, index, node)
            picked = self.select_one(owner, index, node)
            if picked is not NOT_HANDLED:
                return picked
            if self.part_of_one_axis(index) is not None:
                axis, part = self.part_of_one_axis(index)
                return self.functional("slice", {"axis": axis, "start": part.start, "stop": part.stop,
                                                 "step": 1 if part.step is None else part.step}, "slice", [owner], node)
            return self.last_step(owner, index, node)
        return super().subscript_other(owner, index, index_node, node)

    @staticmethod
    def part_of_one_axis(index):
        """x[:, :d, :, :], x[:, d:]: (axis, slice) where one axis after the batch's is sliced by whole
        numbers, every other taken whole; None for any other index (x[:, -1], x[..., 0])."""
        index = index if isinstance(index, tuple) else (index,)
        if not all(isinstance(i, slice) for i in index):
            return None
        whole = [i.start is None and i.stop is None and i.step in (None, 1) for i in index]     # :, ::1
        if not whole[0]:
            return None
        parts = [(k, i) for k, i in enumerate(index) if not whole[k]]
        if len(parts) != 1:
            return None
        axis, part = parts[0]
        if not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in (part.start, part.stop, part.step)):
            return None
        return (axis, part) if part.step is None or part.step >= 1 else None

    def last_step_applies(self, source: Tensor, index) -> bool:
        index = index if isinstance(index, tuple) else (index,)
        layer = self.layers[-1] if self.layers else None
        every = slice(None, None, None)
        return (layer is not None and layer.name == source.layer and layer.kind in RECURRENT
                and layer.get("batch_first") and len(index) >= 2 and index[0] == every and index[1] == -1
                and all(i == every for i in index[2:]))

    def last_step(self, source: Tensor, index, node) -> Tensor:
        """`out[:, -1, :]` after a batch_first recurrent layer: its last hidden state only."""
        layer = self.layers[-1]
        if self.last_step_applies(source, index):
            self.layers[-1] = replace(layer, settings={**layer.settings, "return_sequences": False})
            return source
        raise SnippetError(f"unsupported indexing {describe(node)} (only out[:, -1, :] right after a "
                           "batch_first recurrent layer)", node)

    def known_sizes(self, tensor: Tensor) -> tuple | None:
        """x.size() at this point of forward: the batch's size (BATCH) and the sizes the layers so far give
        the tensor, by the same analysis the summary makes (so N, C, H, W = x.size() is what PyTorch has).
        None where that is not sure: a layer that cannot be analysed yet, a batch axis moved by a permute,
        or a sequence layer that puts the sequence first (PyTorch's default order there, (steps, batch, …), is
        not the analysis'; with batch_first=True it is)."""
        if any(layer.kind in SEQUENCE_KINDS - {"embedding"} and not layer.get("batch_first") for layer in self.layers):
            return None
        if not self.layers or self.layers[0].kind != "input":
            return None
        shape = shape_so_far(self.layers, tensor.layer, "channels_first", "pytorch")
        return None if shape is None else (BATCH, *shape)

    def tensor_method(self, source: Tensor, method: str, args, kwargs, node):
        handled = self.torch_tensor_method(source, method, args, kwargs, node)     # torch_functions.py
        if handled is not NOT_HANDLED:
            return handled
        if method in ACTIVATION_FUNCTIONS:
            return self.functional("activation", {"function": ACTIVATION_FUNCTIONS[method]}, method, [source], node)
        if method in SAME_TENSOR:
            return source
        if method == "size" and args == [0]:
            return BATCH
        if method in ("size", "dim") and not kwargs:
            sizes = self.known_sizes(source)
            if sizes is not None and method == "dim" and not args:
                return len(sizes)
            if sizes is not None and method == "size" and not args:
                return sizes
            if sizes is not None and method == "size" and len(args) == 1 and _axis(args[0], len(sizes)) is not None:
                return sizes[_axis(args[0], len(sizes))]
        if method in ("size", "dim", "numel"):
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if (method in REARRANGEMENTS or method == "flatten") \
                and not (method in ("view", "reshape") and _flattens(args)):
            return self.rearrange(source, method, args, kwargs, node)
        if method == "flatten":
            start = args[0] if args else kwargs.get("start_dim", 0)
            if start != 1 or len(args) > 1:
                raise SnippetError(f"{describe(node)}: only flattening from axis 1 (x.flatten(1)) is supported", node)
            return self.functional("flatten", {}, "flatten", [source], node)
        if method in ("view", "reshape"):
            return self.reshape(source, args, node)
        if method in ("split", "chunk"):
            return self.pieces(source, method, args, kwargs, node)
        raise SnippetError(f"unsupported tensor method '{method}'", node)

    def pieces(self, source: Tensor, method: str, args, kwargs, node) -> tuple:
        """x.split(2, dim=1), x.split([3, 5], 1), x.chunk(2, 1), torch.split(x, …): one slice layer per piece,
        from the size of the axis at this point of forward."""
        given = "split_size_or_sections" if method == "split" else "chunks"
        if len(args) > 2 or set(kwargs) - {given, "dim"}:
            raise SnippetError(f"{describe(node)}: {method}({given}, dim) only", node)
        how = args[0] if args else kwargs.get(given)
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        sizes = self.known_sizes(source)
        axis = _axis(dim, len(sizes)) if sizes is not None else None
        if axis is None or axis == 0:
            raise SnippetError(f"{describe(node)}: the size of axis {shown(dim)} is not known here (or it is the "
                               "batch axis)", node)
        n = sizes[axis]
        whole = lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1     # noqa: E731
        if method == "chunk" and whole(how):
            step = -(-n // how)
            bounds = list(range(0, n, step))
            widths = [min(step, n - b) for b in bounds]
        elif method == "split" and whole(how):
            widths = [min(how, n - b) for b in range(0, n, how)]
        elif method == "split" and isinstance(how, (list, tuple)) and all(whole(v) for v in how) and sum(how) == n:
            widths = list(how)
        else:
            raise SnippetError(f"{describe(node)}: {given} must be a whole number ≥ 1"
                               + (f" or sizes adding up to {n}" if method == "split" else ""), node)
        out, start = [], 0
        for width in widths:
            out.append(self.functional("slice", {"axis": axis, "start": start, "stop": start + width, "step": 1},
                                       method, [source], node))
            start += width
        return tuple(out)

    def rearrange(self, source: Tensor, method: str, args, kwargs, node) -> Tensor:
        """A rearrangement as the layer table describes it (torch_modules.tensor_method)."""
        def plain(value):
            if value is BATCH:
                return BatchSize()
            if isinstance(value, BatchRows):
                return BatchSize(value.rows)
            if isinstance(value, (list, tuple)):
                return type(value)(plain(v) for v in value)
            if isinstance(value, Opaque):
                raise SnippetError(f"{describe(node)}: a size is not known without running the code ({value.what})",
                                   node)
            return value
        try:
            kind, settings = rearrangement(method, tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()})
        except ValueError as e:
            raise SnippetError(f"{describe(node)}: {e}", node) from None
        if kind == "flatten" and settings in ({"start_dim": 1, "end_dim": -1}, {}):
            settings = {}
        if kind == "reshape" and settings.get("batch_inferred"):
            self.note_rows(source, settings["shape"], node)
        return self.functional(kind, settings, method, [source], node)

    def note_rows(self, source: Tensor, row: tuple, node) -> None:
        """`h.view(-1, hidden)` that puts several rows of each sample into the batch axis: said, since the
        output then has batch × rows rows (a flatten's -1 is the batch alone)."""
        sizes = self.known_sizes(source)
        if sizes is None or -1 in row or any(not isinstance(v, int) for v in row):
            return
        values, width = 1, 1
        for v in sizes[1:]:
            values *= v
        for v in row:
            width *= v
        if width and values % width == 0 and values // width > 1:
            self.assume(node, f"{describe(node)} puts each sample's {values // width} rows of "
                            f"{'×'.join(map(str, row))} into the batch axis (batch × {values // width} rows), as "
                            "PyTorch runs it")

    def reshape(self, source: Tensor, args, node) -> Tensor:
        """x.view(x.size(0), -1) flattens; x.reshape(-1, 28, 28) or x.view(batch, 16, 4, 4) reshapes
        every sample (the first size is the batch's)."""
        sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if len(sizes) < 2 or not (isinstance(sizes[0], Opaque) or sizes[0] == -1):
            raise SnippetError(f"{describe(node)}: the first size must be the batch's (x.size(0) or -1), "
                               f"got {shown(sizes[0]) if sizes else 'none'}", node)
        rest = sizes[1:]
        for size in rest:
            if isinstance(size, Opaque):
                raise SnippetError(f"{describe(node)}: a size is not known without running the code ({size.what})",
                                   node)
            if isinstance(size, bool) or not isinstance(size, int) or size == 0 or size < -1:
                raise SnippetError(f"{describe(node)}: sizes are whole numbers ≥ 1 (or one -1), got {shown(size)}",
                                   node)
        if rest == [-1]:
            return self.functional("flatten", {}, "flatten", [source], node)
        if rest.count(-1) > 1 or (sizes[0] == -1 and -1 in rest):
            raise SnippetError(f"{describe(node)}: only one size may be -1", node)
        return self.functional("reshape", {"shape": tuple(rest)}, node.func.attr if isinstance(node, ast.Call)
                               and isinstance(node.func, ast.Attribute) else "reshape", [source], node)



@dataclass(frozen=True)
class _Shape:
    """x.shape: its first size is the batch's."""
    tensor: Tensor


SEQUENCE_KINDS = RECURRENT | {"multihead_attention", "transformer_encoder", "embedding"}


def _axis(index, rank: int) -> int | None:
    """x.size(2), x.shape[-1]: the axis of a tensor of `rank` axes it names (None if it names none)."""
    if isinstance(index, bool) or not isinstance(index, int) or not -rank <= index < rank:
        return None
    return index % rank


def _flattens(args) -> bool:
    """x.view(x.size(0), -1), x.reshape(-1, n) style calls that flatten each sample: the flatten layer."""
    sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
    return len(sizes) == 2 and (sizes[0] is BATCH or isinstance(sizes[0], Opaque)) and sizes[1] == -1
