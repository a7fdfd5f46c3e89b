"""The command-line options of a training script (argparse), read without running it: each option is its
default, stated in the notes where the model reads one (`opt.nz = 100, argparse default`); an option with no
default, or required, is not known without running the code (refused where a layer needs it)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .common import SnippetError, describe, shown
from .values import Opaque

_ACTIONS = {"store_true": False, "store_false": True}


@dataclass(eq=False)
class ArgumentParser:
    defaults: dict = field(default_factory=dict)      # dest → its default (an Opaque where it has none)


@dataclass(eq=False)
class ParserMethod:
    parser: ArgumentParser
    name: str


@dataclass(eq=False)
class Options:
    """What parse_args() returns: the defaults, and the values the script sets itself (opt.seed = …)."""
    values: dict
    line: int
    read: set = field(default_factory=set)


def attribute(reader, owner, name: str, node):
    if isinstance(owner, ArgumentParser):
        return ParserMethod(owner, name)
    if name not in owner.values:
        raise SnippetError(f"{describe(node)}: the script's options have no '{name}'", node)
    value = owner.values[name]
    if name not in owner.read and not isinstance(value, Opaque):
        owner.read.add(name)
        reader.assume(node, f"{describe(node)} = {shown(value)}, argparse default (line {owner.line})")
    return value


def call(reader, method: ParserMethod, args, kwargs, node):
    parser = method.parser
    if method.name == "add_argument":
        flags = [a for a in args if isinstance(a, str)]
        if not flags or len(flags) != len(args):
            raise SnippetError(f"{describe(node)}: add_argument takes the option's names", node)
        long = next((f for f in flags if f.startswith("--")), flags[0])
        dest = kwargs.get("dest") or long.lstrip("-").replace("-", "_")
        if not isinstance(dest, str):
            raise SnippetError(f"{describe(node)}: dest must be a name", node)
        action = kwargs.get("action")
        if kwargs.get("required") is True or not long.startswith("-"):
            value = Opaque(f"the command-line option {long} (line {node.lineno}), which has no default")
        elif "default" in kwargs:
            value = kwargs["default"]
        elif action in _ACTIONS:
            value = _ACTIONS[action]
        else:
            value = None                 # argparse's default when none is given
        parser.defaults[dest] = value
        return None
    if method.name == "parse_args":
        if args or kwargs:               # parse_args(['--nz', '8']): options the script gives itself
            return Opaque(f"{describe(node)} (line {node.lineno})")
        return Options(dict(parser.defaults), node.lineno)
    reader.note(node, f"skipped {describe(node).splitlines()[0]}")
    return None


def set_option(owner: Options, name: str, value) -> None:
    owner.values[name] = value
    owner.read.add(name)             # set by the script: not a default any more


