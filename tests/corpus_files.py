"""Where each exam-corpus case is encoded: one scan of examples/ shared by every corpus test."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from nnsolve.api import load

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@lru_cache(maxsize=None)
def encodings() -> dict[str, tuple[Path, ...]]:
    """source.case → the files naming it (a case asking two graphs, like TUM P7(e), has two)."""
    found: dict[str, list[Path]] = {}
    for path in sorted(EXAMPLES.rglob("*.yaml")) + sorted(EXAMPLES.rglob("*.json")):
        source = load(path).model.source
        if source is not None and source.case:
            found.setdefault(source.case, []).append(path)
    return {case: tuple(paths) for case, paths in found.items()}


def case_files(wanted) -> dict[str, Path]:
    """The one file of each case in `wanted` that is encoded; a case encoded twice is an error."""
    out = {}
    for case, paths in encodings().items():
        if case in wanted:
            assert len(paths) == 1, f"{case} is encoded twice: {', '.join(map(str, paths))}"
            out[case] = paths[0]
    return out
