"""`nnsolve summary FILE|NAME`: analyse an architecture file or a bundled architecture and print its table."""
from __future__ import annotations

from pathlib import Path

from .analyze import Analysis, analyze
from ..problems.errors import format_path
from .conventions import Conventions, parse_flops
from .layer_list import bundled_names, load_bundled
from .rules import ArchitectureError, DeclaredSizeError
from .table import render_summary


def analysis_of(source: str, flops: str | None = None, input_shape: tuple[int, ...] | None = None) -> Analysis:
    """A bundled architecture by name (`resnet50`), an `architecture` problem file, or a Keras/PyTorch
    snippet (`.py`, parsed, never run; a PyTorch snippet needs `input_shape` or a `# input: 3x224x224`
    comment); malformed input raises the located ProblemError every command reports: a bad `flops`
    convention at --flops, anything else at the snippet's line or the file's layer."""
    from ..problems.errors import Issue, ProblemError, suggestion

    if flops is not None:
        try:
            parse_flops(flops)
        except ValueError as e:
            raise ProblemError([Issue("--flops", str(e))]) from None
    path = Path(source)
    if path.suffix == ".py":
        from .snippets import load_snippet
        from .snippets.common import SnippetIssue
        arch = load_snippet(path, input_shape=input_shape)
        try:
            return analyze(arch, Conventions.for_framework(arch.framework, flops=flops))
        except ArchitectureError as e:         # a size the snippet declares, a window that does not fit
            where = e.layer.line if e.layer else None
            text = str(e) if isinstance(e, DeclaredSizeError) or not e.layer else \
                f"{e.layer.called} {e.layer.name!r}: {e}"
            raise ProblemError([SnippetIssue("", text, where)], str(path)) from None
    if not path.suffix and not path.exists():
        names = bundled_names()
        if source not in names:
            raise ProblemError([Issue("", f"no file and no bundled architecture {source!r}" + suggestion(source, names, True))])
        arch = load_bundled(source)
        return analyze(arch, Conventions.for_framework(arch.framework, flops=flops))
    from ..api import load
    from ..problems.arch.solver import _analyses, _architecture, layer_issue

    loaded = load(path)
    if loaded.family.name != "architecture":
        raise ProblemError([Issue("problem", f"summary reads an architecture, this file is a {loaded.family.name} problem",
                                  loaded.locate(("problem",)))], str(path))
    model = loaded.model
    if not model.layers:
        raise ProblemError([Issue("hidden_size", "summary tabulates layers, and this file gives none, only a "
                                                 "parameter total to find the hidden size from: use `nnsolve solve`",
                                  loaded.locate(("hidden_size",)))], str(path))
    if flops:
        model = model.model_copy(update={"conventions": model.conventions.model_copy(update={"flops": flops})})
    try:
        return _analyses(model)[0][1]            # keep_size paddings solved, as `solve` does
    except ArchitectureError as e:               # loading analysed the same layers; kept as a safety net
        loc, message = layer_issue(model, _architecture(model)[0], e)
        raise ProblemError([Issue(format_path(loc), message, loaded.locate(loc))], str(path)) from None


def summary(source: str, fmt: str = "text", flops: str | None = None,
            input_shape: tuple[int, ...] | None = None) -> str:
    return render_summary(analysis_of(source, flops, input_shape), fmt)
