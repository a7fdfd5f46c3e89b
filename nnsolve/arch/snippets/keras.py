"""Read a Keras model file into an Architecture, channels-last, by interpreting its syntax tree
(interpreter.py): nothing in it is imported or run.

The file's own Python builds the model — Sequential (a list or `model.add`), the functional API
(`keras.Input`, layers applied to tensors, `keras.Model(inputs, outputs)`), functions that build it,
loops and comprehensions, and subclassing (`class Net(keras.Model)` whose `__init__` builds layers and
whose `call` wires them). The model is the last one the file builds (or its one keras.Model class, built
with its defaults); a subclassed model is called on its input — from `model.build((None, …))`, a call on
`keras.Input`, or --input-shape. Data loading, printing, compiling and training are passed over with notes.
"""
from __future__ import annotations

import ast

from ..ir import Architecture, Layer
from .common import Namer, SnippetError, describe, dotted, shape_so_far
from .keras_choosing import KerasModelChoice
from .interpreter import Interpreter
from .keras_layers import BUILDERS, LAYERS, MERGE_FUNCTIONS, keras_class, keras_name
from .keras_model import (FunctionalModel, KerasGraph, LayerObject, ModelMethod, SequentialModel, Tensor,
                          activation_name)
from .pytorch import _note_line
from .source import checked_input_shape
from .values import Bound, ClassValue, External, Frame, Function, Instance, Opaque

# methods of a model that neither build nor wire it (passed over with a note)
SCRIPT_METHODS = {"fit", "evaluate", "predict", "save", "save_weights", "load_weights", "compile", "summary",
                  "get_weights", "set_weights", "to_json", "predict_on_batch", "train_on_batch", "fit_generator"}
# the functions of tf.nn / keras.activations that, applied to a tensor, keep its shape and hold no weights
ACTIVATIONS = {"relu", "sigmoid", "tanh", "softmax", "gelu", "elu", "selu", "swish", "silu", "softplus",
               "leaky_relu", "relu6"}


class KerasReader(KerasModelChoice, KerasGraph, Interpreter):
    IMPLICIT = {"tf": "tensorflow", "keras": "keras", "layers": "keras.layers", "models": "keras.models",
                "K": "keras.backend", "activations": "keras.activations",
                **{name: f"keras.layers.{name}" for name in list(LAYERS) + list(MERGE_FUNCTIONS)},
                **{name: f"keras.{name}" for name in BUILDERS}}

    def __init__(self, tree: ast.Module, given: dict | None = None):
        super().__init__(tree, given)
        self.graph: list[Layer] = []          # every applied layer of the functional API, in order
        self.namer = Namer()
        self.model = None                     # the last model the file builds
        self.given_shape = None               # the input shape passed with the snippet (--input-shape)
        self.model_calls: dict = {}           # a subclassed model's call on tensors: id → (inputs, outputs)
        self.built_shapes: dict = {}          # a subclassed model's model.build(shape): id → (shape, node)
        self.building_functions: dict = {}    # id of a function of the file → whether it builds layers

    # ---- the model
    OTHER_MODEL = "build another at the top level to choose it"

    def read(self) -> tuple[list[Layer], tuple | None]:
        self.run_module()
        model = self.model if self.model is not None else self.model_the_code_builds()
        model = model if model is not None else self.root_class()
        if isinstance(model, Instance):
            model = self.subclassed(model)
        if isinstance(model, SequentialModel):
            return self.sequential_layers(model)
        return self.functional_layers(model)

    def statement(self, stmt: ast.stmt, frame: Frame) -> None:
        """A statement that fails and builds no layer (script code around the model: x = x.astype(…),
        plotting) is passed over with a note; what it binds is unknown after it. In a method of a Keras
        class every statement is the model's."""
        try:
            super().statement(stmt, frame)
        except SnippetError as e:
            method = frame.function is not None and frame.function.owner is not None
            if "NNSOLVE_MAX_SNIPPET" in e.message or method and keras_class(frame.function.owner) or \
                    self.builds_layers([stmt], frame):
                raise
            self.note(stmt, f"skipped {describe(stmt).splitlines()[0][:70]}")
            self.unknown_after([stmt], frame, f"by line {stmt.lineno}", stmt)

    def assign(self, target, value, frame, stmt) -> None:
        super().assign(target, value, frame, stmt)
        if isinstance(target, ast.Name):
            self.note_model(value)

    def expression_statement(self, stmt: ast.Expr, value) -> None:
        self.note_model(value)

    def unknown_branch(self, stmt: ast.If, frame: Frame, test: Opaque) -> None:
        if not _is_main_guard(stmt.test) and self.builds_layers(stmt.body + stmt.orelse, frame):
            raise SnippetError(f"`if {describe(stmt.test)}:` is not known without running the code", stmt)
        super().unknown_branch(stmt, frame, test)

    def for_loop(self, stmt: ast.For, frame: Frame, iterable=None) -> None:
        builds = self.builds_layers(stmt.body + stmt.orelse, frame)
        if builds:
            iterable = self.eval(stmt.iter, frame) if iterable is None else iterable
            if isinstance(iterable, Opaque):
                raise SnippetError(f"the loop over {describe(stmt.iter)} is not known without running the code",
                                   stmt)
        self.bounded(stmt, frame, builds, lambda: super(KerasReader, self).for_loop(stmt, frame, iterable))

    def while_loop(self, stmt: ast.While, frame: Frame) -> None:
        builds = self.builds_layers(stmt.body + stmt.orelse, frame)
        if builds and isinstance(self.eval(stmt.test, frame), Opaque):
            raise SnippetError(f"`while {describe(stmt.test)}:` is not known without running the code", stmt)
        self.bounded(stmt, frame, builds, lambda: super(KerasReader, self).while_loop(stmt, frame))

    def bounded(self, stmt, frame: Frame, builds: bool, run) -> None:
        """A loop that builds no layer (the script's data generation, `while len(questions) < 50000:`) runs
        on at most a quarter of the evaluation budget left; past that it is passed over, with a note, and
        the names it binds or changes are unknown after it. A loop that builds layers runs in full."""
        from . import common
        reading = common._READING
        steps, most = reading.steps, reading.most_steps
        if not builds:
            reading.most_steps = steps + (most - steps) // 4
        try:
            run()
        except SnippetError as e:
            if builds or "NNSOLVE_MAX_SNIPPET_STEPS" not in e.message:
                raise
            reading.steps = steps
            self.note(stmt, f"skipped the loop `{describe(stmt).splitlines()[0]}`: it runs far beyond what a "
                            "model needs")
            # what it binds, and the lists and dicts it fills (questions.append(q)), are unknown after it
            changed = [ast.Name(n.value.id, ast.Store()) for n in ast.walk(stmt)
                       if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.value, ast.Name)
                       and isinstance(_static(self, n.value, frame), (list, dict))]
            self.unknown_after([stmt, ast.Expr(ast.Tuple(changed, ast.Store()))], frame,
                               f"in the loop of line {stmt.lineno}", stmt)
        finally:
            reading.most_steps = most

    def builds_layers(self, body: list, frame: Frame) -> bool:
        """Whether `body` builds, applies or adds a layer or a model (then its errors are the model's),
        told from its calls without evaluating them; a function or class of the file, by its body (each
        once: the answer is kept, and a function that calls itself adds nothing to it)."""
        for node in ast.walk(ast.Module(list(body), [])):
            if not isinstance(node, ast.Call):
                continue
            func = _static(self, node.func, frame)
            if keras_name(func) in LAYERS or keras_name(func) in MERGE_FUNCTIONS or keras_name(func) in BUILDERS:
                return True
            if isinstance(func, ClassValue) and not keras_class(func):
                try:
                    func = func.lookup("__init__")
                except KeyError:
                    continue
            if isinstance(func, (Function, Bound)):
                function = func if isinstance(func, Function) else func.function
                if id(function) not in self.building_functions:
                    self.building_functions[id(function)] = False
                    self.building_functions[id(function)] = self.builds_layers(function.node.body,
                                                                                Frame({}, function.closure))
                if self.building_functions[id(function)]:
                    return True
            if isinstance(func, (ClassValue, LayerObject)) or isinstance(func, Instance) and keras_class(func.cls):
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr not in SCRIPT_METHODS and isinstance(
                    _static(self, node.func.value, frame), (SequentialModel, FunctionalModel, LayerObject, Tensor)):
                return True
        return False

    # ---- expressions
    def value(self, node: ast.AST, frame: Frame):
        """A dotted name whose root the file never defines (np.load without `import numpy`): another
        library's, unknown where it is used, as an imported one is."""
        if isinstance(node, ast.Attribute):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and dotted(node) and not _defined(self, root.id, frame):
                return External(dotted(node))
        return super().value(node, frame)

    def subscript(self, owner, index_node, frame: Frame, node):
        if isinstance(owner, Opaque):           # x_train.shape[1:]: unknown, as written
            self.eval(index_node, frame)
            return Opaque(f"{describe(node)} (line {node.lineno})")
        return super().subscript(owner, index_node, frame, node)

    def is_layer_name(self, func) -> bool:
        return keras_name(func) in LAYERS

    def call_external(self, func: External, args, kwargs, node):
        name = keras_name(func)
        if name == "Sequential":
            return self.sequential(args, kwargs, node)
        if name == "Model":
            return self.functional(args, kwargs, node)
        if name in ("Input", "InputLayer"):
            return self.input(args, kwargs, node)
        if name in MERGE_FUNCTIONS:                   # layers.add([a, b]): Add()([a, b])
            layer = self.layer_object(MERGE_FUNCTIONS[name], [], kwargs, node)
            return self.apply(layer, args[:1], {}, node)
        if name in LAYERS:
            return self.layer_object(name, args, kwargs, node)
        parts = func.name.split(".")
        if parts[-1] == "image_data_format" and len(parts) > 1 and parts[-2] in ("K", "backend", "config") \
                and not args and not kwargs:
            # the reader reads channels-last models, Keras's default layout (keras.json may set another:
            # the note says which one was taken)
            self.assume(node, f"{describe(node)} is Keras's default, 'channels_last'")
            return "channels_last"
        if activation_name(func) in ACTIVATIONS and len(args) == 1 and isinstance(args[0], Tensor):
            return args[0]                    # tf.nn.relu(x) in a call(): the same shape, no weights
        if name and name[0].isupper():
            raise SnippetError(f"unsupported layer '{name}'", node)
        self.note(node, f"skipped {describe(node).splitlines()[0]}")
        return Opaque(f"{describe(node)} (line {getattr(node, 'lineno', '?')})")

    def call_other(self, func, args, kwargs, node):
        if isinstance(func, LayerObject):
            return self.apply(func, args, kwargs, node)
        if isinstance(func, SequentialModel) and len(args) == 1 and isinstance(args[0], Tensor):
            out = args[0]                     # self.encoder(x) of a Sequential built in __init__: each layer
            for layer in func.layers:
                out = self.apply(layer, [out], kwargs, node)
            return out
        if isinstance(func, ModelMethod):
            return self.model_method(func, args, kwargs, node)
        if isinstance(func, Instance) and keras_class(func.cls):
            return self.call_model(func, args, kwargs, node)
        return super().call_other(func, args, kwargs, node)

    def attribute_other(self, owner, name: str, node):
        if isinstance(owner, (SequentialModel, FunctionalModel)) and name in ("add", "build", "pop"):
            return ModelMethod(owner, name)
        if isinstance(owner, Tensor) and name == "shape":
            return self.tensor_shape(owner, node)
        if isinstance(owner, (SequentialModel, FunctionalModel, LayerObject, Tensor)):
            return Opaque(f"{describe(node)} (line {node.lineno})")      # model.layers, x.shape, model.fit
        return super().attribute_other(owner, name, node)

    def tensor_shape(self, tensor: Tensor, node):
        """`x.shape` of a functional model's tensor: (None, …) with the sizes the layers so far give it, by the
        same analysis the summary makes (a residual block's `if x.shape[-1] != filters`); unknown where the
        layers so far cannot be analysed."""
        shape = shape_so_far(self.graph, tensor.layer, "channels_last", "keras")
        return Opaque(f"{describe(node)} (line {node.lineno})") if shape is None else (None, *shape)

    def missing_attribute(self, cls: ClassValue, instance, name: str, node):
        if keras_class(cls) and name == "add_weight":
            raise SnippetError(f"{cls.name}: weights made with add_weight are not counted by the reader", node)
        if instance is not None and keras_class(cls, ("Model",)) and name == "build":
            return ModelMethod(instance, name)
        return super().missing_attribute(cls, instance, name, node)


def _static(reader: KerasReader, node: ast.AST, frame: Frame):
    """What a name or dotted name stands for, looked up without evaluating anything; None when unknown."""
    if isinstance(node, ast.Name):
        try:
            return frame.find(node.id)
        except KeyError:
            from .builtins import BUILTINS
            return BUILTINS.get(node.id) or (External(reader.IMPLICIT[node.id]) if node.id in reader.IMPLICIT
                                             else None)
    if isinstance(node, ast.Attribute):
        owner = _static(reader, node.value, frame)
        if isinstance(owner, External):
            return External(f"{owner.name}.{node.attr}")
        if isinstance(owner, Instance):
            if node.attr in owner.attributes:
                return owner.attributes[node.attr]
            owner = owner.cls
        if isinstance(owner, ClassValue):
            try:
                return owner.lookup(node.attr)
            except KeyError:
                return None
    return None


def _defined(reader: KerasReader, name: str, frame: Frame) -> bool:
    from .builtins import BUILTINS
    try:
        frame.find(name)
        return True
    except KeyError:
        return name in BUILTINS or name in reader.IMPLICIT


def _is_main_guard(test: ast.AST) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


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
                        framework="keras", source=source, notes=sorted(reader.notes, key=_note_line),
                        assumed=sorted(reader.assumed, key=_note_line))
