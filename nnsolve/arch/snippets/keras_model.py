"""The Keras values the reader builds as the interpreter evaluates a file — layers before they are applied,
the tensors of the functional graph, Sequential and functional models — and how each becomes the layer
list of an Architecture (channels-last). Mixed into KerasReader (keras.py)."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from ..ir import Layer
from .common import Arguments, SnippetError, check_layer_count, describe, layer_settings, shown
from .keras_layers import LAYERS, PARAMETER_FREE, _ignored
from .source import checked_input_shape
from .values import External, Opaque


def snake_case(class_name: str) -> str:
    """Keras's automatic layer names: Conv2D → conv2d, MaxPooling2D → max_pooling2d."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


@dataclass(eq=False)
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


@dataclass(eq=False)
class SequentialModel:
    layers: list[LayerObject] = field(default_factory=list)
    input_shape: tuple | None = None
    line: int = 0
    members: set = field(default_factory=set, repr=False)    # id() of each layer in it: one look-up per add


@dataclass(eq=False)
class FunctionalModel:
    inputs: list[Tensor]
    outputs: list[Tensor]
    line: int | None = None


@dataclass(eq=False)
class ModelMethod:
    """`model.add`, `model.build`, `model.pop` of a model the reader builds."""
    model: object
    name: str


def keyword_node(node: ast.AST, key: str) -> ast.AST:
    """Where a call states the keyword `key` (its value), else the call: where an error about it is shown."""
    return next((kw.value for kw in getattr(node, "keywords", ()) if kw.arg == key), node)


def argument_node(node: ast.AST, i: int, count: int) -> ast.AST:
    """The i-th of `count` positional arguments of a call written without star-arguments, else the call."""
    args = getattr(node, "args", [])
    plain = len(args) == count and not any(isinstance(a, ast.Starred) for a in args)
    return args[i] if plain else node


def whole_unknown(value, where: ast.AST):
    """A shape with an unknown size, (x_train.shape[1], 1): unknown as a whole, as written."""
    if isinstance(value, (tuple, list)) and any(isinstance(v, Opaque) for v in value):
        return Opaque(f"{describe(where)} (line {where.lineno})")
    return value


def activation_name(value):
    """activation=tf.nn.relu, keras.activations.relu: the activation's name, as activation="relu" says."""
    if isinstance(value, External):
        parts = value.name.split(".")
        if len(parts) > 2 and parts[-2] in ("nn", "activations") and parts[0] in ("tensorflow", "keras", "tf"):
            return parts[-1]
        if len(parts) == 3 and parts[:2] == ["keras", "activations"]:
            return parts[-1]
    return value


class KerasGraph:
    """Building Keras layers and models; the reader has namer, graph, given_shape and assume()."""

    def layer_object(self, class_name: str, args: list, kwargs: dict, node: ast.AST) -> LayerObject:
        params, build = LAYERS[class_name]
        args = [activation_name(a) for a in args]
        kwargs = {k: activation_name(v) for k, v in kwargs.items()}
        if kwargs.get("data_format") not in (None, "channels_last"):
            raise SnippetError(f"data_format={kwargs['data_format']!r}: only channels_last is supported for Keras",
                               keyword_node(node, "data_format"))
        arguments = Arguments.of_values(class_name, node, params, _ignored, args, kwargs)
        arguments.torch = False           # Keras takes int(units): Dense(64 / 2) is Dense(32)
        kind, settings = layer_settings(build, arguments)
        name = kwargs.get("name")
        if name is not None and not isinstance(name, str):
            raise SnippetError(f"{class_name} argument 'name': expected a text, got {shown(name)}",
                               keyword_node(node, "name"))
        name = self.namer.claim(name, keyword_node(node, "name")) if isinstance(name, str) \
            else self.namer.fresh(snake_case(class_name))
        return LayerObject(name, kind, settings, node.lineno, class_name, self.given_input_shape(kwargs, node, params))

    def given_input_shape(self, kwargs: dict, node: ast.AST, params: tuple = ()) -> tuple | None:
        shape, where = kwargs.get("input_shape"), keyword_node(node, "input_shape")
        shape = whole_unknown(shape, where)
        batch_shape = whole_unknown(kwargs.get("batch_input_shape"), keyword_node(node, "batch_input_shape"))
        # Embedding's input_dim is its vocabulary, not an input shape
        dim = kwargs.get("input_dim") if "input_dim" not in params else None
        if shape is None and isinstance(batch_shape, Opaque):
            return None
        if shape is None and batch_shape is not None:
            if not isinstance(batch_shape, (tuple, list)) or len(batch_shape) < 2:
                raise SnippetError(f"batch_input_shape {shown(batch_shape)}: expected the batch axis and the "
                                   "input's sizes, e.g. (None, 28, 28, 1)", keyword_node(node, "batch_input_shape"))
            shape, where = tuple(batch_shape)[1:], keyword_node(node, "batch_input_shape")
        if shape is None and dim is not None:
            shape, where = (dim,), keyword_node(node, "input_dim")
        length = kwargs.get("input_length")      # Embedding(1000, 64, input_length=10): the input shape (10,)
        if shape is None and length is not None:
            shape, where = (length,), keyword_node(node, "input_length")
        if shape is None or isinstance(shape, Opaque):       # input_shape=x_train.shape[1:]: the flag gives it
            return None
        shape = (shape,) if isinstance(shape, int) and not isinstance(shape, bool) else shape
        if not isinstance(shape, (tuple, list)) or not shape or not all(
                v is None or isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
            raise SnippetError(f"input shape {shown(shape)}: expected a tuple of sizes ≥ 1", where)
        return tuple(shape)

    def input(self, args: list, kwargs: dict, node: ast.AST) -> Tensor:
        shape, where = kwargs.get("shape"), keyword_node(node, "shape")
        if shape is None and args:
            shape, where = args[0], argument_node(node, 0, len(args))
        if shape is None and isinstance(kwargs.get("batch_shape"), (tuple, list)) and kwargs["batch_shape"]:
            shape, where = tuple(kwargs["batch_shape"])[1:], keyword_node(node, "batch_shape")
        if shape is None:
            shape = self.given_input_shape(kwargs, node)
        shape = whole_unknown(shape, where)
        if isinstance(shape, Opaque):            # Input(shape=(x_train.shape[1], …)): the flag gives it
            if self.given_shape is None:
                raise SnippetError(f"Input shape: {shape.what} is not known without running the code: pass the "
                                   "input shape (--input-shape)", where)
            shape = self.given_shape
        shape = checked_input_shape(self.unknown_sizes_given(shape, where, "Input shape"), where, "Input shape")
        return self.input_tensor(shape, kwargs.get("name"), keyword_node(node, "name"), node.lineno)

    def input_tensor(self, shape: tuple, name, where, line) -> Tensor:
        if name is not None and not isinstance(name, str):
            raise SnippetError(f"Input argument 'name': expected a text, got {shown(name)}", where)
        name = self.namer.claim(name, where) if isinstance(name, str) else self.namer.fresh("input_layer")
        self.add_layer(Layer(name, "input", {"shape": shape}, (), line))
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
        self.assume(where, f"{what} {shown(tuple(shape))}: the unknown size (None) is taken from the input shape "
                           f"passed, {'x'.join(str(g) for g in given)}")
        return given

    def add_layer(self, layer: Layer) -> None:
        check_layer_count(len(self.graph) + 1, layer.line)
        self.graph.append(layer)

    def apply(self, layer: LayerObject, args: list, kwargs: dict, node: ast.AST) -> Tensor:
        """A layer applied to its input tensor(s); `training=` and `mask=` change no size or count."""
        if set(kwargs) - {"training", "mask"} or not args:
            raise SnippetError(f"applying layer '{layer.name}': expected its input tensor(s) only", node)
        inputs = []
        for i, value in enumerate(args):
            items = value if isinstance(value, (list, tuple)) else [value]
            if not items or not all(isinstance(v, Tensor) for v in items):
                where = argument_node(node, i, len(args))
                raise SnippetError(f"'{describe(where)}' is not a tensor of the model", where)
            inputs += [v.layer for v in items]
        name = layer.name if not layer.applied else self.namer.fresh(layer.name)
        settings = layer.declared()
        if layer.applied and layer.kind not in PARAMETER_FREE:      # the same weights, applied again
            settings = {**settings, "shares": layer.name}
        layer.applied += 1
        self.add_layer(Layer(name, layer.kind, settings, tuple(inputs), node.lineno, layer.written))
        return Tensor(name)

    def sequential(self, args: list, kwargs: dict, node: ast.AST) -> SequentialModel:
        model = SequentialModel(line=node.lineno)
        for key in kwargs:
            if key not in ("layers", "name", "trainable"):
                raise SnippetError(f"unknown argument '{key}' to Sequential", keyword_node(node, key))
        if len(args) > 1:
            raise SnippetError("Sequential takes one list of layers", node)
        items = args[0] if args else kwargs.get("layers")
        where = argument_node(node, 0, len(args)) if args else keyword_node(node, "layers")
        if items is None:
            return model
        if not isinstance(items, (list, tuple)):
            raise SnippetError("Sequential expects a list of layers", where)
        elements = where.elts if isinstance(where, (ast.List, ast.Tuple)) and len(where.elts) == len(items) \
            and not any(isinstance(e, ast.Starred) for e in where.elts) else [where] * len(items)
        for value, element in zip(items, elements):
            self.add_to_sequential(model, value, element)
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
        if id(value) in model.members:
            raise SnippetError(f"'{describe(node)}': the layer {value.name} is in this Sequential already (the same "
                               "weights twice); build a new layer for each place", node)
        if not model.layers and value.input_shape is not None and model.input_shape is None:
            model.input_shape, value.defines_input = value.input_shape, True
        check_layer_count(len(model.layers) + 2, node)      # and its input layer
        model.layers.append(value)
        model.members.add(id(value))

    def model_method(self, method: ModelMethod, args: list, kwargs: dict, node: ast.AST):
        """model.add(layer), model.build(shape): of a Sequential model, or build of a subclassed one."""
        model, name = method.model, method.name
        if name == "add" and isinstance(model, SequentialModel) and len(args) == 1 and not kwargs:
            self.add_to_sequential(model, args[0], argument_node(node, 0, 1))
            return None
        if name == "build" and not isinstance(model, FunctionalModel) and len(args) + len(kwargs) == 1 \
                and set(kwargs) <= {"input_shape"}:
            shape = args[0] if args else kwargs["input_shape"]
            if not isinstance(shape, (tuple, list)) or len(shape) < 2:
                raise SnippetError("model.build expects a shape with the batch axis, e.g. (None, 28, 28, 1)", node)
            shape = tuple(shape[1:])
            if isinstance(model, SequentialModel):
                model.input_shape = checked_input_shape(shape, node)
            else:
                self.built_shapes[id(model)] = (shape, node)
            return None
        raise SnippetError(f"unsupported model method '{name}' (with these arguments)", node)

    def sequential_layers(self, model: SequentialModel):
        layers = [Layer("input_layer", "input", {"shape": model.input_shape}, (), model.line)]
        layers += [Layer(o.name, o.kind, o.declared(), (), o.line, o.written) for o in model.layers]
        return layers, model.input_shape

    def functional(self, args: list, kwargs: dict, node: ast.AST) -> FunctionalModel:
        values = {"inputs": None, "outputs": None}
        for key, value in zip(("inputs", "outputs"), args):
            values[key] = value
        for key, value in kwargs.items():
            if key in values:
                values[key] = value
            elif key not in ("name", "trainable"):
                raise SnippetError(f"unknown argument '{key}' to Model", keyword_node(node, key))
        ends = {k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in values.items()}
        for key, items in ends.items():
            if not items or not all(isinstance(v, Tensor) for v in items):
                raise SnippetError(f"Model {key}: expected tensors of the model", node)
        return self.functional_model(ends["inputs"], ends["outputs"], node.lineno)

    def functional_model(self, inputs: list, outputs: list, line) -> FunctionalModel:
        kinds = {layer.name: layer.kind for layer in self.graph}
        for tensor in inputs + outputs:
            if tensor.layer not in kinds:
                raise SnippetError(f"Model: the tensor of '{tensor.layer}' went into a Sequential", line)
        if any(kinds[t.layer] != "input" for t in inputs):
            raise SnippetError("Model inputs: expected the model's Input tensors", line)
        return FunctionalModel(inputs, outputs, line)

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


def tensors_of(value) -> list:
    """The tensors of the model in `value` (a tensor, or a list or tuple of them); [] if it holds another."""
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return items if items and all(isinstance(v, Tensor) for v in items) else []
