"""What `check` needs to know of a recurrent network beyond the shared training conventions: a key may
have read the weights the other way round."""
from __future__ import annotations

from ...training.activation import canonical
from ...training.alternatives import layout_alternative, training_alternatives


def alternatives(p) -> list:
    used = {canonical(p.cell.activation)} | ({canonical(p.output.activation)} if p.output is not None else set())
    return training_alternatives(p, used) + [layout_alternative(p, "layout")]
