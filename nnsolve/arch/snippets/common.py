"""What the Keras and PyTorch readers share: located errors, a tiny interpreter for the literal values a
snippet computes (`n = 64; Conv2D(2*n, 3)`), dotted call names, and binding a call's arguments to a
layer's parameter names.

Nothing here runs user code: the interpreter understands numbers, strings, booleans, None, tuples,
lists, + − * / // %, unary minus, comparisons, `and`/`or`/`not`, `a if c else b` and names bound
earlier to such values — anything else is refused with its line.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from ...problems.errors import Issue, ProblemError

MAX_MAGNITUDE = 10 ** 15      # no real layer size comes near; repeated `n = n * n` would exhaust memory
MAX_SNIPPET_CHARS = 200_000


@dataclass(frozen=True)
class SnippetIssue(Issue):
    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        return f"{at}{self.message}"


class SnippetError(Exception):
    """Raised inside the readers; `parse_snippet` turns it into a ProblemError with the source's name."""

    def __init__(self, message: str, node: ast.AST | int | None):
        self.message = message
        self.line = node if isinstance(node, int) or node is None else getattr(node, "lineno", None)
        super().__init__(message)


def problem(error: SnippetError, source: str | None) -> ProblemError:
    return ProblemError([SnippetIssue("", error.message, error.line)], source)


def parse_python(text: str) -> ast.Module:
    if len(text) > MAX_SNIPPET_CHARS:
        raise SnippetError(f"a snippet longer than {MAX_SNIPPET_CHARS} characters is not an exam snippet", None)
    try:
        return ast.parse(text)
    except SyntaxError as e:
        raise SnippetError(f"not valid Python: {e.msg}", e.lineno) from None


def dotted(node: ast.AST) -> str | None:
    """`tf.keras.layers.Conv2D` → "tf.keras.layers.Conv2D"; None for anything that is not a dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def describe(node: ast.AST) -> str:
    """How a message names a construct: its source-like text, shortened."""
    try:
        text = ast.unparse(node)
    except Exception:             # unparse of a hand-made node; the class name still says what it is
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "…"


_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
    ast.Div: lambda a, b: _exact(Fraction(a) / Fraction(b)),
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
}


def _exact(x: Fraction):
    # 64/2 is a layer size; an int keeps it one (Python would make it the float 32.0)
    return int(x) if x.denominator == 1 else x


def _number(value, node):
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise SnippetError(f"arithmetic on {describe(node)} (not a number) is not supported", node)
    return value


def literal(node: ast.AST, names: Callable[[ast.AST], Any]) -> Any:
    """The value of a literal expression. `names(node)` resolves a Name or attribute (`self.width`) —
    the readers decide which names exist — or raises SnippetError."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, float):
            # the typed text, not the binary float: 0.1 is 1/10 as everywhere in nnsolve
            return _exact(Fraction(ast.get_source_segment(_SOURCE.text, node) or repr(value))
                          if _SOURCE.text else Fraction(repr(value)))
        if value is None or isinstance(value, (bool, int, str)):
            return value
        raise SnippetError(f"the constant {describe(node)} is not supported", node)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [literal(e, names) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, (ast.Name, ast.Attribute)):
        return names(node)
    if isinstance(node, ast.UnaryOp):
        operand = literal(node.operand, names)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            value = _number(operand, node.operand)
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        a = _number(literal(node.left, names), node.left)
        b = _number(literal(node.right, names), node.right)
        if b == 0 and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            raise SnippetError(f"division by zero in {describe(node)}", node)
        value = _BINARY[type(node.op)](a, b)
        if abs(value) > MAX_MAGNITUDE:
            raise SnippetError(f"{describe(node)} is far beyond any layer size", node)
        return value
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = literal(node.left, names)
        for op, right_node in zip(node.ops, node.comparators):
            right = literal(right_node, names)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = (literal(v, names) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.IfExp):
        return literal(node.body if literal(node.test, names) else node.orelse, names)
    if isinstance(node, ast.Call):
        raise SnippetError(f"call to unknown function '{dotted(node.func) or describe(node.func)}'", node)
    raise SnippetError(f"unsupported construct: {describe(node)}", node)


class _Source:
    """The snippet text being read, so float literals keep their typed digits (one reader at a time)."""
    text: str | None = None


_SOURCE = _Source()


def set_source_text(text: str | None) -> None:
    _SOURCE.text = text


class Arguments:
    """A layer call's arguments bound to the layer's parameter names, read with typed getters whose
    errors name the layer, the argument and the line."""

    def __init__(self, layer: str, call: ast.Call, params: tuple[str, ...], ignored: Callable[[str], bool],
                 names: Callable[[ast.AST], Any]):
        self.layer, self.call, self.params = layer, call, params
        self.nodes: dict[str, ast.AST] = {}
        for arg in call.args:
            if isinstance(arg, ast.Starred):
                raise SnippetError(f"star-arguments (*{describe(arg.value)}) in {layer} are not supported", arg)
        if len(call.args) > len(params):
            raise SnippetError(f"{layer} takes at most {len(params)} positional arguments, got {len(call.args)}",
                               call)
        for name, node in zip(params, call.args):
            self.nodes[name] = node
        for kw in call.keywords:
            if kw.arg is None:
                raise SnippetError(f"keyword unpacking (**{describe(kw.value)}) in {layer} is not supported", kw)
            if ignored(kw.arg) and kw.arg not in params:
                continue          # initializers, regularizers, names: no effect on shapes or counts, never read
            if kw.arg not in params:
                raise SnippetError(f"unknown argument '{kw.arg}' to {layer}", kw.value)
            if kw.arg in self.nodes:
                raise SnippetError(f"{layer} got '{kw.arg}' twice", kw.value)
            self.nodes[kw.arg] = kw.value
        self.values = {name: literal(node, names) for name, node in self.nodes.items()}

    def has(self, name: str) -> bool:
        return name in self.values and self.values[name] is not None

    def node(self, name: str) -> ast.AST:
        return self.nodes.get(name, self.call)

    def fail(self, name: str, expected: str) -> SnippetError:
        return SnippetError(f"{self.layer} argument '{name}': expected {expected}, got {self.values.get(name)!r}",
                            self.node(name))

    def required(self, name: str):
        if not self.has(name):
            raise SnippetError(f"{self.layer} needs the argument '{name}'", self.call)
        return self.values[name]

    def int(self, name: str, default=None, minimum: int = 1) -> int:
        value = self.values[name] if self.has(name) else default
        if value is None:
            value = self.required(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"an integer ≥ {minimum}")
        return value

    def ints(self, name: str, axes: int, default=None, minimum: int = 1) -> tuple[int, ...]:
        """An int or a tuple of `axes` ints (kernel sizes, strides): always a tuple."""
        value = self.values.get(name) if self.has(name) else default
        if value is None:
            value = self.required(name)
        items = (value,) * axes if isinstance(value, int) and not isinstance(value, bool) else value
        if (not isinstance(items, (tuple, list)) or len(items) != axes
                or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in items)):
            raise self.fail(name, f"an integer ≥ {minimum} or {axes} of them")
        return tuple(items)

    def number(self, name: str, default) -> Any:
        value = self.values[name] if self.has(name) else default
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)) or value < 0:
            raise self.fail(name, "a non-negative number")
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.values[name] if self.has(name) else default
        if not isinstance(value, bool):
            raise self.fail(name, "True or False")
        return value

    def choice(self, name: str, default, choices) -> Any:
        value = self.values[name] if self.has(name) else default
        if isinstance(value, str):
            value = value.lower()
        if value not in choices:
            raise self.fail(name, "one of " + ", ".join(repr(c) for c in choices))
        return value


_INPUT_COMMENT = re.compile(r"#\s*input(?:[ _]shape)?\s*[:=]\s*\(?\s*(\d+(?:\s*[x×,*]\s*\d+)*)", re.IGNORECASE)


def input_shape_comment(text: str) -> tuple[int, ...] | None:
    """`# input: 3x224x224` (or `# input shape = (3, 32, 32)`) anywhere in the snippet."""
    match = _INPUT_COMMENT.search(text)
    if not match:
        return None
    return tuple(int(n) for n in re.split(r"\s*[x×,*]\s*", match.group(1)))


class Namer:
    """Unique layer names in the framework's style: `conv2d`, `conv2d_1`, … (Keras) or given names."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.taken: set[str] = set()

    def fresh(self, base: str) -> str:
        while True:
            n = self.counts.get(base, 0)
            self.counts[base] = n + 1
            name = base if n == 0 else f"{base}_{n}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def claim(self, name: str, node) -> str:
        if name in self.taken:
            raise SnippetError(f"two layers are named {name!r}", node)
        self.taken.add(name)
        return name
