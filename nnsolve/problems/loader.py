"""Read a YAML or JSON problem file into plain data, exactly, remembering the line of every value.

Numbers become `Literal`s: exact Fractions that also keep the text the author typed, because a key's
"0.80" carries its own precision (2 decimals) that the checker must honour.
JSON is read by the same YAML composer (JSON is YAML's flow style), so both get line numbers.
Everything that could exhaust memory (a huge file, an alias bomb, a 10⁹-digit number, deep nesting)
is refused before it is built.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import yaml

from ..engine.number import parse_number
from .errors import Issue, ProblemError, format_path

MAX_FILE_BYTES = 5_000_000
MAX_VALUES = 500_000          # numbers and lists in the file, after YAML aliases are expanded
MAX_DEPTH = 32                # a problem file nests about 6 deep; more is a mistake or an attack
MAX_DIGITS = 1000             # significant digits of one typed number (exact Fractions given from Python)
MAX_EXPONENT = 1000           # |e| in 1e-9: 10**1000 is already far past any exam number

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
    if len(d.as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"a number with more than {MAX_DIGITS} digits ({whole[:20]}…) is not an exam number")
    if d and abs(d.adjusted()) > MAX_EXPONENT:
        raise ValueError(f"{whole} is beyond the range handled exactly (10^±{MAX_EXPONENT})")


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
    p = Path(path)
    source = str(path)

    def refuse(message: str, line: int | None = None):
        return ProblemError([Issue("", message, line)], source)

    try:
        if p.is_dir():
            raise refuse("is a directory, not a problem file")
        size = p.stat().st_size
    except FileNotFoundError:
        raise refuse("file not found") from None
    except OSError as e:
        raise refuse(f"cannot read the file: {e.strerror or e}") from None
    if size > MAX_FILE_BYTES:
        raise refuse(f"the file is {size:,} bytes; problem files are limited to {MAX_FILE_BYTES:,}")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise refuse(f"cannot read the file: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise refuse(f"not UTF-8 text (byte 0x{raw[e.start]:02x} at offset {e.start}); save the file as UTF-8",
                     line) from None
    if p.suffix.lower() == ".json":
        # JSON allows tabs between tokens, YAML does not; a valid JSON string never holds a raw tab
        text = text.replace("\t", " ")
    return load_text(text, source)


def load_text(text: str, source: str = "<text>") -> Document:
    if len(text) > MAX_FILE_BYTES:
        raise ProblemError([Issue("", f"the text is {len(text):,} characters; problems are limited to "
                                      f"{MAX_FILE_BYTES:,}")], source)
    try:
        text = text.removeprefix("\ufeff")
        _refuse_deep_nesting(text, source)
        root = yaml.compose(text, Loader=COMPOSER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        column = f" at column {mark.column + 1}" if mark else ""
        what = e.problem or e.context or "unreadable"
        raise ProblemError([Issue("", f"not valid YAML/JSON: {what}{column}", line)], source) from None
    except yaml.reader.ReaderError as e:
        line = text[:e.position].count("\n") + 1
        code = e.character if isinstance(e.character, int) else ord(e.character)   # libyaml gives the code
        raise ProblemError([Issue("", f"not valid YAML/JSON: the control character U+{code:04X} is not "
                                      f"allowed in a problem file", line)], source) from None
    except yaml.YAMLError as e:
        raise ProblemError([Issue("", f"not valid YAML/JSON: {e}")], source) from None
    if root is None:
        raise ProblemError([Issue("", "the file is empty: expected a problem such as `problem: dense_network`")],
                           source)
    if not isinstance(root, yaml.MappingNode):
        got = "a list" if isinstance(root, yaml.SequenceNode) else f"the single value {root.value!r}"
        raise ProblemError([Issue("", f"expected a mapping of keys (problem:, network:, …) at the top, got {got}",
                                  root.start_mark.line + 1)], source)
    _refuse_oversize(root, source)
    reader = _Reader()
    data = reader.convert(root, ())
    if reader.issues:
        raise ProblemError(reader.issues, source)
    return Document(data, reader.lines, source)


def load_data(data: dict, source: str = "<dict>") -> Document:
    """Python data (a dict of lists, numbers, text; numpy arrays) as a Document, read as a file would be:
    each number exact as the text it stands for (0.1 is 1/10, a float by its shortest repr), with the same
    limits on size and nesting. There are no lines to point at."""
    count = 0

    def convert(value, depth: int):
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise ProblemError([Issue("", f"more than {MAX_VALUES:,} values; too large to solve exactly")], source)
        if depth > MAX_DEPTH:
            raise ProblemError([Issue("", f"nested more than {MAX_DEPTH} levels deep")], source)
        if hasattr(value, "tolist") and not isinstance(value, Fraction):      # numpy arrays and scalars
            value = value.tolist()
        if isinstance(value, dict):
            return {str(k): convert(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v, depth + 1) for v in value]
        if isinstance(value, bool) or value is None or isinstance(value, (str, Literal)):
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
        raise ProblemError([Issue("", f"expected a mapping of keys (problem:, network:, …), got {type(data).__name__}")],
                           source)
    return Document(convert(data, 0), {}, source)


def _refuse_deep_nesting(text: str, source: str) -> None:
    """Composing nests one call per level (libyaml's composer crashes, rather than raising, past a few
    thousand); its parser does not, so count the levels on the event stream first."""
    depth = 0
    for event in yaml.parse(text, Loader=COMPOSER):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ProblemError([Issue("", f"nested more than {MAX_DEPTH} levels deep",
                                          event.start_mark.line + 1)], source)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _refuse_oversize(root: yaml.MappingNode, source: str) -> None:
    """Measure the data before building it: YAML aliases let a small file expand without bound
    (`&a [*a, *a]` doubles at every level), nest without bound, or refer to themselves.
    A node shared through aliases is measured once."""
    measured: dict[int, tuple[int, int]] = {}      # id(node) → (values when expanded, levels of nesting)
    in_progress: set[int] = set()

    def measure(node) -> tuple[int, int]:
        key = id(node)
        if key in measured:
            return measured[key]
        if key in in_progress or len(in_progress) > MAX_DEPTH:
            raise _TooDeep
        in_progress.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else \
            [v for _, v in node.value] if isinstance(node, yaml.MappingNode) else []
        parts = [measure(child) for child in children]
        in_progress.discard(key)
        height = 1 + max((h for _, h in parts), default=0)
        if height > MAX_DEPTH:
            raise _TooDeep
        measured[key] = (1 + sum(n for n, _ in parts), height)
        return measured[key]

    total = 0
    for key_node, value_node in root.value:
        name, line = str(key_node.value), key_node.start_mark.line + 1
        try:
            total += measure(value_node)[0]
        except _TooDeep:
            raise ProblemError([Issue(name, f"nested more than {MAX_DEPTH} levels deep (a YAML alias that "
                                            f"refers to itself?)", line)], source) from None
        if total > MAX_VALUES:
            raise ProblemError([Issue(name, f"more than {MAX_VALUES:,} values in the file (after expanding "
                                            f"YAML aliases); too large to solve exactly", line)], source)


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
            key = key_node.value
            if key in result or key in first_line:
                self.issues.append(Issue(format_path(loc + (key,)),
                                         f"key appears twice (first at line {first_line[key]})", line))
                continue
            first_line[key] = line
            result[key] = self.convert(value_node, loc + (key,), line)
        return result


def _scalar(node: yaml.ScalarNode):
    tag = node.tag
    if node.style in ("'", '"'):
        return node.value
    if tag.endswith(":int") or tag.endswith(":float"):
        try:
            return Literal(node.value.replace("_", ""))
        except ValueError:
            return node.value   # .inf, .nan, 0x1F: left as text so validation names them in context
    if tag.endswith(":bool"):
        return node.value.lower() in ("true", "yes", "on", "y")
    if tag.endswith(":null"):
        return None
    try:
        return Literal(node.value)   # 1e-9 and 3/4 are numbers to an exam author, if not to YAML 1.1
    except ValueError:
        return node.value
