"""What a transformer's forward computes with torch functions rather than layers, and the weights
modules share by assignment — mixed into the PyTorch reader:

- `F.layer_norm(x, shape, weight, bias, eps)`: a layer norm whose weights are the module's own
  nn.Parameters (counted where they are held);
- `F.scaled_dot_product_attention(q, k, v, …)`: attention's two products, counted as multi-head
  attention's are (kinds_functions.py);
- `torch.arange(t)` in forward: the positions a position embedding reads;
- `x[:, [-1], :]`: one position, kept as an axis of size 1;
- `hasattr(torch.nn.functional, name)`: answered for the PyTorch the reader reads for (2.x);
- `F.dropout(x, p, training)`, `F.pad(x, (left, right))`, reductions over one axis (`x.mean(dim=1)`,
  `x.max(dim=1).values`), one position of an axis (`x[:, 0]`), `n, t = x.shape`;
- a module's weights or buffers sliced (`self.pos[:, :t, :]`, `self.positions[:t]` of a registered
  torch.arange) or expanded to the batch (`self.cls.expand(n, -1, -1)`);
- `self.wte.weight = self.lm_head.weight`: weight tying — the later of the two layers in forward uses the
  earlier one's weights (`shares`), as PyTorch's model.parameters() holds the one tensor once.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .common import SnippetError, describe, shown
from .torch_values import Filled, Tensor, Weights
from .values import External, Opaque

NOT_HANDLED = object()
REDUCTIONS = {"mean", "sum", "amax", "amin", "max", "min", "prod", "std", "var", "logsumexp", "norm"}
# element-wise functions of one tensor (and numbers): the shape stays, no MACs (activations' work)
ELEMENTWISE = {"pow", "sqrt", "rsqrt", "abs", "log", "square", "sin", "cos", "erf", "neg", "reciprocal"}
# torch.nn.functional names PyTorch 2.x has that a model file tests for with hasattr
TORCH_2 = {"scaled_dot_product_attention", "layer_norm", "gelu", "silu", "mish", "softmax", "dropout", "linear",
           "relu", "conv2d", "embedding", "cross_entropy", "pad", "interpolate", "group_norm", "normalize"}
WHOLE_WEIGHT = {"embedding"}            # kinds whose weight is all they hold; Linear/Conv without a bias too


@dataclass(frozen=True)
class Arange(Filled):
    """torch.arange(n) outside forward (a registered buffer of positions): sliced in forward, positions."""


@dataclass(eq=False)
class Reduced:
    """x.max(dim=1): (values, indices), `.values` the tensor."""
    values: Any
    indices: Any


@dataclass(frozen=True)
class ModuleWeight(Opaque):
    """`self.lm_head.weight`: a built-in module's weight (or bias) tensor, as an attribute."""
    module: Any = None
    name: str = "weight"


class FunctionsMixin:
    def external_has(self, module: External, name: str, node) -> bool | None:
        if module.name in ("torch.nn.functional", "F") and name in TORCH_2:
            self.assume(node, f"{describe(node)} is True: PyTorch 2 has torch.nn.functional.{name}")
            return True
        return None

    def torch_function(self, name: str, args, kwargs, node, tensors: list):
        """The layer a torch function of the forward makes, or NOT_HANDLED."""
        if name == "arange" and not tensors and self.in_forward:
            return self.positions(args, kwargs, node)
        if name == "arange" and not tensors and len(args) == 1 and isinstance(args[0], int) \
                and not isinstance(args[0], bool) and args[0] >= 1:
            return Arange(f"{describe(node)} (line {node.lineno})", (args[0],))
        if name == "dropout" and args and isinstance(args[0], Tensor):        # F.dropout(x, p, training)
            rate = args[1] if len(args) > 1 else kwargs.get("p", 0.5)
            return self.functional("dropout", {"rate": rate}, name, [args[0]], node)
        if name == "pad" and args and isinstance(args[0], Tensor):            # F.pad(x, (left, right), mode=…)
            pads = args[1] if len(args) > 1 else kwargs.get("pad")
            return self.functional("pad", {"pads": pads}, name, [args[0]], node)
        if name in REDUCTIONS and args and isinstance(args[0], Tensor):       # torch.mean(x, dim=1)
            return self.reduction(args[0], name, list(args[1:]), kwargs, node)
        if name == "layer_norm" and args and isinstance(args[0], Tensor):
            shape = args[1] if len(args) > 1 else kwargs.get("normalized_shape")
            shape = (shape,) if isinstance(shape, int) else shape
            if not isinstance(shape, (tuple, list)) or not shape or \
                    not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
                raise SnippetError(f"{describe(node)}: the normalized shape must be known sizes, got {shown(shape)}",
                                   node)
            # its weight and bias are the calling module's nn.Parameters, counted where they are held
            return self.functional("layer_norm", {"axes": tuple(range(-len(shape), 0)), "normalized_shape":
                                                  tuple(shape), "affine": False}, name, [args[0]], node)
        if name in ELEMENTWISE and args and isinstance(args[0], Tensor) and len(tensors) == 1:
            return self.functional("activation", {"function": name}, name, [args[0]], node)
        if name in ("matmul", "bmm") and len(args) == 2 and len(tensors) == 2:
            return self.functional("matmul", {}, "matmul", list(args), node)
        if name == "scaled_dot_product_attention":
            if len(args) < 3 or len(_only_tensors(args[:3])) != 3:
                raise SnippetError(f"{describe(node)}: the query, key and value tensors come first", node)
            return self.functional("scaled_dot_product", {}, "attention", list(args[:3]), node)
        return NOT_HANDLED

    def torch_tensor_method(self, source, method: str, args, kwargs, node):
        """x.pow(3), att.masked_fill(mask, value), pos.unsqueeze(0); NOT_HANDLED for the others."""
        if method in ELEMENTWISE and not _only_tensors(list(args) + list(kwargs.values())):
            return self.functional("activation", {"function": method}, method, [source], node)
        if method in REDUCTIONS:
            return self.reduction(source, method, list(args), kwargs, node)
        if method in ("masked_fill", "masked_fill_"):        # values replaced where the mask is set: same shape
            return source
        if method == "unsqueeze" and list(args) in ([0],) and self.layer_kind(source) == "positions":
            # torch.arange(t).unsqueeze(0): (1, t), a batch axis of 1 that broadcasts — the positions as they are
            return source
        return NOT_HANDLED

    def reduction(self, source, name: str, args, kwargs, node):
        dim = args[0] if args else kwargs.get("dim")
        if not isinstance(dim, int) or isinstance(dim, bool) or set(kwargs) - {"dim", "keepdim"} or len(args) > 2:
            raise SnippetError(f"{describe(node)}: a reduction over one axis, {name}(dim=…), is supported", node)
        keepdim = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
        out = self.functional("reduce", {"axis": dim, "keepdim": keepdim, "function": name}, name, [source], node)
        if name in ("max", "min"):                           # (values, indices)
            return Reduced(out, Opaque(f"the indices of {describe(node)}"))
        return out

    def layer_kind(self, tensor) -> str | None:
        return next((layer.kind for layer in reversed(self.layers) if layer.name == tensor.layer), None)

    def positions(self, args, kwargs, node):
        """torch.arange(t) / torch.arange(0, t) in forward: the positions layer (from the input, which fixes t)."""
        bounds = [a for a in args]
        if any(not isinstance(v, int) or isinstance(v, bool) for v in bounds) or not 1 <= len(bounds) <= 3 \
                or set(kwargs) - {"dtype", "device", "start", "end", "step"}:
            raise SnippetError(f"{describe(node)}: positions torch.arange(t) or torch.arange(start, end) of known "
                               f"sizes only, got {', '.join(shown(v) for v in bounds)}", node)
        length = len(range(*bounds))
        if length < 1:
            raise SnippetError(f"{describe(node)} makes no positions", node)
        return self.functional("positions", {"length": length}, "arange", [Tensor("input")], node)

    def one_position(self, owner, index, node):
        """x[:, [-1], :]: a list of one index on one axis keeps that axis, of size 1 — the slice i:i+1."""
        if not isinstance(index, tuple):
            return NOT_HANDLED
        lists = [i for i, part in enumerate(index) if isinstance(part, list)]
        if len(lists) != 1 or len(index[lists[0]]) != 1 or not isinstance(index[lists[0]][0], int) \
                or isinstance(index[lists[0]][0], bool):
            return NOT_HANDLED
        at = index[lists[0]][0]
        part = slice(at, at + 1 if at != -1 else None)
        return self.subscript_other(owner, index[:lists[0]] + (part,) + index[lists[0] + 1:], None, node)

    def subscript_unknown(self, owner, index, node):
        """A module's weights or buffer indexed (`self.pos[:, :t, :]`): the part, of its known shape; a
        registered torch.arange sliced in forward, the positions it gives."""
        if isinstance(owner, (Weights, Filled)) and owner.shape:
            shape = _sliced(owner.shape, index)
            if shape is None:
                return Opaque(owner.what)
            if isinstance(owner, Arange) and self.in_forward and len(shape) == 1:
                return self.functional("positions", {"length": shape[0]}, "positions", [Tensor("input")], node)
            return replace(owner, shape=shape)
        return owner

    def expanded(self, weights, args, node):
        """`self.cls.expand(n, -1, -1)` with n the batch: a tensor the same for every sample."""
        from .torch_values import BATCH
        sizes = list(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else list(args)
        if len(sizes) != len(weights.shape) or sizes[0] is not BATCH or weights.shape[0] != 1 \
                or not all(s == -1 or s == w for s, w in zip(sizes[1:], weights.shape[1:])):
            raise SnippetError(f"{describe(node)}: weights expanded to the batch only, "
                               "w.expand(batch, -1, …) of weights (1, …)", node)
        return self.functional("constant", {"shape": weights.shape[1:]}, "expand", [Tensor("input")], node)

    def select_one(self, owner, index, node):
        """x[:, 0], x[:, -1, :]: one position of one axis after the batch's, the axis dropped."""
        parts = index if isinstance(index, tuple) else (index,)
        every = slice(None, None, None)
        ints = [i for i, p in enumerate(parts) if isinstance(p, int) and not isinstance(p, bool)]
        if len(parts) < 2 or parts[0] != every or len(ints) != 1 or ints[0] == 0 or \
                any(p != every for i, p in enumerate(parts) if i not in ints):
            return NOT_HANDLED
        return self.functional("select", {"axis": ints[0], "index": parts[ints[0]]}, "select", [owner], node)

    # ---- weight tying
    def module_weight(self, module, name: str, node):
        """`self.lm_head.weight`, `module.bias`: the tensor; None for a bias the layer does not have."""
        if name == "bias" and module.settings.get("bias") is False:
            return None
        return ModuleWeight(f"{describe(node)} (line {getattr(node, 'lineno', '?')})", module, name)

    def tie(self, module, name: str, value, stmt) -> None:
        """`self.wte.weight = self.lm_head.weight`: the two modules hold one tensor."""
        if name != "weight" or not isinstance(value, ModuleWeight) or value.name != "weight":
            raise SnippetError(f"{describe(stmt).splitlines()[0]}: replacing a layer's {name} is not followed "
                               "(only tying two layers' weights, a.weight = b.weight)", stmt)
        other = value.module
        for m in (module, other):
            if not (m.kind in WHOLE_WEIGHT or m.settings.get("bias") is False):
                raise SnippetError(f"{describe(stmt).splitlines()[0]}: {m.written} holds more than the tied weight "
                                   "(its bias): partly shared weights are not followed", stmt)
        group = module.tied or other.tied or {"layer": None, "line": stmt.lineno}
        module.tied = other.tied = group
        self.assume(stmt, f"{describe(stmt).splitlines()[0]}: one weight tensor for both layers, counted once "
                        "(the second in forward shares the first's)")


def _sliced(shape: tuple, index) -> tuple | None:
    """The shape of a tensor of `shape` indexed by whole numbers and slices; None for anything else."""
    parts = index if isinstance(index, tuple) else (index,)
    if len(parts) > len(shape):
        return None
    out = []
    for size, part in zip(shape, parts):
        if isinstance(part, slice) and all(v is None or (isinstance(v, int) and not isinstance(v, bool))
                                           for v in (part.start, part.stop, part.step)) and part.step != 0:
            out.append(len(range(*part.indices(size))))
        elif isinstance(part, int) and not isinstance(part, bool) and -size <= part < size:
            continue
        else:
            return None
    return tuple(out) + tuple(shape[len(parts):])


def _only_tensors(values) -> list:
    return [v for v in values if isinstance(v, Tensor)]

