"""Problem families: each is a schema (what the file says), a consistency check (what the numbers
must satisfy together, with places) and a solver (what it computes). The registry maps the file's
`problem:` key to its family."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import Issue, ProblemError, suggestion
from .fields import validate
from .loader import Document, load_file, load_text


@dataclass(frozen=True)
class Family:
    name: str
    schema: type
    consistency: Callable            # problem -> list[(loc tuple, message)]
    solve: Callable                  # (problem, policy) -> Solution


def families() -> dict[str, Family]:
    from .arch import FAMILY as architecture
    from .attention import FAMILY as attention
    from .boolean import FAMILY as boolean_network
    from .calculus import FAMILY as calculus
    from .classics import FAMILY as classics
    from .conv import FAMILY as conv
    from .conv_unknowns import FAMILY as conv_unknowns
    from .dense import FAMILY as dense
    from .gated_rnn import FAMILY as gated_rnn
    from .graph import FAMILY as computation_graph
    from .recurrent import FAMILY as recurrent
    from .perceptron import FAMILY as perceptron_learning
    from .positional import FAMILY as positional_encoding
    return {f.name: f for f in (dense, architecture, conv_unknowns, conv, positional_encoding, recurrent, gated_rnn, attention, classics, boolean_network, perceptron_learning, computation_graph, calculus)}


@dataclass
class LoadedProblem:
    family: Family
    model: object
    document: Document

    def locate(self, loc: tuple) -> int | None:
        return self.document.line_of(loc)


def parse_document(doc: Document) -> LoadedProblem:
    known = families()
    kind = doc.data.get("problem")
    if kind is None:
        raise ProblemError([Issue("problem", f"is required: one of {sorted(known)}", 1)], doc.source)
    if not isinstance(kind, str):
        raise ProblemError([Issue("problem", f"expected the name of a problem kind: one of {sorted(known)}",
                                  doc.line_of(("problem",)))], doc.source)
    if kind not in known:
        raise ProblemError([Issue("problem", f"unknown problem kind {kind!r}" + suggestion(str(kind), known),
                                  doc.line_of(("problem",)))], doc.source)
    family = known[kind]
    model = validate(family.schema, doc)
    issues = [Issue(_path(loc), msg, doc.line_of(loc)) for loc, msg in family.consistency(model)]
    if issues:
        raise ProblemError(issues, doc.source)
    return LoadedProblem(family, model, doc)


def load_problem(path) -> LoadedProblem:
    return parse_document(load_file(path))


def _path(loc) -> str:
    from .errors import format_path
    return format_path(loc)


__all__ = ["load_problem", "parse_document", "load_text", "LoadedProblem", "ProblemError", "Issue", "families"]
