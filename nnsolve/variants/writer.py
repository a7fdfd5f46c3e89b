"""A variant as a problem file: the file's data (with the drawn givens) and its key, written as YAML that nnsolve
reads back to the same numbers. Every number is written as the text it stands for (0.1, 1/3, the key's 0.8135),
texts as double-quoted strings (JSON's escapes are YAML's), and lists of numbers in flow style, as authors write
matrices. Nothing depends on the clock or the machine: the same variant is the same bytes."""
from __future__ import annotations

import json
import re
from fractions import Fraction

from ..engine.number import exact_string
from ..problems.loader import Literal

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./()\[\]'′-]*")
_PLAIN_TEXT = re.compile(r"[A-Za-z_][A-Za-z0-9_./()′-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "inf", "nan"}
FLOW_WIDTH = 100


def problem_text(data: dict, header: list[str]) -> str:
    lines = [f"# {line}" if line else "#" for line in header]
    lines += _mapping(data, 0)
    return "\n".join(lines) + "\n"


def _key(key) -> str:
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) and text.lower() not in _RESERVED else json.dumps(text,
                                                                                                ensure_ascii=False)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Literal):
        return value.text
    if isinstance(value, Fraction):
        return exact_string(value)
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_TEXT.fullmatch(text) and text.lower() not in _RESERVED:
        return text          # a name such as relu or dL/dW1 reads back as the same text
    return json.dumps(text, ensure_ascii=False)


def _flow(value) -> str | None:
    """`value` on one line, if it is made of numbers, texts and short lists and mappings of them."""
    if isinstance(value, list):
        parts = [_flow(v) for v in value]
        return None if any(p is None for p in parts) else "[" + ", ".join(parts) + "]"
    if isinstance(value, dict):
        # a mapping holding lists (a layer's W and b) is written a key a line, its matrices each on their own
        if any(isinstance(v, (list, dict)) for v in value.values()):
            return None
        parts = [_flow(v) for v in value.values()]
        return "{" + ", ".join(f"{_key(k)}: {p}" for k, p in zip(value, parts)) + "}"
    return _scalar(value)


def _mapping(data: dict, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for key, value in data.items():
        flow = _flow(value)
        if flow is not None and (len(flow) + indent <= FLOW_WIDTH or not isinstance(value, (list, dict))
                                 or not value):
            out.append(f"{pad}{_key(key)}: {flow}")
        elif isinstance(value, dict):
            out.append(f"{pad}{_key(key)}:")
            out += _mapping(value, indent + 2)
        else:
            out.append(f"{pad}{_key(key)}:")
            out += _sequence(value, indent + 2)
    return out


def _sequence(items: list, indent: int) -> list[str]:
    pad = " " * indent
    out = []
    for item in items:
        flow = _flow(item)
        if flow is not None and (len(flow) + indent + 2 <= FLOW_WIDTH or not isinstance(item, (list, dict))
                                 or not item):
            out.append(f"{pad}- {flow}")
        elif isinstance(item, dict):
            inner = _mapping(item, indent + 2)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out += inner[1:]
        else:
            inner = _sequence(item, indent + 2)
            out.append(f"{pad}- {inner[0].lstrip()}")
            out += inner[1:]
    return out
