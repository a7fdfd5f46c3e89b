"""The conventions a key may have used instead of the problem's: each family names its own (`Family.alternatives`,
e.g. "log base 10", "weights read as W[out][in]"), each a modified copy of the problem model."""
from __future__ import annotations

from ..optim.alternatives import Alternative      # (statement, modified problem model)


def alternatives(family, model) -> list[Alternative]:
    """The family's alternatives that still make a consistent problem (a swapped layout may not fit)."""
    if family.alternatives is None:
        return []
    return [(statement, alt) for statement, alt in family.alternatives(model) if not family.consistency(alt)]
