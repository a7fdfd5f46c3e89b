"""What `check` needs to know of a dense network beyond the shared training conventions: the weight
layouts a key may have read, and where a quantity's settings are in the file."""
from __future__ import annotations

import re

from ...training.activation import canonical
from ...training.alternatives import (frozen_biases_alternative, layout_alternative, locate as locate_training,
                                      replaced, training_alternatives)

MAX_TRANSPOSED_LAYERS = 12       # layers whose W alone a key may have read transposed, each tried in turn
LAYER_QUANTITY = re.compile(r"[uhz](\d+)(\(\d+\))?")


def alternatives(p) -> list:
    out = training_alternatives(p, {canonical(layer.activation) for layer in p.network.layers})
    if any(layer.b is not None and layer.trainable is True for layer in p.network.layers):
        out += frozen_biases_alternative(p)
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


def locate(quantity: str) -> tuple:
    """u2/h2 → network.layers[1]; the rest as for every family that trains."""
    layer = LAYER_QUANTITY.fullmatch(quantity)
    if layer:
        return ("network", "layers", int(layer.group(1)) - 1)
    return locate_training(quantity)
