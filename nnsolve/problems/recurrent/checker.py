"""What `check` needs to know of a recurrent network beyond the shared training conventions: a key may
have read the weights the other way round."""
from __future__ import annotations

from ...training.activation import canonical
from ...training.alternatives import frozen_biases_alternative, layout_alternative, training_alternatives


def alternatives(p) -> list:
    used = {canonical(p.cell.activation)} | ({canonical(p.output.activation)} if p.output is not None else set())
    biased = p.cell.bias is not None or (p.output is not None and p.output.bias is not None)
    return training_alternatives(p, used) + [layout_alternative(p, "layout")] + \
        (frozen_biases_alternative(p) if biased else [])
