"""Mutants of the example problems: each is determined by (seed, index) alone, so any one of thousands can be
rebuilt to reproduce a failure. Randomness comes from `random.Random(f"{seed}:{index}")` (stable across
runs and machines); nothing touches the global random state.

A mutant is an example file (examples/**, .yaml, .json or a .py snippet; not the .expect.yaml files) with
one to three mutations applied. Structured mutations work on the parsed data (YAML or JSON) and write it
back in the same format (comments are lost); textual ones work on the text (or its bytes) and apply to
snippets too. Each mutation returns a short description of what it did, for the reproduction line."""
from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)      # libyaml when present: a mutant may be megabytes
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LONGEST_LIST = 50_000      # a repeated list stops growing here: past the product's limits, still quick to write


@lru_cache(maxsize=None)
def example_files() -> tuple[Path, ...]:
    """Every example nnsolve reads, in a stable order (the order decides which file a seed picks)."""
    files = [p for p in EXAMPLES.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".py")
             and not p.name.endswith(".expect.yaml")]
    return tuple(sorted(files, key=lambda p: p.relative_to(ROOT).as_posix()))


@dataclass(frozen=True)
class Mutant:
    seed: int
    index: int
    source: Path                    # the example it was made from
    mutations: tuple[str, ...]      # what was done, in order
    data: bytes                     # the mutated file
    commands: tuple[tuple[str, ...], ...]   # the nnsolve commands to run on it ("{file}" for the file)

    @property
    def suffix(self) -> str:
        return self.source.suffix

    def describe(self) -> str:
        return f"{self.source.relative_to(ROOT)}: {'; '.join(self.mutations)}"


def make_mutant(seed: int, index: int) -> Mutant:
    rng = _generator(seed, index)
    source = rng.choice(example_files())
    text = source.read_text(encoding="utf-8")
    count = rng.choice((1, 1, 1, 1, 2, 2, 3))
    done: list[str] = []
    data: bytes | None = None
    for _ in range(count):
        if data is not None:            # a byte-level mutation ends the chain: the rest needs text
            break
        kind = rng.choice(TEXTUAL if source.suffix == ".py" else TEXTUAL + STRUCTURED * 3)
        if kind in BYTES:
            data, what = kind(text.encode("utf-8"), rng)
        elif kind in TEXTUAL:
            text, what = kind(text, rng)
        else:
            text, what = _structured(kind, text, source.suffix, rng)
        done.append(what)
    if data is None:
        data = text.encode("utf-8", "surrogatepass")
    return Mutant(seed, index, source, tuple(done), data, _commands(source, text, index))


def mutant_source(seed: int, index: int) -> Path:
    """The example `make_mutant(seed, index)` mutates, without making the mutant (its first draw)."""
    return _generator(seed, index).choice(example_files())


def _generator(seed: int, index: int) -> random.Random:
    return random.Random(f"{seed}:{index}")


# every EXPORTED-th problem mutant is also exported as quiz questions (Moodle XML, then Canvas QTI in turn): the
# exporters meet what the solver meets, at a quarter of the cost of exporting every one
EXPORTED = 4


def _commands(source: Path, original: str, index: int = 0) -> tuple[tuple[str, ...], ...]:
    if source.suffix == ".py":
        return (("summary", "{file}"),)
    text = source.read_text(encoding="utf-8")
    commands = [("solve", "{file}")]
    if index % EXPORTED == 0:
        target = ("moodle", "qti")[index // EXPORTED % 2]
        commands.append(("export", "{file}", "--to", target, "-o", "{out}"))
    if re.search(r"^answers\s*:", text, re.M) or '"answers"' in text:
        commands.append(("check", "{file}"))
    if re.search(r"^problem\s*:\s*architecture", text, re.M):
        commands.append(("summary", "{file}"))
    return tuple(commands)


# ---- structured mutations: on parsed data ------------------------------------------------------------------

def _structured(mutation, text: str, suffix: str, rng: random.Random) -> tuple[str, str]:
    try:
        data = json.loads(text) if suffix == ".json" else yaml.load(text, Loader=LOADER)
    except (ValueError, yaml.YAMLError):
        return text, f"{mutation.__name__} skipped: the text no longer parses"
    places = list(_places(data, ()))
    if not places:
        return text, f"{mutation.__name__} skipped: nothing to mutate"
    data, what = mutation(data, places, rng)
    if suffix == ".json":
        return json.dumps(data, ensure_ascii=False, allow_nan=True), what
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=10_000), what


def _places(value, path):
    """Every (path, value) in the tree, the root excluded."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), item
            yield from _places(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield path + (i,), item
            yield from _places(item, path + (i,))


def _show(path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the top"


def _set(data, path, value):
    target = data
    for p in path[:-1]:
        target = target[p]
    target[path[-1]] = value
    return data


def _numbers(places):
    return [(p, v) for p, v in places if isinstance(v, (int, float)) and not isinstance(v, bool)]


def delete_key(data, places, rng):
    keyed = [(p, v) for p, v in places if isinstance(p[-1], str)]
    if not keyed:
        return data, "delete_key skipped: no keys"
    path, _ = rng.choice(keyed)
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    del parent[path[-1]]
    return data, f"delete {_show(path)}"


def change_type(data, places, rng):
    path, old = rng.choice(places)
    new = rng.choice(["text", "", [], {}, None, True, 0, [[1, 2], [3]], {"a": 1}, "1/0", "x^2"])
    return _set(data, path, new), f"{_show(path)} = {new!r} (was {type(old).__name__})"


def wrap_in_list(data, places, rng):
    path, old = rng.choice(places)
    return _set(data, path, [old]), f"wrap {_show(path)} in a list"


def empty_value(data, places, rng):
    containers = [(p, v) for p, v in places if isinstance(v, (list, dict, str))]
    if not containers:
        return data, "empty_value skipped: no lists"
    path, old = rng.choice(containers)
    return _set(data, path, type(old)()), f"empty {_show(path)}"


# number replacements: what exam files never hold, and what they hold at the edges
HUGE = ["1e308", "-1e308", "1e-308", "1e999", "1e-999", "1e1001", str(10 ** 400), str(10 ** 1200),
        "123456789012345678901234567890", "1/3", "-0", "0.000001", "1e9", "1000000", "2147483648"]


def replace_number(data, places, rng):
    numbers = _numbers(places)
    if not numbers:
        return data, "replace_number skipped: no numbers"
    path, old = rng.choice(numbers)
    choice = rng.choice(["string", "extreme", "negative", "zero", "nan", "inf", "fraction", "big int"])
    if choice == "string":
        new = str(old)
    elif choice == "extreme":
        text = rng.choice(HUGE)
        new = int(text) if text.isdigit() else float(text) if rng.random() < 0.5 and "/" not in text else text
    elif choice == "negative":
        new = -old if old else -1
    elif choice == "zero":
        new = 0
    elif choice == "nan":
        new = math.nan
    elif choice == "inf":
        new = rng.choice([math.inf, -math.inf])
    elif choice == "fraction":
        new = old + 0.5
    else:
        new = 10 ** rng.randint(5, 60) * (1 if old >= 0 else -1)
    if isinstance(new, float) and math.isfinite(new) and new == int(new) and abs(new) < 1e16:
        new = int(new)
    shown = new if not isinstance(new, int) or abs(new) < 10 ** 30 else f"10^{len(str(abs(new))) - 1}"
    return _set(data, path, new), f"{_show(path)} = {shown} ({choice}, was {old})"


def swap_entries(data, places, rng):
    lists = [(p, v) for p, v in places if isinstance(v, list) and len(v) >= 2]
    if not lists:
        return data, "swap_entries skipped: no list of two"
    path, items = rng.choice(lists)
    i, j = rng.sample(range(len(items)), 2)
    items[i], items[j] = items[j], items[i]
    return data, f"swap {_show(path)}[{i}] and [{j}]"


def repeat_entries(data, places, rng):
    lists = [(p, v) for p, v in places if isinstance(v, list) and v]
    if not lists:
        return data, "repeat_entries skipped: no list"
    path, items = rng.choice(lists)
    times = min(rng.choice([2, 10, 100, 1000]), max(1, LONGEST_LIST // len(items)))
    return _set(data, path, items * times), f"repeat {_show(path)} ×{times}"


def deep_nest(data, places, rng):
    path, old = rng.choice(places)
    depth = rng.choice([3, 10, 31, 40])
    new = old
    for _ in range(depth):
        new = [new]
    return _set(data, path, new), f"nest {_show(path)} {depth} lists deep"


def rename_key(data, places, rng):
    keyed = [(p, v) for p, v in places if isinstance(p[-1], str)]
    if not keyed:
        return data, "rename_key skipped: no keys"
    path, value = rng.choice(keyed)
    parent = data
    for p in path[:-1]:
        parent = parent[p]
    old = path[-1]
    new = rng.choice([old + "s", old[:-1], old.upper(), "_" + old, old + "\u200b", "layers", "ask", "answers"])
    items = [(new if k == old else k, v) for k, v in parent.items()]
    parent.clear()
    parent.update(items)
    return data, f"rename {_show(path)} to {new!r}"


STRUCTURED = [delete_key, change_type, wrap_in_list, empty_value, replace_number, replace_number, swap_entries,
              repeat_entries, deep_nest, rename_key]


# ---- textual mutations: on the text, snippets included -----------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])\d+(\.\d+)?(e[-+]?\d+)?(?![\w.])")
KEY_LINE = re.compile(r"^\s*[^\s#:][^:]*:(\s|$)")
CHARACTERS = ["\x00", "\x07", "\x1b", "\x1b]0;x\x07", "\x7f", "\x85", "\x9b", "\t", "\r", "\u2028", "\ufeff",
              "\ud800", "\U0001F600", "é", "\u202e", "'", '"', "{", "[", "&a", "*a", "!!python/none", "%", "@",
              "`", "|", ">", "- ", ": ", "#", "\\"]


def insert_character(text: str, rng: random.Random) -> tuple[str, str]:
    at = rng.randrange(len(text) + 1)
    char = rng.choice(CHARACTERS) if rng.random() < 0.7 else chr(rng.randrange(0x20, 0x3000))
    return text[:at] + char + text[at:], f"insert {char!r} at character {at}"


def duplicate_line(text: str, rng: random.Random) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if KEY_LINE.match(line)] or list(range(len(lines)))
    if not keyed:
        return text, "duplicate_line skipped: empty"
    i = rng.choice(keyed)
    return "".join(lines[:i + 1] + [lines[i]] + lines[i + 1:]), f"duplicate line {i + 1}"


def delete_line(text: str, rng: random.Random) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines:
        return text, "delete_line skipped: empty"
    i = rng.randrange(len(lines))
    return "".join(lines[:i] + lines[i + 1:]), f"delete line {i + 1}"


def replace_number_text(text: str, rng: random.Random) -> tuple[str, str]:
    found = list(NUMBER.finditer(text))
    if not found:
        return text, "replace_number_text skipped: no numbers"
    match = rng.choice(found)
    new = rng.choice(["0", "-1", "-16", "2.5", "1e308", "1e999", "1e-999999999", str(10 ** 400), "10**9",
                      "9**9**9", "10**400", "1_000_000_000", "0x0", "nan", "inf", "None", "'a'", "()", "-" * 50 + "1",
                      "(" * 300 + "1" + ")" * 300])
    line = text.count("\n", 0, match.start()) + 1
    shown = new if len(new) < 30 else new[:12] + f"…({len(new)} chars)"
    return text[:match.start()] + new + text[match.end():], f"line {line}: {match.group()} → {shown}"


def truncate_bytes(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.randrange(len(data) + 1)
    return data[:at], f"truncate at byte {at} of {len(data)}"


TEXTUAL = [insert_character, insert_character, duplicate_line, delete_line, replace_number_text,
           replace_number_text, truncate_bytes]
BYTES = {truncate_bytes}
