"""Threshold units and networks of them, evaluated exactly, and the searches that build them.

A unit fires (outputs 1) when its net w·x + b is > 0 (or ≥ 0). The constructions here give every net an
odd integer value, never 0, so they hold under either comparison.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

MAX_SEARCH = 500_000        # candidate weight vectors tried from an allowed set


def net(w, b, x) -> Fraction:
    return sum((Fraction(wi) * xi for wi, xi in zip(w, x)), Fraction(b))


def fires(value, compare: str) -> int:
    return int(value > 0 if compare == ">" else value >= 0)


def layer(W, b, x, compare) -> list[int]:
    return [fires(net(w, bi, x), compare) for w, bi in zip(W, b)]


def two_layer(W1, b1, w2, b2, x, compare) -> int:
    return fires(net(w2, b2, layer(W1, b1, x, compare)), compare)


def symmetric_profile(rows, outputs) -> list[int] | None:
    """f(k) for k ones when the output depends only on how many inputs are 1 (parity, XNOR chains)."""
    profile: dict[int, int] = {}
    for x, y in zip(rows, outputs):
        if profile.setdefault(sum(x), y) != y:
            return None
    return [profile.get(k, 0) for k in range(len(rows[0]) + 1)]


def counting_network(n: int, profile: list[int]):
    """Hidden unit k fires when at least k inputs are 1 (net 2Σx − 2k + 1); the output adds the jumps of
    f at each k, so its net is 2f(Σx) − 1 = ±1."""
    W1 = [[2] * n for _ in range(n)]
    b1 = [1 - 2 * k for k in range(1, n + 1)]
    w2 = [2 * (profile[k] - profile[k - 1]) for k in range(1, n + 1)]
    return W1, b1, w2, 2 * profile[0] - 1


def minterm_network(rows, outputs):
    """One hidden unit per true row, firing on that row only (net +1 there, ≤ −1 elsewhere); the output
    is their OR (net 2Σh − 1)."""
    true_rows = [x for x, y in zip(rows, outputs) if y == 1]
    W1 = [[2 if m else -2 for m in x] for x in true_rows]
    b1 = [1 - 2 * sum(x) for x in true_rows]
    return W1, b1, [2] * len(true_rows), -1


def search_unit(rows, outputs, allowed, compare):
    """The first (w, b) from the allowed set, smallest in Σ|weight|, realising the outputs."""
    n = len(rows[0])
    if len(allowed) ** (n + 1) > MAX_SEARCH:
        return None
    candidates = sorted(itertools.product(sorted(set(allowed)), repeat=n + 1), key=lambda c: sum(map(abs, c)))
    for c in candidates:
        if all(fires(net(c[:n], c[n], x), compare) == y for x, y in zip(rows, outputs)):
            return list(c[:n]), c[n]
    return None


def search_two_layer(rows, outputs, allowed, hidden: int, compare):
    """Hidden units from the allowed set (one per distinct function of the inputs), then an output unit."""
    n = len(rows[0])
    if len(allowed) ** (n + 1) > MAX_SEARCH:
        return None
    by_function: dict[tuple, tuple] = {}
    for c in sorted(itertools.product(sorted(set(allowed)), repeat=n + 1), key=lambda c: sum(map(abs, c))):
        by_function.setdefault(tuple(fires(net(c[:n], c[n], x), compare) for x in rows), c)
    units = list(by_function.values())
    for chosen in itertools.combinations(units, hidden):
        W1, b1 = [list(c[:n]) for c in chosen], [c[n] for c in chosen]
        hidden_rows = [tuple(layer(W1, b1, x, compare)) for x in rows]
        out = search_unit(hidden_rows, outputs, allowed, compare)
        if out is not None:
            return W1, b1, out[0], out[1]
    return None


_LATEX = {"·": r"\cdot ", "η": r"\eta ", "−": "-", "Δ": r"\Delta ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ",
          "θ": r"\theta ", "Σ": r"\Sigma ", "…": r"\ldots ", "'": ""}


def described(text: str):
    """A formula given in words (these tables have no symbolic derivation to show)."""
    from ...engine.formula import Formula
    latex = "".join(_LATEX.get(ch, ch) for ch in text).replace(">=", r"\ge ")
    return Formula(latex, text)
