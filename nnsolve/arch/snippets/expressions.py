"""The expressions of the snippet interpreter (interpreter.py): names, literals, attributes, subscripts,
comprehensions, f-strings and operators, each evaluated under the step budget and total — a value of the
wrong sort is a located SnippetError, never a Python exception. Mixed into Interpreter."""
from __future__ import annotations

import ast

from ...limits import MAX_SNIPPET_MAGNITUDE
from .builtins import BUILTINS, sized
from .common import SnippetError, _BINARY, _READING, _compare, _constant, charge, describe, evaluating, is_number, shown
from .values import Bound, ClassValue, External, Frame, Function, Instance, Opaque, Super


# the standard library's string constants a character model builds its vocabulary from
STRING_CONSTANTS = {name: getattr(__import__("string"), name) for name in
                    ("ascii_lowercase", "ascii_uppercase", "ascii_letters", "digits", "hexdigits", "octdigits",
                     "punctuation", "printable", "whitespace")}

class ExpressionMixin:
    def eval(self, node: ast.AST, frame: Frame):
        with evaluating(node):
            return self.value(node, frame)

    def value(self, node: ast.AST, frame: Frame):
        if isinstance(node, ast.Constant):
            return _constant(node)
        if isinstance(node, ast.Name):
            return self.name(node, frame)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            items = []
            for e in node.elts:
                if isinstance(e, ast.Starred):
                    items += self.items(self.eval(e.value, frame), e)
                else:
                    items.append(self.eval(e, frame))
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            out = {}
            for k, v in zip(node.keys, node.values):
                if k is None:
                    inner = self.eval(v, frame)
                    if not isinstance(inner, dict):
                        raise SnippetError(f"**{describe(v)} is not a dict", v)
                    out.update(inner)
                else:
                    out[_key(self.eval(k, frame), k)] = self.eval(v, frame)
            return out
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value, frame), node.attr, node)
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "super":
                return self.super_of(frame, node)
            func = self.eval(node.func, frame)
            args, kwargs = self.arguments(node, frame)
            return self.call(func, args, kwargs, node)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.eval(node.left, frame), self.eval(node.right, frame), node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, self.eval(node.operand, frame))
        if isinstance(node, ast.Compare):
            left = self.eval(node.left, frame)
            for op, right_node in zip(node.ops, node.comparators):
                right = self.eval(right_node, frame)
                if isinstance(op, (ast.Is, ast.IsNot)) and (right is None and self.never_none(left)
                                                            or left is None and self.never_none(right)):
                    if isinstance(op, ast.Is):       # `self.bias is not None` of weights the module holds
                        return False
                    left = right
                    continue
                if isinstance(left, Opaque) or isinstance(right, Opaque):
                    return left if isinstance(left, Opaque) else right
                if not self.compare(op, left, right, node):
                    return False
                left = right
            return True
        if isinstance(node, ast.BoolOp):
            for value_node in node.values[:-1]:
                value = self.eval(value_node, frame)
                if isinstance(value, Opaque) or _truth(value, value_node) == isinstance(node.op, ast.Or):
                    return value
            return self.eval(node.values[-1], frame)
        if isinstance(node, ast.IfExp):
            test = self.eval(node.test, frame)
            if isinstance(test, Opaque):
                return test
            return self.eval(node.body if _truth(test, node.test) else node.orelse, frame)
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value, frame), node.slice, frame, node)
        if isinstance(node, ast.Slice):
            return slice(*(None if part is None else self.eval(part, frame) for part in (node.lower, node.upper, node.step)))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            return self.comprehension(node, frame)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.formatted(v, frame) for v in node.values)
        if isinstance(node, ast.Lambda):
            body = ast.Return(node.body, lineno=node.lineno, col_offset=node.col_offset)
            fn = ast.FunctionDef("<lambda>", node.args, [body], [], None, lineno=node.lineno, col_offset=0)
            return self.define(fn, frame, None)
        if isinstance(node, ast.Starred):
            raise SnippetError(f"unsupported construct: {describe(node)}", node)
        raise SnippetError(f"unsupported construct: {describe(node)}", node)

    def super_of(self, frame: Frame, node) -> Super:
        function = frame.function
        if function is None or function.owner is None or not function.node.args.args:
            raise SnippetError("super() outside a method", node)
        return Super(frame.names.get(function.node.args.args[0].arg), function.owner)

    def name(self, node: ast.Name, frame: Frame):
        try:
            return frame.find(node.id)
        except KeyError:
            pass
        if node.id in BUILTINS:
            return BUILTINS[node.id]
        if node.id in self.IMPLICIT:
            return External(self.IMPLICIT[node.id])
        raise SnippetError(f"name '{node.id}' is not defined earlier in the snippet", node)

    def formatted(self, node: ast.AST, frame: Frame) -> str:
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.FormattedValue):
            value = self.eval(node.value, frame)
            if isinstance(value, Opaque):
                return "?"
            if not (is_number(value) or isinstance(value, (str, bool)) or value is None):
                raise SnippetError(f"f-string of {shown(value)} is not supported", node)
            return shown(value) if not isinstance(value, str) else value
        return str(self.eval(node, frame))

    def comprehension(self, node, frame: Frame):
        inner = Frame({}, frame)
        out: list = [] if not isinstance(node, ast.DictComp) else {}

        def loop(i: int):
            if i == len(node.generators):
                with evaluating(node):
                    if isinstance(node, ast.DictComp):
                        out[_key(self.eval(node.key, inner), node.key)] = self.eval(node.value, inner)
                    else:
                        out.append(self.eval(node.elt, inner))
                return
            gen = node.generators[i]
            iterable = self.eval(gen.iter, inner if i else frame)
            if isinstance(iterable, Opaque):          # sum(p.numel() for p in self.parameters()): unknown
                raise _Unknown(iterable)
            for item in self.items(iterable, gen.iter):
                with evaluating(gen.iter):
                    self.assign(gen.target, item, inner, gen.iter)
                    tests = [self.eval(t, inner) for t in gen.ifs]
                    if all(not isinstance(t, Opaque) and _truth(t, gen.iter) for t in tests):
                        loop(i + 1)
        try:
            loop(0)
        except _Unknown as unknown:
            self.note(node, f"skipped {describe(node)} (over what is not known without running the code)")
            return Opaque(f"{describe(node)} (line {node.lineno}), over {unknown.value.what}")
        return out

    def attribute(self, owner, name: str, node):
        if isinstance(owner, External):
            if owner.name == "string" and name in STRING_CONSTANTS:          # string.ascii_lowercase: a known text
                return STRING_CONSTANTS[name]
            if owner.name.split(".")[-1] in ("math", "numpy", "np", "torch") and name in ("pi", "e", "tau", "inf", "nan"):
                return Opaque(f"{owner.name}.{name} (a constant, no size)")     # math.sqrt(2 / math.pi) * x
            return External(f"{owner.name}.{name}")
        if isinstance(owner, Opaque):
            return Opaque(f"{describe(node)} (line {node.lineno})")
        if isinstance(owner, Instance):
            if name in owner.attributes:
                return owner.attributes[name]
            return self.class_attribute(owner.cls, owner, name, node)
        if isinstance(owner, ClassValue):
            return self.class_attribute(owner, None, name, node)
        if isinstance(owner, Super):
            try:
                value = owner.instance.cls.lookup(name, owner.after) if isinstance(owner.instance, Instance) else None
            except KeyError:
                value = None
            if isinstance(value, Function):
                return Bound(value, owner.instance)
            if name == "__init__":
                return _ExternalInit(owner.instance)
            return self.super_external(owner.instance, name, node)
        if isinstance(owner, dict) and name in ("items", "keys", "values", "get"):
            return _BoundBuiltin(owner, name)
        if isinstance(owner, list) and name in ("append", "extend", "insert", "pop", "index"):
            return _BoundBuiltin(owner, name)
        if isinstance(owner, str) and name in ("format", "join", "lower", "upper", "startswith", "endswith"):
            return _BoundBuiltin(owner, name)
        return self.attribute_other(owner, name, node)

    def class_attribute(self, cls: ClassValue, instance, name: str, node):
        try:
            value = cls.lookup(name)
        except KeyError:
            return self.missing_attribute(cls, instance, name, node)
        if isinstance(value, Function):
            if value.kind == "staticmethod":
                return value
            if value.kind == "classmethod":
                return Bound(value, cls)
            if value.kind == "property" and instance is not None:
                return self.call_function(value, instance, [], {}, node)
            return Bound(value, instance) if instance is not None else value
        return value

    def missing_attribute(self, cls: ClassValue, instance, name: str, node):
        if cls.external_bases():                 # inherited from the framework (self.modules(), self.log)
            return Opaque(f"{describe(node)} (line {node.lineno})")
        raise SnippetError(f"{cls.name} has no attribute '{name}'", node)

    def attribute_other(self, owner, name: str, node):
        raise SnippetError(f"{describe(node)}: {shown(owner)} has no attribute '{name}' the reader knows", node)

    def subscript(self, owner, index_node, frame: Frame, node):
        index = self.eval(index_node, frame)
        if isinstance(owner, Opaque) or isinstance(index, Opaque):
            return self.subscript_unknown(owner, index, node) if isinstance(owner, Opaque) \
                else Opaque(f"{describe(node)} (line {node.lineno})")
        if isinstance(owner, dict):
            key = _key(index, index_node)
            if key not in owner:
                raise SnippetError(f"{describe(node)}: no key {shown(key)}", node)
            return owner[key]
        if isinstance(owner, (list, tuple, str, range)):
            if isinstance(index, slice):
                if any(p is not None and not isinstance(p, int) for p in (index.start, index.stop, index.step)) \
                        or index.step == 0:
                    raise SnippetError(f"{describe(node)}: a slice of whole numbers", node)
                return sized(owner[index], node) if isinstance(owner, range) else owner[index]
            if isinstance(index, bool) or not isinstance(index, int):
                raise SnippetError(f"{describe(node)}: an index is a whole number, got {shown(index)}", node)
            if not -len(owner) <= index < len(owner):
                raise SnippetError(f"{describe(node)}: index {index} is out of range ({len(owner)} items)", node)
            return owner[index]
        return self.subscript_other(owner, index, index_node, node)

    def super_external(self, instance, name: str, node):
        """`super().forward` where the method is the library base class's: unknown (a reader may know it)."""
        return Opaque(f"{describe(node)} (line {node.lineno})")

    def subscript_unknown(self, owner: Opaque, index, node):
        """An unknown value indexed: unknown (a reader may know the part's shape)."""
        return owner

    def subscript_other(self, owner, index, index_node, node):
        if isinstance(owner, External):            # sys.argv[1], os.environ['DATA']: known only when run
            return Opaque(f"{describe(node)} (line {getattr(node, 'lineno', '?')})")
        raise SnippetError(f"{describe(node)}: {shown(owner)} cannot be indexed", node)

    def items(self, value, node) -> list:
        """The items a `for`, an unpacking or a star-argument goes through, each drawing on the budget
        (so range(10**12) is refused at the budget, not built)."""
        if isinstance(value, range):
            return list(sized(value, node))
        if isinstance(value, (list, tuple, str, dict)):
            charge(len(value), node)
            return list(value)
        other = self.items_other(value, node)
        if other is None:
            raise SnippetError(f"{describe(node)} ({shown(value)}) cannot be iterated", node)
        return other

    def items_other(self, value, node):
        return None

    def unary(self, node: ast.UnaryOp, operand):
        if isinstance(operand, Opaque):
            return operand
        if isinstance(node.op, ast.Not):
            return not _truth(operand, node)
        if not is_number(operand):
            raise SnippetError(f"arithmetic on {describe(node.operand)} (not a number: {shown(operand)}) is not "
                               "supported", node.operand)
        if isinstance(node.op, ast.USub):
            return -operand
        if isinstance(node.op, ast.UAdd):
            return operand
        raise SnippetError(f"unsupported construct: {describe(node)}", node)

    def binary(self, op: ast.operator, a, b, node):
        if isinstance(a, Opaque) or isinstance(b, Opaque):
            other = self.binary_other(op, a, b, node)
            return other if other is not None else (a if isinstance(a, Opaque) else b)
        if isinstance(op, ast.Add) and type(a) is type(b) and isinstance(a, (list, tuple, str)):
            return sized(a + b, node)
        if isinstance(op, ast.Mult) and (isinstance(a, (list, tuple, str)) and isinstance(b, int)
                                         or isinstance(b, (list, tuple, str)) and isinstance(a, int)) \
                and not isinstance(a, bool) and not isinstance(b, bool):
            seq, n = (a, b) if isinstance(b, int) else (b, a)
            if n > 0 and len(seq) * n > _READING.most_steps:
                raise SnippetError(f"{describe(node)} makes {len(seq) * n:,} items, far beyond a model", node)
            charge(max(len(seq) * n, 0), node)
            return seq * n
        if isinstance(op, ast.Mod) and isinstance(a, str):               # 'level_%d' % i
            items = b if isinstance(b, tuple) else (b,)
            if all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in items) and len(a) < 200 \
                    and all(len(str(v)) < 100 for v in items):
                try:
                    return a % b
                except (TypeError, ValueError, KeyError):
                    pass
            return Opaque(f"{describe(node)}")
        if not (is_number(a) and is_number(b)) or type(op) not in _BINARY:
            other = self.binary_other(op, a, b, node)
            if other is not None:
                return other
            bad, where = (a, node.left if isinstance(node, ast.BinOp) else node) if not is_number(a) else \
                (b, node.right if isinstance(node, ast.BinOp) else node)
            raise SnippetError(f"arithmetic on {describe(where)} (not a number: {shown(bad)}) is not supported", where)
        if b == 0 and isinstance(op, (ast.Div, ast.FloorDiv, ast.Mod)):
            raise SnippetError(f"division by zero in {describe(node)}", node)
        value = _BINARY[type(op)](a, b, node)
        if abs(value) > _READING.largest:
            raise SnippetError(f"{describe(node)} is far beyond any layer size {MAX_SNIPPET_MAGNITUDE.hint}", node)
        return value

    def external_has(self, module: External, name: str, node) -> bool | None:
        """hasattr(torch.nn.functional, 'scaled_dot_product_attention'): whether the library the reader
        knows has the name; None when it cannot tell."""
        return None

    def binary_other(self, op, a, b, node):
        return None

    def never_none(self, value) -> bool:
        """An unknown value known not to be None (a reader's tensor of known shape)."""
        return False

    def compare(self, op, left, right, node) -> bool:
        return _compare(op, left, right, node)


class _Unknown(Exception):
    """A comprehension over an unknown value: the comprehension is unknown."""

    def __init__(self, value: Opaque):
        self.value = value


class _ExternalInit:
    """`super().__init__` of a framework base class (nn.Module, nn.Sequential)."""

    def __init__(self, instance):
        self.instance = instance


class _BoundBuiltin:
    """A method of a list, dict or text: `layers.append(m)`, `d.items()`."""

    def __init__(self, owner, name: str):
        self.owner, self.name = owner, name


def _key(value, node):
    if isinstance(value, (list, dict, Opaque)):
        raise SnippetError(f"{describe(node)} ({shown(value)}) cannot be a key", node)
    return value


def _truth(value, node) -> bool:
    if isinstance(value, (bool, int, str, tuple, list, dict)) or value is None or is_number(value):
        return bool(value)
    return True
