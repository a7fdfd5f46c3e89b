"""Threshold units and networks of them, evaluated exactly, and the searches that build them.

A unit fires (outputs 1) when its net w·x + b is > 0 (or ≥ 0). The constructions here use thresholds
k − ½ on integer sums, so no net is ever 0 and they hold under either comparison.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

from ...limits import MAX_WEIGHT_SEARCH       # candidate weight vectors tried from an allowed set


def net(w, b, x) -> Fraction:
    return sum((Fraction(wi) * xi for wi, xi in zip(w, x)), Fraction(b))


def fires(value, compare: str) -> int:
    return int(value > 0 if compare == ">" else value >= 0)


def layer(W, b, x, compare) -> list[int]:
    return [fires(net(w, bi, x), compare) for w, bi in zip(W, b)]


def symmetric_profile(rows, outputs) -> list[int] | None:
    """f(k) for k ones when the output depends only on how many inputs are 1 (parity, XNOR chains)."""
    profile: dict[int, int] = {}
    for x, y in zip(rows, outputs):
        if profile.setdefault(sum(x), y) != y:
            return None
    return [profile.get(k, 0) for k in range(len(rows[0]) + 1)]


def counting_network(n: int, profile: list[int]):
    """Hidden unit k fires when at least k inputs are 1 (w = 1, threshold k − ½); the output adds the jumps
    of f at each k (for parity +1, −1, +1, …), so its net is f(Σx) − ½ = ±½."""
    W1 = [[Fraction(1)] * n for _ in range(n)]
    b1 = [Fraction(1, 2) - k for k in range(1, n + 1)]
    w2 = [Fraction(profile[k] - profile[k - 1]) for k in range(1, n + 1)]
    return W1, b1, w2, profile[0] - Fraction(1, 2)


def term_network(terms: list[dict[int, int]], n: int):
    """One hidden AND unit per product term {input index: 1 plain, 0 negated}: weight +1 on a plain
    literal, −1 on a negated one, threshold (number of plain literals) − ½, so its net is +½ when the term
    holds and ≤ −½ otherwise; the output is their OR (weights 1, threshold ½)."""
    W1 = [[Fraction(0 if j not in term else 1 if term[j] else -1) for j in range(n)] for term in terms]
    b1 = [Fraction(1, 2) - sum(term.values()) for term in terms]
    return W1, b1, [Fraction(1)] * len(terms), Fraction(-1, 2)


def minterm_network(rows, outputs):
    """The OR of one AND unit per true row (each a full minterm)."""
    true_rows = [x for x, y in zip(rows, outputs) if y == 1]
    return term_network([dict(enumerate(x)) for x in true_rows], len(rows[0]))


def forward(layers, x, compare) -> list[tuple[list[Fraction], list[int]]]:
    """(nets, outputs) of every layer of threshold units on the input x."""
    out, signal = [], list(x)
    for W, b in layers:
        nets = [net(w, bi, signal) for w, bi in zip(W, b)]
        signal = [fires(v, compare) for v in nets]
        out.append((nets, signal))
    return out


def search_unit(rows, outputs, allowed, compare):
    """The first (w, b) from the allowed set, smallest in Σ|weight|, realising the outputs."""
    n = len(rows[0])
    if len(allowed) ** (n + 1) > MAX_WEIGHT_SEARCH.value:
        return None
    candidates = sorted(itertools.product(sorted(set(allowed)), repeat=n + 1), key=lambda c: sum(map(abs, c)))
    for c in candidates:
        if all(fires(net(c[:n], c[n], x), compare) == y for x, y in zip(rows, outputs)):
            return list(c[:n]), c[n]
    return None


def search_two_layer(rows, outputs, allowed, hidden: int, compare):
    """Hidden units from the allowed set (one per distinct function of the inputs), then an output unit."""
    n = len(rows[0])
    if len(allowed) ** (n + 1) > MAX_WEIGHT_SEARCH.value:
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
          "θ": r"\theta ", "Σ": r"\Sigma ", "…": r"\ldots ", "'": "", "⌈": r"\lceil ", "⌉": r"\rceil ",
          "½": r"\tfrac{1}{2}"}


def described(text: str):
    """A formula given in words (these tables have no symbolic derivation to show)."""
    from ...engine.formula import Formula
    latex = "".join(_LATEX.get(ch, ch) for ch in text).replace(">=", r"\ge ")
    return Formula(latex, text)
