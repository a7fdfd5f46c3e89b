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

from .common import SnippetError, describe, evaluating, given_note, refuse_unset_given, settable, step
from .builtins import call_method
from .calls import CallsMixin, _Break, _Continue, _Return
from .expressions import ExpressionMixin, _truth
from .values import ClassValue, External, Frame, Instance, Opaque


class Interpreter(CallsMixin, ExpressionMixin):
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
                if not self.one_pass(stmt.body, frame):
                    return
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
                if not self.one_pass(stmt.body, frame):
                    return
        self.block(stmt.orelse, frame)

    def one_pass(self, body, frame: Frame) -> bool:
        """One pass of a loop's body: False when it breaks out of the loop (its `else` is then skipped)."""
        try:
            self.block(body, frame)
        except _Break:
            return False
        except _Continue:
            pass
        return True

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
