"""A backward pass that starts from a given ∂L/∂output (`upstream:`), as in "given ∂L/∂O, find ∂L/∂K, ∂L/∂b
and ∂L/∂X" for one layer. L is then Σ G ⊙ output (the shared `upstream_objective`), whose gradient at the
output is G itself, so reverse mode gives exactly the chain rule from the given ∂L/∂output.

Until the shared training pipeline has `upstream` for every family (branch h11-training: Training.upstream,
Trainer._record_upstream / objective / shared_conventions, training_issues), conv_network has it here, written
so that both can meet: the given G is recorded on first use unless the pipeline recorded it, the header line
and the "not both" check are added only where the pipeline's are missing, and the shape is checked before
anything is computed. Once the pipeline's lands, this module and the three hooks that call it go."""
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


def upstream_issues(p, output_shape: tuple | None, shape_of, found: list) -> list[tuple[tuple, str]]:
    """The given ∂L/∂output against the output's shape (None: unknown, not checked), and not with a loss (unless
    `found` says so already)."""
    if p.upstream is None:
        return []
    out = []
    if output_shape is not None and shape_of(p.upstream) != tuple(output_shape):
        out.append((("upstream",), f"has shape {shape_of(p.upstream)}: ∂L/∂output has the shape of the network's "
                                   f"output, {tuple(output_shape)}"))
    if p.loss is not None and not any(loc == ("upstream",) and "loss" in message for loc, message in found):
        out.append((("upstream",), "give either upstream (∂L/∂output) or a loss, not both"))
    return out


def upstream_loss(trainer, output: Node, s) -> Node:
    """L = Σ G ⊙ output, G (id `G`) recorded as a given the first time it is used."""
    comp = trainer.comp
    given = comp.nodes.get("G") or comp.given("G", Symbol("G", "G"), trainer.p.upstream)
    return upstream_objective(comp, output, given, trainer.suffix(s), trainer.loss_part_symbol(None, s))


def with_upstream_statement(conventions: list[tuple[str, str]], output_symbol: str) -> list[tuple[str, str]]:
    """The header's `backward` line, unless the pipeline has stated one."""
    if any(name == "backward" for name, _ in conventions):
        return conventions
    return conventions + [("backward", f"from the given G = ∂L/∂{output_symbol} (L = Σ G ⊙ {output_symbol}, so "
                                       f"∂L/∂{output_symbol} = G)")]
