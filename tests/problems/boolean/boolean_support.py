"""An evaluator of threshold networks in plain Python, independent of nnsolve's threshold helpers: it reads
the weights a solution reports and runs them with Fractions."""
from __future__ import annotations

from fractions import Fraction

from nnsolve.engine.number import to_fraction


def _vec(solution, quantity_id):
    return [to_fraction(v) for v in solution.value(quantity_id).ravel()]


def layers_of(solution, prefix=""):
    """[(rows of weights, biases)] of the reported network, output unit last."""
    if solution.has(prefix + "w"):
        return [([_vec(solution, prefix + "w")], _vec(solution, prefix + "b"))]
    layers, l = [], 1
    while solution.has(f"{prefix}W{l}"):
        W = [[to_fraction(v) for v in row] for row in solution.value(f"{prefix}W{l}")]
        layers.append((W, _vec(solution, f"{prefix}b{l}")))
        l += 1
    layers.append(([_vec(solution, f"{prefix}w{l}")], _vec(solution, f"{prefix}b{l}")))
    return layers


def run(layers, x, compare=">"):
    signal = [Fraction(v) for v in x]
    for W, b in layers:
        nets = [sum((wi * si for wi, si in zip(w, signal)), Fraction(0)) + bi for w, bi in zip(W, b)]
        signal = [int(v > 0) if compare == ">" else int(v >= 0) for v in nets]
    return signal[0]


def scalar(solution, quantity_id):
    return to_fraction(solution.value(quantity_id).ravel()[0])
