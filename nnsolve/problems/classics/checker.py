"""What `check` needs to know of the classics: a key may have taken its logarithms in another base (bits
where the file says nats), Xavier/He in the other fan form, KL in the other direction, or counted the
training passes another way (the last incomplete batch dropped or kept; forward and backward as one pass
or two)."""
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
        if item.kind == "kl":
            other = "Q||P" if spec.direction == "P||Q" else "P||Q"
            out.append((f"KL in the other direction, KL({other.replace('||', '‖')}) (direction: {other})",
                        replaced(p, f"compute.{i}.kl.direction", other)))
        if item.kind == "training":
            if spec.samples % spec.batch:
                statement = ("⌊N / batch⌋ batches per epoch: the last incomplete batch dropped (drop_last: true)"
                             if not spec.drop_last else
                             "⌈N / batch⌉ batches per epoch: the last incomplete batch kept (drop_last: false)")
                out.append((statement, replaced(p, f"compute.{i}.training.drop_last", not spec.drop_last)))
            other = "each" if spec.pass_counting == "pair" else "pair"
            statement = ("forward and backward passes counted separately, 2 per iteration (pass_counting: each)"
                         if other == "each" else
                         "a forward pass and its backward pass counted as one, 1 per iteration (pass_counting: pair)")
            out.append((statement, replaced(p, f"compute.{i}.training.pass_counting", other)))
    return out
