"""What `check` needs to know of an LSTM or GRU beyond the shared training conventions: a key may have read
the weights the other way round, concatenated weights over the other order of [hₜ₋₁, xₜ], or (GRU) applied the
reset gate on the other side of the product."""
from __future__ import annotations

from ...training.activation import canonical
from ...training.alternatives import layout_alternative, replaced, training_alternatives
from .consistency import concatenated_split


def alternatives(p) -> list:
    used = {p.gate_activation, p.candidate_activation} | ({p.cell_activation} if p.cell == "lstm" else set())
    out = training_alternatives(p, used | ({canonical(p.output.activation)} if p.output is not None else set()))
    out.append(layout_alternative(p.model_copy(update={"layout": p.weight_layout}), "layout"))
    if p.concatenation is not None:
        axis, hidden, width = concatenated_split(p)
        if hidden == width:         # otherwise the other order does not even split into matrices that fit
            other = "x_h" if p.concatenation == "h_x" else "h_x"
            out.append((f"the concatenated weights read over {'[xₜ, hₜ₋₁]' if other == 'x_h' else '[hₜ₋₁, xₜ]'}",
                        replaced(p, "concatenation", other)))
    if p.cell == "gru":
        other = "before" if p.reset == "after" else "after"
        out.append((f"the reset gate applied {other} the product with U_n (the "
                    f"{'original GRU' if other == 'before' else 'PyTorch/Keras form'})", replaced(p, "reset", other)))
    return out
