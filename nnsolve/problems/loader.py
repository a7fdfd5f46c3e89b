"""Read a YAML or JSON problem file into plain data, exactly, remembering the line of every value.

Numbers become `Literal`s: exact Fractions that also keep the text the author typed, because a key's
"0.80" carries its own precision (2 decimals) that the checker must honour.
JSON is read by the same YAML composer (JSON is YAML's flow style), so both get line numbers.
Everything that could block, exhaust memory or take minutes is refused before it is read or built:
a FIFO, a device or a directory by its kind, a huge file, binary data, an alias bomb, a mapping of
300,000 keys, a 10⁹-digit number, deep nesting. The limits are in nnsolve/limits.py.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

import yaml

from ..engine.number import parse_number
from ..limits import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_FILE_BYTES, MAX_ITEMS, MAX_KEYS, MAX_VALUES
from .errors import Issue, ProblemError, format_path, printable
from .reading import STDIN_NAME, read_text

# libyaml's composer is about four times faster and records the same lines; PyYAML's is the fallback
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SHORT = min(MAX_DIGITS.minimum, MAX_EXPONENT.minimum)
NON_FINITE = {".inf": "infinity", "inf": "infinity", "infinity": "infinity", ".nan": "NaN", "nan": "NaN"}


def read_number(text) -> Fraction:
    """Read a typed number exactly, refusing infinities, NaN and sizes that would exhaust memory
    (Fraction("1e999999999") would build a billion-digit integer)."""
    s = str(text).strip().replace("−", "-").replace("_", "")
    bare = s.lstrip("+-").lower()
    if bare in NON_FINITE:
        raise ValueError(f"expected a finite number, got {s} ({NON_FINITE[bare]})")
    # a short number without an exponent is within both limits, whatever they are raised or lowered to:
    # most numbers of a file take this way, which skips building a Decimal and reading two limits
    if len(s) > _SHORT or "e" in bare:
        for part in s.split("/", 1):
            _check_size(part.strip(), s)
    return parse_number(s)


def _check_size(part: str, whole: str) -> None:
    try:
        d = Decimal(part)
    except InvalidOperation:
        return          # not a decimal at all: parse_number says so
    if not d.is_finite():
        return
    if len(d.as_tuple().digits) > MAX_DIGITS.value:
        raise ValueError(f"a number with more than {MAX_DIGITS.shown} digits ({whole[:20]}…) is not an exam "
                         f"number {MAX_DIGITS.hint}")
    if d and abs(d.adjusted()) > MAX_EXPONENT.value:
        raise ValueError(f"{whole[:40]} is beyond the range handled exactly (10^±{MAX_EXPONENT.shown}) "
                         f"{MAX_EXPONENT.hint}")


class Literal(Fraction):
    """An exact number that remembers how it was written."""

    text: str

    def __new__(cls, text: str):
        value = read_number(text)
        self = super().__new__(cls, value.numerator, value.denominator)
        self.text = str(text).strip()
        return self

    def __repr__(self) -> str:
        # messages quote user values with !r; a number reads best exactly as it was typed
        return self.text

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
    """A problem file, or standard input for `-`, read with the same limits as text."""
    text, source = read_text(path)
    if Path(path).suffix.lower() == ".json" or (source == STDIN_NAME and text.lstrip("\ufeff \r\n\t")[:1] in "{["):
        # JSON allows tabs between tokens, YAML does not; a valid JSON string never holds a raw tab
        text = text.replace("\t", " ")
    return load_text(text, source)


def _refusal(source: str, message: str, line: int | None = None) -> ProblemError:
    return ProblemError([Issue("", message, line)], source)


def load_text(text: str, source: str = "<text>") -> Document:
    if len(text) > MAX_FILE_BYTES.value:
        raise _refusal(source, MAX_FILE_BYTES.refusal(f"the text is {len(text):,} characters"))
    builder = _Builder(source)
    try:
        builder.build(text.removeprefix("\ufeff"))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = f" at column {mark.column + 1}" if mark else ""
        what = e.problem or e.context or "unreadable"
        raise _refusal(source, f"not valid YAML/JSON: {what}{column}", line) from None
    except yaml.reader.ReaderError as e:
        line = text[:e.position].count("\n") + 1
        code = e.character if isinstance(e.character, int) else ord(e.character)   # libyaml gives the code
        raise _refusal(source, f"not valid YAML/JSON: the control character U+{code:04X} is not allowed in a "
                               f"problem file", line) from None
    except yaml.YAMLError as e:
        raise _refusal(source, f"not valid YAML/JSON: {e}") from None
    if builder.root is None:
        raise _refusal(source, "the file is empty: expected a problem such as `problem: dense_network`")
    if builder.issues:
        raise ProblemError(builder.issues, source)
    return Document(builder.root, dict(builder.located), source)


def load_data(data: dict, source: str = "<dict>") -> Document:
    """Python data (a dict of lists, numbers, text; numpy arrays) as a Document, read as a file would be:
    each number exact as the text it stands for (0.1 is 1/10, a float by its shortest repr), text shown as
    text, with the same limits on size and nesting. There are no lines to point at."""
    count = 0
    most_values, most_keys, deepest = MAX_VALUES.value, MAX_KEYS.value, MAX_DEPTH.value
    places: dict[tuple, int | None] = {}     # every place, with no line: a check can still tell a key's spelling

    def convert(value, depth: int, loc: tuple = ()):
        nonlocal count
        count += 1
        places[loc] = None
        if count > most_values:
            raise _refusal(source, MAX_VALUES.refusal())
        if depth > deepest:
            raise _refusal(source, f"nested more than {deepest} levels deep {MAX_DEPTH.hint}")
        if hasattr(value, "tolist") and not isinstance(value, Fraction):      # numpy arrays and scalars
            value = value.tolist()
        if isinstance(value, dict):
            if len(value) > most_keys:
                raise _refusal(source, MAX_KEYS.refusal(f"a mapping of {len(value):,} keys"))
            return {printable(str(k)): convert(v, depth + 1, loc + (printable(str(k)),)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v, depth + 1, loc + (i,)) for i, v in enumerate(value)]
        if isinstance(value, str):
            return printable(value)
        if isinstance(value, bool) or value is None or isinstance(value, Literal):
            return value
        if isinstance(value, Fraction):
            return Literal(str(value))
        if isinstance(value, int):
            return Literal(str(value))
        if isinstance(value, float):
            try:
                return Literal(repr(value))
            except ValueError:
                return repr(value)      # inf, nan: left as text so validation names them in context
        return value

    if not isinstance(data, dict):
        raise _refusal(source, f"expected a mapping of keys (problem:, network:, …), got {type(data).__name__}")
    return Document(convert(data, 0), places, source)


_DROP = object()           # the key state of a mapping whose next value is not kept (its key is not usable)


class _Anchor(NamedTuple):
    """A node named with `&name`, built once; each `*name` is a copy of it."""
    value: object
    text: str | None          # a scalar's text, should the alias stand for a key
    located: list             # (path below the node, line) of everything inside it
    size: int                 # values in it, itself included
    height: int               # levels of lists and mappings in it
    line: int                 # where it starts


class _Open:
    """A list or mapping being built. (Plain classes, not dataclasses: building a dataclass compiles its
    methods, a cost every command would pay at start-up.)"""

    __slots__ = ("value", "loc", "line", "at", "role", "mark", "count", "anchor", "height", "key", "key_line",
                 "first_line", "keys")

    def __init__(self, value: dict | list, loc: tuple, line: int, at: int, role: str, mark: int, count: int,
                 anchor: str | None):
        self.value, self.loc = value, loc
        self.line = line            # where it starts
        self.at = at                # where it is located: at its key, if it has one
        self.role = role            # where it goes once built: "value", "key" or "drop"
        self.mark, self.count = mark, count     # len(located) and count when it started
        self.anchor = anchor
        self.height = 0             # levels of lists and mappings inside it
        self.key = None             # a mapping's key whose value comes next; None while a key is awaited, or _DROP
        self.key_line = 0
        self.first_line: dict[str, int] = {}    # key → its line, to name a key written twice
        self.keys = 0


class _Builder:
    """Plain data from the YAML parser's events, in one pass: each value's line recorded, aliases expanded
    as copies, and every limit checked as the data grows, so nothing over a limit is ever built. (A tree of
    YAML nodes took about ten times the memory of the data, and libyaml's composer crashes, rather than
    raising, on thousands of levels of nesting.)

    Lines: a value under a key is located at its key, where a reader looks for it, even when it starts on
    the next line; a list item at its own start; an alias as the node it names, and at its key if it has one."""

    def __init__(self, source: str):
        self.source = source
        self.deepest, self.most_keys, self.most_values = MAX_DEPTH.value, MAX_KEYS.value, MAX_VALUES.value
        self.most_items = MAX_ITEMS.value
        self.root = None
        self.located: list[tuple[tuple, int]] = []     # (path, line) in reading order; a later one wins
        self.issues: list[Issue] = []
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: dict[str, int] = {}          # anchors being built → their line
        self.stack: list[_Open] = []
        self.count = 0

    def build(self, text: str) -> None:
        parser = COMPOSER(text)
        step = {yaml.ScalarEvent: self._node, yaml.AliasEvent: self._node, yaml.SequenceStartEvent: self._node,
                yaml.MappingStartEvent: self._node, yaml.SequenceEndEvent: self._end,
                yaml.MappingEndEvent: self._end, yaml.DocumentStartEvent: self._document}
        try:
            while parser.check_event():
                event = parser.get_event()
                if event.__class__ in step:
                    step[event.__class__](event, parser)
        finally:
            parser.dispose()

    def _document(self, event, parser) -> None:
        if self.root is not None:
            raise self._refused("not valid YAML/JSON: expected a single document, but found another",
                                event.start_mark.line + 1, "")

    # -- one node --------------------------------------------------------------------------------------
    def _node(self, event, parser) -> None:
        line = event.start_mark.line + 1
        if not self.stack and event.__class__ is not yaml.MappingStartEvent:
            got = "a list" if isinstance(event, yaml.SequenceStartEvent) else \
                f"the single value {getattr(event, 'value', '')[:40]!r}"
            raise self._refused(f"expected a mapping of keys (problem:, network:, …) at the top, got {got}", line, "")
        loc, role, at = self._place(line)
        scalar = event.__class__ is yaml.ScalarEvent
        if scalar and role == "key" and event.anchor is None:       # most keys: only their text matters
            return self._deliver(None, role, len(self.located), 0, event.value, line)
        if event.__class__ is yaml.AliasEvent:
            return self._alias(event.anchor, loc, role, at, line)
        if event.anchor is not None and (event.anchor in self.anchors or event.anchor in self.open_anchors):
            first = self.anchors[event.anchor].line if event.anchor in self.anchors else self.open_anchors[event.anchor]
            raise self._refused(f"not valid YAML/JSON: the anchor &{event.anchor} is defined twice (first at line "
                                f"{first})", line, "")
        mark = len(self.located)
        if self.stack and role != "key":
            self._count(1, loc, line)
        self.located.append((loc, at))
        if scalar:
            tag = event.tag
            if tag is None or tag == "!":
                tag = parser.resolve(yaml.ScalarNode, event.value, event.implicit)
            value = _scalar(tag, event.value, event.style)
            if event.anchor is not None:
                self.anchors[event.anchor] = _Anchor(value, event.value, [], 1, 0, line)
            return self._deliver(value, role, mark, 0, event.value, line)
        if len(self.stack) >= self.deepest:
            raise self._refused(f"nested more than {self.deepest} levels deep {MAX_DEPTH.hint}", line, loc)
        if event.anchor is not None:
            self.open_anchors[event.anchor] = line
        mapping = event.__class__ is yaml.MappingStartEvent
        self.stack.append(_Open({} if mapping else [], loc, line, at, role, mark, self.count, event.anchor))

    def _end(self, event, parser) -> None:
        done = self.stack.pop()
        height = done.height + 1
        if done.anchor is not None:
            inside = [(where[len(done.loc):], line) for where, line in self.located[done.mark + 1:]]
            self.anchors[done.anchor] = _Anchor(done.value, None, inside, self.count - done.count + 1, height,
                                                done.line)
            del self.open_anchors[done.anchor]
        if not self.stack:
            self.root = done.value
            return
        self._deliver(done.value, done.role, done.mark, height, None, done.line)

    def _alias(self, name: str, loc: tuple, role: str, at: int, line: int) -> None:
        if name in self.open_anchors:
            raise self._refused(f"nested more than {self.deepest} levels deep (the YAML alias *{name} refers to "
                                f"itself)", line, loc)
        anchor = self.anchors.get(name)
        if anchor is None:
            raise self._refused(f"not valid YAML/JSON: found undefined alias {name!r}", line, "")
        if len(self.stack) + anchor.height > self.deepest:
            raise self._refused(f"nested more than {self.deepest} levels deep (through the YAML alias *{name}) "
                                f"{MAX_DEPTH.hint}", line, loc)
        if role == "key":
            return self._deliver(None, role, len(self.located), 0, anchor.text, line)
        self._count(anchor.size, loc, line)      # before the copy: an alias bomb is refused unexpanded
        mark = len(self.located)
        self.located.append((loc, at if isinstance(self.stack[-1].value, dict) else anchor.line))
        self.located += [(loc + below, where) for below, where in anchor.located]
        self._deliver(_copied(anchor.value), role, mark, anchor.height, anchor.text, line)

    # -- where a node goes -------------------------------------------------------------------------------
    def _place(self, line: int) -> tuple[tuple, str, int]:
        """(path, role, line to record) of the node starting at `line`."""
        if not self.stack:
            return (), "value", line
        top = self.stack[-1]
        if isinstance(top.value, list):
            return top.loc + (len(top.value),), "value", line
        if top.key is None:
            return top.loc, "key", line
        if top.key is _DROP:
            return top.loc, "drop", top.key_line
        return top.loc + (top.key,), "value", top.key_line

    def _deliver(self, value, role: str, mark: int, height: int, text: str | None, line: int) -> None:
        """Put a built node in its place: a list item, a mapping's value, a key (`text`: a scalar's text,
        None for a list or mapping written as a key), or nowhere (the value of an unusable key)."""
        top = self.stack[-1]
        top.height = max(top.height, height)
        if role == "value":
            if isinstance(top.value, list):
                if len(top.value) >= self.most_items:
                    raise self._refused(MAX_ITEMS.refusal(), top.at, top.loc)
                top.value.append(value)
            else:
                top.value[top.key] = value
                top.key = None
            return
        del self.located[mark:]              # a key is not located; a dropped value is not kept
        if role == "drop":
            top.key = None
            return
        top.keys += 1
        if top.keys > self.most_keys:
            raise self._refused(MAX_KEYS.refusal(), top.at, top.loc)
        key = printable(text) if text else None
        top.key, top.key_line = _DROP, line
        if key is None:
            self.issues.append(Issue(format_path(top.loc), "keys must be plain names", line))
        elif key in top.first_line:
            self.issues.append(Issue(format_path(top.loc + (key,)),
                                     f"key appears twice (first at line {top.first_line[key]})", line))
        else:
            top.key = key
            top.first_line[key] = line

    def _count(self, values: int, loc: tuple, line: int) -> None:
        self.count += values
        if self.count > self.most_values:
            raise self._refused(MAX_VALUES.refusal(), line, loc)

    def _refused(self, message: str, line: int, loc) -> ProblemError:
        """A limit or a YAML error at `line`, on the top-level key it is under (the whole file for "")."""
        where = printable(str(loc[0])) if isinstance(loc, tuple) and loc else ""
        return ProblemError([Issue(where, message, line)], self.source)


def _copied(value):
    """A copy of what an alias names: each place in the data is its own (numbers and texts are immutable)."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value


_MAY_BE_A_NUMBER = re.compile(r"\s*[-+−.0-9]")


def _scalar(tag: str, text: str, style: str | None):
    """A number, a truth value, nothing, or text: text with its control characters written out (a title
    `"\\e]0;…\\a"` would otherwise retitle the reader's terminal when printed)."""
    if style in ("'", '"'):
        return printable(text)
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            return Literal(text.replace("_", ""))
        except ValueError:
            return printable(text)   # .inf, .nan, 0x1F: left as text so validation names them in context
    if tag.endswith(":bool"):
        return text.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    if not _MAY_BE_A_NUMBER.match(text):      # a name such as `dropout`: not worth a failed parse
        return printable(text)
    try:
        return Literal(text)   # 1e-9 and 3/4 are numbers to an exam author, if not to YAML 1.1
    except ValueError:
        return printable(text)
