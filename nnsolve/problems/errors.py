"""Errors in a problem file, each tied to its place (a path like `network.layers[1].W`) and its line."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


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

    def __init__(self, issues: list[Issue], source: str | None = None):
        self.issues = issues
        self.source = source
        super().__init__("\n".join(str(i) for i in issues))

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        count = len(self.issues)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in the input:"]
        lines += [f"  {issue}" for issue in self.issues]
        return "\n".join(lines)


def format_path(loc) -> str:
    """('network', 'layers', 1, 'W') → 'network.layers[1].W'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def suggestion(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
