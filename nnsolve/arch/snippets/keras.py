"""Read a Keras snippet (Sequential, `model.add`, or the functional API) into an Architecture,
channels-last, by walking its syntax tree: nothing in it is run."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from ..ir import Architecture, Layer
from .common import (Arguments, check_layer_count, describe, dotted, evaluating, given_note, layer_settings, settable,
                     model_in_function, Namer, refuse_unset_given, shown, SnippetError)
from .source import checked_input_shape
from .values import Opaque
from .keras_script import Function, Returned, ScriptCalls, _is_image_data_format
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


class KerasReader(ScriptCalls):
    def __init__(self, tree: ast.Module, given: dict | None = None):
        self.tree = tree
        self.given = dict(given or {})        # --set: values for names the top level sets from its data
        self.env: dict[str, Any] = {}
        self.graph: list[Layer] = []          # every applied layer of the functional API, in order
        self.namer = Namer()
        self.model = None
        self.notes: list[str] = []
        self.assumed: list[str] = []          # what it took as given where the file leaves it open
        self.given_shape = None               # the input shape passed with the snippet (--input-shape)
        self.depth = 0                        # how many of the snippet's functions are running

    # ---- statements
    def read(self) -> tuple[list[Layer], tuple | None]:
        refuse_unset_given(self.tree, self.given)
        for stmt in self.tree.body:
            self.statement(stmt)
        if self.model is None:
            inside = model_in_function(self.tree, ("Sequential", "Model"))
            if inside is not None:
                raise SnippetError(f"no model found at the top level: the model is built inside the function "
                                   f"{inside.name}, which the snippet never calls", inside)
            raise SnippetError("no model found: expected Sequential([...]) or Model(inputs, outputs)", None)
        if isinstance(self.model, SequentialModel):
            return self.sequential_layers(self.model)
        return self.functional_layers(self.model)

    def statement(self, stmt: ast.stmt) -> None:
        try:
            self.statement_of_model(stmt)
        except SnippetError:
            if self.builds_layers(stmt):
                raise
            # script code around the model (x_train = x_train.astype(...), score = model.evaluate(...)):
            # what it binds is unknown after it
            self.note(stmt, f"skipped {describe(stmt).splitlines()[0][:70]}")
            for node in ast.walk(stmt):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    self.env[node.id] = self.bound(node.id, Opaque(f"{node.id} (line {stmt.lineno})"), stmt)

    def builds_layers(self, stmt: ast.stmt, seen: frozenset = frozenset()) -> bool:
        """Whether `stmt` builds or uses a layer or a model (then its errors are the model's)."""
        if isinstance(stmt, ast.FunctionDef):           # a function's body, once (a recursive one ends here)
            if stmt.name in seen:
                return False
            return any(self.builds_layers(s, seen | {stmt.name}) for s in stmt.body)
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                name = self.class_name(node.func)
                if name in LAYERS or name in MERGE_FUNCTIONS or name in ("Sequential", "Model", "Input", "InputLayer"):
                    return True
                if isinstance(node.func, ast.Name) and isinstance(self.env.get(node.func.id), Function) \
                        and self.builds_layers(self.env[node.func.id].node, seen):
                    return True        # a function of the snippet that builds layers (not a data helper)
                func = node.func
                target = func.value if isinstance(func, ast.Attribute) else func
                if isinstance(target, ast.Name) and isinstance(self.env.get(target.id), (
                        LayerObject, SequentialModel, FunctionalModel, Tensor)) \
                        and not (isinstance(func, ast.Attribute) and func.attr in SCRIPT_METHODS):
                    return True
        return False

    def statement_of_model(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.If) and not _is_main_guard(stmt.test):
            try:
                test = self.literal(stmt.test)
            except SnippetError:
                test = Opaque(describe(stmt.test))
            if isinstance(test, Opaque):
                raise SnippetError(f"`if {describe(stmt.test)}:` is not known without running the code", stmt)
            for inner in (stmt.body if test else stmt.orelse):
                self.statement(inner)
            return
        if isinstance(stmt, (ast.With, ast.Try)):
            for inner in stmt.body:
                self.statement(inner)
            return
        if isinstance(stmt, ast.For) and self.builds_layers(stmt):
            self.loop(stmt)                     # for _ in range(num_layers): model.add(LSTM(128, …))
            return
        if isinstance(stmt, (ast.For, ast.While)):
            raise SnippetError(f"a loop at the top level: {describe(stmt).splitlines()[0]}", stmt)
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass, ast.Assert)):
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            return                                            # a docstring
        if isinstance(stmt, ast.FunctionDef):
            self.env[stmt.name] = Function(stmt)       # followed where it is called (def make_model(shape): …)
            return
        if isinstance(stmt, (ast.AsyncFunctionDef, ast.ClassDef)):
            return                 # a class or coroutine of the script (a data helper) builds no layer here
        if isinstance(stmt, ast.Return) and self.depth:
            raise Returned(self.expression(stmt.value) if stmt.value is not None else None)
        if isinstance(stmt, ast.If) and _is_main_guard(stmt.test):
            self.note(stmt, f"skipped `if {describe(stmt.test)}:`")
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = self.expression(stmt.value)
            self.env[stmt.targets[0].id] = self.bound(stmt.targets[0].id, value, stmt)
            self.note_model(value)
            return
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple):
            self.unpack(stmt.targets[0], self.expression(stmt.value), stmt)      # rows, cols = 28, 28
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            if dotted(stmt.value.func) == "print":
                self.note(stmt, f"skipped {describe(stmt.value)}")
                return
            if self.model_method(stmt.value):
                return
            self.note_model(self.expression(stmt.value))
            return
        raise SnippetError(f"unsupported statement: {describe(stmt).splitlines()[0]}", stmt)

    def bound(self, name: str, value, stmt):
        """What the top level binds `name` to: the value --set gives it, if any (noted)."""
        if self.depth or name not in self.given:
            return settable(name, value) if not self.depth and isinstance(value, Opaque) else value
        entry = f"line {stmt.lineno}: {given_note(name, self.given[name], stmt)}"
        if entry not in self.assumed:
            self.assumed.append(entry)
        return self.given[name]

    def unpack(self, target: ast.AST, value, stmt) -> None:
        if isinstance(target, ast.Name):
            self.env[target.id] = self.bound(target.id, value, stmt)
            return
        if not isinstance(target, ast.Tuple):
            raise SnippetError(f"unsupported assignment target {describe(target)}", stmt)
        if isinstance(value, Opaque):                 # (x_train, y_train), … = mnist.load_data()
            value = (value,) * len(target.elts)
        if not isinstance(value, (tuple, list)) or len(value) != len(target.elts):
            raise SnippetError(f"cannot unpack {shown(value)} into {describe(target)}", stmt)
        for sub, item in zip(target.elts, value):
            self.unpack(sub, item, stmt)

    def note(self, node, text: str) -> None:
        entry = f"line {node.lineno}: {text}"
        if entry not in self.notes:
            self.notes.append(entry)

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
        if func.attr in ("fit", "evaluate", "predict", "save", "save_weights", "load_weights"):
            self.note(call, f"skipped {describe(call)}")
            return True
        if func.attr == "add" and isinstance(model, SequentialModel) and len(call.args) == 1:
            self.add_to_sequential(model, self.expression(call.args[0]), call.args[0])
            return True
        if func.attr == "build" and isinstance(model, SequentialModel) and len(call.args) == 1:
            shape = self.literal(call.args[0])
            if not isinstance(shape, (tuple, list)) or len(shape) < 2:
                raise SnippetError("model.build expects a shape with the batch axis, e.g. (None, 28, 28, 1)", call)
            model.input_shape = checked_input_shape(tuple(shape[1:]), call)
            return True
        if func.attr in ("pop", "add", "build"):
            raise SnippetError(f"unsupported model method '{func.attr}' (with these arguments)", call)
        self.note(call, f"skipped {describe(call)[:70]}")          # fit_generator, save, …: nothing we count
        return True

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
        return self.literal(node)

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
        if isinstance(call.func, ast.Name) and isinstance(self.env.get(call.func.id), Function):
            return self.run_function(self.env[call.func.id].node, call)
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
        if dotted(call.func) == "len" and "len" not in self.env:
            return self.length(call)
        if _is_image_data_format(call):
            # the reader reads channels-last models, Keras's default layout (keras.json may set another:
            # the note says which one was taken)
            entry = f"line {call.lineno}: {describe(call)} is Keras's default, 'channels_last'"
            if entry not in self.assumed:
                self.assumed.append(entry)
            return "channels_last"
        if name and name[0].isupper():
            raise SnippetError(f"unsupported layer '{name}'", call)
        if name is None and dotted(call.func) and dotted(call.func).split(".")[0] not in self.env:
            # a function of another library (mnist.load_data(), np.random.seed(1)): unknown, fine unless used
            self.note(call, f"skipped {describe(call)}")
            return Opaque(f"{describe(call)} (line {call.lineno})")
        raise SnippetError(f"call to unknown function '{dotted(call.func) or describe(call.func)}'", call)

    def keyword(self, call: ast.Call, key: str):
        for kw in call.keywords:
            if kw.arg == key:
                try:
                    return self.literal(kw.value), kw.value
                except SnippetError:
                    # input_shape=x_train.shape[1:]: a value of the data, unknown (refused where it is needed)
                    if any(isinstance(n, ast.Name) and isinstance(self.env.get(n.id), Opaque) for n in ast.walk(kw.value)):
                        return Opaque(f"{describe(kw.value)} (line {kw.value.lineno})"), kw.value
                    raise
        return None, None

    def layer_object(self, class_name: str, call: ast.Call, where: ast.AST) -> LayerObject:
        params, build = LAYERS[class_name]
        data_format, node = self.keyword(call, "data_format")
        if data_format not in (None, "channels_last"):
            raise SnippetError(f"data_format={data_format!r}: only channels_last is supported for Keras", node)
        kind, settings = layer_settings(build, Arguments(class_name, self.inner_calls_evaluated(call), params, _ignored, self.name_value))
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
        length, length_node = self.keyword(call, "input_length")      # Embedding's (h12-layers hook)
        if shape is None and length is not None:
            shape, node = (length,), length_node
        if shape is None or isinstance(shape, Opaque):       # input_shape=x_train.shape[1:]: the flag gives it
            return None
        shape = (shape,) if isinstance(shape, int) and not isinstance(shape, bool) else shape
        if not isinstance(shape, (tuple, list)) or not shape or not all(
                v is None or isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
            raise SnippetError(f"input shape {shown(shape)}: expected a tuple of sizes ≥ 1", node)
        return tuple(shape)

    def input(self, call: ast.Call) -> Tensor:
        shape, node = self.keyword(call, "shape")
        if shape is None and call.args:
            shape, node = self.literal(call.args[0]), call.args[0]
        if shape is None:
            shape = self.given_input_shape(call)
        if isinstance(shape, Opaque):            # Input(shape=(x_train.shape[1], …)): the flag gives it
            if self.given_shape is None:
                raise SnippetError(f"Input shape: {shape.what} is not known without running the code: pass the "
                                   "input shape (--input-shape)", node or call)
            shape = self.given_shape
        shape = checked_input_shape(self.unknown_sizes_given(shape, node or call, "Input shape"), node or call,
                                    "Input shape")
        name, name_node = self.keyword(call, "name")
        if name is not None and not isinstance(name, str):
            raise SnippetError(f"Input argument 'name': expected a text, got {shown(name)}", name_node)
        name = self.namer.claim(name, name_node) if isinstance(name, str) else self.namer.fresh("input_layer")
        self.add_layer(Layer(name, "input", {"shape": shape}, (), call.lineno))
        return Tensor(name)

    def unknown_sizes_given(self, shape, where, what: str):
        """Input(shape=(None,)): a size the snippet leaves open (any sequence length) is the one the input
        shape passed with it gives (--input-shape 200), said in a note; the sizes the snippet states must
        agree with it. Without it, the shape stays as it is, to be refused where it is checked."""
        if self.given_shape is None or not isinstance(shape, (tuple, list)) or None not in shape:
            return shape
        given = tuple(self.given_shape)
        if len(given) != len(shape) or any(v is not None and v != g for v, g in zip(shape, given)):
            raise SnippetError(f"{what} {shown(tuple(shape))}: the input shape passed, "
                               f"{'x'.join(str(g) for g in given)}, does not fit it (its open sizes are None; "
                               "the others must be the same)", where)
        line = where if isinstance(where, int) else getattr(where, "lineno", None)
        self.assumed.append(f"{'line ' + str(line) + ': ' if line else ''}{what} {shown(tuple(shape))}: the unknown "
                          f"size (None) is taken from the input shape passed, {'x'.join(str(g) for g in given)}")
        return given

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
        name = layer.name if not layer.applied else self.namer.fresh(layer.name)
        settings = layer.declared()
        if layer.applied and layer.kind not in PARAMETER_FREE:      # the same weights, applied again
            settings = {**settings, "shares": layer.name}
        layer.applied += 1
        self.add_layer(Layer(name, layer.kind, settings, tuple(inputs), call.lineno, layer.written))
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


SCRIPT_METHODS = {"fit", "evaluate", "predict", "save", "save_weights", "load_weights", "compile", "summary",
                  "get_weights", "set_weights", "to_json", "predict_on_batch", "train_on_batch"}


def _is_main_guard(test: ast.AST) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


def read_keras(tree: ast.Module) -> tuple[list[Layer], tuple | None]:
    return KerasReader(tree).read()


def keras_architecture(tree: ast.Module, input_shape, source, given: dict | None = None) -> Architecture:
    reader = KerasReader(tree, given)
    reader.given_shape = input_shape
    layers, shape = reader.read()
    shape = shape if shape is not None else input_shape
    shape = reader.unknown_sizes_given(shape, layers[1].line if len(layers) > 1 else None, "the input shape")
    if shape is None:
        raise SnippetError("the snippet gives no input shape: add input_shape=(…) to the first layer, "
                           "an Input(shape=…), or pass the input shape (--input-shape)",
                           layers[1].line if len(layers) > 1 else layers[0].line if layers else None)
    shape = checked_input_shape(shape, layers[1].line if len(layers) > 1 else layers[0].line)
    if layers[0].kind == "input" and (layers[0].settings.get("shape") is None or None in layers[0].settings["shape"]):
        layers[0] = Layer(layers[0].name, "input", {"shape": shape}, (), layers[0].line)
    return Architecture(name="model", input_shape=shape, layout="channels_last", layers=layers,
                        framework="keras", source=source, notes=list(reader.notes),
                        assumed=list(reader.assumed))
