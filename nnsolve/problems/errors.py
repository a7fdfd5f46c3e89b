"""Errors in a problem file, each tied to its place (a path like `network.layers[1].W`) and its line."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# What a terminal would obey rather than show: C0 controls but the line break and the tab, DEL, C1
# (\x9b is a one-byte escape), and the bidirectional overrides and isolates that reorder what is shown.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SHOWN_ISSUES = 100      # a longer list is read by no one: the rest are counted


def printable(text: str, json: bool = False) -> str:
    """`text` with every control character written out (`\\x1b`, `\\u202e`), so that text from a file or
    the command line reaches a terminal as text: a title cannot set the window title or reverse a line.
    In JSON text (where such a character can only stand inside a string) each is written `\\u001b`, which
    JSON reads back as the same character."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 and not json
                            else f"\\u{ord(m[0]):04x}", text)


@dataclass(frozen=True)
class Issue:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        at = f" (line {self.line})" if self.line else ""
        return f"{where}{self.message}{at}"


class ProblemError(Exception):
    """One or more located problems with the input; the CLI prints them all and exits with code 2."""

    def __init__(self, issues: list[Issue], source: str | None = None, unlisted: int = 0):
        # in file order, so a reader can fix them top to bottom; issues without a line come last
        self.issues = sorted(issues, key=lambda i: i.line if i.line is not None else float("inf"))
        self.source = source
        self.unlisted = unlisted           # further problems counted, not worded (a file of 400,000 unknown keys)
        super().__init__("\n".join(str(i) for i in self.issues))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.issues) + self.unlisted
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in the input:"]
        lines += [f"  {issue}" for issue in self.issues[:SHOWN_ISSUES]]
        if count > min(SHOWN_ISSUES, len(self.issues)):
            lines.append(f"  … and {count - min(SHOWN_ISSUES, len(self.issues)):,} more")
        return printable("\n".join(lines))


def format_path(loc) -> str:
    """('network', 'layers', 1, 'W') → 'network.layers[1].W'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def parse_path(text: str) -> tuple:
    """'network.layers[1].W' → ('network', 'layers', 1, 'W'): the place a path names, to look up its line."""
    loc: list = []
    for part in text.split("."):
        name, *indices = part.replace("]", "").split("[")
        loc += ([name] if name else []) + [int(i) for i in indices if i.isdigit()]
    return tuple(loc)


def suggestion(word: str, choices, list_if_none: bool = False) -> str:
    """'; did you mean 'x'?' for the closest choice; with `list_if_none`, name every choice instead
    when none is close (an unknown key is easiest to fix by seeing what is allowed)."""
    choices = sorted({str(c) for c in choices})
    lowered = word.lower()
    # an abbreviation or a truncated name (relu_derivative → relu_derivative_at_zero) beats an edit-distance match
    same = [c for c in choices if c.lower() == lowered]
    by_prefix = [c for c in choices if c.lower().startswith(lowered)] if len(lowered) >= 3 else []
    by_prefix = by_prefix or [c for c in choices if lowered.startswith(c.lower())]     # bias → b, Weights → W
    close = same or (by_prefix if len(by_prefix) == 1 else
                     difflib.get_close_matches(word, choices, n=1, cutoff=0.6))
    if close:
        return f"; did you mean {close[0]!r}?"
    if list_if_none and choices:
        return "; allowed here: " + ", ".join(choices)
    return ""
