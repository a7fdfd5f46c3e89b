"""Python's built-in functions and the methods of lists, dicts and texts, as the snippet interpreter
evaluates them: on known values exactly, on unknown ones (Opaque) unknown — and never building a list
past the step budget (range(10**12) is refused, not built)."""
from __future__ import annotations

from fractions import Fraction

from .common import _READING, SnippetError, _exact, charge, describe, is_number, shown
from .values import ClassValue, External, Instance, Opaque


def _room(owner: list, more: int, node) -> None:
    """`owner` may grow by `more` items (measured, not copied: appending in a loop stays linear)."""
    charge(more, node)
    if len(owner) + more > _READING.most_steps:
        raise SnippetError(f"{describe(node)}: a list of more than {_READING.most_steps:,} items, far beyond a model "
                           "(raise it with NNSOLVE_MAX_SNIPPET_STEPS)", node)


def sized(value, node):
    """`value` (a range, a list) if it has at most as many items as the step budget allows."""
    if len(value) > _READING.most_steps:
        raise SnippetError(f"{describe(node)} has {len(value):,} items: more than the {_READING.most_steps:,} "
                           "evaluation steps a snippet may take (raise it with NNSOLVE_MAX_SNIPPET_STEPS)", node)
    charge(len(value), node)
    return value


def _opaque(args, kwargs):
    return next((v for v in list(args) + list(kwargs.values()) if isinstance(v, Opaque)), None)


def _whole(value, node, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SnippetError(f"{describe(node)}: {what} takes whole numbers, got {shown(value)}", node)
    return value


def _range(interp, args, kwargs, node):
    if _opaque(args, kwargs):
        return _opaque(args, kwargs)
    if not 1 <= len(args) <= 3 or kwargs:
        raise SnippetError(f"{describe(node)}: range takes 1 to 3 whole numbers", node)
    parts = [_whole(a, node, "range") for a in args]
    if len(parts) == 3 and parts[2] == 0:
        raise SnippetError(f"{describe(node)}: range's step cannot be 0", node)
    return range(*parts)


def _len(interp, args, kwargs, node):
    if len(args) != 1:
        raise SnippetError(f"{describe(node)}: len takes one value", node)
    value = args[0]
    if isinstance(value, (list, tuple, str, dict, range)):
        return len(value)
    items = interp.items_other(value, node) if not isinstance(value, Opaque) else None
    if items is not None:
        return len(items)
    return Opaque(f"{describe(node)} (line {node.lineno})")


def _zip(interp, args, kwargs, node):
    if _opaque(args, {}):
        return _opaque(args, {})
    lists = [interp.items(a, node) for a in args]
    return [tuple(row) for row in zip(*lists)]


def _enumerate(interp, args, kwargs, node):
    if args and isinstance(args[0], Opaque):
        return args[0]
    start = args[1] if len(args) > 1 else kwargs.get("start", 0)
    return [(start + i, v) for i, v in enumerate(interp.items(args[0], node))] if args else []


def _numbers(interp, args, node, what):
    items = interp.items(args[0], node) if len(args) == 1 else list(args)
    if any(isinstance(v, Opaque) for v in items):
        return None
    if not items or not all(is_number(v) for v in items):
        raise SnippetError(f"{describe(node)}: {what} of numbers, got {shown(items)}", node)
    return items


def _extreme(pick):
    def run(interp, args, kwargs, node):
        if args and isinstance(args[0], Opaque) or _opaque(args, {}):
            return _opaque(args, {}) or args[0]
        items = _numbers(interp, args, node, pick.__name__)
        return items and pick(items)
    return run


def _sum(interp, args, kwargs, node):
    if not args or isinstance(args[0], Opaque):
        return args[0] if args else 0
    items = _numbers(interp, args[:1], node, "sum")
    if items is None:
        return Opaque(describe(node))
    return sum(items, args[1] if len(args) > 1 else 0)


def _int(interp, args, kwargs, node):
    if not args:
        return 0
    value = args[0]
    if isinstance(value, Opaque):
        return value
    if is_number(value) or isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and len(value) < 20:
        return int(value)
    raise SnippetError(f"{describe(node)}: int of {shown(value)} is not supported", node)


def _float(interp, args, kwargs, node):
    value = args[0] if args else 0
    if isinstance(value, Opaque) or is_number(value):
        return value
    if isinstance(value, str) and value.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return Opaque(f"{describe(node)} (no size)")         # a mask's fill value, never a layer's size
    raise SnippetError(f"{describe(node)}: float of {shown(value)} is not supported", node)


def _abs(interp, args, kwargs, node):
    value = args[0] if args else None
    if isinstance(value, Opaque):
        return value
    if not is_number(value):
        raise SnippetError(f"{describe(node)}: abs of {shown(value)}", node)
    return abs(value)


def _round(interp, args, kwargs, node):
    value = args[0] if args else None
    if isinstance(value, Opaque):
        return value
    if not is_number(value) or len(args) > 1:
        raise SnippetError(f"{describe(node)}: round of one number is supported", node)
    return round(Fraction(value))


def _container(make):
    def run(interp, args, kwargs, node):
        if not args:
            return make([])
        if isinstance(args[0], Opaque):
            return args[0]
        return make(interp.items(args[0], node))
    return run


def _dict(interp, args, kwargs, node):
    out = {}
    if args:
        if isinstance(args[0], Opaque):
            return args[0]
        source = args[0]
        if isinstance(source, dict):
            out.update(source)
        else:
            for pair in interp.items(source, node):
                if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                    raise SnippetError(f"{describe(node)}: dict of (key, value) pairs", node)
                out[pair[0]] = pair[1]
    out.update(kwargs)
    return out


def _sorted(interp, args, kwargs, node):
    items = _container(list)(interp, args, {}, node)
    if isinstance(items, Opaque):
        return items
    if not (all(is_number(v) for v in items) or all(isinstance(v, str) for v in items)):
        raise SnippetError(f"{describe(node)}: sorted of numbers or texts", node)
    return sorted(items, reverse=bool(kwargs.get("reverse", False)))


def _str(interp, args, kwargs, node):
    value = args[0] if args else ""
    if isinstance(value, Opaque):
        return value
    if isinstance(value, str):
        return value
    if is_number(value) or isinstance(value, bool) or value is None:
        return shown(value)
    raise SnippetError(f"{describe(node)}: str of {shown(value)} is not supported", node)


def _bool(interp, args, kwargs, node):
    from .expressions import _truth
    return args[0] if args and isinstance(args[0], Opaque) else bool(args) and _truth(args[0], node)


def _isinstance(interp, args, kwargs, node):
    if len(args) != 2:
        raise SnippetError(f"{describe(node)}: isinstance takes a value and a class", node)
    value, classes = args
    classes = classes if isinstance(classes, tuple) else (classes,)
    if isinstance(value, Opaque):
        return value
    for cls in classes:
        if isinstance(cls, ClassValue) and isinstance(value, Instance) and cls in value.cls.mro():
            return True
        known = {int: is_number(value) and isinstance(value, int), float: is_number(value),
                 str: isinstance(value, str), list: isinstance(value, list), tuple: isinstance(value, tuple),
                 dict: isinstance(value, dict), bool: isinstance(value, bool)}
        builtin = {BUILTINS.get(k.__name__): v for k, v in known.items()}
        if cls in builtin and builtin[cls]:
            return True
        answer = interp.isinstance_other(value, cls, node)
        if answer is not False:
            return answer
    return False


def _print(interp, args, kwargs, node):
    interp.note(node, f"skipped {describe(node)}")
    return None


def _getattr(interp, args, kwargs, node):
    if len(args) < 2 or not isinstance(args[1], str):
        return Opaque(describe(node))
    try:
        return interp.attribute(args[0], args[1], node)
    except SnippetError:
        if len(args) > 2:
            return args[2]
        raise


def _setattr(interp, args, kwargs, node):
    if len(args) != 3 or not isinstance(args[1], str):
        raise SnippetError(f"{describe(node)}: setattr(object, 'name', value)", node)
    module_name(args[1], node)
    interp.set_attribute(args[0], args[1], args[2], node)
    return None


def module_name(name, node) -> str:
    """A name given as text to setattr or add_module: letters, digits and _ only (it names a layer)."""
    if not isinstance(name, str) or not name or not all(c.isascii() and (c.isalnum() or c == "_") for c in name):
        raise SnippetError(f"{describe(node)}: a module's name is letters, digits and _, got {shown(name)}", node)
    return name


def _hasattr(interp, args, kwargs, node):
    if len(args) == 2 and isinstance(args[0], Instance) and isinstance(args[1], str):
        return args[1] in args[0].attributes
    if len(args) == 2 and isinstance(args[0], External) and isinstance(args[1], str):
        known = interp.external_has(args[0], args[1], node)       # a framework's reader knows its library
        if known is not None:
            return known
    return Opaque(describe(node))


def _any_all(pick):
    def run(interp, args, kwargs, node):
        from .expressions import _truth
        if not args or isinstance(args[0], Opaque):
            return args[0] if args else pick([])
        items = interp.items(args[0], node)
        if any(isinstance(v, Opaque) for v in items):
            return Opaque(describe(node))
        return pick(_truth(v, node) for v in items)
    return run


def _unknown(interp, args, kwargs, node):
    """open(...), input(), map(...): what they give is not known without running the code."""
    interp.note(node, f"skipped {describe(node)}")
    return Opaque(f"{describe(node)} (line {node.lineno})")


def _never(interp, args, kwargs, node):
    raise SnippetError(f"{describe(node)}: a snippet is read, never run — code that runs code is refused", node)


BUILTINS = {
    "range": _range, "len": _len, "zip": _zip, "enumerate": _enumerate, "min": _extreme(min),
    "max": _extreme(max), "sum": _sum, "int": _int, "float": _float, "abs": _abs, "round": _round,
    "list": _container(list), "tuple": _container(tuple), "reversed": _container(lambda v: list(reversed(v))),
    "set": _container(list), "dict": _dict, "sorted": _sorted, "str": _str, "bool": _bool,
    "isinstance": _isinstance, "print": _print, "getattr": _getattr, "setattr": _setattr, "hasattr": _hasattr,
    "any": _any_all(any), "all": _any_all(all),
    **{name: _unknown for name in ("open", "input", "iter", "next", "type", "id", "hash", "repr", "vars", "map",
                                   "filter", "exit", "quit", "format", "divmod", "pow", "ord", "chr", "callable")},
    **{name: _never for name in ("__import__", "eval", "exec", "compile", "globals", "locals", "breakpoint")},
}


def call_method(owner, name: str, args, kwargs, node):
    """`layers.append(m)`, `d.items()`, `"{}_{}".format(a, b)`."""
    if isinstance(owner, list):
        if name == "append" and len(args) == 1:
            _room(owner, 1, node)
            owner.append(args[0])
            return None
        if name == "extend" and len(args) == 1:
            items = list(args[0]) if isinstance(args[0], (list, tuple, range)) else None
            if items is None:
                raise SnippetError(f"{describe(node)}: extend with a list", node)
            _room(owner, len(items), node)
            owner.extend(items)
            return None
        if name == "insert" and len(args) == 2 and isinstance(args[0], int):
            _room(owner, 1, node)
            owner.insert(args[0], args[1])
            return None
        if name == "pop" and owner and (not args or isinstance(args[0], int) and -len(owner) <= args[0] < len(owner)):
            return owner.pop(*args)
        if name == "index" and len(args) == 1 and args[0] in owner:
            return owner.index(args[0])
    if isinstance(owner, dict):
        if name == "items" and not args:
            return list(owner.items())
        if name == "keys" and not args:
            return list(owner)
        if name == "values" and not args:
            return list(owner.values())
        if name == "get" and 1 <= len(args) <= 2:
            return owner.get(args[0], args[1] if len(args) > 1 else None)
    if isinstance(owner, str):
        if name in ("lower", "upper") and not args:
            return getattr(owner, name)()
        if name in ("startswith", "endswith") and len(args) == 1 and isinstance(args[0], str):
            return getattr(owner, name)(args[0])
        if name == "join" and len(args) == 1 and isinstance(args[0], (list, tuple)) \
                and all(isinstance(v, str) for v in args[0]):
            return owner.join(args[0])
        if name == "format":
            return Opaque(describe(node))
    raise SnippetError(f"{describe(node)} is not supported", node)


_ = _exact
