"""A backward pass that starts from a given ∂L/∂output (`upstream:`), as in "given ∂L/∂O, find ∂L/∂K, ∂L/∂b
and ∂L/∂X" for one layer. L is then Σ G ⊙ output (the shared `upstream_objective`), whose gradient at the
output is G itself, so reverse mode gives exactly the chain rule from the given ∂L/∂output.

Kept apart from the rest of the conv family so that it can move to the shared training pipeline as it is
(attention has the same key): the schema field, the shape check, the given and the header line."""
from __future__ import annotations

from typing import Optional

from pydantic import Field

from ...engine.computation import Node, Symbol
from ...training.loss import upstream_objective
from ..fields import Model, Tensor

DESCRIPTION = ("∂L/∂output as given (the shape of the network's output, with the batch axis when batch: true): "
               "the backward pass starts from it (L = Σ G ⊙ output)")


class Upstream(Model):
    """The key a family mixes into its problem model."""

    upstream: Optional[Tensor] = Field(default=None, description=DESCRIPTION)


def upstream_issues(p, output_shape: tuple | None, shape_of) -> list[tuple[tuple, str]]:
    """The given ∂L/∂output against the output's shape (None: unknown, not checked), and not with a loss."""
    if p.upstream is None:
        return []
    found = []
    if output_shape is not None and shape_of(p.upstream) != tuple(output_shape):
        found.append((("upstream",), f"has shape {shape_of(p.upstream)}: ∂L/∂output has the shape of the network's "
                                     f"output, {tuple(output_shape)}"))
    if p.loss is not None:
        found.append((("upstream",), "give either upstream (∂L/∂output) or a loss, not both"))
    return found


def record_upstream(trainer) -> Node | None:
    """The given G = ∂L/∂output (id `G`), or None."""
    p = trainer.p
    return trainer.comp.given("G", Symbol("G", "G"), p.upstream) if p.upstream is not None else None


def upstream_loss(trainer, given: Node, output: Node, s) -> Node:
    return upstream_objective(trainer.comp, output, given, trainer.suffix(s), trainer.loss_part_symbol(None, s))


def upstream_statement(output_symbol: str) -> tuple[str, str]:
    return ("backward", f"from the given G = ∂L/∂{output_symbol} (L = Σ G ⊙ {output_symbol}, so ∂L/∂{output_symbol}"
                        " = G)")
