"""What the Keras reader evaluates of a script around its layers: calls it knows inside an expression
(a layer built as an argument, len(…), K.image_data_format()) and the functions the script defines,
followed where they are called (def make_model(input_shape): … return keras.Model(…))."""

from __future__ import annotations

import ast
from copy import deepcopy
from dataclasses import dataclass

from .common import SnippetError, describe, dotted, literal, shown, step
from .keras_layers import LAYERS
from .values import Opaque

@dataclass(frozen=True)
class Function:
    """A function the snippet defines, run where it is called."""
    node: ast.FunctionDef


class Returned(Exception):
    """A function's `return`, carrying its value out of the statements it ends."""
    def __init__(self, value):
        super().__init__()
        self.value = value


MAX_CALL_DEPTH = 20          # nested calls of the snippet's functions (a recursive one is refused past it)


class ScriptCalls:
    """The KerasReader's evaluation of calls and functions (it has env, depth, expression, call,
    statement, class_name and name_value)."""
    def literal(self, node: ast.AST):
        """A value of the snippet: a literal expression whose inner known calls are evaluated first."""
        return literal(self.inner_calls_evaluated(node), self.name_value)

    def inner_calls_evaluated(self, node: ast.AST) -> ast.AST:
        """A copy of `node` with each call inside it that the reader knows — a layer built as an argument
        (Bidirectional(LSTM(64))), len(…), K.image_data_format() — replaced by a name bound to its value
        (names no Python code can spell, so they clash with nothing); other calls stay, to be refused where
        they are read. The outermost node itself stays: it is the call being read. A copy, as a function's
        body is read again at each call."""
        reader = self
        node = deepcopy(node)

        class Evaluate(ast.NodeTransformer):
            def visit_Call(self, inner: ast.Call):
                known = reader.class_name(inner.func) in LAYERS or dotted(inner.func) == "len" \
                    and "len" not in reader.env or _is_image_data_format(inner)
                if not known:
                    return self.generic_visit(inner)
                value = reader.length(inner) if dotted(inner.func) == "len" else reader.call(inner)
                name = f"<{describe(inner)} at line {inner.lineno}:{inner.col_offset}>"
                reader.env[name] = value
                return ast.copy_location(ast.Name(name, ast.Load()), inner)

        if isinstance(node, ast.Call):
            copy = ast.copy_location(ast.Call(node.func, [Evaluate().visit(a) for a in node.args],
                                              [ast.copy_location(ast.keyword(k.arg, Evaluate().visit(k.value)), k)
                                               for k in node.keywords]), node)
            return copy
        return Evaluate().visit(node)

    def length(self, call: ast.Call):
        """len(x): of a text, tuple or list the snippet gives; of the data (len(x_train)) unknown, refused
        only where a layer needs it."""
        if len(call.args) != 1 or call.keywords:
            raise SnippetError("len takes one argument", call)
        value = self.literal(call.args[0]) if not isinstance(call.args[0], ast.Call) else self.expression(call.args[0])
        if isinstance(value, Opaque):
            return Opaque(f"{describe(call)} (line {call.lineno})")
        if not isinstance(value, (str, tuple, list)):
            raise SnippetError(f"len of {shown(value)}: expected a text, tuple or list", call)
        return len(value)

    def loop(self, stmt: ast.For) -> None:
        """A loop that builds layers, over a range or a list the snippet gives: its body once per item.
        break, continue and else would change how often it runs: refused rather than guessed."""
        jumps = [n for n in ast.walk(stmt) if isinstance(n, (ast.Break, ast.Continue))]
        if stmt.orelse or jumps:
            raise SnippetError(f"a loop with {'else' if stmt.orelse else type(jumps[0]).__name__.lower()} "
                               "that builds layers is not followed", stmt)
        for item in self.loop_items(stmt.iter):
            step(stmt)
            self.unpack(stmt.target, item, stmt)
            for inner in stmt.body:
                self.statement(inner)

    def loop_items(self, node: ast.AST):
        if isinstance(node, ast.Call) and dotted(node.func) == "range" and "range" not in self.env:
            if node.keywords or not 1 <= len(node.args) <= 3:
                raise SnippetError("range takes one to three numbers", node)
            bounds = [self.literal(a) for a in node.args]
            if not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
                raise SnippetError(f"{describe(node)}: the loop's range is not known without running the code",
                                   node)
            if bounds[-1] == 0 and len(bounds) == 3:
                raise SnippetError("range step of zero", node)
            return range(*bounds)
        items = self.literal(node)
        if isinstance(items, (list, tuple, str)):
            return items
        raise SnippetError(f"the loop over {describe(node)} is not known without running the code", node)

    def argument(self, node: ast.AST):
        """A value passed to a function of the snippet; one of the data (x_train.shape[1:]) is unknown,
        refused where a layer needs it."""
        try:
            return self.expression(node)
        except SnippetError:
            if any(isinstance(n, ast.Name) and isinstance(self.env.get(n.id), Opaque) for n in ast.walk(node)):
                return Opaque(f"{describe(node)} (line {node.lineno})")
            raise

    def run_function(self, func: ast.FunctionDef, call: ast.Call):
        """make_model(input_shape=x_train.shape[1:]): its statements run with its parameters bound, in a
        scope of its own over the snippet's names; the value of its `return`."""
        spec = func.args
        if spec.vararg or spec.kwarg or spec.posonlyargs or spec.kwonlyargs:
            raise SnippetError(f"calling {func.name}: only plain parameters are followed (no *args, **kwargs "
                               "or keyword-only ones)", call)
        if self.depth >= MAX_CALL_DEPTH:
            raise SnippetError(f"calling {func.name}: functions nest more than {MAX_CALL_DEPTH} deep", call)
        names = [a.arg for a in spec.args]
        if any(isinstance(a, ast.Starred) for a in call.args) or any(kw.arg is None for kw in call.keywords):
            raise SnippetError(f"calling {func.name}: star-arguments are not followed", call)
        if len(call.args) > len(names):
            raise SnippetError(f"{func.name} takes {len(names)} arguments, got {len(call.args)}", call)
        bound = {name: self.argument(node) for name, node in zip(names, call.args)}
        for kw in call.keywords:
            if kw.arg not in names:
                raise SnippetError(f"{func.name} has no parameter '{kw.arg}'", kw.value)
            if kw.arg in bound:
                raise SnippetError(f"{func.name} got '{kw.arg}' twice", kw.value)
            bound[kw.arg] = self.argument(kw.value)
        defaults = dict(zip(names[len(names) - len(spec.defaults):], spec.defaults))
        for name in names:
            if name not in bound:
                if name not in defaults:
                    raise SnippetError(f"{func.name} is called without its argument '{name}'", call)
                bound[name] = self.argument(defaults[name])
        outer = self.env
        self.env, self.depth = {**outer, **bound}, self.depth + 1
        try:
            for stmt in func.body:
                self.statement(stmt)
            return None
        except Returned as returned:
            return returned.value
        finally:
            # the function's own names end with it; what it built (the layers, the model) stays
            self.env, self.depth = outer, self.depth - 1


def _is_image_data_format(call: ast.Call) -> bool:
    """K.image_data_format(), keras.backend.image_data_format() (not a function the snippet defines)."""
    name = dotted(call.func) or ""
    prefix, _, last = name.rpartition(".")
    return last == "image_data_format" and prefix.rpartition(".")[2] in ("K", "backend", "config") \
        and not call.args and not call.keywords
