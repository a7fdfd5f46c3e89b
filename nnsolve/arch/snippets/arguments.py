"""A layer call's arguments, as the interpreter computed them, bound to the layer's parameter names and
read with typed getters whose errors name the layer, the argument and the line."""
from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any, Callable

from .common import SnippetError, describe, shown


class Arguments:
    """A layer call's arguments bound to the layer's parameter names, read with typed getters whose
    errors name the layer, the argument and the line."""

    def refuse_unknown(self) -> None:
        for key, value in self.values.items():
            if type(value).__name__ == "Opaque":
                raise SnippetError(f"{self.layer} argument '{key}': {describe(self.nodes[key])} is not known without "
                                   f"running the code ({value.what})", self.nodes[key])

    @classmethod
    def of_values(cls, layer: str, call: ast.Call, params: tuple[str, ...], ignored: Callable[[str], bool],
                  args: list, kwargs: dict) -> "Arguments":
        """Arguments the interpreter has evaluated (star-arguments expanded): each located at the argument
        that gave it, or at the call. A value not known without running the code is refused here."""
        self = cls.__new__(cls)
        self.layer, self.call, self.params = layer, call, params
        self.nodes, self.values = {}, {}
        plain = not any(isinstance(a, ast.Starred) for a in call.args)
        if len(args) > len(params):
            raise SnippetError(f"{layer} takes at most {len(params)} positional arguments, got {len(args)}", call)
        for i, (name, value) in enumerate(zip(params, args)):
            self.nodes[name] = call.args[i] if plain and i < len(call.args) else call
            self.values[name] = value
        located = {kw.arg: kw.value for kw in call.keywords if kw.arg is not None}
        for key, value in kwargs.items():
            if ignored(key) and key not in params:
                continue
            if key not in params:
                raise SnippetError(f"unknown argument '{key}' to {layer}", located.get(key, call))
            if key in self.values:
                raise SnippetError(f"{layer} got '{key}' twice", located.get(key, call))
            self.nodes[key], self.values[key] = located.get(key, call), value
        self.refuse_unknown()
        self.torch = True
        return self

    torch = False             # PyTorch's layers, read by the interpreter: a size 64 / 2 (the float 32.0) is refused

    def _float_size(self, name: str, value) -> None:
        from .common import Quotient
        items = value if isinstance(value, (tuple, list)) else (value,)
        if self.torch and any(isinstance(v, Quotient) for v in items):
            raise self.fail(name, "an integer (a true division `/` gives a float in Python, which PyTorch does not "
                                  "take as a size: `//` gives the integer)")

    def has(self, name: str) -> bool:
        return name in self.values and self.values[name] is not None

    def node(self, name: str) -> ast.AST:
        return self.nodes.get(name, self.call)

    def fail(self, name: str, expected: str) -> SnippetError:
        return SnippetError(f"{self.layer} argument '{name}': expected {expected}, got {shown(self.values.get(name))}",
                            self.node(name))

    def setting_error(self, error) -> SnippetError:
        """A setting the layer-list readers refused (settings.py), at the argument that gave it."""
        from ..settings import ALIASES, SETTINGS
        setting = error.setting
        name = next((p for p in self.params if p in self.nodes
                     and (p == setting or setting in ALIASES.get(p, ((), ""))[0])), None)
        if name is not None:
            return SnippetError(f"{self.layer} argument '{name}': {error}", self.nodes[name])
        what = SETTINGS[setting][1] if setting in SETTINGS else setting
        return SnippetError(f"{self.layer}: {what} ({setting}): {error}", self.call)

    def required(self, name: str):
        if not self.has(name):
            raise SnippetError(f"{self.layer} needs the argument '{name}'", self.call)
        return self.values[name]

    def int(self, name: str, default=None, minimum: int = 1) -> int:
        value = self.values[name] if self.has(name) else default
        if value is None:
            value = self.required(name)
        self._float_size(name, value)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"an integer ≥ {minimum}")
        return value

    def ints(self, name: str, axes: int, default=None, minimum: int = 1) -> tuple[int, ...]:
        """An int or a tuple of `axes` ints (kernel sizes, strides): always a tuple."""
        value = self.values.get(name) if self.has(name) else default
        if value is None:
            value = self.required(name)
        self._float_size(name, value)
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


def layer_settings(make: Callable[["Arguments"], tuple[str, dict]], arguments: "Arguments") -> tuple[str, dict]:
    """The kind and settings a layer call gives, every setting read as a layer list's is (settings.py) so
    the same range checks hold for snippets and YAML: Dense(2.5), nn.Linear(4, -2), Dropout(5)."""
    from ..settings import SettingError, read_given
    kind, settings = make(arguments)
    try:
        return kind, read_given(kind, settings)
    except SettingError as e:
        raise arguments.setting_error(e) from None
