"""The Python API: load a problem, solve it, get a Solution. The core never prints.

Every way a problem can be wrong ends in one `ProblemError` listing located issues: a malformed file,
an inconsistent one, an `ask` naming nothing, or a value outside a function's domain met while solving
(log(0) with no clamp), which is reported with the quantity it stopped.
"""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

from .engine.computation import Policy
from .ops.scalar import DomainError
from .problems import LoadedProblem, ProblemError, load_problem, load_text, parse_document
from .problems.common import ASK_GROUPS
from .problems.errors import Issue, format_path, suggestion
from .problems.loader import Literal
from .solution import Solution

PROBLEM_SUFFIXES = (".yaml", ".yml", ".json")


def load(source) -> LoadedProblem:
    """A path to a YAML/JSON file, YAML/JSON text, or a dict of problem data."""
    if isinstance(source, LoadedProblem):
        return source
    if isinstance(source, dict):
        import yaml
        return parse_document(load_text(yaml.safe_dump(_plain(source), sort_keys=False), "<dict>"))
    if isinstance(source, Path) or _names_a_file(source):
        return load_problem(source)
    return parse_document(load_text(str(source)))


def _names_a_file(source) -> bool:
    if not isinstance(source, str) or "\n" in source:
        return False
    if Path(source).suffix.lower() in PROBLEM_SUFFIXES:
        return True
    try:
        return Path(source).is_file()
    except (OSError, ValueError):        # a one-line YAML text too long or odd to be a file name
        return False


def _plain(value):
    """Python data → what YAML can write: exact numbers as the text they were typed as (or "3/4")."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):                     # numpy arrays and scalars
        return _plain(value.tolist())
    if isinstance(value, Literal):
        return value.text
    if isinstance(value, Fraction):
        return str(value)
    return value


def solve(problem, round_intermediates: int | None = None, pins: dict | None = None) -> Solution:
    """Solve a problem; `round_intermediates=K` redoes it as a person rounding every step to K decimals,
    `pins` replaces named quantities by given values and recomputes everything after them."""
    loaded = load(problem)
    policy = Policy(round_places=round_intermediates, pins=dict(pins or {}))
    try:
        solution = loaded.family.solve(loaded.model, policy)
    except DomainError as e:
        raise ProblemError([_domain_issue(e, loaded)], loaded.document.source) from None
    _check_asked(loaded, solution)
    return solution


def picture(solution, path=None) -> str:
    """The graph of a computation-graph or dense-network solution (or of a problem, solved first) as
    Graphviz DOT source, forward values in blue and gradients in red; with `path`, also written there
    (.dot/.gv the source, .svg/.png/.pdf drawn by Graphviz's `dot`). Raises `PictureError` (a
    ProblemError) for another kind of problem, an unknown file type, or no Graphviz."""
    from .render.picture import to_dot, write_picture

    if not isinstance(solution, Solution):
        solution = solve(solution)
    return to_dot(solution) if path is None else write_picture(solution, path)


def _domain_issue(error: DomainError, loaded: LoadedProblem) -> Issue:
    quantity = getattr(error, "quantity", None)
    if quantity is None:
        return Issue("", f"cannot be solved: {error}")
    loc = _place_of(quantity)
    return Issue(format_path(loc), f"cannot compute {quantity}: {error}", loaded.locate(loc) if loc else None)


def _place_of(quantity: str) -> tuple:
    """Where in the file the settings that produced a quantity live (quantity ids are documented in
    docs/problem-format.md): u2/h2 → network.layers[1]; the loss and every gradient → loss."""
    layer = re.fullmatch(r"[uh](\d+)(\(\d+\))?", quantity)
    if layer:
        return ("network", "layers", int(layer.group(1)) - 1)
    if quantity.startswith(("loss", "data_loss", "dL/d")):
        return ("loss",)
    if quantity.startswith("penalty"):
        return ("penalty",)
    if re.fullmatch(r"[Wb]\d+\(\d+\)", quantity):
        return ("optimizer",)
    return ()


def _check_asked(loaded: LoadedProblem, solution: Solution) -> None:
    issues = []
    known = [*solution.ids, *solution.aliases, *ASK_GROUPS]
    for i, item in enumerate(loaded.model.ask):
        if item in ASK_GROUPS or solution.has(item):
            continue
        issues.append(Issue(f"ask[{i}]", f"no quantity or group {item!r}" + suggestion(item, known),
                            loaded.locate(("ask", i))))
    if issues:
        raise ProblemError(issues, loaded.document.source)
