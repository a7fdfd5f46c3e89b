"""XOR/XNOR of n inputs as a balanced tree of 2-input blocks, each block two hidden threshold units
(a AND NOT b, NOT a AND b) and one output unit (their OR for XOR, their NOR for XNOR)."""
from __future__ import annotations

from fractions import Fraction

from .threshold import fires, net

HALF = Fraction(1, 2)


def layer_sizes(n: int) -> list[int]:
    """Units in each layer of the tree: per round, 2 per pair of signals then 1 per pair; an unpaired
    signal skips ahead to the next round (a direct connection, no relay unit)."""
    sizes, signals = [], n
    while signals > 1:
        pairs = signals // 2
        sizes += [2 * pairs, pairs]
        signals = pairs + signals % 2
    return sizes


def block(a: int, b: int, xnor: bool, compare: str) -> int:
    h = [fires(net([1, -1], -HALF, [a, b]), compare), fires(net([-1, 1], -HALF, [a, b]), compare)]
    return fires(net([-1, -1], HALF, h), compare) if xnor else fires(net([1, 1], -HALF, h), compare)


def evaluate(x, xnor: bool, compare: str) -> int:
    signals = list(x)
    while len(signals) > 1:
        paired = [block(signals[k], signals[k + 1], xnor, compare) for k in range(0, len(signals) - 1, 2)]
        signals = paired + signals[len(signals) - len(signals) % 2:]
    return signals[0]
