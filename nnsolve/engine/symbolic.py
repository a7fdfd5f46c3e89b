"""Values that are not numbers: a formula (∂f/∂x = 8p + 12) or a verdict (local minimum).

They sit in a step like a number does, so every printer shows them and the checker compares a
written answer with them — by meaning, not by spelling: `3(w1 - w2)^2 - 2w1` and
`3*w1^2 - 6*w1*w2 + 3*w2^2 - 2*w1` are the same derivative, "local min" the same verdict as
"minimum". This module imports no computer algebra; an Expression brings its own comparison.
"""
from __future__ import annotations

import re


class Symbolic:
    """A formula or a word in a step's value: shown as `text` / `latex`, compared with `matches`."""

    text: str = ""
    latex: str = ""

    def matches(self, written: str) -> bool:
        raise NotImplementedError

    def mismatch(self, written: str) -> str:
        """Why `written` does not match, in a few words."""
        return f"expected {self.text}"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text!r})"


class Verdict(Symbolic):
    """A word from a fixed vocabulary (`local minimum`); a written answer matches any of its synonyms."""

    def __init__(self, label: str, synonyms: tuple[str, ...] = (), latex: str | None = None):
        self.label = label
        self.text = label
        self.latex = latex or rf"\text{{{label}}}"
        self.synonyms = {_plain(s) for s in (label, *synonyms)}

    def matches(self, written: str) -> bool:
        return _plain(written) in self.synonyms

    def __eq__(self, other) -> bool:
        return isinstance(other, Verdict) and other.label == self.label

    def __hash__(self) -> int:
        return hash(self.label)


class Written(Symbolic):
    """What a key or a student wrote where a formula or a verdict is expected, kept as typed."""

    def __init__(self, text: str):
        self.text = text
        self.latex = rf"\text{{{text}}}"

    def matches(self, written: str) -> bool:
        return _plain(written) == _plain(self.text)


def _plain(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", str(text).strip().lower())


# the verdict of a run that leaves the range of numbers (gradient descent with too large a step)
DIVERGES = Verdict("diverges", ("diverge", "diverged", "divergent", "does not converge", "unbounded", "blows up"))
