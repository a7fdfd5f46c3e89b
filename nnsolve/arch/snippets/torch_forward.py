"""The forward pass of a PyTorch model as the interpreter reads it: tensors are the outputs of layers
(Tensor), calling a module on them adds its layers, and torch functions and tensor methods add theirs
(activations, pooling, concatenation, flattening and reshaping). Mixed into TorchReader (pytorch.py)."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..ir import Layer
from ..settings import SettingError, read_given
from .common import (Arguments, SnippetError, check_layer_count, describe, evaluating, is_number, layer_settings,
                     shown)
from .torch_modules import ACTIVATION_FUNCTIONS, MODULES, PARAMETER_FREE, RECURRENT, _ignored
from .torch_functions import NOT_HANDLED, Reduced
from .torch_tensors import TensorsMixin, _Shape, _axis
from .torch_values import (BATCH, BUILT_IN, MODULE_VALUES, REARRANGEMENTS, BatchRows, Filled, Module, SequentialModule, Tensor,
                           TensorMethod, UnknownModule, Weights, _FilledSize, _tensors)
from .values import Function, Opaque

POOLS = {"max_pool2d": "MaxPool2d", "avg_pool2d": "AvgPool2d", "max_pool1d": "MaxPool1d", "avg_pool1d": "AvgPool1d",
         "dropout": "Dropout", "adaptive_avg_pool2d": "AdaptiveAvgPool2d", "adaptive_max_pool2d": "AdaptiveMaxPool2d",
         "adaptive_avg_pool1d": "AdaptiveAvgPool1d", "adaptive_max_pool1d": "AdaptiveMaxPool1d",
         "interpolate": "Upsample", "upsample": "Upsample"}
FILLED = {"ones", "zeros", "randn", "rand", "empty"}
LIKE = {"randn_like", "rand_like", "zeros_like", "ones_like", "empty_like", "full_like"}
TUPLE_RESULT = RECURRENT | {"multihead_attention"}
CELLS = {"simple_rnn_cell", "lstm_cell", "gru_cell"}
_OWN_MODULES = re.compile(r"self\.(named_)?(modules|parameters|children|buffers)\(\)")


class ForwardMixin(TensorsMixin):
    in_forward = 0

    def _join(self, base: str) -> str:
        return f"{self.path}.{base}" if self.path else base

    # ---- modules called on tensors
    def run(self, module, inputs: list, kwargs: dict, where):
        with evaluating(where):
            return self.call_module(module, inputs, kwargs, where)

    def call_module(self, module, inputs, kwargs, where):
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
        if forward is None and BUILT_IN in module.attributes:        # class Causal(nn.Conv1d) without a forward
            return self.call_module(module.attributes[BUILT_IN], inputs, kwargs, where)
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
                          _written(node, base)), node)
        return Tensor(name)

    # ---- where the interpreter meets tensors and modules
    def call_other(self, func, args, kwargs, node):
        if isinstance(func, TensorMethod):
            return self.tensor_method(func.tensor, func.name, args, kwargs, node)
        if isinstance(func, _Expand):
            return self.expanded(func.weights, args, node)
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
        if isinstance(owner, Weights) and name == "expand":                    # self.cls.expand(n, -1, -1)
            return _Expand(owner)
        if isinstance(owner, Reduced) and name in ("values", "indices"):        # x.max(dim=1).values
            return getattr(owner, name)
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
        if isinstance(op, ast.MatMult) and isinstance(a, Tensor) and isinstance(b, Weights):    # h @ self.query
            return self.functional("matmul", {"right": b.shape}, "matmul", [a], node)
            raise SnippetError(f"{describe(node)}: only the sum and the product of two tensors are supported", node)
        if isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
            tensor, other = (a, b) if isinstance(a, Tensor) else (b, a)
            if isinstance(other, Weights) and not self.fits(other.shape, tensor):
                raise SnippetError(f"{describe(node)}: weights of shape {other.shape} with a tensor of sizes "
                                   f"{self.known_sizes(tensor) or 'not known here'}: only weights that keep the "
                                   "tensor's shape are supported", node)
            return tensor                                      # x * scale, x / math.sqrt(d): same shape
        raise SnippetError(f"{describe(node)} is not supported on a tensor", node)

    def never_none(self, value) -> bool:
        return isinstance(value, (Filled, Weights))

    def fits(self, shape: tuple, tensor: Tensor) -> bool:
        """Weights of `shape` broadcast against the tensor without changing its shape (from the right, each
        size equal or 1)."""
        sizes = self.known_sizes(tensor)
        if sizes is not None and len(shape) == len(sizes) and shape and shape[0] == 1:
            shape = shape[1:]                                # (1, t, d): its 1 meets the batch axis
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
        if name in REARRANGEMENTS | {"flatten"} and isinstance(args[0], Tensor):
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

def _counts_stack(kind: str) -> bool:
    """Whether the recurrent kind counts num_layers itself (one layer, as PyTorch's module) rather than
    being given one layer per level."""
    from ..kinds import KINDS
    return kind in KINDS and "num_layers" in KINDS[kind].takes


def _written(node, base: str) -> str:
    """How a function layer's class is shown: `F.relu`, `torch.cat`, or a tensor method's name (`transpose`
    of `q.view(…).transpose(1, 2)`); an operator's layer by its name (`add`, `matmul`)."""
    if isinstance(node, ast.Call):
        from .common import dotted
        name = dotted(node.func)
        if name is not None and name.split(".")[0] in ("F", "torch", "nn", "functional"):
            return name
        if isinstance(node.func, ast.Attribute):
            return node.func.attr
    return base


def _called(node) -> str:
    if isinstance(node, ast.Call):
        from .common import dotted
        return dotted(node.func) or describe(node.func)
    return describe(node)




@dataclass(eq=False)
class _Expand:
    weights: Weights
