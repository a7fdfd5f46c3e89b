"""The Python API: load a problem, solve it, get a Solution. The core never prints."""
from __future__ import annotations

from pathlib import Path

from .engine.computation import Policy
from .problems import LoadedProblem, ProblemError, load_problem, load_text, parse_document
from .problems.errors import Issue, suggestion
from .solution import Solution


def load(source) -> LoadedProblem:
    """A path to a YAML/JSON file, YAML/JSON text, or a dict of problem data."""
    if isinstance(source, LoadedProblem):
        return source
    if isinstance(source, dict):
        import yaml
        return parse_document(load_text(yaml.safe_dump(source, sort_keys=False), "<dict>"))
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and
                                    Path(source).suffix.lower() in (".yaml", ".yml", ".json")):
        return load_problem(source)
    return parse_document(load_text(str(source)))


def solve(problem, round_intermediates: int | None = None, pins: dict | None = None) -> Solution:
    """Solve a problem; `round_intermediates=K` redoes it as a person rounding every step to K decimals,
    `pins` replaces named quantities by given values and recomputes everything after them."""
    loaded = load(problem)
    policy = Policy(round_places=round_intermediates, pins=dict(pins or {}))
    solution = loaded.family.solve(loaded.model, policy)
    _check_asked(loaded, solution)
    return solution


def _check_asked(loaded: LoadedProblem, solution: Solution) -> None:
    issues = []
    for i, item in enumerate(loaded.model.ask):
        if item not in solution.asked and not solution.has(item):
            issues.append(Issue(f"ask[{i}]", f"no quantity or group {item!r}" + suggestion(item, solution.ids),
                                loaded.locate(("ask", i))))
    if issues:
        raise ProblemError(issues, loaded.document.source)
