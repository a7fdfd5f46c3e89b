"""What `check` needs to know of an LSTM or GRU beyond the shared training conventions: a key may have read
the weights the other way round, or (GRU) applied the reset gate on the other side of the product."""
from __future__ import annotations

from ...training.activation import canonical
from ...training.alternatives import layout_alternative, replaced, training_alternatives


def alternatives(p) -> list:
    used = {p.gate_activation, p.candidate_activation} | ({p.cell_activation} if p.cell == "lstm" else set())
    out = training_alternatives(p, used | ({canonical(p.output.activation)} if p.output is not None else set()))
    out.append(layout_alternative(p.model_copy(update={"layout": p.weight_layout}), "layout"))
    if p.cell == "gru":
        other = "before" if p.reset == "after" else "after"
        out.append((f"the reset gate applied {other} the product with U_n (the "
                    f"{'original GRU' if other == 'before' else 'PyTorch/Keras form'})", replaced(p, "reset", other)))
    return out
