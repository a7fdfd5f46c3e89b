"""Read a PyTorch snippet — `nn.Sequential(...)` (positional or OrderedDict) or a `class M(nn.Module)`
whose `__init__` assigns layers and whose straight-line `forward` wires them — into an Architecture,
channels-first, by walking its syntax tree: nothing in it is run.

PyTorch layers state their input size (`nn.Conv2d(3, 16, 3)`): kept as in_channels, in_features,
num_features, input_size, normalized_shape or embed_dim (torch_modules.py), so the analysis refuses a
size that differs from the shape arriving there, as PyTorch would when run. Layer names are PyTorch's
module names (`conv1`, `features.0`).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any

from ...limits import MAX_SELF_NESTING
from ..ir import Architecture, Layer
from ..settings import SettingError, read_given
from .common import (Arguments, Namer, SnippetError, check_layer_count, describe, dotted, evaluating, layer_settings,
                     literal)
from .torch_modules import ACTIVATION_FUNCTIONS, FUNCTIONAL, MODULES, PARAMETER_FREE, RECURRENT, TORCH, _ignored



@dataclass
class Module:
    """One built-in layer, e.g. nn.Conv2d(3, 16, 3)."""
    kind: str
    settings: dict
    line: int
    written: str                  # the class name, for messages (Linear)
    calls: int = 0


@dataclass
class SequentialModule:
    children: list[tuple[str, Any]]
    node: ast.AST | None = None           # where it is built: its children's calls are located there


@dataclass
class Instance:
    """An instance of a module class defined in the snippet: its attributes after __init__."""
    cls: ast.ClassDef
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tensor:
    layer: str


class Unusable:
    """The second result of an LSTM or attention call (`out, (h, c) = self.lstm(x)`): not followed."""


class TorchReader:
    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.env: dict[str, Any] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.layers: list[Layer] = []
        self.namer = Namer()
        self.model = None
        self.path = ""                # the module whose forward is being read
        self.building: list[str] = []     # the classes whose __init__ is being read, outermost first

    # ---- top level and __init__
    def read(self, input_shape) -> list[Layer]:
        for stmt in self.tree.body:
            self.top_statement(stmt)
        if self.model is None:
            if not self.classes:
                raise SnippetError("no model found: expected nn.Sequential(...) or a class deriving from nn.Module",
                                   None)
            last = list(self.classes.values())[-1]
            self.model = self.instantiate(last, [], [], last)
        self.layers.append(Layer("input", "input", {"shape": input_shape}, (), None))
        self.namer.claim("input", None)
        self.run(self.model, "", [Tensor("input")], self.tree)
        return self.layers

    def top_statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)) or _docstring(stmt):
            return
        if isinstance(stmt, ast.ClassDef):
            self.classes[stmt.name] = stmt
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = self.build(stmt.value, self.env, None)
            self.env[stmt.targets[0].id] = value
            if isinstance(value, (Module, SequentialModule, Instance)):
                self.model = value
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and _is_print_or_summary(stmt.value):
            return
        raise SnippetError(f"unsupported statement: {describe(stmt).splitlines()[0]}", stmt)

    def names(self, scope: dict, instance: Instance | None):
        def resolve(node: ast.AST):
            if isinstance(node, ast.Name) and node.id in scope:
                return scope[node.id]
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
                    and instance is not None and node.attr in instance.attributes):
                return instance.attributes[node.attr]
            raise SnippetError(f"name '{describe(node)}' is not defined earlier in the snippet", node)
        return resolve

    def build(self, node: ast.AST, scope: dict, instance: Instance | None):
        """A value in __init__ or at top level: a module, a class instance or a literal."""
        if not isinstance(node, ast.Call):
            return literal(node, self.names(scope, instance))
        with evaluating(node):
            return self.construct(node, scope, instance)

    def construct(self, node: ast.Call, scope: dict, instance: Instance | None):
        name = dotted(node.func)
        if name in self.classes:
            return self.instantiate(self.classes[name], node.args, node.keywords, node, scope, instance)
        prefix, _, last = (name or "").rpartition(".")
        if prefix in TORCH or (not prefix and last in MODULES | {"Sequential": 0}):
            if last == "Sequential":
                return self.sequential(node, scope, instance)
            if last in MODULES:
                params, make = MODULES[last]
                kind, settings = layer_settings(make, Arguments(last, node, params, _ignored,
                                                                self.names(scope, instance)))
                return Module(kind, settings, node.lineno, last)
            raise SnippetError(f"unsupported layer '{last}'", node)
        raise SnippetError(f"call to unknown function '{name or describe(node.func)}'", node)

    def sequential(self, call: ast.Call, scope, instance) -> SequentialModule:
        if call.keywords:
            raise SnippetError("nn.Sequential takes its layers as positional arguments", call)
        args = call.args
        if len(args) == 1 and isinstance(args[0], ast.Call) and dotted(args[0].func) in (
                "OrderedDict", "collections.OrderedDict"):
            pairs = args[0].args[0] if args[0].args else None
            if not isinstance(pairs, (ast.List, ast.Tuple)) or not all(
                    isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
                raise SnippetError("OrderedDict expects a list of (name, layer) pairs", args[0])
            children = [(self.child_name(p.elts[0], scope, instance), self.build(p.elts[1], scope, instance))
                        for p in pairs.elts]
        else:
            for arg in args:
                if isinstance(arg, ast.Starred):
                    raise SnippetError(f"star-arguments (*{describe(arg.value)}) in nn.Sequential are not supported",
                                       arg)
            children = [(str(i), self.build(arg, scope, instance)) for i, arg in enumerate(args)]
        for (_, child), node in zip(children, args):
            if not isinstance(child, (Module, SequentialModule, Instance)):
                raise SnippetError(f"'{describe(node)}' is not a layer", node)
        return SequentialModule(children, call)

    def child_name(self, node: ast.AST, scope, instance) -> str:
        name = literal(node, self.names(scope, instance))
        if not isinstance(name, str) or not name:
            raise SnippetError(f"an OrderedDict's layer names are text, got {describe(node)}", node)
        return name

    def instantiate(self, cls: ast.ClassDef, args, keywords, where, scope=None, outer=None) -> Instance:
        deepest = MAX_SELF_NESTING.value
        if self.building.count(cls.name) >= deepest:     # Tree(depth - 1) inside Tree: fine, if it ends
            chain = " → ".join(self.building[self.building.index(cls.name):] + [cls.name])
            raise SnippetError(f"class {cls.name} builds an instance of itself while it is being built, "
                               f"{deepest} deep ({chain}): its recursion does not end {MAX_SELF_NESTING.hint}",
                               where)
        self.building.append(cls.name)
        try:
            with evaluating(where):
                return self.instance(cls, args, keywords, where, scope, outer)
        finally:
            self.building.pop()

    def instance(self, cls: ast.ClassDef, args, keywords, where, scope, outer) -> Instance:
        instance = Instance(cls)
        init = _method(cls, "__init__")
        if init is None:
            if args or keywords:
                raise SnippetError(f"{cls.name} takes no arguments (it has no __init__)", where)
            return instance
        params = [a.arg for a in init.args.args[1:]]
        if len(args) > len(params):
            raise SnippetError(f"{cls.name} takes {len(params)} argument{'s' if len(params) != 1 else ''}, "
                               f"got {len(args)}", where)
        defaults = init.args.defaults
        local: dict[str, Any] = dict(zip(params[len(params) - len(defaults):],
                                         (literal(d, self.names({}, None)) for d in defaults)))
        resolve = self.names(scope or {}, outer)
        for name, arg in zip(params, args):
            local[name] = self.build(arg, scope or {}, outer) if isinstance(arg, ast.Call) else literal(arg, resolve)
        for kw in keywords:
            if kw.arg is None:
                raise SnippetError(f"keyword unpacking (**{describe(kw.value)}) in {cls.name} is not supported", kw)
            if kw.arg not in params:
                raise SnippetError(f"unknown argument '{kw.arg}' to {cls.name}", kw.value)
            local[kw.arg] = literal(kw.value, resolve)
        missing = [p for p in params if p not in local]
        if missing:
            raise SnippetError(f"{cls.name} needs the argument '{missing[0]}'", where)
        self.init_body(init.body, local, instance)
        return instance

    def init_body(self, body, local: dict, instance: Instance) -> None:
        for stmt in body:
            if _docstring(stmt) or isinstance(stmt, ast.Pass) or _is_super_init(stmt):
                continue
            if isinstance(stmt, ast.If):
                test = literal(stmt.test, self.names(local, instance))
                self.init_body(stmt.body if test else stmt.orelse, local, instance)
                continue
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value = stmt.targets[0], self.build(stmt.value, local, instance)
                if isinstance(target, ast.Name):
                    local[target.id] = value
                    continue
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) \
                        and target.value.id == "self":
                    instance.attributes[target.attr] = value
                    continue
            raise SnippetError(f"unsupported statement in __init__: {describe(stmt).splitlines()[0]}", stmt)

    # ---- forward: the graph
    def run(self, module, path: str, inputs: list, where: ast.AST):
        with evaluating(where):
            return self.call_module(module, path, inputs, where)

    def call_module(self, module, path: str, inputs: list, where: ast.AST):
        if isinstance(module, Module):
            return self.add_module(module, path, inputs, where)
        if isinstance(module, SequentialModule):
            if len(inputs) != 1:
                raise SnippetError("an nn.Sequential takes one input", where)
            current = inputs[0]
            for child_name, child in module.children:
                current = self.run(child, _join(path, child_name), [current], module.node or where)
            return current
        forward = _method(module.cls, "forward")
        if forward is None:
            raise SnippetError(f"class {module.cls.name} has no forward method", module.cls)
        params = [a.arg for a in forward.args.args[1:]]
        if len(params) != len(inputs):
            raise SnippetError(f"{module.cls.name}.forward takes {len(params)} inputs, got {len(inputs)}",
                               where if getattr(where, "lineno", None) else forward)
        local = dict(zip(params, inputs))
        outer, self.path = self.path, path
        try:
            return self.forward_body(forward, module, local, path)
        finally:
            self.path = outer

    def forward_body(self, forward: ast.FunctionDef, module: Instance, local: dict, path: str) -> Tensor:
        for stmt in forward.body:
            if _docstring(stmt) or isinstance(stmt, ast.Pass):
                continue
            if isinstance(stmt, ast.Return) and stmt.value is not None:
                return self.tensor(stmt.value, local, module, path)
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                self.bind(stmt.targets[0], self.tensor(stmt.value, local, module, path), local, stmt)
                continue
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.op, ast.Add) and isinstance(stmt.target, ast.Name):
                target = ast.copy_location(ast.Name(stmt.target.id), stmt.target)
                local[stmt.target.id] = self.tensor(ast.copy_location(ast.BinOp(target, ast.Add(), stmt.value), stmt),
                                                    local, module, path)
                continue
            raise SnippetError(f"unsupported statement in forward: {describe(stmt).splitlines()[0]}", stmt)
        raise SnippetError(f"{module.cls.name}.forward returns nothing", forward)

    def bind(self, target: ast.AST, value, local: dict, stmt) -> None:
        if isinstance(target, ast.Name):
            local[target.id] = value
        elif isinstance(target, ast.Tuple) and target.elts:
            self.bind(target.elts[0], value, local, stmt)          # out, (h, c) = self.lstm(x)
            for rest in target.elts[1:]:
                self.bind(rest, Unusable(), local, stmt)
        else:
            raise SnippetError(f"unsupported assignment target {describe(target)}", stmt)

    def add_module(self, module: Module, path: str, inputs: list, where: ast.AST) -> Tensor:
        if module.calls and module.kind not in PARAMETER_FREE:
            raise SnippetError(f"module '{path}' is called twice (shared weights are not supported)", where)
        name = self.namer.claim(path, where) if not module.calls else self.namer.fresh(path)
        module.calls += 1
        sources = tuple(t.layer for t in inputs)
        line = getattr(where, "lineno", None) if module.calls > 1 else module.line
        if module.kind in RECURRENT and module.settings["num_layers"] > 1:
            return self.stacked_rnn(module, name, sources, line)
        settings = {k: v for k, v in module.settings.items() if k != "num_layers"}
        self.append(Layer(name, module.kind, settings, sources, line, module.written), where)
        return Tensor(name)

    def append(self, layer: Layer, where) -> None:
        check_layer_count(len(self.layers) + 1, layer.line or where)
        self.layers.append(layer)

    def stacked_rnn(self, module: Module, name: str, sources, line) -> Tensor:
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

    def functional(self, kind: str, settings: dict, base: str, inputs: list, node: ast.AST) -> Tensor:
        name = self.namer.fresh(_join(self.path, base))     # F.relu inside `block`: block.relu
        try:
            settings = read_given(kind, settings)
        except SettingError as e:
            raise SnippetError(f"{dotted(node.func) or kind}: {e}", node) from None
        self.append(Layer(name, kind, settings, tuple(t.layer for t in inputs), node.lineno,
                          dotted(node.func) if isinstance(node, ast.Call) else None), node)
        return Tensor(name)

    def tensor(self, node: ast.AST, local: dict, instance: Instance, path: str):
        """A forward expression: the Tensor it gives."""
        with evaluating(node):
            return self.forward_value(node, local, instance, path)

    def forward_value(self, node: ast.AST, local: dict, instance: Instance, path: str):
        if isinstance(node, ast.Name):
            value = local.get(node.id)
            if isinstance(value, Tensor):
                return value
            raise SnippetError(f"'{node.id}' is not a tensor computed earlier in forward", node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.functional("add", {}, "add", [self.tensor(node.left, local, instance, path),
                                                     self.tensor(node.right, local, instance, path)], node)
        if isinstance(node, ast.Subscript):
            return self.last_step(node, local, instance, path)
        if not isinstance(node, ast.Call):
            raise SnippetError(f"unsupported expression in forward: {describe(node)}", node)
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self":
            if func.attr not in instance.attributes:
                raise SnippetError(f"self.{func.attr} is not assigned in __init__", node)
            module = instance.attributes[func.attr]
            if not isinstance(module, (Module, SequentialModule, Instance)):
                raise SnippetError(f"self.{func.attr} is not a layer", node)
            if node.keywords:
                raise SnippetError(f"keyword arguments to self.{func.attr}(...) are not supported", node)
            args = [self.tensor(a, local, instance, path) for a in node.args]
            if isinstance(module, Module) and module.kind == "multihead_attention":
                args = list(dict.fromkeys(args))                  # self.attn(x, x, x): one input read thrice
            return self.run(module, _join(path, func.attr), args, node)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in local:
            return self.tensor_method(node, local, instance, path)
        return self.function(node, local, instance, path)

    def function(self, node: ast.Call, local, instance, path) -> Tensor:
        name = dotted(node.func) or describe(node.func)
        prefix, _, last = name.rpartition(".")
        if prefix not in FUNCTIONAL:
            raise SnippetError(f"call to unknown function '{name}'", node)
        resolve = self.names(local, instance)
        if (last in ACTIVATION_FUNCTIONS or last == "flatten") and not node.args:
            raise SnippetError(f"{name}() needs the tensor it applies to", node)
        if last in ACTIVATION_FUNCTIONS:
            return self.functional("activation", {"function": ACTIVATION_FUNCTIONS[last]}, last,
                                   [self.tensor(node.args[0], local, instance, path)], node)
        if last == "cat":
            items = node.args[0] if node.args else None
            if not isinstance(items, (ast.List, ast.Tuple)):
                raise SnippetError("torch.cat expects a list of tensors", node)
            dim = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "dim"), None)
            axis = literal(dim, resolve) if dim is not None else 0
            return self.functional("concat", {"axis": axis}, "cat",
                                   [self.tensor(e, local, instance, path) for e in items.elts], node)
        if last == "add":
            if len(node.args) < 2 or node.keywords:
                raise SnippetError(f"{name} adds two or more tensors given by position", node)
            return self.functional("add", {}, "add", [self.tensor(a, local, instance, path) for a in node.args], node)
        if last == "flatten":
            start = literal(node.args[1], resolve) if len(node.args) > 1 else 0
            if start != 1:
                raise SnippetError("torch.flatten other than start_dim=1 is not supported", node)
            return self.functional("flatten", {}, "flatten", [self.tensor(node.args[0], local, instance, path)], node)
        module_name = {"max_pool2d": "MaxPool2d", "avg_pool2d": "AvgPool2d", "max_pool1d": "MaxPool1d",
                       "avg_pool1d": "AvgPool1d", "dropout": "Dropout", "adaptive_avg_pool2d": "AdaptiveAvgPool2d",
                       "adaptive_max_pool2d": "AdaptiveMaxPool2d"}.get(last)
        if module_name and node.args:
            params, make = MODULES[module_name]
            rest = ast.Call(node.func, node.args[1:], [k for k in node.keywords if k.arg != "training"],
                            lineno=node.lineno)
            kind, settings = layer_settings(make, Arguments(f"{name}", rest, params, _ignored, resolve))
            return self.functional(kind, settings, last, [self.tensor(node.args[0], local, instance, path)], node)
        raise SnippetError(f"call to unknown function '{name}'", node)

    def tensor_method(self, node: ast.Call, local, instance, path) -> Tensor:
        source = self.tensor(node.func.value, local, instance, path)
        method = node.func.attr
        resolve = self.names(local, instance)
        if method in ACTIVATION_FUNCTIONS:
            return self.functional("activation", {"function": method}, method, [source], node)
        if method in ("view", "reshape", "flatten"):
            if method == "flatten":
                ok = len(node.args) == 1 and literal(node.args[0], resolve) == 1
            else:
                ok = len(node.args) == 2 and _batch_axis(node.args[0], source, local) \
                    and (literal(node.args[1], resolve) == -1 or isinstance(literal(node.args[1], resolve), int))
            if not ok:
                raise SnippetError(f"x.{method}({', '.join(describe(a) for a in node.args)}): only flattening to "
                                   "(batch, -1) is supported", node)
            return self.functional("flatten", {}, "flatten", [source], node)
        raise SnippetError(f"unsupported tensor method '{method}'", node)

    def last_step(self, node: ast.Subscript, local, instance, path) -> Tensor:
        """`out[:, -1, :]` after a batch_first recurrent layer: its last hidden state only."""
        source = self.tensor(node.value, local, instance, path)
        index = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        layer = self.layers[-1]
        if (layer.name == source.layer and layer.kind in RECURRENT and layer.get("batch_first")
                and len(index) >= 2 and isinstance(index[0], ast.Slice)
                and literal(index[1], self.names(local, instance)) == -1
                and all(isinstance(i, ast.Slice) for i in index[2:])):
            self.layers[-1] = replace(layer, settings={**layer.settings, "return_sequences": False})
            return source
        raise SnippetError(f"unsupported indexing {describe(node)} (only out[:, -1, :] right after a "
                           "batch_first recurrent layer)", node)


def _batch_axis(node: ast.AST, source: Tensor, local: dict) -> bool:
    """x.size(0), x.shape[0] or -1 as the first view/reshape size."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        return node.operand.value == 1
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "size":
        return len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and node.args[0].value == 0
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "shape":
        return isinstance(node.slice, ast.Constant) and node.slice.value == 0
    return isinstance(node, ast.Name) and not isinstance(local.get(node.id), Tensor)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _method(cls: ast.ClassDef, name: str) -> ast.FunctionDef | None:
    return next((f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == name), None)


def _docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_super_init(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute) and stmt.value.func.attr == "__init__"
            and isinstance(stmt.value.func.value, ast.Call) and dotted(stmt.value.func.value.func) == "super")


def _is_print_or_summary(call: ast.Call) -> bool:
    return dotted(call.func) == "print"


def torch_architecture(tree: ast.Module, input_shape, source) -> Architecture:
    if input_shape is None:
        raise SnippetError("a PyTorch snippet does not state its input shape: pass it (e.g. 3x224x224) or add a "
                           "comment '# input: 3x224x224'", None)
    layers = TorchReader(tree).read(tuple(input_shape))
    return Architecture(name="model", input_shape=tuple(input_shape), layout="channels_first", layers=layers,
                        framework="pytorch", source=source)
