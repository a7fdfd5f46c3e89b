"""Definitions and calls for the abstract interpreter (interpreter.py): functions, classes and their
instances (a @dataclass's generated __init__ too), calls of the snippet's own functions and methods by Python's
binding rules, and the hooks a framework reader fills for calls of its library (External) and its own values."""
from __future__ import annotations

import ast

from .builtins import BUILTINS, call_method
from .common import SnippetError, describe, evaluating, shown
from .expressions import _BoundBuiltin, _ExternalInit
from .values import Bound, ClassValue, External, Frame, Function, Instance, Opaque


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class CallsMixin:
    def define(self, node: ast.FunctionDef, frame: Frame, owner: ClassValue | None) -> Function:
        kind = "function"
        for decorator in node.decorator_list:
            name = describe(decorator)
            if name in ("staticmethod", "classmethod", "property"):
                kind = name
            else:
                self.note(decorator, f"decorator @{name} of {node.name} ignored")
        args = node.args
        return Function(node, frame, owner, [self.default(d, frame) for d in args.defaults],
                        [None if d is None else self.default(d, frame) for d in args.kw_defaults], kind)

    def default(self, node: ast.AST, frame: Frame):
        try:
            return self.eval(node, frame)
        except SnippetError:              # a default the interpreter cannot evaluate: unknown, unless it is used
            return Opaque(f"the default {describe(node)} (line {node.lineno})")

    def define_class(self, node: ast.ClassDef, frame: Frame) -> ClassValue:
        bases = []
        for base in node.bases:
            try:
                bases.append(self.eval(base, frame))
            except SnippetError:
                bases.append(External(describe(base)))
        cls = ClassValue(node, bases)
        body = Frame(cls.namespace, frame)
        for stmt in node.body:
            with evaluating(stmt):
                if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    cls.namespace[stmt.name] = self.define(stmt, frame, cls)      # methods see the module's names
                else:
                    self.statement(stmt, body)
        return cls

    # ---- calls
    def call_function(self, function: Function, receiver, args: list, kwargs: dict, node):
        """Call a function of the snippet: its arguments bound by Python's rules, its body run in a new frame."""
        from .binding import bind
        if receiver is not None and function.kind != "staticmethod":
            args = [receiver] + list(args)
        names = bind(function, args, kwargs, node)
        frame = Frame(names, function.closure, function)
        try:
            self.block(function.node.body, frame)
        except _Return as r:
            return r.value
        except (_Break, _Continue):
            raise SnippetError("break or continue outside a loop", node) from None
        return None

    def call(self, func, args: list, kwargs: dict, node: ast.AST):
        if isinstance(func, Function):
            return self.call_function(func, None, args, kwargs, node)
        if isinstance(func, Bound):
            return self.call_function(func.function, func.receiver, args, kwargs, node)
        if isinstance(func, ClassValue):
            return self.instantiate(func, args, kwargs, node)
        if isinstance(func, External):
            return self.call_external(func, args, kwargs, node)
        if callable(func) and func in BUILTINS.values():
            return func(self, args, kwargs, node)
        if isinstance(func, _BoundBuiltin):
            return call_method(func.owner, func.name, args, kwargs, node)
        if isinstance(func, _ExternalInit):
            if args or kwargs:
                self.init_external(func.instance, args, kwargs, node)
            return None
        if isinstance(func, Opaque):
            self.note(node, f"skipped {describe(node)}")
            return Opaque(f"{describe(node)} (line {node.lineno})")
        return self.call_other(func, args, kwargs, node)

    def instantiate(self, cls: ClassValue, args, kwargs, node):
        instance = Instance(cls)
        try:
            init = cls.lookup("__init__")
        except KeyError:
            init = None
        if isinstance(init, Function):
            self.call_function(init, instance, args, kwargs, node)
        elif _is_dataclass(cls):
            self.dataclass_fields(cls, instance, args, kwargs, node)
        elif args or kwargs:
            self.init_external(instance, args, kwargs, node)
        return instance

    def dataclass_fields(self, cls: ClassValue, instance: Instance, args, kwargs, node) -> None:
        """A @dataclass's generated __init__: its annotated fields, by position or keyword, else their defaults."""
        fields = [stmt.target.id for c in reversed(cls.mro()) for stmt in c.node.body
                  if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)]
        fields = list(dict.fromkeys(fields))
        if len(args) > len(fields):
            raise SnippetError(f"{cls.name} takes {len(fields)} arguments, got {len(args)}", node)
        given = dict(zip(fields, args))
        for key, value in kwargs.items():
            if key not in fields or key in given:
                raise SnippetError(f"unknown or repeated argument '{key}' to {cls.name}", node)
            given[key] = value
        for name in fields:
            if name in given:
                instance.attributes[name] = given[name]
            else:
                try:
                    instance.attributes[name] = cls.lookup(name)
                except KeyError:
                    raise SnippetError(f"{cls.name} needs the argument '{name}'", node) from None

    def init_external(self, instance, args, kwargs, node) -> None:
        """A class without its own __init__, built with arguments: its framework base takes them."""

    def call_external(self, func: External, args, kwargs, node):
        self.note(node, f"skipped {describe(node)}")
        return Opaque(f"{describe(node)} (line {node.lineno})")

    def call_other(self, func, args, kwargs, node):
        raise SnippetError(f"{describe(node.func) if isinstance(node, ast.Call) else describe(node)} "
                           f"({shown(func)}) cannot be called", node)

    def arguments(self, call: ast.Call, frame: Frame) -> tuple[list, dict]:
        args: list = []
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                value = self.eval(arg.value, frame)
                if isinstance(value, Opaque):
                    raise SnippetError(f"*{describe(arg.value)} is not known without running the code ({value.what})",
                                       arg)
                args += self.items(value, arg)
            else:
                args.append(self.eval(arg, frame))
        kwargs: dict = {}
        for kw in call.keywords:
            value = self.eval(kw.value, frame)
            if kw.arg is not None:
                kwargs[kw.arg] = value
            elif isinstance(value, dict) and all(isinstance(k, str) for k in value):
                kwargs.update(value)
            elif isinstance(value, Opaque) and not self.in_own_code(call, frame):
                continue          # DataLoader(..., **kwargs) of unknown options: that call is passed over anyway
            else:
                raise SnippetError(f"keyword unpacking (**{describe(kw.value)}) of {shown(value)} is not supported", kw)
        return args, kwargs

    def in_own_code(self, call: ast.Call, frame: Frame) -> bool:
        """Whether `call` calls the snippet's own code or a layer (its arguments matter), not another library."""
        try:
            func = self.eval(call.func, frame)
        except SnippetError:
            return True
        return not isinstance(func, (External, Opaque)) or self.is_layer_name(func)

    def is_layer_name(self, func) -> bool:
        return False

    # ---- expressions


def _is_dataclass(cls: ClassValue) -> bool:
    return any(describe(d).split("(")[0].rpartition(".")[2] == "dataclass" for c in cls.mro() for d in c.node.decorator_list)
