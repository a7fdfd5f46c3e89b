"""Threshold units and networks of them, evaluated exactly, and the searches that build them.

A unit fires (outputs 1) when its net w·x + b is > 0 (or ≥ 0). The constructions here use thresholds
k − ½ on integer sums, so no net is ever 0 and they hold under either comparison.
"""
from __future__ import annotations

import re

import functools
import itertools
import math
import operator
from fractions import Fraction

from ...limits import MAX_WEIGHT_SEARCH       # candidate weight vectors tried from an allowed set


def net(w, b, x) -> Fraction:
    return sum((Fraction(wi) * xi for wi, xi in zip(w, x)), Fraction(b))


def fires(value, compare: str, low: int = 0) -> int:
    """1 when the unit fires, else `low`: 0 (0/1 encoding) or −1 (±1 encoding)."""
    return 1 if (value > 0 if compare == ">" else value >= 0) else low


def bipolar_layers(layers):
    """A network built for 0/1 signals as the same network on ±1 signals: with x = (s + 1)/2 a unit's net
    w·x + b is (w·s + Σw + 2b)/2, so (w, 2b + Σw) has twice the net — the same sign, 0 exactly where it was 0
    — and each unit outputs −1 where it output 0."""
    return [([list(w) for w in W], [2 * Fraction(bi) + sum(map(Fraction, w)) for w, bi in zip(W, b)])
            for W, b in layers]


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


def forward(layers, x, compare, low=0) -> list[tuple[list[Fraction], list[int]]]:
    """(nets, outputs) of every layer of threshold units on the input x."""
    out, signal = [], list(x)
    for W, b in layers:
        nets = [net(w, bi, signal) for w, bi in zip(W, b)]
        signal = [fires(v, compare, low) for v in nets]
        out.append((nets, signal))
    return out


class SearchTooLarge(Exception):
    """The search would make more row evaluations than MAX_WEIGHT_SEARCH allows; `done` says how far it got."""

    def __init__(self, done: str = ""):
        super().__init__(done)
        self.done = done


class Budget:
    """Row evaluations so far (a candidate unit or hidden layer costs one per row of the table), across one whole
    search: the work, whatever the mix of units and layers."""

    def __init__(self):
        self.left = MAX_WEIGHT_SEARCH.value

    def spend(self, count: int):
        self.left -= count
        if self.left < 0:
            raise SearchTooLarge()


def _candidates(n, weights, biases):
    """(w1 … wn, b) from the allowed sets, smallest Σ|value| first (the simplest answer is the one shown)."""
    return _sorted_candidates(n, tuple(sorted(set(weights))), tuple(sorted(set(biases))))


@functools.lru_cache(maxsize=32)
def _sorted_candidates(n, weights, biases):
    out = [c + (b,) for c in itertools.product(weights, repeat=n) for b in biases]
    return sorted(out, key=lambda c: sum(map(abs, c)))


@functools.lru_cache(maxsize=32)
def _integer_candidates(n, weights, biases):
    """The candidates times the common denominator of the allowed values: integer nets with the signs of the
    exact ones (a positive factor), computed at a fraction of Fraction's cost — the searches' inner loop."""
    scale = math.lcm(*(Fraction(v).denominator for v in weights + biases))
    return [tuple(int(Fraction(v) * scale) for v in c) for c in _sorted_candidates(n, weights, biases)]


def _outputs(candidate, rows, compare, low):
    """What an integer-scaled candidate outputs on each row of integer inputs."""
    *w, b = candidate
    if compare == ">":
        return tuple(1 if sum(map(operator.mul, w, x)) + b > 0 else low for x in rows)
    return tuple(1 if sum(map(operator.mul, w, x)) + b >= 0 else low for x in rows)


def _integer_rows(rows):
    """The rows as integers (0/1 and ±1 signals are), or None where one is not (then the exact path is taken)."""
    if all(Fraction(v).denominator == 1 for x in rows for v in x):
        return [tuple(int(v) for v in x) for x in rows]
    return None


def _signatures(n, weights, biases, rows, compare, low):
    """(candidate, its outputs on every row), smallest Σ|value| first."""
    exact = _candidates(n, weights, biases)
    whole = _integer_rows(rows)
    if whole is None:
        return [(c, tuple(fires(net(c[:n], c[n], x), compare, low) for x in rows)) for c in exact]
    scaled = _integer_candidates(n, tuple(sorted(set(weights))), tuple(sorted(set(biases))))
    return [(c, _outputs(i, whole, compare, low)) for c, i in zip(exact, scaled)]


def search_unit(rows, outputs, weights, compare, low=0, biases=None, budget: Budget | None = None):
    """The first (w, b) — weights from `weights`, bias from `biases` (default: the same set), smallest in
    Σ|value| — realising the outputs; None when none does. Raises SearchTooLarge past the budget."""
    n = len(rows[0])
    biases = weights if biases is None else biases
    count = len(set(weights)) ** n * len(set(biases))
    (budget or Budget()).spend(count * len(rows))
    wanted = tuple(outputs)
    for c, outs in _signatures(n, weights, biases, rows, compare, low):
        if outs == wanted:
            return list(c[:n]), c[n]
    return None


def search_two_layer(rows, outputs, weights, hidden: int, compare, low=0, biases=None, budget: Budget | None = None):
    """A hidden layer of exactly `hidden` units and an output unit, every weight from `weights` and every bias
    from `biases`: None when no such network realises the outputs. Exhaustive: the hidden units range over
    every function one allowed unit computes (a unit may repeat: two equal units can need weights the set
    lacks), the output unit over every allowed (w, b). Raises SearchTooLarge past the budget."""
    n = len(rows[0])
    biases = weights if biases is None else biases
    budget = budget or Budget()
    budget.spend(len(set(weights)) ** n * len(set(biases)) * len(rows))
    by_function: dict[tuple, tuple] = {}
    for c, outs in _signatures(n, weights, biases, rows, compare, low):
        by_function.setdefault(outs, c)
    functions = list(by_function)
    for chosen in itertools.combinations_with_replacement(range(len(functions)), hidden):
        budget.spend(len(rows))
        hidden_rows = list(zip(*(functions[j] for j in chosen)))
        wanted: dict[tuple, int] = {}
        if any(wanted.setdefault(h, y) != y for h, y in zip(hidden_rows, outputs)):
            continue            # two rows the hidden layer cannot tell apart need different outputs
        out = search_unit(hidden_rows, outputs, weights, compare, low, biases, budget)
        if out is not None:
            units = [by_function[functions[j]] for j in chosen]
            return [list(c[:n]) for c in units], [c[n] for c in units], out[0], out[1]
    return None


_LATEX = {"·": r"\cdot ", "η": r"\eta ", "−": "-", "Δ": r"\Delta ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ",
          "θ": r"\theta ", "Σ": r"\Sigma ", "…": r"\ldots ", "'": "", "⌈": r"\lceil ", "⌉": r"\rceil ",
          "½": r"\tfrac{1}{2}"}


_WORDS = re.compile(r"[A-Za-z]{2,},? [A-Za-z]{2,}")      # "initial weights": prose, not a product of letters
_TEXT_SPECIAL = {ch: "\\" + ch for ch in "{}_#&%$"}


def described(text: str):
    """A formula given in words (these tables have no symbolic derivation to show): a formula (`η (t − y) x`) as
    math, words (`initial weights`) as upright text — math would set them as a product of italic letters."""
    from ...engine.formula import Formula
    if _WORDS.search(text) or (text.isalpha() and len(text) > 2):
        # upright runs of text between the symbols (η, −, ·): no math nested inside \text, which MathML
        # converters do not read
        pieces, run = [], []
        for ch in text + "\0":
            if ch in _LATEX or ch == "\0":
                words = "".join(run)
                if words.strip().isdigit():
                    pieces.append(words.strip())        # digits are upright in math too ({2} would be a placeholder)
                elif words:
                    pieces.append(r"\text{" + words + "}")
                run = []
                if ch in _LATEX:
                    pieces.append(_LATEX[ch].strip() or "{}")
            else:
                run.append(_TEXT_SPECIAL.get(ch, ch))
        return Formula(" ".join(pieces), text)
    latex = "".join(_LATEX.get(ch, ch) for ch in text).replace(">=", r"\ge ")
    return Formula(latex, text)
