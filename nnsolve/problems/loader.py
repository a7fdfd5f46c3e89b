"""Read a YAML or JSON problem file into plain data, exactly, remembering the line of every value.

Numbers become `Literal`s: exact Fractions that also keep the text the author typed, because a key's
"0.80" carries its own precision (2 decimals) that the checker must honour.
JSON is read by the same YAML composer (JSON is YAML's flow style), so both get line numbers.
Everything that could block, exhaust memory or take minutes is refused before it is read or built:
a FIFO, a device or a directory by its kind, a huge file, binary data, an alias bomb, a mapping of
300,000 keys, a 10⁹-digit number, deep nesting. The limits are in nnsolve/limits.py.
"""
from __future__ import annotations

import os
import stat
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import yaml

from ..engine.number import parse_number
from ..limits import MAX_DEPTH, MAX_DIGITS, MAX_EXPONENT, MAX_FILE_BYTES, MAX_KEYS, MAX_VALUES
from .errors import Issue, ProblemError, format_path, printable

STDIN = "-"                   # the file name that stands for standard input, as in most commands

# libyaml's composer is about four times faster and records the same lines; PyYAML's is the fallback
COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

NON_FINITE = {".inf": "infinity", "inf": "infinity", "infinity": "infinity", ".nan": "NaN", "nan": "NaN"}


def read_number(text) -> Fraction:
    """Read a typed number exactly, refusing infinities, NaN and sizes that would exhaust memory
    (Fraction("1e999999999") would build a billion-digit integer)."""
    s = str(text).strip().replace("−", "-").replace("_", "")
    bare = s.lstrip("+-").lower()
    if bare in NON_FINITE:
        raise ValueError(f"expected a finite number, got {s} ({NON_FINITE[bare]})")
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
    from_stdin = str(path) == STDIN
    source = "<stdin>" if from_stdin else str(path)
    raw = _read_stdin(source) if from_stdin else _read_file(Path(path), source)
    nul = raw.find(b"\0")
    if nul >= 0:        # binary data, or text saved as UTF-16
        line = raw.count(b"\n", 0, nul) + 1
        raise _refusal(source, "not a text file: it holds a NUL byte", line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise _refusal(source, f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file "
                               f"as UTF-8", line) from None
    if Path(path).suffix.lower() == ".json" or (from_stdin and text.lstrip("\ufeff \r\n\t")[:1] in ("{", "[")):
        # JSON allows tabs between tokens, YAML does not; a valid JSON string never holds a raw tab
        text = text.replace("\t", " ")
    return load_text(text, source)


def _refusal(source: str, message: str, line: int | None = None) -> ProblemError:
    return ProblemError([Issue("", message, line)], source)


def _refuse_unless_regular(mode: int, source: str) -> None:
    """A directory, FIFO, device or socket is refused by its kind: reading one could block or never end."""
    if stat.S_ISREG(mode):
        return
    what = ("a directory" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else
            "not a regular file")
    raise _refusal(source, f"is {what}, not a problem file")


def _read_file(path: Path, source: str) -> bytes:
    """The bytes of a regular file, at most the size limit. Its kind is checked before it is opened
    (opening a FIFO blocks until a writer comes) and again once it is open (it may have been replaced)."""
    limit = MAX_FILE_BYTES.value
    try:
        _refuse_unless_regular(os.stat(path).st_mode, source)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            _refuse_unless_regular(info.st_mode, source)
            if info.st_size > limit:
                raise _refusal(source, MAX_FILE_BYTES.refusal(f"the file is {info.st_size:,} bytes"))
            raw = file.read(limit + 1)        # a file that grows, or a /proc file that says it is empty
    except FileNotFoundError:
        raise _refusal(source, "file not found") from None
    except OSError as e:
        raise _refusal(source, f"cannot read the file: {e.strerror or e}") from None
    if len(raw) > limit:
        raise _refusal(source, MAX_FILE_BYTES.refusal())
    return raw


def _read_stdin(source: str) -> bytes:
    """Standard input up to the size limit (+1 byte to tell that it goes on)."""
    limit = MAX_FILE_BYTES.value
    stream = sys.stdin
    if stream is None:
        raise _refusal(source, "there is no standard input to read")
    try:
        raw = getattr(stream, "buffer", stream).read(limit + 1)
    except OSError as e:
        raise _refusal(source, f"cannot read standard input: {e.strerror or e}") from None
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(raw) > limit:
        raise _refusal(source, MAX_FILE_BYTES.refusal())
    return raw


def load_text(text: str, source: str = "<text>") -> Document:
    if len(text) > MAX_FILE_BYTES.value:
        raise _refusal(source, MAX_FILE_BYTES.refusal(f"the text is {len(text):,} characters"))
    try:
        text = text.removeprefix("\ufeff")
        _refuse_deep_or_wide(text, source)
        root = yaml.compose(text, Loader=COMPOSER)
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
    if root is None:
        raise _refusal(source, "the file is empty: expected a problem such as `problem: dense_network`")
    if not isinstance(root, yaml.MappingNode):
        got = "a list" if isinstance(root, yaml.SequenceNode) else f"the single value {root.value[:40]!r}"
        raise _refusal(source, f"expected a mapping of keys (problem:, network:, …) at the top, got {got}",
                       root.start_mark.line + 1)
    _refuse_oversize(root, source)
    reader = _Reader()
    data = reader.convert(root, ())
    if reader.issues:
        raise ProblemError(reader.issues, source)
    return Document(data, reader.lines, source)


def load_data(data: dict, source: str = "<dict>") -> Document:
    """Python data (a dict of lists, numbers, text; numpy arrays) as a Document, read as a file would be:
    each number exact as the text it stands for (0.1 is 1/10, a float by its shortest repr), text shown as
    text, with the same limits on size and nesting. There are no lines to point at."""
    count = 0
    most_values, most_keys, deepest = MAX_VALUES.value, MAX_KEYS.value, MAX_DEPTH.value

    def convert(value, depth: int):
        nonlocal count
        count += 1
        if count > most_values:
            raise _refusal(source, MAX_VALUES.refusal())
        if depth > deepest:
            raise _refusal(source, f"nested more than {deepest} levels deep {MAX_DEPTH.hint}")
        if hasattr(value, "tolist") and not isinstance(value, Fraction):      # numpy arrays and scalars
            value = value.tolist()
        if isinstance(value, dict):
            if len(value) > most_keys:
                raise _refusal(source, MAX_KEYS.refusal(f"a mapping of {len(value):,} keys"))
            return {printable(str(k)): convert(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v, depth + 1) for v in value]
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
    return Document(convert(data, 0), {}, source)


_NODE_STARTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def _refuse_deep_or_wide(text: str, source: str) -> None:
    """Composing nests one call per level (libyaml's composer crashes, rather than raising, past a few
    thousand) and builds every node of a mapping before anything can count its keys; its parser does
    neither, so the levels and the keys of each mapping are counted on the event stream first."""
    deepest, most_keys = MAX_DEPTH.value, MAX_KEYS.value
    open_collections: list[list] = []        # per open collection: [is a mapping, nodes in it, its first line]
    for event in yaml.parse(text, Loader=COMPOSER):
        if isinstance(event, _NODE_STARTS) and open_collections and open_collections[-1][0]:
            inside = open_collections[-1]
            inside[1] += 1                   # a key and its value are two nodes
            if inside[1] > 2 * most_keys:
                raise _refusal(source, MAX_KEYS.refusal(), inside[2])
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            open_collections.append([isinstance(event, yaml.MappingStartEvent), 0, event.start_mark.line + 1])
            if len(open_collections) > deepest:
                raise _refusal(source, f"nested more than {deepest} levels deep {MAX_DEPTH.hint}",
                               event.start_mark.line + 1)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            open_collections.pop()


def _refuse_oversize(root: yaml.MappingNode, source: str) -> None:
    """Measure the data before building it: YAML aliases let a small file expand without bound
    (`&a [*a, *a]` doubles at every level), nest without bound, or refer to themselves.
    A node shared through aliases is measured once."""
    measured: dict[int, tuple[int, int]] = {}      # id(node) → (values when expanded, levels of nesting)
    in_progress: set[int] = set()
    deepest, most_values = MAX_DEPTH.value, MAX_VALUES.value

    def measure(node) -> tuple[int, int]:
        key = id(node)
        if key in measured:
            return measured[key]
        if key in in_progress or len(in_progress) > deepest:
            raise _TooDeep
        in_progress.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else \
            [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []
        parts = [measure(child) for child in children]
        in_progress.discard(key)
        height = 1 + max((h for _, h in parts), default=0)
        if height > deepest:
            raise _TooDeep
        measured[key] = (1 + sum(n for n, _ in parts), height)
        return measured[key]

    total = 0
    for key_node, value_node in root.value:
        name, line = printable(str(key_node.value)), key_node.start_mark.line + 1
        try:
            total += measure(value_node)[0]
        except _TooDeep:
            raise ProblemError([Issue(name, f"nested more than {deepest} levels deep (a YAML alias that "
                                            f"refers to itself?) {MAX_DEPTH.hint}", line)], source) from None
        if total > most_values:
            raise ProblemError([Issue(name, MAX_VALUES.refusal(),
                                      line)], source)


class _TooDeep(Exception):
    pass


class _Reader:
    """Turns composed YAML nodes into plain data, recording lines and collecting every issue."""

    def __init__(self):
        self.lines: dict[tuple, int] = {}
        self.issues: list[Issue] = []

    def convert(self, node, loc: tuple, line: int | None = None):
        # a keyed value is located at its key (`network:`, `W:`), where a reader looks for it, even when
        # the value starts on the next line; a list item at its own start
        self.lines[loc] = line or node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, loc + (i,)) for i, item in enumerate(node.value)]
        return _scalar(node)

    def _mapping(self, node, loc: tuple) -> dict:
        result = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "":
                self.issues.append(Issue(format_path(loc), "keys must be plain names", line))
                continue
            key = printable(key_node.value)
            if key in result or key in first_line:
                self.issues.append(Issue(format_path(loc + (key,)),
                                         f"key appears twice (first at line {first_line[key]})", line))
                continue
            first_line[key] = line
            result[key] = self.convert(value_node, loc + (key,), line)
        return result


def _scalar(node: yaml.ScalarNode):
    """A number, a truth value, nothing, or text: text with its control characters written out (a title
    `"\\e]0;…\\a"` would otherwise retitle the reader's terminal when printed)."""
    tag = node.tag
    if node.style in ("'", '"'):
        return printable(node.value)
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            return Literal(node.value.replace("_", ""))
        except ValueError:
            return printable(node.value)   # .inf, .nan, 0x1F: left as text so validation names them in context
    if tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    try:
        return Literal(node.value)   # 1e-9 and 3/4 are numbers to an exam author, if not to YAML 1.1
    except ValueError:
        return printable(node.value)
