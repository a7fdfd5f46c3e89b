"""The Python API: load a problem, solve it, get a Solution. The core never prints.

Every way a problem can be wrong ends in one `ProblemError` listing located issues: a malformed file,
an inconsistent one, an `ask` naming nothing, or a value outside a function's domain met while solving
(log(0) with no clamp), which is reported with the quantity it stopped.
"""
from __future__ import annotations

from pathlib import Path

from .engine.computation import Policy
from .ops.scalar import DomainError
from .problems import LoadedProblem, ProblemError, load_problem, load_text, parse_document
from .problems.errors import Issue, format_path, parse_path, suggestion
from .problems.loader import load_data
from .solution import Solution

PROBLEM_SUFFIXES = (".yaml", ".yml", ".json")


def load(source) -> LoadedProblem:
    """A path to a YAML/JSON file, YAML/JSON text, or a dict of problem data."""
    if isinstance(source, LoadedProblem):
        return source
    if isinstance(source, dict):
        return parse_document(load_data(source))
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


def solve(problem, round_intermediates: int | None = None, pins: dict | None = None) -> Solution:
    """Solve a problem; `round_intermediates=K` redoes it as a person rounding every step to K decimals,
    `pins` replaces named quantities by given values and recomputes everything after them."""
    loaded = load(problem)
    policy = Policy(round_places=round_intermediates, pins=dict(pins or {}))
    try:
        solution = loaded.family.solve(loaded.model, policy)
    except DomainError as e:
        raise ProblemError([_domain_issue(e, loaded)], loaded.document.source) from None
    except ProblemError as e:       # a refusal met while solving names its place: give it its line
        raise ProblemError([issue if issue.line or not issue.path else
                            Issue(issue.path, issue.message, loaded.locate(parse_path(issue.path)))
                            for issue in e.issues], e.source or loaded.document.source) from None
    _check_asked(loaded, solution)
    _check_pins(loaded, solution, policy)
    _state(loaded, solution)
    return solution


def _state(loaded: LoadedProblem, solution: Solution) -> None:
    """The file's `statement:` with its placeholders bound to the givens (a wrong one refused at its line)."""
    text = getattr(loaded.model, "statement", None)
    if text:
        from .problems.statement import fill, statement_line
        solution.statement = fill(text, solution, statement_line(loaded.document, text), loaded.document.source)


def picture(solution, path=None) -> str:
    """The graph of a solution (or of a problem, solved first) as Graphviz DOT source, forward values in blue
    and gradients in red; with `path`, also written there (.dot/.gv the source, .svg/.png/.pdf drawn by
    Graphviz's `dot`). Raises `PictureError` (a ProblemError) for a family without a picture, an unknown
    file type, or no Graphviz."""
    from .render.picture import to_dot, write_picture

    if not isinstance(solution, Solution):
        solution = solve(solution)
    return to_dot(solution) if path is None else write_picture(solution, path)


def _domain_issue(error: DomainError, loaded: LoadedProblem) -> Issue:
    """The quantity a domain error stopped, at the place in the file whose settings produced it: the place the
    solver gave (`error.loc`), or the one the family finds for the quantity."""
    quantity = getattr(error, "quantity", None)
    loc = getattr(error, "loc", None) or (loaded.family.locate(quantity) if quantity and loaded.family.locate else ())
    what = f"cannot compute {quantity}" if quantity else "cannot be solved"
    return Issue(format_path(loc), f"{what}: {error}", loaded.locate(loc) if loc else None)


def _check_asked(loaded: LoadedProblem, solution: Solution) -> None:
    _, unknown = loaded.family.resolve_ask(loaded.model, solution)
    if unknown:
        raise ProblemError([Issue(f"ask[{i}]", message, loaded.locate(("ask", i))) for i, message in unknown],
                           loaded.document.source)


def _check_pins(loaded: LoadedProblem, solution: Solution, policy: Policy) -> None:
    """A pin that names no quantity of the solution would be silently ignored: refuse it."""
    missing = [name for name in policy.pins if name not in solution.ids]
    if missing:
        raise ProblemError([Issue(f"pins.{name}", f"no quantity {name!r} to pin" + suggestion(name, solution.ids))
                            for name in missing], loaded.document.source)
