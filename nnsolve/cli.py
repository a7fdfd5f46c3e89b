"""The `nnsolve` command: thin wrappers over the Python API.

Exit codes: 0 all good, 1 `check` found a wrong answer, 2 the input is malformed (never a traceback),
3 an internal error (a bug: please report it).
Heavy modules are imported inside the commands so that `nnsolve --help` starts at once.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

# rich_markup_mode=None: plain click help, so `--help` and usage errors never import rich (~70 ms)
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Exact, explained answers to the hand-calculation problems of deep-learning exams.")


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


FILE = typer.Argument(..., help="problem file (YAML or JSON)", show_default=False)
DIGITS = typer.Option(None, "--digits", min=0, max=30, help="decimals shown (default: the file's, else 4)")
ROUND = typer.Option(None, "--round-intermediates", min=0, max=30,
                     help="redo the problem rounding every named intermediate to K decimals")
FORMAT = typer.Option(Format.text, "--format", "-f", help="output format")
PICTURE = typer.Option(None, "--picture", help="also draw the graph (computation graphs, dense networks): "
                                               "OUT.svg, .png or .pdf through Graphviz, or .dot/.gv source")


@app.command()
def solve(file: Path = FILE, digits: Optional[int] = DIGITS, round_intermediates: Optional[int] = ROUND,
          format: Format = FORMAT, picture: Optional[Path] = PICTURE) -> None:
    """Solve a problem and print the worked solution."""
    from .api import solve as solve_problem
    from .render import render

    solution = _guarded(lambda: solve_problem(file, round_intermediates=round_intermediates))
    if digits is not None:
        solution.digits = digits
    if picture is not None:
        from .render.picture import write_picture      # only here: the picture module is not needed otherwise
        _guarded(lambda: write_picture(solution, picture))
    _write(_guarded(lambda: render(solution, format.value, color=sys.stdout.isatty() and format == Format.text)))
    if picture is not None:
        typer.echo(f"picture written to {picture}", err=True)


@app.command()
def check(file: Path = FILE,
          tolerance: Optional[str] = typer.Option(
              None, "--tolerance", help="absolute tolerance (e.g. 0.005); default: the key's own rounding"),
          format: Format = FORMAT) -> None:
    """Compare the answers given in the file with the computed ones; exit 1 on any mismatch."""
    from .check import check_file, render_report

    report = _guarded(lambda: check_file(file, tolerance=tolerance))
    _write(_guarded(lambda: render_report(report, format.value,
                                          color=sys.stdout.isatty() and format == Format.text)))
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def summary(source: str = typer.Argument(..., help="architecture file, or a bundled name (resnet50, vgg16, …)",
                                        show_default=False),
            flops: Optional[str] = typer.Option(None, "--flops", help="FLOP convention: mac, mac+bias, 2mac, "
                                                "2mac+bias, then +activations, +pooling, +normalization"),
            input_shape: Optional[str] = typer.Option(
                None, "--input-shape", help="input shape without the batch axis, e.g. 3x224x224 (PyTorch "
                                            "snippets need it unless a '# input: …' comment gives it)"),
            format: Format = FORMAT) -> None:
    """Print a Keras-style table of an architecture (a problem file, a bundled name, or a Keras/PyTorch
    snippet .py, which is parsed and never run): shapes, parameters, MACs, receptive fields."""
    from .arch.summary import summary as summarize

    _write(_guarded(lambda: summarize(source, format.value, flops, _shape(input_shape))))


def _shape(text: Optional[str]) -> Optional[tuple[int, ...]]:
    from .problems.errors import Issue, ProblemError

    if text is None:
        return None
    parts = text.lower().replace("×", "x").replace(",", "x").split("x")
    if not all(p.strip().isdigit() and int(p) > 0 for p in parts):
        raise ProblemError([Issue("--input-shape", f"expected sizes like 3x224x224, got {text!r}")])
    return tuple(int(p) for p in parts)


def _guarded(action):
    """Run `action`; a malformed input becomes a located message and exit code 2. Anything else is a bug
    in nnsolve: one line asking for a report and exit code 3 (NNSOLVE_DEBUG=1 shows the traceback)."""
    import os

    from .ops.scalar import DomainError
    from .problems.errors import ProblemError

    try:
        return action()
    except ProblemError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    except DomainError as e:
        quantity = getattr(e, "quantity", None)
        typer.echo(f"error: {'cannot compute ' + quantity + ': ' if quantity else ''}{e}", err=True)
        raise typer.Exit(2) from None
    except Exception as e:
        if os.environ.get("NNSOLVE_DEBUG") == "1":
            raise
        typer.echo(f"internal error, please report: {type(e).__name__}: {e} "
                   f"(rerun with NNSOLVE_DEBUG=1 for the traceback)", err=True)
        raise typer.Exit(3) from None


def _write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def main() -> None:
    from ._startup import end_process, tune_for_a_short_process
    tune_for_a_short_process()
    try:
        app()
    except SystemExit as done:
        end_process(done.code)


if __name__ == "__main__":
    main()
