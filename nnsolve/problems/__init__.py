"""Problem families and their registry: the only place that lists them.

A family is its schema (what the file says), a consistency check (what the numbers must satisfy
together, with places), a solver (what it computes), and what the rest of nnsolve asks of it: its `ask`
groups, the conventions a key may have used instead (for `check`), its picture, where a quantity's
settings live in the file, and the examples kept as golden worked solutions. Each family's package
defines its `FAMILY`; this module names the packages and imports one only when a file asks for it, so
solving a dense network never loads SymPy or the architecture analyzer.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from .errors import Issue, ProblemError, suggestion

if TYPE_CHECKING:
    from .loader import Document

# the loader and the schemas' validation (numpy, pydantic and mpmath with them, ~0.2 s) load when first
# used: `nnsolve summary model.py` reads no problem file and needs only the errors
_LAZY = {"Document": ".loader", "load_file": ".loader", "load_text": ".loader", "as_written": ".fields",
         "validate": ".fields"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# the `problem:` key → the package that defines the family
REGISTRY = {
    "dense_network": "dense",
    "conv_network": "conv",
    "architecture": "arch",
    "conv_unknowns": "conv_unknowns",
    "recurrent": "recurrent",
    "gated_rnn": "gated_rnn",
    "attention": "attention",
    "positional_encoding": "positional",
    "computation_graph": "graph",
    "calculus": "calculus",
    "perceptron_learning": "perceptron",
    "boolean_network": "boolean",
    "classics": "classics",
}


@dataclass(frozen=True)
class Family:
    name: str
    schema: type
    consistency: Callable            # problem -> list[(loc tuple, message)]
    solver: Callable                 # (problem, policy) -> Solution, its `groups` filled
    ask_groups: dict[str, str] = field(default_factory=dict)      # group → what it stands for
    default_ask: tuple[str, ...] | Callable = ()   # groups or ids asked without `ask` (or (problem, solution) -> list)
    alternatives: Callable | None = None   # problem -> [(statement, modified problem)] a key may have used
    picture: Callable | None = None        # Solution -> Graphviz DOT source
    locate: Callable | None = None         # quantity id -> the place in the file of the settings behind it
    pins: bool = True                      # pinned values are honoured (everything after them recomputed)
    golden: tuple[str, ...] = ()           # examples whose worked solutions are kept as golden files

    @property
    def template(self) -> str:
        """The commented problem file `nnsolve new` writes for this family: nnsolve/authoring/templates/<name>.yaml,
        which loads and solves as written."""
        from importlib.resources import files
        return files("nnsolve.authoring").joinpath("templates", f"{self.name}.yaml").read_text(encoding="utf-8")

    def solve(self, problem, policy=None):
        """The Solution with `asked` resolved from the problem's `ask` (unknown items are left out here;
        `unasked` names them)."""
        if policy is not None and (policy.pins or getattr(policy, "elements", None)) and not self.pins:
            raise ProblemError([Issue("pins", f"{self.name} problems cannot pin a quantity: its values are not "
                                              "recomputed from one another")])
        from .derived import add_derived, named_inside
        inside = [name for name in named_inside(problem) if name not in problem.answers]
        # the solver is told the ids a derived ask names (`loss(1) - loss`), as if answered, so it computes them
        told = problem.model_copy(update={"answers": {**problem.answers, **dict.fromkeys(inside)}}) if inside \
            else problem
        solution = self.solver(told, policy)
        add_derived(problem, solution, self.ask_groups, policy)
        solution.asked = self.resolve_ask(problem, solution)[0]
        return solution

    def resolve_ask(self, problem, solution) -> tuple[list[str], list[tuple[int, str]]]:
        """The ids `ask` stands for, and the items that name nothing: (position in `ask`, message)."""
        wanted = list(problem.ask)
        explicit = bool(wanted)
        if not explicit:
            wanted = list(self.default_ask(problem, solution) if callable(self.default_ask) else self.default_ask)
        out: list[str] = []
        unknown: list[tuple[int, str]] = []
        for i, item in enumerate(wanted):
            if item in self.ask_groups:
                ids = solution.groups.get(item, [])
                if not ids and explicit:
                    unknown.append((i, f"the group {item!r} is empty in this problem ({self.ask_groups[item]})"))
            elif solution.has(str(item).strip()):
                item = str(item).strip()
                ids = [solution.aliases.get(item, item)]
            else:
                ids = []
                if explicit:
                    known = [*solution.ids, *solution.aliases, *self.ask_groups]
                    why = solution.meta.get(derived_errors_key(), {}).get(str(item).strip())
                    unknown.append((i, why or f"no quantity or group {item!r}" + suggestion(item, known)))
            out += [q for q in ids if q not in out]
        return out, unknown


def lazy(module: str, name: str) -> Callable:
    """A function of a family's module, imported when first called (pictures and alternatives are rarely
    needed: solving a problem does not load them)."""
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module, __name__), name)(*args, **kwargs)
    call.__qualname__ = f"{module}.{name}"
    return call


def family(name: str) -> Family:
    return importlib.import_module(f".{REGISTRY[name]}", __name__).FAMILY


def families() -> dict[str, Family]:
    return {name: family(name) for name in REGISTRY}


@dataclass
class LoadedProblem:
    family: Family
    model: object
    document: Document

    def locate(self, loc: tuple) -> int | None:
        return self.document.line_of(loc)


def parse_document(doc: Document) -> LoadedProblem:
    known = sorted(REGISTRY)
    kind = doc.data.get("problem")
    if kind is None:
        raise ProblemError([Issue("problem", f"is required: one of {known}", 1)], doc.source)
    if not isinstance(kind, str):
        raise ProblemError([Issue("problem", f"expected the name of a problem kind: one of {known}",
                                  doc.line_of(("problem",)))], doc.source)
    if kind not in REGISTRY:
        raise ProblemError([Issue("problem", f"unknown problem kind {kind!r}" + suggestion(str(kind), known),
                                  doc.line_of(("problem",)))], doc.source)
    from .fields import as_written, validate
    chosen = family(kind)
    model = validate(chosen.schema, doc)
    issues = []
    for loc, msg in chosen.consistency(model):
        loc = as_written(loc, doc)
        issues.append(Issue(_path(loc), msg, doc.line_of(loc)))
    if issues:
        raise ProblemError(issues, doc.source)
    return LoadedProblem(chosen, model, doc)


def load_problem(path) -> LoadedProblem:
    from .loader import load_file
    return parse_document(load_file(path))


def _path(loc) -> str:
    from .errors import format_path
    return format_path(loc)


__all__ = ["load_problem", "parse_document", "load_text", "LoadedProblem", "ProblemError", "Issue", "families",
           "family", "Family", "REGISTRY"]


def derived_errors_key() -> str:
    from .derived import ERRORS          # derived asks (and numpy with them) load with the first solve, not the CLI
    return ERRORS
