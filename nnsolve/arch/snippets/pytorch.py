"""Read a PyTorch model file into an Architecture, channels-first, by interpreting its syntax tree
(interpreter.py): nothing in it is imported or run.

The file's own Python builds the model — functions, classes and inheritance, loops, containers
(nn.Sequential, nn.ModuleList, nn.ModuleDict) — and the model (the last one the file builds, or the one
`model=` names) is then called on the input: its `forward`, read the same way, wires the layers.
PyTorch layers state their input size (`nn.Conv2d(3, 16, 3)`): kept as in_channels, in_features,
num_features, … (torch_modules.py), so the analysis refuses a size that differs from the shape arriving
there, as PyTorch would when run. Layer names are PyTorch's module names (`layer1.0.conv1`).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from ...limits import MAX_SELF_NESTING
from ..ir import Architecture, Layer
from .choosing import SAME_MODULE, ModelChoice
from .torch_functions import FunctionsMixin
from .torch_holdings import HoldingsMixin
from .common import Arguments, Namer, SnippetError, describe, layer_settings, shown
from .builtins import module_name
from . import script
from .interpreter import Interpreter
from .torch_forward import ForwardMixin
from .torch_values import BUILT_IN, MODULE_VALUES, Filled, Module, SequentialModule, Tensor, UnknownModule, Weights
from .torch_modules import MODULES, _ignored
from .values import ClassValue, External, Instance, Opaque




def _torch_name(full: str) -> tuple[str, str] | None:
    """("nn", "Linear") for torch.nn.Linear; ("functional", "relu") for F.relu, torch.relu; else None."""
    for prefix, kind in (("torch.nn.functional.", "functional"), ("torch.nn.modules.", "nn"), ("torch.nn.", "nn"),
                         ("torch.", "functional")):
        if full.startswith(prefix):
            rest = full[len(prefix):]
            return kind, rest.rpartition(".")[2] if kind == "nn" else rest
    return None


class TorchReader(ModelChoice, HoldingsMixin, FunctionsMixin, ForwardMixin, Interpreter):
    IMPLICIT = {"nn": "torch.nn", "F": "torch.nn.functional", "torch": "torch",
                "OrderedDict": "collections.OrderedDict", **{name: f"torch.nn.{name}" for name in MODULES}}
    MODEL_VALUES = (Module, SequentialModule, Instance)

    def __init__(self, tree: ast.Module, given: dict | None = None):
        super().__init__(tree, given)
        self.layers: list[Layer] = []
        self.namer = Namer()
        self.built: list = []                 # module values the file's top level assigns, in order
        self.path = ""                        # the module whose forward is being read
        self.building: list[str] = []         # the classes whose __init__ is being read, outermost first
        self.buffers: list = []               # (module, name, value, line) of each register_buffer

    # ---- the model
    def read(self, input_shape, spec: str | None = None) -> list[Layer]:
        self.run_module()
        model = self.the_model(spec)
        input_shape = input_shape or self.example_shape()
        if input_shape is None:
            example, hint = self.input_hint(model)
            raise SnippetError(f"a PyTorch snippet does not state its input shape: pass it (e.g. --input-shape "
                               f"{example}) or add a comment '# input: {example}'{hint}", None)
        self.name_modules(model, "", set())
        self.layers.append(Layer("input", "input", {"shape": input_shape}, (), None))
        self.namer.claim("input", None)
        self.output(self.run(model, [Tensor("input")], {}, self.tree))
        self.count_uncalled(model)
        self.count_weights(model)
        return self.layers

    def output(self, result) -> None:
        """The model's output is what forward returns — its first tensor when it returns several (an actor's
        probabilities before its critic's value): that layer goes last, where the analysis reads the output."""
        first = result
        while isinstance(first, (tuple, list)) and first:
            first = first[0]
        if not isinstance(first, Tensor):
            raise SnippetError(f"the model's forward returns {shown(result)}, not a tensor of the model", None)
        at = next(i for i, layer in enumerate(self.layers) if layer.name == first.layer)
        later = self.layers[at + 1:]
        if later and any(first.layer in layer.inputs or (not layer.inputs and i == 0) for i, layer in enumerate(later)):
            raise SnippetError(f"the model's forward returns several tensors and later layers read its first "
                               f"({first.layer}): which is the output is not clear", None)
        if later:
            self.layers.append(self.layers.pop(at))

    def assign(self, target, value, frame, stmt) -> None:
        super().assign(target, value, frame, stmt)
        if frame is self.globals and isinstance(target, ast.Name) and isinstance(value, MODULE_VALUES[:3]):
            self.built.append(value)

    # ---- building
    def instantiate(self, cls: ClassValue, args, kwargs, node):
        deepest = MAX_SELF_NESTING.value
        if self.building.count(cls.name) >= deepest:     # Tree(depth - 1) inside Tree: fine, if it ends
            chain = " → ".join(self.building[self.building.index(cls.name):] + [cls.name])
            raise SnippetError(f"class {cls.name} builds an instance of itself while it is being built, "
                               f"{deepest} deep ({chain}): its recursion does not end {MAX_SELF_NESTING.hint}",
                               node)
        self.building.append(cls.name)
        try:
            return super().instantiate(cls, args, kwargs, node)
        finally:
            self.building.pop()

    def init_external(self, instance, args, kwargs, node) -> None:
        """`class VGG(nn.Sequential)` whose __init__ calls super().__init__(layers…): its children.
        `class CausalConv1d(nn.Conv1d)` whose __init__ calls super().__init__(4, 8, 3, dilation=2): the layer
        it is, called by its forward's super().forward(x) or as the inherited forward."""
        if not isinstance(instance, Instance):
            return
        bases = instance.cls.external_bases()
        if any(b.endswith("Sequential") for b in bases):
            for name, child in self.sequential(args, kwargs, node).children:
                instance.attributes[name] = child
            return
        layer = next((_torch_name(b)[1] for b in bases if (_torch_name(b) or ("", ""))[0] == "nn"
                      and _torch_name(b)[1] in MODULES), None)
        if layer is not None:
            instance.attributes[BUILT_IN] = self.module(layer, args, kwargs, node)

    def super_external(self, instance, name: str, node):
        if name == "forward" and isinstance(instance, Instance) and BUILT_IN in instance.attributes:
            return _Method("forward", instance.attributes[BUILT_IN])
        return super().super_external(instance, name, node)

    def call_external(self, func: External, args, kwargs, node):
        torch = _torch_name(func.name)
        if func.name in ("collections.OrderedDict", "typing.OrderedDict"):
            from .builtins import _dict
            return _dict(self, args, kwargs, node)
        if torch is None:
            return self.outside(func, args, kwargs, node)
        kind, name = torch
        if kind == "nn":
            return self.module(name, args, kwargs, node)
        return self.function(name, args, kwargs, node)

    def is_layer_name(self, func) -> bool:
        return isinstance(func, External) and (_torch_name(func.name) or ("", ""))[0] == "nn"

    def outside(self, func: External, args, kwargs, node):
        """A function of another library: a few of math's on known numbers, anything else unknown."""
        from .common import is_number
        name = func.name.rpartition(".")[2]
        if func.name == "functools.partial" and args:        # partial(nn.BatchNorm2d, eps=0.001)
            return _Partial(args[0], list(args[1:]), dict(kwargs))
        if func.name == "argparse.ArgumentParser":             # the script's options: their defaults (script.py)
            return script.ArgumentParser()
        if func.name == "types.SimpleNamespace" and not args:  # a configuration object: its attributes
            return Instance(_NAMESPACE, dict(kwargs))
        if func.name.split(".")[0] in ("math", "numpy", "np") and args and not kwargs:
            values = self.items(args[0], node) if name == "prod" and isinstance(args[0], (list, tuple)) else args
            if all(is_number(v) for v in values):
                import math
                if name in ("ceil", "floor") and len(values) == 1:
                    return getattr(math, name)(values[0])
                if name == "prod":
                    out = 1
                    for v in values:
                        out = self.binary(ast.Mult(), out, v, node)
                    return out
        self.note(node, f"skipped {describe(node).splitlines()[0]}")
        return Opaque(f"{describe(node)} (line {getattr(node, 'lineno', '?')})")

    def module(self, name: str, args, kwargs, node):
        if name == "Sequential":
            return self.sequential(args, kwargs, node)
        if name in ("ModuleList", "ModuleDict"):
            return self.holder(name, args, kwargs, node)
        if name == "Parameter":
            if not args or not isinstance(args[0], Filled) or len(args) > 2 or set(kwargs) - {"requires_grad"}:
                raise SnippetError(f"{describe(node)}: nn.Parameter of torch.ones/zeros/randn/rand/empty of known "
                                   "sizes only (its values are counted)", node)
            trainable = args[1] if len(args) > 1 else kwargs.get("requires_grad", True)
            if not isinstance(trainable, bool):
                raise SnippetError(f"{describe(node)}: requires_grad must be True or False", node)
            return Weights(f"{describe(node)} (line {node.lineno})", args[0].shape, node.lineno, trainable)
        if name == "Module":
            return Opaque("nn.Module()")
        if name in MODULES:
            params, make = MODULES[name]
            kind, settings = layer_settings(make, Arguments.of_values(name, node, params, _ignored, args, kwargs))
            return Module(kind, settings, node.lineno, name)
        if name[:1].isupper():
            return UnknownModule(name, node)
        if name.startswith("init.") or name in ("utils",):
            self.note(node, f"skipped {describe(node)}")
        return Opaque(f"{describe(node)} (line {node.lineno})")

    def sequential(self, args, kwargs, node) -> SequentialModule:
        if kwargs:
            raise SnippetError("nn.Sequential takes its layers as positional arguments", node)
        if len(args) == 1 and isinstance(args[0], dict):
            children = list(args[0].items())
            for key, _ in children:
                if not isinstance(key, str) or not key:
                    raise SnippetError(f"an OrderedDict's layer names are text, got {shown(key)}", node)
        else:
            children = [(str(i), arg) for i, arg in enumerate(args)]
        plain = isinstance(node, ast.Call) and not any(isinstance(a, ast.Starred) for a in node.args) \
            and len(node.args) == len(args)
        for i, (_, child) in enumerate(children):
            if not isinstance(child, MODULE_VALUES):
                where = node.args[i] if plain else node
                raise SnippetError(f"'{describe(where)}' is not a layer ({shown(child)})", where)
        return SequentialModule(children, node)

    def holder(self, name: str, args, kwargs, node) -> SequentialModule:
        given = args[0] if args else kwargs.get("modules", [] if name == "ModuleList" else {})
        if isinstance(given, Opaque):
            raise SnippetError(f"{describe(node)}: its modules are not known without running the code "
                               f"({given.what})", node)
        pairs = list(given.items()) if isinstance(given, dict) else \
            [(str(i), m) for i, m in enumerate(self.items(given, node))]
        for key, child in pairs:
            if not isinstance(child, MODULE_VALUES):
                raise SnippetError(f"{describe(node)}: {shown(child)} is not a layer", node)
        return SequentialModule(pairs, node, name)

    # ---- methods and attributes of modules
    def attribute_other(self, owner, name: str, node):
        if isinstance(owner, (script.ArgumentParser, script.Options)):
            return script.attribute(self, owner, name, node)
        if isinstance(owner, SequentialModule):             # self.transformer.wte: a child by its name
            match = [child for key, child in owner.children if key == name]
            if match:
                return match[0]
        if isinstance(owner, MODULE_VALUES):
            if name in SAME_MODULE:
                return _Method("same", owner)
            if isinstance(owner, SequentialModule) and name in ("append", "extend", "add_module", "insert"):
                return _Grow(owner, name)
            if isinstance(owner, SequentialModule) and name in ("children", "values", "keys", "items"):
                return _Grow(owner, name)
            if isinstance(owner, Module) and name in ("weight", "bias"):
                return self.module_weight(owner, name, node)
            if isinstance(owner, Module):
                key = {"in_features": "in_features", "out_features": "units", "out_channels": "filters",
                       "in_channels": "in_channels", "num_features": "num_features", "hidden_size": "units",
                       "embedding_dim": "dim", "num_embeddings": "vocabulary"}.get(name)
                if key in owner.settings:
                    return owner.settings[key]
            return Opaque(f"{describe(node)} (line {node.lineno})")
        return super().attribute_other(owner, name, node)

    def missing_attribute(self, cls, instance, name, node):
        if name in ("add_module", "register_module", "__setattr__") and instance is not None:
            return _Method("add_module", instance)
        if name == "register_buffer" and instance is not None:
            return _Method("register_buffer", instance)
        if name == "training" and instance is not None and self.in_forward:
            # the summary is of the model as model.eval() runs it (dropout off, no training-only branch)
            self.assume(node, f"{describe(node)} is False: the model is read in evaluation mode (model.eval())")
            return False
        if name == "__getattr__" and instance is not None:          # self.__getattr__('level_%d' % i)
            return _Method("__getattr__", instance)
        if name in SAME_MODULE and instance is not None:
            return _Method("same", instance)
        return super().missing_attribute(cls, instance, name, node)

    def set_attribute(self, owner, name: str, value, stmt) -> None:
        if isinstance(owner, script.Options):
            return script.set_option(owner, name, value)
        if isinstance(owner, Module) and name in ("weight", "bias"):
            return self.tie(owner, name, value, stmt)
        return super().set_attribute(owner, name, value, stmt)

    def call_other(self, func, args, kwargs, node):
        if isinstance(func, script.ParserMethod):
            return script.call(self, func, args, kwargs, node)
        if isinstance(func, _Method):
            return self.method(func, args, kwargs, node)
        if isinstance(func, _Grow):
            return self.grow(func, args, node)
        if isinstance(func, _Partial):
            return self.call(func.func, func.args + list(args), {**func.kwargs, **kwargs}, node)
        return super().call_other(func, args, kwargs, node)

    def method(self, func: "_Method", args, kwargs, node):
        """A module's own method the reader gives meaning to: `.to(device)` and the like (the module
        itself), a built-in base layer's forward, register_buffer, add_module, __getattr__."""
        owner = func.owner
        if func.name == "same":
            return owner
        if func.name == "forward":
            return self.run(owner, list(args), kwargs, node)
        if func.name == "register_buffer":           # self.register_buffer('pe', torch.zeros(…), persistent=…)
            if len(args) not in (2, 3) or not isinstance(args[0], str) or set(kwargs) - {"persistent"}:
                raise SnippetError(f"{describe(node)}: register_buffer(name, tensor)", node)
            owner.attributes[module_name(args[0], node)] = args[1]
            self.buffers.append((owner, args[0], args[1], node.lineno))
            return None
        if func.name == "add_module":
            if len(args) == 2 and isinstance(args[0], str):
                owner.attributes[module_name(args[0], node)] = args[1]
                return None
            raise SnippetError(f"{describe(node)}: add_module(name, module)", node)
        if len(args) != 1 or not isinstance(args[0], str):      # __getattr__
            raise SnippetError(f"{describe(node)}: __getattr__ takes one name", node)
        return self.attribute(owner, args[0], node)

    def grow(self, func: "_Grow", args, node):
        holder, name = func.holder, func.name
        if name == "children" or name == "values":
            return [child for _, child in holder.children]
        if name == "keys":
            return [key for key, _ in holder.children]
        if name == "items":
            return list(holder.children)
        new = [(module_name(args[0], node), args[1])] if name == "add_module" and len(args) == 2 else \
            [(None, args[0])] if name == "append" and len(args) == 1 else \
            [(None, m) for m in self.items(args[0], node)] if name == "extend" and len(args) == 1 else None
        if new is None or not all(isinstance(m, MODULE_VALUES) for _, m in new):
            raise SnippetError(f"{describe(node)} is not supported", node)
        for key, module in new:
            holder.children.append((key if key is not None else str(len(holder.children)), module))
        return None

    def items_other(self, value, node):
        if isinstance(value, SequentialModule):
            if value.container == "ModuleDict":
                return [key for key, _ in value.children]
            return [child for _, child in value.children]
        return super().items_other(value, node) if hasattr(super(), "items_other") else None

    def subscript_other(self, owner, index, index_node, node):
        if isinstance(owner, SequentialModule):
            if owner.container == "ModuleDict":
                match = [child for key, child in owner.children if key == index]
                if match:
                    return match[0]
            elif isinstance(index, slice):
                return SequentialModule(owner.children[index], owner.node, owner.container)
            elif isinstance(index, int) and not isinstance(index, bool) and -len(owner.children) <= index < len(owner.children):
                return owner.children[index][1]
            raise SnippetError(f"{describe(node)}: no module {shown(index)} in it", node)
        return super().subscript_other(owner, index, index_node, node)

    def isinstance_other(self, value, cls, node):
        if isinstance(cls, External) and isinstance(value, Module):
            return cls.name.rpartition(".")[2] == value.written
        if isinstance(cls, External) and isinstance(value, SequentialModule):
            return cls.name.rpartition(".")[2] in (value.container, "Module")
        return False


@dataclass(eq=False)
class _Method:
    """A module's method the reader follows (TorchReader.method), bound to its owner."""
    name: str
    owner: Any


@dataclass(eq=False)
class _Grow:
    holder: SequentialModule
    name: str


@dataclass(eq=False)
class _Partial:
    func: Any
    args: list
    kwargs: dict


_NAMESPACE = ClassValue(ast.ClassDef("SimpleNamespace", [], [], [ast.Pass()], []), [External("types.SimpleNamespace")])


def _note_line(note: str) -> int:
    """Notes in the order of the file's lines (the model's __init__ runs after the top level is read)."""
    number = note[5:].partition(":")[0] if note.startswith("line ") else ""
    return int(number) if number.isdigit() else 0


def torch_architecture(tree: ast.Module, input_shape, source, model: str | None = None,
                       given: dict | None = None) -> Architecture:
    reader = TorchReader(tree, given)
    layers = reader.read(tuple(input_shape) if input_shape else None, model)
    return Architecture(name="model", input_shape=tuple(layers[0].settings["shape"]), layout="channels_first", layers=layers,
                        framework="pytorch", source=source, notes=sorted(reader.notes, key=_note_line),
                        assumed=sorted(reader.assumed, key=_note_line))
