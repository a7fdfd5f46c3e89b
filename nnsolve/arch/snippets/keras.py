"""Read a Keras snippet (Sequential, `model.add`, or the functional API) into an Architecture,
channels-last, by walking its syntax tree: nothing in it is run."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..ir import Architecture, Layer
from .common import (Arguments, Namer, SnippetError, check_layer_count, describe, dotted, evaluating, layer_settings,
                     literal, shown)
from .source import checked_input_shape
from .keras_layers import ACTIVATION_NAMESPACES, LAYERS, MERGE_FUNCTIONS, NAMESPACE, PARAMETER_FREE, _ignored


def snake_case(class_name: str) -> str:
    """Keras's automatic layer names: Conv2D → conv2d, MaxPooling2D → max_pooling2d."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


@dataclass
class LayerObject:
    """`Conv2D(32, 3)` before it is applied to a tensor."""
    name: str
    kind: str
    settings: dict
    line: int
    written: str                          # the class name, for messages (Conv2D)
    input_shape: tuple | None = None      # as declared with input_shape=, input_dim= or batch_input_shape=
    defines_input: bool = False           # the Sequential model's input shape, not a size to check
    applied: int = 0

    def declared(self) -> dict:
        """Its settings, with an input shape it declares but does not define, to be checked."""
        if self.input_shape is None or self.defines_input:
            return self.settings
        return {**self.settings, "input_shape": self.input_shape}


@dataclass(frozen=True)
class Tensor:
    layer: str                    # the layer whose output it is


@dataclass
class SequentialModel:
    layers: list[LayerObject] = field(default_factory=list)
    input_shape: tuple | None = None
    line: int = 0


@dataclass
class FunctionalModel:
    inputs: list[Tensor]
    outputs: list[Tensor]
    line: int | None = None


class KerasReader:
    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.env: dict[str, Any] = {}
        self.graph: list[Layer] = []          # every applied layer of the functional API, in order
        self.namer = Namer()
        self.model = None

    # ---- statements
    def read(self) -> tuple[list[Layer], tuple | None]:
        for stmt in self.tree.body:
            self.statement(stmt)
        if self.model is None:
            raise SnippetError("no model found: expected Sequential([...]) or Model(inputs, outputs)", None)
        if isinstance(self.model, SequentialModel):
            return self.sequential_layers(self.model)
        return self.functional_layers(self.model)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            return                                            # a docstring
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = self.expression(stmt.value)
            self.env[stmt.targets[0].id] = value
            self.note_model(value)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if self.model_method(stmt.value):
                return
            self.note_model(self.expression(stmt.value))
            return
        raise SnippetError(f"unsupported statement: {describe(stmt).splitlines()[0]}", stmt)

    def note_model(self, value) -> None:
        if isinstance(value, (SequentialModel, FunctionalModel)):
            self.model = value

    def model_method(self, call: ast.Call) -> bool:
        """`model.add(layer)`, `model.build(shape)`; `summary`/`compile` change nothing we count."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and isinstance(self.env.get(func.value.id), (SequentialModel, FunctionalModel))):
            return False
        model = self.env[func.value.id]
        if func.attr in ("summary", "compile"):
            return True
        if func.attr == "add" and isinstance(model, SequentialModel) and len(call.args) == 1:
            self.add_to_sequential(model, self.expression(call.args[0]), call.args[0])
            return True
        if func.attr == "build" and isinstance(model, SequentialModel) and len(call.args) == 1:
            shape = literal(call.args[0], self.name_value)
            if not isinstance(shape, (tuple, list)) or len(shape) < 2:
                raise SnippetError("model.build expects a shape with the batch axis, e.g. (None, 28, 28, 1)", call)
            model.input_shape = checked_input_shape(tuple(shape[1:]), call)
            return True
        raise SnippetError(f"unsupported model method '{func.attr}'", call)

    # ---- expressions
    def name_value(self, node: ast.AST):
        if isinstance(node, ast.Name):
            if node.id not in self.env:
                raise SnippetError(f"name '{node.id}' is not defined earlier in the snippet", node)
            return self.env[node.id]
        name = dotted(node)
        if name and name.rpartition(".")[0] in ACTIVATION_NAMESPACES:
            return name.rpartition(".")[2]                    # activation=tf.nn.relu
        raise SnippetError(f"unsupported construct: {describe(node)}", node)

    def expression(self, node: ast.AST):
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.List) and any(isinstance(e, ast.Call) for e in node.elts):
            return [self.expression(e) for e in node.elts]
        return literal(node, self.name_value)

    def class_name(self, func: ast.AST) -> str | None:
        name = dotted(func)
        if name is None:
            return None
        prefix, _, last = name.rpartition(".")
        if prefix and not set(prefix.split(".")) <= NAMESPACE:
            return None
        return last

    def call(self, call: ast.Call):
        with evaluating(call):
            return self.called(call)

    def called(self, call: ast.Call):
        if isinstance(call.func, ast.Call):                   # Conv2D(32, 3)(x)
            return self.apply(self.call(call.func), call)
        if isinstance(call.func, ast.Name) and isinstance(self.env.get(call.func.id), LayerObject):
            return self.apply(self.env[call.func.id], call)  # conv = Conv2D(...); conv(x)
        name = self.class_name(call.func)
        if name in ("Sequential",):
            return self.sequential(call)
        if name in ("Model",):
            return self.functional(call)
        if name in ("Input", "InputLayer"):
            return self.input(call)
        if name in MERGE_FUNCTIONS:
            layer = self.layer_object(MERGE_FUNCTIONS[name],
                                      ast.copy_location(ast.Call(call.func, [], call.keywords), call), call)
            return self.apply(layer, ast.copy_location(ast.Call(call.func, call.args[:1], []), call))
        if name in LAYERS:
            return self.layer_object(name, call, call)
        if name and name[0].isupper():
            raise SnippetError(f"unsupported layer '{name}'", call)
        raise SnippetError(f"call to unknown function '{dotted(call.func) or describe(call.func)}'", call)

    def keyword(self, call: ast.Call, key: str):
        for kw in call.keywords:
            if kw.arg == key:
                return literal(kw.value, self.name_value), kw.value
        return None, None

    def layer_object(self, class_name: str, call: ast.Call, where: ast.AST) -> LayerObject:
        params, build = LAYERS[class_name]
        data_format, node = self.keyword(call, "data_format")
        if data_format not in (None, "channels_last"):
            raise SnippetError(f"data_format={data_format!r}: only channels_last is supported for Keras", node)
        kind, settings = layer_settings(build, Arguments(class_name, call, params, _ignored, self.name_value))
        name, node = self.keyword(call, "name")
        if name is not None and not isinstance(name, str):
            raise SnippetError(f"{class_name} argument 'name': expected a text, got {shown(name)}", node)
        name = self.namer.claim(name, node) if isinstance(name, str) else self.namer.fresh(snake_case(class_name))
        return LayerObject(name, kind, settings, where.lineno, class_name, self.given_input_shape(call, params))

    def given_input_shape(self, call: ast.Call, params: tuple = ()) -> tuple | None:
        shape, node = self.keyword(call, "input_shape")
        batch_shape, batch_node = self.keyword(call, "batch_input_shape")
        # Embedding's input_dim is its vocabulary, not an input shape
        dim, dim_node = self.keyword(call, "input_dim") if "input_dim" not in params else (None, None)
        if shape is None and batch_shape is not None:
            if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
                raise SnippetError(f"batch_input_shape {shown(batch_shape)}: expected the batch axis and the "
                                   "input's sizes, e.g. (None, 28, 28, 1)", batch_node)
            shape, node = tuple(batch_shape)[1:], batch_node
        if shape is None and dim is not None:
            shape, node = (dim,), dim_node
        if shape is None:
            return None
        shape = (shape,) if isinstance(shape, int) and not isinstance(shape, bool) else shape
        if not isinstance(shape, (tuple, list)) or not shape or not all(
                v is None or isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
            raise SnippetError(f"input shape {shown(shape)}: expected a tuple of sizes ≥ 1", node)
        return tuple(shape)

    def input(self, call: ast.Call) -> Tensor:
        shape, node = self.keyword(call, "shape")
        if shape is None and call.args:
            shape, node = literal(call.args[0], self.name_value), call.args[0]
        if shape is None:
            shape = self.given_input_shape(call)
        shape = checked_input_shape(shape, node or call, "Input shape")
        name, name_node = self.keyword(call, "name")
        if name is not None and not isinstance(name, str):
            raise SnippetError(f"Input argument 'name': expected a text, got {shown(name)}", name_node)
        name = self.namer.claim(name, name_node) if isinstance(name, str) else self.namer.fresh("input_layer")
        self.add_layer(Layer(name, "input", {"shape": shape}, (), call.lineno))
        return Tensor(name)

    def add_layer(self, layer: Layer) -> None:
        check_layer_count(len(self.graph) + 1, layer.line)
        self.graph.append(layer)

    def apply(self, layer: LayerObject, call: ast.Call) -> Tensor:
        if not isinstance(layer, LayerObject):
            raise SnippetError(f"{describe(call.func)} is not a layer", call)
        if call.keywords or len(call.args) < 1:
            raise SnippetError(f"applying layer '{layer.name}': expected its input tensor(s) only", call)
        inputs = []
        for arg in call.args:
            value = self.expression(arg)
            items = value if isinstance(value, list) else [value]
            if not items or not all(isinstance(v, Tensor) for v in items):
                raise SnippetError(f"'{describe(arg)}' is not a tensor of the model", arg)
            inputs += [v.layer for v in items]
        if layer.applied and layer.kind not in PARAMETER_FREE:
            raise SnippetError(f"layer '{layer.name}' is applied twice (shared weights are not supported)", call)
        name = layer.name if not layer.applied else self.namer.fresh(layer.name)
        layer.applied += 1
        self.add_layer(Layer(name, layer.kind, layer.declared(), tuple(inputs), call.lineno, layer.written))
        return Tensor(name)

    def sequential(self, call: ast.Call) -> SequentialModel:
        model = SequentialModel(line=call.lineno)
        for kw in call.keywords:
            if kw.arg not in ("layers", "name"):
                raise SnippetError(f"unknown argument '{kw.arg}' to Sequential", kw.value)
        items = call.args[:1] or [kw.value for kw in call.keywords if kw.arg == "layers"]
        if items:
            if not isinstance(items[0], (ast.List, ast.Tuple)):
                raise SnippetError("Sequential expects a list of layers", items[0])
            for element in items[0].elts:
                self.add_to_sequential(model, self.expression(element), element)
        return model

    def add_to_sequential(self, model: SequentialModel, value, node: ast.AST) -> None:
        if isinstance(value, Tensor):                         # keras.Input(shape=...) as the first entry
            source = next((layer for layer in self.graph if layer.name == value.layer), None)
            if source is None or source.kind != "input" or model.layers or model.input_shape is not None:
                raise SnippetError(f"'{describe(node)}' in a Sequential: only an Input, first, is a tensor it "
                                   "takes", node)
            model.input_shape = source.settings["shape"]
            self.graph.remove(source)
            return
        if not isinstance(value, LayerObject):
            raise SnippetError(f"'{describe(node)}' is not a layer", node)
        if not model.layers and value.input_shape is not None and model.input_shape is None:
            model.input_shape, value.defines_input = value.input_shape, True
        check_layer_count(len(model.layers) + 2, node)      # and its input layer
        model.layers.append(value)

    def sequential_layers(self, model: SequentialModel):
        layers = [Layer("input_layer", "input", {"shape": model.input_shape}, (), model.line)]
        layers += [Layer(o.name, o.kind, o.declared(), (), o.line, o.written) for o in model.layers]
        return layers, model.input_shape

    def functional(self, call: ast.Call) -> FunctionalModel:
        values = {"inputs": None, "outputs": None}
        for key, node in zip(("inputs", "outputs"), call.args):
            values[key] = self.expression(node)
        for kw in call.keywords:
            if kw.arg in values:
                values[kw.arg] = self.expression(kw.value)
            elif kw.arg != "name":
                raise SnippetError(f"unknown argument '{kw.arg}' to Model", kw.value)
        ends = {k: v if isinstance(v, list) else [v] for k, v in values.items()}
        for key, items in ends.items():
            if not items or not all(isinstance(v, Tensor) for v in items):
                raise SnippetError(f"Model {key}: expected tensors of the model", call)
        kinds = {layer.name: layer.kind for layer in self.graph}
        for tensor in ends["inputs"] + ends["outputs"]:
            if tensor.layer not in kinds:
                raise SnippetError(f"Model: the tensor of '{tensor.layer}' went into a Sequential", call)
        if any(kinds[t.layer] != "input" for t in ends["inputs"]):
            raise SnippetError("Model inputs: expected the model's Input tensors", call)
        return FunctionalModel(ends["inputs"], ends["outputs"], call.lineno)

    def functional_layers(self, model: FunctionalModel):
        by_name = {layer.name: layer for layer in self.graph}
        needed, stack = set(), [t.layer for t in model.outputs]
        while stack:
            name = stack.pop()
            if name not in by_name:            # an Input that went into a Sequential instead
                raise SnippetError(f"the model's outputs depend on '{name}', which a Sequential took as its input",
                                   model.line)
            if name not in needed:
                needed.add(name)
                stack.extend(by_name[name].inputs)
        layers = [layer for layer in self.graph if layer.name in needed]
        first = by_name[model.inputs[0].layer]
        return layers, first.settings["shape"]


def read_keras(tree: ast.Module) -> tuple[list[Layer], tuple | None]:
    return KerasReader(tree).read()


def keras_architecture(tree: ast.Module, input_shape, source) -> Architecture:
    layers, shape = read_keras(tree)
    shape = shape if shape is not None else input_shape
    if shape is None:
        raise SnippetError("the snippet gives no input shape: add input_shape=(…) to the first layer, "
                           "an Input(shape=…), or pass the input shape", None)
    shape = checked_input_shape(shape, layers[1].line if len(layers) > 1 else layers[0].line)
    if layers[0].kind == "input" and layers[0].settings.get("shape") is None:
        layers[0] = Layer(layers[0].name, "input", {"shape": shape}, (), layers[0].line)
    return Architecture(name="model", input_shape=shape, layout="channels_last", layers=layers,
                        framework="keras", source=source)
