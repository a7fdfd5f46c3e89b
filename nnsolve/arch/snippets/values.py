"""The values of the snippet interpreter (interpreter.py) that are not Python's own: what it cannot know
without running the code (Opaque), names it imported (External), and the functions, classes and
instances the snippet defines. Numbers, texts, tuples, lists and dicts are Python's own values."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Opaque:
    """A value the interpreter does not know without running the code (`torch.cuda.is_available()`,
    `len(vocab)` of a vocabulary read from a file): fine where the model does not need it, refused with
    `what` where it does (a layer's size)."""
    what: str


@dataclass(frozen=True)
class External:
    """A name from outside the snippet, by its full dotted name: `torch.nn.Linear`, `os.path.join`."""
    name: str


@dataclass
class Function:
    """A `def` of the snippet: its node, the frame it was defined in (its closure) and the class that
    defines it as a method (for super()), with its defaults evaluated where it was defined."""
    node: ast.FunctionDef
    closure: Any
    owner: "ClassValue | None" = None
    defaults: list = field(default_factory=list)
    kw_defaults: list = field(default_factory=list)
    kind: str = "function"                    # function, staticmethod, classmethod, property

    @property
    def name(self) -> str:
        return self.node.name


@dataclass
class Bound:
    """A method bound to its instance (or class, for a classmethod)."""
    function: Function
    receiver: Any


@dataclass
class ClassValue:
    """A class the snippet defines: its bases (classes of the snippet or External ones) and the names its
    body binds (methods, class attributes such as `expansion = 1`)."""
    node: ast.ClassDef
    bases: list
    namespace: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name

    def mro(self) -> list["ClassValue"]:
        out: list[ClassValue] = []
        for cls in [self] + [c for base in self.bases if isinstance(base, ClassValue) for c in base.mro()]:
            if cls not in out:
                out.append(cls)
        return out

    def lookup(self, name: str, after: "ClassValue | None" = None):
        """The class attribute `name` (a KeyError when none has it), looked for after `after` for super()."""
        chain = self.mro()
        if after is not None and after in chain:
            chain = chain[chain.index(after) + 1:]
        for cls in chain:
            if name in cls.namespace:
                return cls.namespace[name]
        raise KeyError(name)

    def external_bases(self) -> list[str]:
        return [b.name for c in self.mro() for b in c.bases if isinstance(b, External)]

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


@dataclass(eq=False)
class Instance:
    """An instance of a class the snippet defines: its attributes after __init__, and its module name in
    the model once the model is chosen (`layer1.0`)."""
    cls: ClassValue
    attributes: dict = field(default_factory=dict)
    path: str | None = None


@dataclass(eq=False)
class Super:
    instance: Any
    after: ClassValue


class Frame:
    """The names of one scope; `outer` is the scope a function was defined in (the module's at the end)."""

    def __init__(self, names: dict | None = None, outer: "Frame | None" = None, function: "Function | None" = None):
        self.names, self.outer, self.function = names if names is not None else {}, outer, function

    def find(self, name: str):
        frame = self
        while frame is not None:
            if name in frame.names:
                return frame.names[name]
            frame = frame.outer
        raise KeyError(name)
