"""`nnsolve new FAMILY`: the family's commented template, with the givens of an exam question lifted into it
when one is given (`--from question.tex|.md`)."""
from __future__ import annotations

from pathlib import Path


def new_problem(name: str, source: Path | None = None) -> tuple[str, list[str]]:
    """(the problem file's text, lines telling what was lifted and what was not) for family `name`."""
    from ..problems import family
    text = family(name).template
    if source is None:
        return text, []
    from .lift import lift_into, read_question
    return lift_into(text, read_question(source), str(source))
