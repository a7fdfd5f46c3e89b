"""Which model of a Keras file the summary reads: the last Sequential or functional model its top level builds
(or an instance of its own keras.Model class); else the one its own code builds in a function or its main block
(choosing.CodeBuiltModel, as for PyTorch); else the one model class no other class uses, built with its defaults.
A subclassed model is read by calling its `call` on an Input of its shape. Mixed into KerasReader (keras.py)."""
from __future__ import annotations

import ast

from .choosing import CodeBuiltModel
from .common import SnippetError, describe, model_in_function, shown
from .keras_layers import keras_class
from .keras_model import FunctionalModel, SequentialModel, tensors_of
from .source import checked_input_shape
from .values import ClassValue, Function, Instance, Opaque


class KerasModelChoice(CodeBuiltModel):
    def builds_model(self, func) -> bool:
        return isinstance(func, Function) or isinstance(func, ClassValue) and keras_class(func, ("Model", "Sequential"))

    def is_model(self, value) -> bool:
        return isinstance(value, (SequentialModel, FunctionalModel)) or \
            isinstance(value, Instance) and keras_class(value.cls, ("Model", "Sequential"))

    def note_model(self, value) -> None:
        if isinstance(value, (SequentialModel, FunctionalModel)) or \
                isinstance(value, Instance) and keras_class(value.cls, ("Model", "Sequential")):
            self.model = value

    def root_class(self) -> Instance:
        """The one keras.Model class of the file no other class uses, built with its defaults."""
        classes = [v for v in self.globals.names.values() if isinstance(v, ClassValue) and
                   keras_class(v, ("Model", "Sequential"))]
        candidates = [c for c in classes if len(classes) == 1 or not any(
            isinstance(n, ast.Name) and n.id == c.name for o in classes if o is not c for n in ast.walk(o.node))]
        if not classes:
            inside = model_in_function(self.tree, ("Sequential", "Model"))
            if inside is not None:
                raise SnippetError(f"no model found at the top level: the model is built inside the function "
                                   f"{inside.name}, which the snippet never calls", inside)
            raise SnippetError("no model found: expected Sequential([...]), Model(inputs, outputs) or a class "
                               "deriving from keras.Model", None)
        if len(candidates) != 1:
            names = ", ".join(c.name for c in candidates or classes)
            raise SnippetError(f"the file defines the model classes {names} and builds none of them: build the "
                               "model at its top level (model = …)", (candidates or classes)[-1].node)
        cls = candidates[0]
        self.assume(cls.node, f"the model is {cls.name}() with its defaults (the file builds none)")
        return self.instantiate(cls, [], {}, cls.node)

    def subclassed(self, model: Instance) -> FunctionalModel:
        """A keras.Model subclass: its call on keras.Input, else called on an input of the shape
        model.build gives, else of the input shape passed (--input-shape)."""
        line = model.cls.node.lineno
        if id(model) not in self.model_calls:
            shape, where = self.built_shapes.get(id(model), (self.given_shape, line))
            if shape is None:
                raise SnippetError(f"the input shape of {model.cls.name} is not known: call model.build((None, …)) "
                                   "or the model on keras.Input(shape=…), or pass the input shape (--input-shape)",
                                   line)
            shape = checked_input_shape(self.unknown_sizes_given(shape, where, "the input shape"), where)
            self.call_model(model, [self.input_tensor(shape, None, None, line)], {}, model.cls.node)
        inputs, result = self.model_calls[id(model)]
        outputs = tensors_of(result)
        if not outputs:
            raise SnippetError(f"{model.cls.name}.call returns {shown(result)}, not tensors of the model", line)
        return self.functional_model(tensors_of(inputs), outputs, line)

    def call_model(self, instance: Instance, args, kwargs, node):
        """A keras.Model or keras.layers.Layer of the file called on tensors: its `call` wires its layers."""
        cls = instance.cls
        if not args or not all(tensors_of([a]) for a in args):
            self.note(node, f"skipped {describe(node)}")
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if any("build" in c.namespace for c in cls.mro()):
            raise SnippetError(f"{cls.name} defines build(): weights it makes from the input shape are not "
                               "followed", cls.node)
        try:
            call = cls.lookup("call")
        except KeyError:
            raise SnippetError(f"{cls.name} has no call method", node) from None
        if not isinstance(call, Function):
            raise SnippetError(f"{cls.name}.call is not a method", node)
        if not keras_class(cls, ("Model", "Sequential")):
            self.note(cls.node, f"the layers {cls.name}.call applies are listed one by one (Keras's own summary "
                                f"shows each {cls.name} as one row of their total)")
        result = self.call_function(call, instance, args, kwargs, node)
        self.model_calls.setdefault(id(instance), (list(args), result))
        return result

    # ---- statements
