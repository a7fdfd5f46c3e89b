"""What a conv_network's output is, as the loss sees it: the activation that produced it (through layers
that keep values as they are: flatten, pooling), and the targets it is compared with."""
from __future__ import annotations

from ...training.activation import canonical
from ...training.checks import Output
from .schema import ConvProblem

# layers whose outputs are some of their inputs, or their average: a probability stays a probability
KEEPS_RANGE = {"flatten", "max_pool2d", "avg_pool2d", "global_avg_pool"}


def final_activation(p: ConvProblem) -> tuple[int, str]:
    """(index of the layer that applies it, canonical name) of the activation the output went through;
    identity for a convolution, a batch norm or a join, whose outputs are any numbers."""
    i = len(p.layers) - 1
    while i > 0 and p.layers[i].kind in KEEPS_RANGE and p.layers[i].input is None:
        i -= 1
    layer = p.layers[i]
    if layer.kind == "activation":
        return i, canonical(layer.spec)
    if layer.kind == "dense":
        return i, canonical(layer.spec.activation)
    return i, "identity"


def loss_output(p: ConvProblem) -> Output:
    i, name = final_activation(p)
    kind = p.layers[i].kind
    return Output(name, f"the output (layer {i + 1}, {kind})",
                  ("layers", i) + ((kind, "activation") if kind == "dense" else (kind,)),
                  targets=_flat(p.target) if p.target is not None else [], has_target=p.target is not None)


def _flat(nested) -> list:
    if not isinstance(nested, list):
        return [nested]
    return [v for item in nested for v in _flat(item)]
