"""The conventions a key may have used instead of the problem's: each family names its own (`Family.alternatives`,
e.g. "log base 10", "weights read as W[out][in]"), each a modified copy of the problem model; and, for every family
whose file gives a batch as `data.x` (one row per sample), the samples a key may have mixed up."""
from __future__ import annotations

from ..optim.alternatives import Alternative, refused      # (statement, modified problem model)
from ..problems.fields import replaced

MAX_SWAPPED_SAMPLES = 4      # a batch of up to 4 samples has its 6 pairs tried; a hand-worked batch is small


def alternatives(family, model) -> list[Alternative]:
    """The family's alternatives that still make a consistent problem (a swapped layout may not fit)."""
    found = list(family.alternatives(model)) if family.alternatives is not None else []
    if family.pins:
        found += sample_alternatives(model)
    return [(statement, alt) for statement, alt in found if not refused(family, statement, alt)]


def sample_alternatives(model) -> list[Alternative]:
    """A key that used another sample of the batch: two samples swapped (its row for sample i is sample j's), or
    one sample alone where the batch was meant (a gradient of sample j, not of the batch)."""
    data = getattr(model, "data", None)
    rows = getattr(data, "x", None)
    if not isinstance(rows, list) or len(rows) < 2 or not all(isinstance(r, list) for r in rows):
        return []
    targets = data.target if isinstance(data.target, list) and len(data.target) == len(rows) else None

    def batch(order: list[int]):
        alt = replaced(model, "data.x", [rows[i] for i in order])
        return replaced(alt, "data.target", [targets[i] for i in order]) if targets is not None else alt

    out: list[Alternative] = []
    n = len(rows)
    if n <= MAX_SWAPPED_SAMPLES:
        for i in range(n):
            for j in range(i + 1, n):
                if rows[i] != rows[j] or (targets is not None and targets[i] != targets[j]):
                    order = list(range(n))
                    order[i], order[j] = j, i
                    out.append((f"samples {i + 1} and {j + 1} of the batch swapped", batch(order)))
        for j in range(n):
            out.append((f"sample {j + 1} alone used for the batch", batch([j])))
    return out
