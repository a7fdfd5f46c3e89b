"""What `check` needs to know of attention beyond the shared training conventions: a key may have read the
projections the other way round, or left out the 1/√d_k scaling (d_k = 1)."""
from __future__ import annotations

from fractions import Fraction

from ...training.activation import canonical
from ...training.alternatives import layout_alternative, replaced, training_alternatives


def alternatives(p) -> list:
    out = training_alternatives(p, {"softmax", canonical(p.activation)})
    if p.layout is not None:        # Q, K, V given without W_O: nothing is read in a layout
        out.append(layout_alternative(p, "layout"))
    if p.d_k != 1:
        out.append(("no 1/√d_k scaling (d_k = 1)", replaced(p, "d_k", Fraction(1))))
    return out
