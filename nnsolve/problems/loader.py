"""Read a YAML or JSON problem file into plain data, exactly, remembering the line of every value.

Numbers become `Literal`s: exact Fractions that also keep the text the author typed, because a key's
"0.80" carries its own precision (2 decimals) that the checker must honour.
JSON is read by the same YAML composer (JSON is YAML's flow style), so both get line numbers.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import yaml

from ..engine.number import parse_number
from .errors import Issue, ProblemError

MAX_FILE_BYTES = 5_000_000


class Literal(Fraction):
    """An exact number that remembers how it was written."""

    text: str

    def __new__(cls, text: str):
        value = parse_number(text)
        self = super().__new__(cls, value.numerator, value.denominator)
        self.text = str(text).strip()
        return self

    def __repr__(self) -> str:
        return f"Literal({self.text!r})"

    @property
    def decimals(self) -> int | None:
        """Decimal places as written ("0.80" → 2, "3" → 0); None for "1/3" or scientific notation."""
        t = self.text.lstrip("+-−")
        if "/" in t or "e" in t.lower():
            return None
        return len(t.partition(".")[2])


class Document:
    """Parsed data plus a map from each value's path to its line (1-based)."""

    def __init__(self, data, lines: dict[tuple, int], source: str):
        self.data = data
        self.lines = lines
        self.source = source

    def line_of(self, loc: tuple) -> int | None:
        """The line of the deepest recorded prefix of `loc`."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


def load_file(path: str | Path) -> Document:
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as e:
        raise ProblemError([Issue("", f"cannot read the file: {e.strerror}")], str(path)) from None
    if size > MAX_FILE_BYTES:
        raise ProblemError([Issue("", f"file is {size} bytes; problem files are limited to {MAX_FILE_BYTES}")],
                           str(path))
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProblemError([Issue("", f"cannot read the file as UTF-8 text: {e}")], str(path)) from None
    return load_text(text, str(path))


def load_text(text: str, source: str = "<text>") -> Document:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        line = mark.line + 1 if mark else None
        raise ProblemError([Issue("", f"not valid YAML/JSON: {e.problem}", line)], source) from None
    except yaml.YAMLError as e:
        raise ProblemError([Issue("", f"not valid YAML/JSON: {e}")], source) from None
    if root is None:
        raise ProblemError([Issue("", "the file is empty")], source)
    lines: dict[tuple, int] = {}
    issues: list[Issue] = []
    data = _convert(root, (), lines, issues)
    if issues:
        raise ProblemError(issues, source)
    if not isinstance(data, dict):
        raise ProblemError([Issue("", "expected a mapping of keys (problem:, network:, …) at the top", 1)], source)
    return Document(data, lines, source)


def _convert(node, loc: tuple, lines: dict, issues: list):
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                issues.append(Issue(_fmt(loc), "keys must be plain names", key_node.start_mark.line + 1))
                continue
            if key in result:
                issues.append(Issue(_fmt(loc + (key,)), "key appears twice", key_node.start_mark.line + 1))
                continue
            result[key] = _convert(value_node, loc + (key,), lines, issues)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, loc + (i,), lines, issues) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode):
    tag = node.tag
    if node.style in ("'", '"'):
        return node.value
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            return Literal(node.value.replace("_", ""))
        except ValueError:
            return node.value   # .inf, .nan: left as text so validation names them
    if tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    try:
        return Literal(node.value)   # 1e-9 and 3/4 are numbers to an exam author, if not to YAML 1.1
    except ValueError:
        return node.value


def _fmt(loc: tuple) -> str:
    from .errors import format_path
    return format_path(loc)
