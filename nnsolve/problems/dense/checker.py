"""What `check` needs to know of a dense network beyond the shared training conventions: the weight
layouts a key may have read, the biases it may have left out, and where a quantity's settings are in the file."""
from __future__ import annotations

import re
from fractions import Fraction

from ...training.activation import canonical
from ...training.alternatives import (frozen_biases_alternative, layout_alternative, locate as locate_training,
                                      replaced, training_alternatives)

MAX_TRANSPOSED_LAYERS = 12       # layers whose W alone a key may have read transposed, each tried in turn
LAYER_QUANTITY = re.compile(r"[uhz](\d+)(\(\d+\))?")


def alternatives(p) -> list:
    out = training_alternatives(p, {canonical(layer.activation) for layer in p.network.layers})
    if any(layer.b is not None and layer.trainable is True for layer in p.network.layers):
        out += frozen_biases_alternative(p)
    out += _biases_left_out(p)
    if p.network.layers:
        out.append(layout_alternative(p, "network.layout"))
        # a square matrix fits either reading, so a key may have read just that one the other way (a symmetric
        # one, a 1×1 above all, reads the same both ways: nothing to try); a hand-worked network has a few layers
        if 1 < len(p.network.layers) <= MAX_TRANSPOSED_LAYERS:
            for i, layer in enumerate(p.network.layers, start=1):
                transposed = [list(row) for row in zip(*layer.W)]
                if len(layer.W) == len(layer.W[0]) and transposed != layer.W:
                    out.append((f"W{i} read the other way round (its transpose used)",
                                replaced(p, f"network.layers.{i - 1}.W", transposed)))
    return out


def _biases_left_out(p) -> list:
    """A key that wrote u = Wᵀx for u = Wᵀx + b: one layer's bias taken as 0, each biased layer in turn, and every
    bias at once where more than one layer has one (the rest of the problem, the updates of b included, as given)."""
    biased = [i for i, layer in enumerate(p.network.layers) if layer.b is not None and _nonzero(layer.b)]
    if len(biased) > MAX_TRANSPOSED_LAYERS:
        return []
    out, every = [], p
    for i in biased:
        zero = _zero_like(p.network.layers[i].b)
        out.append((f"b{i + 1} left out of u{i + 1} (taken as 0)", replaced(p, f"network.layers.{i}.b", zero)))
        every = replaced(every, f"network.layers.{i}.b", zero)
    if len(biased) > 1:
        out.append(("every bias left out (u = Wᵀx, each b taken as 0)" if p.network.layout == "in_out" else
                    "every bias left out (u = Wx, each b taken as 0)", every))
    return out


def _nonzero(bias) -> bool:
    return any(v != 0 for v in bias) if isinstance(bias, list) else bias != 0


def _zero_like(bias):
    return [Fraction(0)] * len(bias) if isinstance(bias, list) else Fraction(0)


def locate(quantity: str) -> tuple:
    """u2/h2 → network.layers[1]; the rest as for every family that trains."""
    layer = LAYER_QUANTITY.fullmatch(quantity)
    if layer:
        return ("network", "layers", int(layer.group(1)) - 1)
    return locate_training(quantity)
