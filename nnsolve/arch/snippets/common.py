"""What the Keras and PyTorch readers share: located errors, the evaluation budget, Python's arithmetic
and comparisons made total and exact (a value of the wrong sort, `'a' < 1`, is a SnippetError at its line,
never a Python exception), dotted call names, and binding a layer call's arguments (arguments.py).

Classes build each other, loops run and a parameter-free module can be reused, so the work of reading a
snippet is not bounded by its length: every evaluation draws on a budget (MAX_SNIPPET_STEPS) and nesting
is bounded (MAX_SNIPPET_NESTING), each refusal naming the line it was reached at.
"""
from __future__ import annotations

import ast
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

from ...limits import MAX_LAYERS, MAX_SNIPPET_MAGNITUDE, MAX_SNIPPET_NESTING, MAX_SNIPPET_STEPS
from ...problems.errors import Issue, ProblemError


@dataclass(frozen=True)
class SnippetIssue(Issue):
    def __str__(self) -> str:
        at = f"line {self.line}: " if self.line else f"{self.path}: " if self.path else ""
        return f"{at}{self.message}"


class SnippetError(Exception):
    """Raised inside the readers; `parse_snippet` turns it into a ProblemError with the source's name."""

    def __init__(self, message: str, node: ast.AST | int | None, path: str = ""):
        self.message = message
        self.line = node if isinstance(node, int) or node is None else getattr(node, "lineno", None)
        self.path = path              # "--model": a mistake in the chosen model's expression, not in the file
        super().__init__(message)


def problem(error: SnippetError, source: str | None) -> ProblemError:
    return ProblemError([SnippetIssue(error.path, error.message, error.line)], source)


class Reading:
    """The snippet being read (one reader at a time): its text, so float literals keep their typed digits,
    the evaluation steps taken, how deep the evaluation nests, and the last line it reached (where an
    error without a node of its own is reported); and its limits, read once per snippet by `reading` (no
    real layer size comes near MAX_SNIPPET_MAGNITUDE, and a repeated `n = n * n` would exhaust memory)."""

    def __init__(self, text: str | None = None, read=lambda limit: limit.default):
        self.text, self.steps, self.depth, self.line = text, 0, 0, None
        self.most_steps, self.deepest = read(MAX_SNIPPET_STEPS), read(MAX_SNIPPET_NESTING)
        self.largest = read(MAX_SNIPPET_MAGNITUDE)
        self.lines: list[bytes] | None = None
        self.most_layers = read(MAX_LAYERS)

    def segment(self, node: ast.AST) -> str | None:
        """The typed text of a one-line node (ast.get_source_segment splits the whole text at each call)."""
        if getattr(node, "lineno", None) is None:        # a node of the --model expression: its repr
            return None
        if self.text is None or getattr(node, "end_lineno", None) != getattr(node, "lineno", 0):
            return ast.get_source_segment(self.text, node) if self.text else None
        if self.lines is None:
            self.lines = [line.encode() for line in self.text.splitlines(keepends=True)]
        if not 1 <= node.lineno <= len(self.lines):
            return None
        return self.lines[node.lineno - 1][node.col_offset:node.end_col_offset].decode(errors="replace")


_READING = Reading()


@contextmanager
def reading(text: str):
    """Read `text`: a fresh budget for its evaluation."""
    global _READING
    outer, _READING = _READING, Reading(text, lambda limit: limit.value)
    try:
        yield _READING
    finally:
        _READING = outer


class evaluating:
    """One evaluation step at `node`, nested inside the ones in progress; SnippetError at `node`'s line
    past MAX_SNIPPET_STEPS steps or MAX_SNIPPET_NESTING levels. (A class, not a generator-based context
    manager: it is entered at every expression, and this is three times faster.)"""

    __slots__ = ("reading",)

    def __init__(self, node: ast.AST):
        r = self.reading = _READING
        r.steps += 1
        r.line = getattr(node, "lineno", None) or r.line
        if r.steps > r.most_steps:
            raise SnippetError(f"reading the snippet takes more than {r.most_steps:,} evaluation steps: modules "
                               f"that build each other over and over, or a loop far beyond an exam's model "
                               f"{MAX_SNIPPET_STEPS.hint}", node)
        if r.depth >= r.deepest:
            raise SnippetError(f"the snippet nests too deeply: more than {r.deepest} expressions, calls or modules "
                               f"inside each other {MAX_SNIPPET_NESTING.hint}", node)

    def __enter__(self):
        self.reading.depth += 1

    def __exit__(self, *exc):
        self.reading.depth -= 1
        return False


def charge(count: int, node: ast.AST) -> None:
    """`count` evaluation steps at once: the items a list, a range or a text is built or gone through with,
    so that building many large lists is bounded like a loop is."""
    r = _READING
    r.steps += count
    if r.steps > r.most_steps:
        raise SnippetError(f"reading the snippet takes more than {r.most_steps:,} evaluation steps: lists far "
                           f"beyond an exam's model {MAX_SNIPPET_STEPS.hint}", node)


def step(node: ast.AST) -> None:
    """One evaluation step at `node` that nests nothing (a statement): SnippetError past MAX_SNIPPET_STEPS."""
    r = _READING
    r.steps += 1
    r.line = getattr(node, "lineno", None) or r.line
    if r.steps > r.most_steps:
        raise SnippetError(f"reading the snippet takes more than {r.most_steps:,} evaluation steps: modules that "
                           f"build each other over and over, or a loop far beyond an exam's model "
                           f"{MAX_SNIPPET_STEPS.hint}", node)


def shape_so_far(layers: list, layer: str, layout: str, framework: str) -> tuple | None:
    """The shape (without the batch axis) the summary's own analysis gives `layer`, from the layers a reader has
    built so far (a forward's `x.size()`, a Keras tensor's `x.shape` while the model is built); None where that
    is not sure: no input of known shape yet, a layer that cannot be analysed yet, or a batch axis moved before it."""
    from ..analyze import layer_reports
    from ..conventions import Conventions
    from ..ir import Architecture
    from ..rules import ArchitectureError
    from ..settings import SettingError
    inputs = [one for one in layers if one.kind == "input"]
    if not inputs or any(None in tuple(one.get("shape") or (None,)) for one in inputs):
        return None
    try:
        architecture = Architecture("model", tuple(inputs[0].get("shape")), layout, list(layers), framework=framework)
        for report in layer_reports(architecture, Conventions.for_framework(framework)):
            if report.effect.batch_axis not in (None, 0):
                return None
            if report.name == layer:
                return tuple(report.shape)
    except (ArchitectureError, SettingError, TypeError, ValueError):
        return None
    return None


def given_note(name: str, value, stmt: ast.stmt) -> str:
    """The note for a value --set gives a name the file's top level sets (from its data, under an `if`
    that is known only when run)."""
    how = f"from {describe(stmt.value)}" if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) \
        and stmt.value is not None else f"under `{describe(stmt).splitlines()[0]}`"
    return f"{name} = {shown(value)}, given with --set (the file sets it {how})"


def settable(name: str, value):
    """An unknown value the file's top level binds to `name`: its refusal says how to give it."""
    import dataclasses
    hint = f"; give it with --set {name}=…"
    return value if value.what.endswith(hint) else dataclasses.replace(value, what=value.what + hint)


def refuse_unset_given(tree: ast.Module, given: dict) -> None:
    """Each name --set gives must be one the file's top level sets (not a function's or a class's own)."""
    top: set = set()
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            top.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    for name in given:
        if name not in top:
            raise SnippetError(f"the file's top level sets no name {name!r} (--set gives a value to a name the "
                               "file sets from what is known only when run)", None, "--set")


def budget_spent() -> bool:
    """Whether the reading has used up its evaluation steps (a refusal to pass on, not to try past)."""
    return _READING.steps > _READING.most_steps


def last_line() -> int | None:
    """The line the evaluation last reached: where a RecursionError is reported."""
    return _READING.line


def model_in_function(tree: ast.Module, builders: tuple[str, ...]) -> ast.FunctionDef | None:
    """The first top-level function that calls one of `builders` (Sequential, Model): where a model the
    top level never builds is made."""
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and any(
                isinstance(n, ast.Call) and (dotted(n.func) or "").rpartition(".")[2] in builders for n in ast.walk(stmt)):
            return stmt
    return None


def shortened(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:12]}…({len(text)} characters)"


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
    except Exception:             # a hand-made node, or one nested too deeply to print: its class says what it is
        text = type(node).__name__
    return text if len(text) <= 60 else text[:57] + "…"


def shown(value) -> str:
    """A value as a message shows it: 5/2 as 2.5, a tuple of them likewise, text quoted."""
    if isinstance(value, Fraction):
        return _decimal(value)
    if isinstance(value, (tuple, list)):
        inner = ", ".join(shown(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    return type(value).__name__.lower()          # a layer, a tensor: its sort, not its fields


def _decimal(x: Fraction) -> str:
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    digits = 0
    while (x * 10 ** digits).denominator != 1:
        digits += 1
    return f"{float(x):.{digits}f}" if abs(x) < 10 ** 15 else str(x)


def is_number(value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def _power(a, b, node):
    if not isinstance(b, int) or abs(b) > 64:
        raise SnippetError(f"{describe(node)}: only whole exponents up to 64 are supported", node)
    if a == 0 and b < 0:
        raise SnippetError(f"division by zero in {describe(node)}", node)
    if abs(a) > 1 and abs(b) * max(abs(a).numerator.bit_length(), abs(a).denominator.bit_length()) > 64:
        raise SnippetError(f"{describe(node)} is far beyond any layer size", node)
    return _exact(Fraction(a) ** b)


def _bits(op):
    """<<, >>, &, |, ^ on whole numbers (`1 << 16`); a shift past 64 places is far beyond any layer size."""
    def run(a, b, node):
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (a, b)):
            raise SnippetError(f"{describe(node)}: bit operations take whole numbers", node)
        if op in ("<<", ">>") and not 0 <= b <= 64:
            raise SnippetError(f"{describe(node)}: a shift of 0 to 64 places, got {b}", node)
        return {"<<": a << b if op == "<<" else 0, ">>": a >> b if op == ">>" else 0, "&": a & b, "|": a | b,
                "^": a ^ b}[op]
    return run


_BINARY: dict[type, Callable[[Any, Any, ast.AST], Any]] = {
    ast.LShift: _bits("<<"), ast.RShift: _bits(">>"), ast.BitAnd: _bits("&"), ast.BitOr: _bits("|"),
    ast.BitXor: _bits("^"),
    ast.Add: lambda a, b, n: a + b, ast.Sub: lambda a, b, n: a - b, ast.Mult: lambda a, b, n: a * b,
    ast.FloorDiv: lambda a, b, n: a // b, ast.Mod: lambda a, b, n: a % b,
    ast.Div: lambda a, b, n: _true_division(a, b), ast.Pow: _power,
}
_ORDER: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.In: "in", ast.NotIn: "not in"}


class Quotient(int):
    """A whole number that Python holds as a float: 64 / 2 is 32.0. It counts as 32 everywhere, but a
    PyTorch layer size given as one is refused, as PyTorch refuses it (torch.empty takes ints only)."""

    def __repr__(self) -> str:
        return f"{int(self)}.0"

    __str__ = __repr__


def _exact(x: Fraction):
    # 64/2 is a layer size; an int keeps it one (Python would make it the float 32.0), marked a Quotient
    return x if x.denominator != 1 else int(x)


def _true_division(a, b):
    x = _exact(Fraction(a) / Fraction(b))
    return Quotient(x) if isinstance(x, int) else x


def _compare(op: ast.cmpop, left, right, node: ast.AST) -> bool:
    """One comparison, defined for every pair of values: == and != for any two, < ≤ > ≥ between two
    numbers or two texts, `is` against None/True/False, `in` a tuple, list or text."""
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return (left == right) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.Is, ast.IsNot)):
        if not (right is None or isinstance(right, bool)):
            raise SnippetError(f"{describe(node)}: `is` compares with None, True or False only", node)
        return (left is right) == isinstance(op, ast.Is)
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(right, str) and isinstance(left, str) or isinstance(right, (tuple, list)):
            return (left in right) == isinstance(op, ast.In)
    elif type(op) in _ORDER and (is_number(left) and is_number(right) or
                                 isinstance(left, str) and isinstance(right, str)):
        return _ORDER[type(op)](left, right)
    if isinstance(op, (ast.In, ast.NotIn)):
        raise SnippetError(f"{describe(node)}: `in` looks in a tuple, a list or a text, not in {shown(right)}", node)
    raise SnippetError(f"{describe(node)}: cannot order {shown(left)} and {shown(right)} "
                       f"({_SYMBOL.get(type(op), '?')} compares two numbers or two texts)", node)


def _constant(node: ast.Constant):
    value = node.value
    if isinstance(value, float):
        # the typed text, not the binary float: 0.1 is 1/10 as everywhere in nnsolve (its size was checked
        # when the snippet was parsed, so the fraction is small)
        text = _READING.segment(node)
        try:
            return _exact(Fraction(text.replace("_", "")))
        except (AttributeError, ValueError):         # no text (a hand-made node), or one Fraction does not read
            return _exact(Fraction(repr(value)))
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _READING.largest:
            raise SnippetError(f"the number {shortened(str(value))} is far beyond any layer size "
                               f"{MAX_SNIPPET_MAGNITUDE.hint}", node)
        return value
    raise SnippetError(f"the constant {describe(node)} is not supported", node)


def check_layer_count(count: int, node) -> None:
    """SnippetError at `node` once a snippet's architecture passes MAX_LAYERS layers."""
    from ..ir import too_many_layers
    if count > _READING.most_layers:
        raise SnippetError(too_many_layers(f"more than {MAX_LAYERS.shown}"), node)


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


# the layer tables (keras_layers.py, torch_modules.py) read a call's arguments with these, from here
from .arguments import Arguments, layer_settings  # noqa: E402  (arguments.py reads this module's helpers)

__all__ = ["Arguments", "layer_settings"]
