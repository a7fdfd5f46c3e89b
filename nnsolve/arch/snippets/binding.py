"""A call's arguments bound to a snippet function's parameters by Python's rules: positional, defaults,
*args, keyword-only, **kwargs — every mismatch a located message naming the function."""
from __future__ import annotations

from .common import SnippetError
from .values import Function


def bind(function: Function, args: list, kwargs: dict, node) -> dict:
    spec = function.node.args
    name = f"{function.owner.name}" if function.name == "__init__" and function.owner else f"{function.name}()"
    positional = [a.arg for a in spec.posonlyargs + spec.args]
    names: dict = {}
    if len(args) > len(positional) and spec.vararg is None:
        given = len(args) - (1 if function.owner is not None and function.kind != "staticmethod" else 0)
        most = len(positional) - (1 if function.owner is not None and function.kind != "staticmethod" else 0)
        raise SnippetError(f"{name} takes {most} argument{'s' if most != 1 else ''}, got {given}", node)
    for param, value in zip(positional, args):
        names[param] = value
    if spec.vararg is not None:
        names[spec.vararg.arg] = tuple(args[len(positional):])
    extra = {}
    for key, value in kwargs.items():
        if key in names and key in positional:
            raise SnippetError(f"{name} got '{key}' twice", node)
        if key in positional or key in [a.arg for a in spec.kwonlyargs]:
            names[key] = value
        elif spec.kwarg is not None:
            extra[key] = value
        else:
            raise SnippetError(f"unknown argument '{key}' to {name}()", node)
    if spec.kwarg is not None:
        names[spec.kwarg.arg] = extra
    first_default = len(positional) - len(function.defaults)
    for i, param in enumerate(positional):
        if param not in names:
            if i >= first_default:
                names[param] = function.defaults[i - first_default]
            else:
                raise SnippetError(f"{name} needs the argument '{param}'", node)
    for arg, default in zip(spec.kwonlyargs, function.kw_defaults):
        if arg.arg not in names:
            if default is None and function.node.args.kw_defaults[spec.kwonlyargs.index(arg)] is None:
                raise SnippetError(f"{name} needs the argument '{arg.arg}'", node)
            names[arg.arg] = default
    return names
