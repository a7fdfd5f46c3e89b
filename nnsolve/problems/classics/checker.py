"""What `check` needs to know of the classics: a key may have taken its logarithms in another base (bits
where the file says nats), or Xavier/He in the other fan form."""
from __future__ import annotations

from ...problems.fields import replaced

BASES = {"e": "natural log", "2": "log base 2", "10": "log base 10"}


def alternatives(p) -> list:
    out = []
    for i, item in enumerate(p.compute):
        spec = item.spec
        if hasattr(spec, "base"):
            for base, statement in BASES.items():
                if base != spec.base:
                    out.append((f"{item.kind} in {statement}", replaced(p, f"compute.{i}.{item.kind}.base", base)))
        if item.kind in ("xavier", "he"):
            other = "average" if spec.form != "average" else "fan_in"
            out.append((f"{item.kind} with the {other} form", replaced(p, f"compute.{i}.{item.kind}.form", other)))
    return out
