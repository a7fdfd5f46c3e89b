"""The forward pass of a PyTorch model as the interpreter reads it: tensors are the outputs of layers
(Tensor), calling a module on them adds its layers, and torch functions and tensor methods add theirs
(activations, pooling, concatenation, flattening and reshaping). Mixed into TorchReader (pytorch.py)."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace

from ..ir import Layer
from ..settings import SettingError, read_given
from .common import (Arguments, SnippetError, check_layer_count, describe, evaluating, is_number, layer_settings,
                     shown)
from . import torch_modules
from .torch_modules import ACTIVATION_FUNCTIONS, MODULES, PARAMETER_FREE, RECURRENT, _ignored
from .torch_functions import NOT_HANDLED
from .values import Function, Instance, Opaque

# the layer kinds of a forward's rearrangements (view, permute, transpose, …), where the layer table gives them
# (h12-layers: torch_modules.tensor_method); without it, view/reshape only
_REARRANGE = getattr(torch_modules, "tensor_method", None)
_BATCH_SIZE = getattr(torch_modules, "BatchSize", None)
REARRANGEMENTS = {"view", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "unsqueeze", "squeeze"}
BATCH = Opaque("the batch size (x.size(0))")          # x.size(0), x.shape[0] and names bound to them


@dataclass(frozen=True)
class BatchRows(Opaque):
    """The batch size times `rows`: `out.size(0) * out.size(1)` in `out.reshape(out.size(0) * out.size(1), -1)`."""
    rows: int = 1

POOLS = {"max_pool2d": "MaxPool2d", "avg_pool2d": "AvgPool2d", "max_pool1d": "MaxPool1d", "avg_pool1d": "AvgPool1d",
         "dropout": "Dropout", "adaptive_avg_pool2d": "AdaptiveAvgPool2d", "adaptive_max_pool2d": "AdaptiveMaxPool2d",
         "adaptive_avg_pool1d": "AdaptiveAvgPool1d", "adaptive_max_pool1d": "AdaptiveMaxPool1d",
         "interpolate": "Upsample", "upsample": "Upsample"}
FILLED = {"ones", "zeros", "randn", "rand", "empty"}
LIKE = {"randn_like", "rand_like", "zeros_like", "ones_like", "empty_like", "full_like"}
SAME_TENSOR = {"contiguous", "clone", "detach", "float", "double", "half", "to", "cuda", "cpu", "requires_grad_"}
TUPLE_RESULT = RECURRENT | {"multihead_attention"}
CELLS = {"simple_rnn_cell", "lstm_cell", "gru_cell"}
_OWN_MODULES = re.compile(r"self\.(named_)?(modules|parameters|children|buffers)\(\)")


@dataclass(frozen=True)
class Tensor:
    layer: str


@dataclass(frozen=True)
class Filled(Opaque):
    """torch.ones(64), torch.zeros(1, 8): a tensor of known shape whose values are not the model's layers
    (nn.Parameter(torch.ones(64)) makes weights of it)."""
    shape: tuple = ()


@dataclass(frozen=True)
class Weights(Opaque):
    """nn.Parameter(torch.ones(64)) held by a module: counted as its parameters (a parameter layer) once the
    model is read; in forward, a factor or term of the shape of the tensor it meets."""
    shape: tuple = ()
    line: int = 0
    trainable: bool = True


@dataclass(eq=False)
class _FilledSize:
    filled: "Filled"


@dataclass(eq=False)
class TensorMethod:
    tensor: Tensor
    name: str


def _tensors(values) -> list:
    return [v for v in values if isinstance(v, Tensor)]


class ForwardMixin:
    in_forward = 0

    def _join(self, base: str) -> str:
        return f"{self.path}.{base}" if self.path else base

    # ---- modules called on tensors
    def run(self, module, inputs: list, kwargs: dict, where):
        with evaluating(where):
            return self.call_module(module, inputs, kwargs, where)

    def call_module(self, module, inputs, kwargs, where):
        from .pytorch import Module, SequentialModule, UnknownModule
        if isinstance(module, UnknownModule):
            raise SnippetError(f"unsupported layer '{module.name}'", module.node)
        if isinstance(module, Module):
            if any(isinstance(v, Tensor) for v in kwargs.values()):
                raise SnippetError(f"tensors given by keyword to {module.written} are not supported", where)
            if module.kind == "multihead_attention":
                inputs = list(dict.fromkeys(inputs))            # self.attn(x, x, x): one input read thrice
            if module.kind in RECURRENT and inputs and isinstance(inputs[0], Tensor):
                inputs = [inputs[0]] + [v for v in inputs[1:] if isinstance(v, Tensor)]   # (h0, c0): no layer
            return self.add_module(module, inputs, where)
        if isinstance(module, SequentialModule):
            if module.container != "Sequential":
                raise SnippetError(f"an nn.{module.container} is not called: its modules are", where)
            return self.chain([child for _, child in module.children], inputs, module.node or where)
        try:
            forward = module.cls.lookup("forward")
        except KeyError:
            forward = None
        if forward is None:
            if any(b.endswith("Sequential") for b in module.cls.external_bases()):
                return self.chain(list(module.attributes.values()), inputs, where)
            raise SnippetError(f"class {module.cls.name} has no forward method", module.cls.node)
        if where is self.tree and isinstance(forward, Function):          # the model itself, on the input
            inputs = inputs + self.other_arguments(module, forward, len(inputs))
        outer, self.path = self.path, module.path or ""
        self.in_forward += 1
        try:
            return self.call_function(forward, module, inputs, kwargs, where)
        finally:
            self.path = outer
            self.in_forward -= 1

    def other_arguments(self, module, forward: Function, given: int) -> list:
        """The model's forward arguments besides the input that have no default (an RNN's `hidden`): not a
        tensor of the model, unknown — refused only where a layer needs them as its input."""
        spec = forward.node.args
        required = [a.arg for a in spec.args[1:len(spec.args) - len(spec.defaults)]]
        extra = required[given:]
        for name in extra:
            self.note(forward.node, f"{module.cls.name}.forward's argument '{name}' is not the model's input: "
                                    "taken as unknown")
        return [Opaque(f"the forward's argument '{name}'") for name in extra]

    def chain(self, children, inputs, where):
        if len(inputs) != 1:
            raise SnippetError("an nn.Sequential takes one input", where)
        current = inputs[0]
        for child in children:
            current = self.run(child, [current], {}, where)
        return current

    def add_module(self, module, inputs, where):
        if module.kind in CELLS:                      # cell(x_t, (h, c)): the state is carried, not a new input
            inputs = inputs[:1]
        if not inputs or len(_tensors(inputs)) != len(inputs):
            raise SnippetError(f"{module.written} is called on {', '.join(shown(v) for v in inputs) or 'nothing'}, "
                               "not on tensors of the model", where)
        path = module.path or self._join(module.written.lower())
        name = self.namer.claim(path, where) if not module.calls and module.path else self.namer.fresh(path)
        module.calls += 1
        sources = tuple(t.layer for t in inputs)
        line = getattr(where, "lineno", None) if module.calls > 1 else module.line
        if module.kind in RECURRENT and module.settings["num_layers"] > 1 and not _counts_stack(module.kind):
            if module.calls > 1:
                raise SnippetError(f"module '{module.path}' (a stacked {module.written}) is called twice: its "
                                   "shared weights are not followed", where)
            out = self.stacked_rnn(module, name, sources, line)
        else:
            settings = module.settings if _counts_stack(module.kind) else \
                {k: v for k, v in module.settings.items() if k != "num_layers"}
            # the same weights, used again: a second call, or a layer tied to one that ran before (a.weight = b.weight)
            owner = module.first_layer if module.calls > 1 else (module.tied or {}).get("layer")
            if owner is not None and module.kind not in PARAMETER_FREE:
                settings = {**settings, "shares": owner}
            self.append(Layer(name, module.kind, settings, sources, line, module.written), where)
            out = Tensor(name)
            if module.calls == 1:
                module.first_layer = name
                if module.tied is not None and module.tied["layer"] is None:
                    module.tied["layer"] = name
        if module.kind == "lstm_cell":                # (h, c): the cell state has the hidden state's shape
            return out, out
        if module.kind in TUPLE_RESULT:               # (output, hidden state) / (output, attention weights)
            return out, Opaque(f"the second result of {module.written} (line {line})")
        return out

    def append(self, layer: Layer, where) -> None:
        check_layer_count(len(self.layers) + 1, layer.line or where)
        self.layers.append(layer)

    def stacked_rnn(self, module, name: str, sources, line) -> Tensor:
        """num_layers=3 is three recurrent layers, each fed the previous one's hidden states."""
        settings = {k: v for k, v in module.settings.items() if k != "num_layers"}
        check_layer_count(len(self.layers) + module.settings["num_layers"], line)       # before building one
        for k in range(module.settings["num_layers"]):
            layer_name = name if k == 0 else self.namer.fresh(f"{name}.layer{k}")
            size = settings["input_size"] if k == 0 else settings["units"]
            self.append(Layer(layer_name, module.kind, {**settings, "input_size": size}, sources, line,
                              module.written), line)
            sources = (layer_name,)
        return Tensor(sources[0])

    def functional(self, kind: str, settings: dict, base: str, inputs: list, node) -> Tensor:
        name = self.namer.fresh(self._join(base))     # F.relu inside `block`: block.relu
        try:
            settings = read_given(kind, settings)
        except SettingError as e:
            raise SnippetError(f"{_called(node) or kind}: {e}", node) from None
        self.append(Layer(name, kind, settings, tuple(t.layer for t in inputs), getattr(node, "lineno", None),
                          _called(node)), node)
        return Tensor(name)

    # ---- where the interpreter meets tensors and modules
    def call_other(self, func, args, kwargs, node):
        from .pytorch import MODULE_VALUES
        if isinstance(func, TensorMethod):
            return self.tensor_method(func.tensor, func.name, args, kwargs, node)
        if isinstance(func, _FilledSize):
            shape = func.filled.shape
            if not args and not kwargs:
                return shape
            if len(args) == 1 and not kwargs and _axis(args[0], len(shape)) is not None:
                return shape[_axis(args[0], len(shape))]
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if isinstance(func, MODULE_VALUES):
            if _tensors(args) or self.in_forward:
                return self.run(func, list(args), kwargs, node)
            self.note(node, f"skipped {describe(node)} (the model is not run)")
            return Opaque(f"{describe(node)} (line {node.lineno})")
        return super().call_other(func, args, kwargs, node)

    def call(self, func, args, kwargs, node):
        # an unknown function of a tensor of the model would hide its layers; of other values (torch.zeros(…).to)
        # it gives an unknown value, refused where a layer needs it
        if isinstance(func, Opaque) and self.in_forward and (_tensors(args) or _tensors(kwargs.values())):
            raise SnippetError(f"{describe(node)}: {func.what} is not known without running the code, and forward "
                               "calls it", node)
        return super().call(func, args, kwargs, node)

    def unknown_branch(self, stmt, frame, test):
        if self.in_forward or self.building:
            raise SnippetError(f"`if {describe(stmt.test)}:` depends on what is not known without running the code "
                               f"({test.what})", stmt)
        super().unknown_branch(stmt, frame, test)

    def for_loop(self, stmt, frame):
        if self.in_forward or self.building:
            iterable = self.eval(stmt.iter, frame)
            # self.modules(), self.parameters(): initialising the weights that are built, building nothing
            if isinstance(iterable, Opaque) and not (self.building and _OWN_MODULES.fullmatch(describe(stmt.iter))):
                raise SnippetError(f"the loop over {describe(stmt.iter)} is not known without running the code "
                                   f"({iterable.what})", stmt)
            return super().for_loop(stmt, frame, iterable)
        super().for_loop(stmt, frame)

    def attribute(self, owner, name: str, node):
        if isinstance(owner, (Filled, Weights)) and name in ("shape", "size"):   # W = torch.randn(4, 1); W.size(0)
            return owner.shape if name == "shape" else _FilledSize(owner)
        return super().attribute(owner, name, node)

    def attribute_other(self, owner, name: str, node):
        if isinstance(owner, Tensor):
            if name == "shape":
                return _Shape(owner)
            if name in ("dtype", "device", "ndim", "data"):
                return Opaque(f"{describe(node)} (line {node.lineno})")
            return TensorMethod(owner, name)
        return super().attribute_other(owner, name, node)

    def binary_other(self, op, a, b, node):
        batch, factor = (a, b) if isinstance(a, Opaque) else (b, a)
        if isinstance(op, ast.Mult) and (batch is BATCH or isinstance(batch, BatchRows)) and is_number(factor) \
                and isinstance(factor, int) and not isinstance(factor, bool) and factor >= 1:
            rows = factor * (batch.rows if isinstance(batch, BatchRows) else 1)
            return BatchRows(f"the batch size times {rows} ({describe(node)})", rows)
        if not (isinstance(a, Tensor) or isinstance(b, Tensor)):
            filled, other = (a, b) if isinstance(a, Filled) else (b, a)
            if isinstance(filled, Filled) and not is_number(other):      # torch.zeros(4, 1) + torch.zeros(1, 3)
                return Opaque(f"{describe(node)} (line {node.lineno})")   # broadcasts: its shape is not followed
            return super().binary_other(op, a, b, node)              # torch.randn(4, 1) * 5: the same shape
        if isinstance(a, Tensor) and isinstance(b, Tensor):
            if isinstance(op, ast.Add):
                return self.functional("add", {}, "add", [a, b], node)
            if isinstance(op, ast.Mult):
                return self.functional("multiply", {}, "mul", [a, b], node)
            if isinstance(op, ast.MatMult):
                return self.functional("matmul", {}, "matmul", [a, b], node)
            raise SnippetError(f"{describe(node)}: only the sum and the product of two tensors are supported", node)
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            tensor, other = (a, b) if isinstance(a, Tensor) else (b, a)
            if isinstance(other, Weights) and not self.fits(other.shape, tensor):
                raise SnippetError(f"{describe(node)}: weights of shape {other.shape} with a tensor of sizes "
                                   f"{self.known_sizes(tensor) or 'not known here'}: only weights that keep the "
                                   "tensor's shape are supported", node)
            return tensor                                      # x * scale, x / math.sqrt(d): same shape
        raise SnippetError(f"{describe(node)} is not supported on a tensor", node)

    def subscript_other(self, owner, index, index_node, node):
        if isinstance(owner, _Shape):
            if index == 0:
                return BATCH
            sizes = self.known_sizes(owner.tensor)
            if sizes is not None and _axis(index, len(sizes)) is not None:
                return sizes[_axis(index, len(sizes))]
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if isinstance(owner, Tensor):
            one = self.one_position(owner, index, node)
            if one is not NOT_HANDLED:
                return one
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

    def last_step(self, source: Tensor, index, node) -> Tensor:
        """`out[:, -1, :]` after a batch_first recurrent layer: its last hidden state only."""
        index = index if isinstance(index, tuple) else (index,)
        layer = self.layers[-1]
        every = slice(None, None, None)
        if (layer.name == source.layer and layer.kind in RECURRENT and layer.get("batch_first")
                and len(index) >= 2 and index[0] == every and index[1] == -1
                and all(i == every for i in index[2:])):
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
        from ..analyze import layer_reports
        from ..conventions import Conventions
        from ..ir import Architecture
        from ..rules import ArchitectureError
        if any(layer.kind in SEQUENCE_KINDS - {"embedding"} and not layer.get("batch_first") for layer in self.layers):
            return None
        first = self.layers[0] if self.layers and self.layers[0].kind == "input" else None
        if first is None:
            return None
        architecture = Architecture("model", tuple(first.get("shape")), "channels_first", list(self.layers),
                                    framework="pytorch")
        try:
            for report in layer_reports(architecture, Conventions.for_framework("pytorch")):
                if report.effect.batch_axis not in (None, 0):
                    return None
                if report.name == tensor.layer:
                    return (BATCH, *report.shape)
        except (ArchitectureError, SettingError):
            return None
        return None

    def never_none(self, value) -> bool:
        return isinstance(value, (Filled, Weights))

    def fits(self, shape: tuple, tensor: Tensor) -> bool:
        """Weights of `shape` broadcast against the tensor without changing its shape (from the right, each
        size equal or 1)."""
        sizes = self.known_sizes(tensor)
        if sizes is None or len(shape) > len(sizes) - 1:
            return False
        return all(w in (1, n) for w, n in zip(reversed(shape), reversed(sizes[1:])))

    # ---- torch functions and tensor methods
    def function(self, name: str, args, kwargs, node):
        tensors = _tensors(list(args) + [v for a in args if isinstance(a, (list, tuple)) for v in a])
        handled = self.torch_function(name, args, kwargs, node, tensors)       # torch_functions.py
        if handled is not NOT_HANDLED:
            return handled
        if not tensors:
            if name in ACTIVATION_FUNCTIONS or name in ("flatten", "cat", "add"):
                if not args:
                    raise SnippetError(f"{_called(node)}() needs the tensor it applies to", node)
                if name == "add":
                    raise SnippetError(f"{_called(node)} adds two or more tensors given by position", node)
            # torch.arange(t), torch.no_grad(), torch.zeros(…): unknown, refused only where a layer needs them
            self.note(node, f"skipped {describe(node)}")
            sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
            if name in FILLED and sizes and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                                                 for v in sizes):
                return Filled(f"{describe(node)} (line {node.lineno})", sizes)
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if name in LIKE:             # torch.randn_like(std): noise of std's shape, no layer of the model
            return Opaque(f"{describe(node)} (line {node.lineno}), a tensor of the shape of {shown(args[0])}")
        if name == "mul" and len(args) == 2 and not kwargs and len(_tensors(args)) == 2:
            return self.functional("multiply", {}, "mul", list(args), node)
        if name in ACTIVATION_FUNCTIONS:
            return self.functional("activation", {"function": ACTIVATION_FUNCTIONS[name]}, name, [args[0]], node)
        if name in ("split", "chunk") and isinstance(args[0], Tensor):
            return self.pieces(args[0], name, list(args[1:]), kwargs, node)
        if name in ("cat", "concat"):
            items = args[0]
            if not isinstance(items, (list, tuple)) or not items or len(_tensors(items)) != len(items):
                raise SnippetError("torch.cat expects a list of tensors", node)
            axis = args[1] if len(args) > 1 else kwargs.get("dim", 0)
            return self.functional("concat", {"axis": axis}, "cat", list(items), node)
        if name == "add":
            if len(args) < 2 or kwargs or len(_tensors(args)) != len(args):
                raise SnippetError(f"{_called(node)} adds two or more tensors given by position", node)
            return self.functional("add", {}, "add", list(args), node)
        if _REARRANGE is not None and name in REARRANGEMENTS | {"flatten"} and isinstance(args[0], Tensor):
            return self.rearrange(args[0], name, list(args[1:]), kwargs, node)     # torch.transpose(x, 1, 2)
        if name == "flatten":
            start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
            if start != 1 or len(args) > 2:
                raise SnippetError("torch.flatten other than start_dim=1 is not supported", node)
            return self.functional("flatten", {}, "flatten", [args[0]], node)
        if name in POOLS and POOLS[name] in MODULES and isinstance(args[0], Tensor):
            params, make = MODULES[POOLS[name]]
            rest = ast.Call(node.func, node.args[1:], [k for k in node.keywords if k.arg not in ("training", "inplace")],
                            lineno=node.lineno)
            kwargs = {k: v for k, v in kwargs.items() if k not in ("training", "inplace")}
            kind, settings = layer_settings(make, Arguments.of_values(_called(node), rest, params, _ignored,
                                                                      list(args[1:]), kwargs))
            return self.functional(kind, settings, name, [args[0]], node)
        raise SnippetError(f"call to unknown function '{_called(node)}'", node)

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
        if _REARRANGE is not None and (method in REARRANGEMENTS or method == "flatten") \
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
                return _BATCH_SIZE()
            if isinstance(value, BatchRows):
                return _BATCH_SIZE(value.rows)
            if isinstance(value, (list, tuple)):
                return type(value)(plain(v) for v in value)
            if isinstance(value, Opaque):
                raise SnippetError(f"{describe(node)}: a size is not known without running the code ({value.what})",
                                   node)
            return value
        try:
            kind, settings = _REARRANGE(method, tuple(plain(a) for a in args), {k: plain(v) for k, v in kwargs.items()})
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
            self.note(node, f"{describe(node)} puts each sample's {values // width} rows of "
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


def _counts_stack(kind: str) -> bool:
    """Whether the recurrent kind counts num_layers itself (one layer, as PyTorch's module) rather than
    being given one layer per level."""
    from ..kinds import KINDS
    return kind in KINDS and "num_layers" in KINDS[kind].takes


def _called(node) -> str:
    if isinstance(node, ast.Call):
        from .common import dotted
        return dotted(node.func) or describe(node.func)
    return describe(node)


_ = Instance
