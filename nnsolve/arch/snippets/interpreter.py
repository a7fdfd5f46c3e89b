"""An abstract interpreter of the Python that model files use: statements, expressions, functions,
classes, loops and comprehensions, evaluated on the syntax tree (`ast`) — nothing is imported or run.

It evaluates what builds a model (sizes, lists, loops over ranges and lists, calls of the snippet's own
functions and methods, classes and their inheritance) and passes over what does not (prints, device
moves, data loading, optimizers, training loops, `if __name__ == "__main__":`), each with a one-line
note. What it cannot know without running the code is an Opaque value: fine where the model does not
need it, refused with its line where a layer does. Every statement and expression draws on the step
budget (MAX_SNIPPET_STEPS) and nests within MAX_SNIPPET_NESTING, so a runaway loop or recursion is a
located refusal; a list is never built past the budget's size. A framework reader (pytorch.py)
subclasses it and gives meaning to the framework's names (External) and its own values.
"""
from __future__ import annotations

import ast

from .common import SnippetError, describe, evaluating, given_note, refuse_unset_given, settable, shown, step
from .builtins import BUILTINS, call_method
from .expressions import ExpressionMixin, _BoundBuiltin, _ExternalInit, _truth
from .values import Bound, ClassValue, External, Frame, Function, Instance, Opaque


class _Return(Exception):
    def __init__(self, value):
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Interpreter(ExpressionMixin):
    # names a snippet often uses without importing them: what they stand for
    IMPLICIT: dict[str, str] = {}

    def __init__(self, tree: ast.Module, given: dict | None = None):
        self.tree = tree
        self.globals = Frame({"__name__": Opaque("__name__ (the module's name when run)")})
        self.notes: list[str] = []           # what the reading passed over (a print, a training loop)
        self.assumed: list[str] = []         # what it took or decided where the file leaves it open
        # values the user gives for names the file's top level sets from its data (--set num_classes=10)
        self.given = dict(given or {})

    def note(self, node, text: str, into: list | None = None) -> None:
        line = node if isinstance(node, int) else getattr(node, "lineno", None)
        entry = f"line {line}: {text}" if line else text
        into = self.notes if into is None else into
        if entry not in into and len(into) < 200:
            into.append(entry)

    def assume(self, node, text: str) -> None:
        """A choice the numbers depend on, where the file leaves it open (the model, its input, a --set
        value, an argparse default): said apart from what was passed over."""
        self.note(node, text, self.assumed)

    # ---- statements
    def run_module(self) -> None:
        refuse_unset_given(self.tree, self.given)
        self.block(self.tree.body, self.globals)

    def given_value(self, name: str, value, stmt):
        """The value --set gives `name` where the top level sets it (it wins over what the file computes,
        known or not), stated in a note."""
        self.assume(stmt, given_note(name, self.given[name], stmt))
        return self.given[name]

    def block(self, body, frame: Frame) -> None:
        for stmt in body:
            step(stmt)
            self.statement(stmt, frame)

    def statement(self, stmt: ast.stmt, frame: Frame) -> None:
        if isinstance(stmt, ast.Expr):
            if isinstance(stmt.value, ast.Constant):
                return                                           # a docstring
            value = self.eval(stmt.value, frame)
            self.expression_statement(stmt, value)
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value, frame)
            for target in stmt.targets:
                self.assign(target, value, frame, stmt)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval(stmt.value, frame), frame, stmt)
        elif isinstance(stmt, ast.AugAssign):
            current, more = self.eval(_as_load(stmt.target), frame), self.eval(stmt.value, frame)
            if isinstance(current, list) and isinstance(stmt.op, ast.Add) and isinstance(more, (list, tuple)):
                call_method(current, "extend", [more], {}, stmt)      # Python's in-place `layers += [...]`
                return
            self.assign(stmt.target, self.binary(stmt.op, current, more, stmt), frame, stmt)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.imports(stmt, frame)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            frame.names[stmt.name] = self.define(stmt, frame, None)
        elif isinstance(stmt, ast.ClassDef):
            frame.names[stmt.name] = self.define_class(stmt, frame)
        elif isinstance(stmt, ast.If):
            test = self.eval(stmt.test, frame)
            if isinstance(test, Opaque):
                self.unknown_branch(stmt, frame, test)
            else:
                self.block(stmt.body if _truth(test, stmt.test) else stmt.orelse, frame)
        elif isinstance(stmt, ast.For):
            self.for_loop(stmt, frame)
        elif isinstance(stmt, ast.While):
            self.while_loop(stmt, frame)
        elif isinstance(stmt, ast.Return):
            raise _Return(None if stmt.value is None else self.eval(stmt.value, frame))
        elif isinstance(stmt, ast.Break):
            raise _Break()
        elif isinstance(stmt, ast.Continue):
            raise _Continue()
        elif isinstance(stmt, (ast.Pass, ast.Global, ast.Nonlocal, ast.Assert, ast.Delete)):
            return                                   # an assert checks what PyTorch would check when run
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.eval(item.context_expr, frame)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, Opaque(describe(item.context_expr)), frame, stmt)
            self.block(stmt.body, frame)
        elif isinstance(stmt, ast.Try):
            self.block(stmt.body, frame)
            self.block(stmt.orelse, frame)
            self.block(stmt.finalbody, frame)
        elif isinstance(stmt, ast.Raise):
            raise SnippetError(f"the snippet raises an error here: {describe(stmt)}", stmt)
        else:
            raise SnippetError(f"unsupported statement: {describe(stmt).splitlines()[0]}", stmt)

    def expression_statement(self, stmt: ast.Expr, value) -> None:
        """A call made for its effect: nothing to keep."""

    def unknown_branch(self, stmt: ast.If, frame: Frame, test: Opaque) -> None:
        """`if torch.cuda.is_available():`, `if __name__ == "__main__":` — passed over; a name either
        branch binds is unknown after it."""
        self.note(stmt, f"skipped `if {describe(stmt.test)}:` (not known without running the code)")
        self.unknown_after(stmt.body + stmt.orelse, frame, f"under `if {describe(stmt.test)}`", stmt)

    def unknown_after(self, body, frame: Frame, why: str, stmt) -> None:
        """The names a skipped block binds (or changes: `total += labels.size(0)`) are unknown after it."""
        for node in ast.walk(ast.Module(list(body), [])):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                frame.names[node.id] = self.given_value(node.id, None, stmt) \
                    if frame is self.globals and node.id in self.given else \
                    settable(node.id, Opaque(f"{node.id}, set {why} (line {stmt.lineno})")) \
                    if frame is self.globals else Opaque(f"{node.id}, set {why} (line {stmt.lineno})")

    def for_loop(self, stmt: ast.For, frame: Frame, iterable=None) -> None:
        """`iterable`: the loop's iterable when a reader has evaluated it already (evaluated once: it may
        build layers, as x.split(1, dim=1) in a forward does)."""
        iterable = self.eval(stmt.iter, frame) if iterable is None else iterable
        if isinstance(iterable, Opaque):
            self.note(stmt, f"skipped the loop `for {describe(stmt.target)} in {describe(stmt.iter)}:` "
                            "(over what is not known without running the code)")
            self.unknown_after(stmt.body + stmt.orelse, frame,
                               f"in the loop over {describe(stmt.iter)}", stmt)
            for node in ast.walk(stmt.target):
                if isinstance(node, ast.Name):
                    frame.names[node.id] = Opaque(f"{node.id}, the loop variable of line {stmt.lineno}")
            return
        for item in self.items(iterable, stmt.iter):
            with evaluating(stmt):
                self.assign(stmt.target, item, frame, stmt)
                try:
                    self.block(stmt.body, frame)
                except _Break:
                    return
                except _Continue:
                    continue
        self.block(stmt.orelse, frame)

    def while_loop(self, stmt: ast.While, frame: Frame) -> None:
        while True:
            with evaluating(stmt):
                test = self.eval(stmt.test, frame)
                if isinstance(test, Opaque):
                    self.note(stmt, f"skipped the loop `while {describe(stmt.test)}:`")
                    self.unknown_after(stmt.body + stmt.orelse, frame, f"in the loop `while {describe(stmt.test)}`",
                                       stmt)
                    return
                if not _truth(test, stmt.test):
                    break
                try:
                    self.block(stmt.body, frame)
                except _Break:
                    return
                except _Continue:
                    continue
        self.block(stmt.orelse, frame)

    def imports(self, stmt, frame: Frame) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    frame.names[alias.asname] = External(alias.name)
                else:
                    root = alias.name.split(".")[0]
                    frame.names[root] = External(root)
            return
        module = ("." * stmt.level) + (stmt.module or "")
        for alias in stmt.names:
            if alias.name != "*":
                frame.names[alias.asname or alias.name] = External(f"{module}.{alias.name}")

    def assign(self, target: ast.AST, value, frame: Frame, stmt) -> None:
        if isinstance(target, ast.Name):
            if frame is self.globals and target.id in self.given:
                value = self.given_value(target.id, value, stmt)
            elif frame is self.globals and isinstance(value, Opaque):
                value = settable(target.id, value)
            frame.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if isinstance(value, Opaque):
                items = [value] * len(target.elts)
            else:
                items = self.items(value, stmt)
                if starred:
                    i = starred[0]
                    after = len(target.elts) - i - 1
                    if len(items) < len(target.elts) - 1:
                        raise SnippetError(f"cannot unpack {len(items)} values into {describe(target)}", stmt)
                    items = items[:i] + [list(items[i:len(items) - after])] + items[len(items) - after:]
                elif len(items) != len(target.elts):
                    raise SnippetError(f"cannot unpack {len(items)} value{'s' if len(items) != 1 else ''} into "
                                       f"{len(target.elts)} names ({describe(target)})", stmt)
            for sub, item in zip(target.elts, items):
                self.assign(sub.value if isinstance(sub, ast.Starred) else sub, item, frame, stmt)
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value, frame)
            self.set_attribute(owner, target.attr, value, stmt)
        elif isinstance(target, ast.Subscript):
            owner = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            if isinstance(owner, dict) and not isinstance(key, (list, dict, Opaque)):
                owner[key] = value
            elif isinstance(owner, list) and isinstance(key, int) and -len(owner) <= key < len(owner):
                owner[key] = value
            elif isinstance(owner, Opaque):
                pass
            else:
                raise SnippetError(f"unsupported assignment to {describe(target)}", stmt)
        else:
            raise SnippetError(f"unsupported assignment target {describe(target)}", stmt)

    def set_attribute(self, owner, name: str, value, stmt) -> None:
        if isinstance(owner, Instance):
            owner.attributes[name] = value
        elif isinstance(owner, ClassValue):
            owner.namespace[name] = value
        elif not isinstance(owner, Opaque):
            self.note(stmt, f"skipped setting {describe(stmt).splitlines()[0]}")

    # ---- definitions
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


def _as_load(target: ast.AST) -> ast.AST:
    """The target of `x += 1` read as a value."""
    if isinstance(target, ast.Name):
        node = ast.Name(target.id, ast.Load())
    elif isinstance(target, ast.Attribute):
        node = ast.Attribute(target.value, target.attr, ast.Load())
    elif isinstance(target, ast.Subscript):
        node = ast.Subscript(target.value, target.slice, ast.Load())
    else:
        raise SnippetError(f"unsupported assignment target {describe(target)}", target)
    return ast.copy_location(node, target)
