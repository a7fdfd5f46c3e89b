"""What `check` needs to know of a conv_network beyond the shared training conventions: a key may have
flipped the kernel (a true convolution) or read a dense layer's weights the other way round."""
from __future__ import annotations

import re

from ...training.activation import canonical
from ...training.alternatives import layout_alternative, locate as locate_training, replaced, training_alternatives

LAYER_QUANTITY = re.compile(r"(?:z|u|mu|var|sigma|xhat)(\d+)(\(\d+\))?")


def alternatives(p) -> list:
    used = {canonical(layer.spec) for layer in p.layers if layer.kind == "activation"}
    used |= {canonical(layer.spec.activation) for layer in p.layers if layer.kind == "dense"}
    out = training_alternatives(p, used)
    if any(layer.kind in ("conv1d", "conv2d") for layer in p.layers):
        other = "convolution" if p.conventions.operation == "cross_correlation" else "cross_correlation"
        out.append(("the kernel flipped (a true convolution)" if other == "convolution" else
                    "the kernel not flipped (cross-correlation)", replaced(p, "conventions.operation", other)))
    for i, layer in enumerate(p.layers):
        if layer.kind == "dense":
            statement, alt = layout_alternative(p, f"layers.{i}.dense.layout")
            out.append((f"layer {i + 1}: {statement}", alt))
    return out


def locate(quantity: str) -> tuple:
    """z2/u2/mu2 → layers[1]; the rest as for every family that trains."""
    layer = LAYER_QUANTITY.fullmatch(quantity)
    if layer:
        return ("layers", int(layer.group(1)) - 1)
    return locate_training(quantity)
