"""The `nnsolve` command: thin wrappers over the Python API.

Exit codes: 0 all good, 1 `check` found a wrong answer, 2 the input is malformed or over a limit (never
a traceback), 3 an internal error (a bug: please report it). With several files, every file is done
and the exit code is the worst of theirs.
Heavy modules are imported inside the commands so that `nnsolve --help` starts at once.
"""
from __future__ import annotations

import re
import sys
from enum import Enum
from pathlib import Path
from typing import Callable, List, NoReturn, Optional

import typer

from . import __version__
from .limits import MAX_INPUT_AXES, MAX_SIZE, TIMEOUT, DeadlineExceeded, check_environment, deadline

# rich_markup_mode=None: plain click help, so `--help` and usage errors never import rich (~70 ms)
app = typer.Typer(add_completion=True, no_args_is_help=True, pretty_exceptions_enable=False,
                  rich_markup_mode=None,
                  help="Exact, explained answers to the hand-calculation problems of deep-learning exams.")


class Format(str, Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


class SolveFormat(str, Enum):
    """`solve` also prints a page (HTML with MathML), LaTeX, and a PDF through a LaTeX engine; `check` and
    `summary` do not (their --format refuses these as any unknown choice)."""
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"
    latex = "latex"
    pdf = "pdf"


class Style(str, Enum):
    nnsolve = "nnsolve"
    keras = "keras"
    torchinfo = "torchinfo"


FILES = typer.Argument(..., metavar="FILE", show_default=False,
                       help="problem files (YAML or JSON); - reads one from standard input")
DIGITS = typer.Option(None, "--digits", min=0, max=30, help="decimals shown (default: the file's, else 4)")
ROUND = typer.Option(None, "--round-intermediates", min=0, max=30,
                     help="redo the problem rounding every named intermediate to K decimals")
FORMAT = typer.Option(Format.text, "--format", "-f", help="output format")
PICTURE = typer.Option(None, "--picture", help="also draw the graph (computation graphs, dense networks): "
                                               "OUT.svg, .png or .pdf through Graphviz, or .dot/.gv source")
OUTPUT = typer.Option(None, "--output", "-o", metavar="PATH", help="write the output to PATH, not to the screen")
TIME_LIMIT = typer.Option(None, "--timeout", metavar="SECONDS",
                          help=f"stop (exit code 2) when one problem takes longer (default: NNSOLVE_TIMEOUT, "
                               f"else {TIMEOUT.default:g}; 0: no limit)")
HINT = "raise it with --timeout SECONDS or NNSOLVE_TIMEOUT; 0 for no limit"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"nnsolve {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                          help="print the version and exit")) -> None:
    pass


@app.command()
def solve(files: list[Path] = FILES, digits: Optional[int] = DIGITS, round_intermediates: Optional[int] = ROUND,
          format: SolveFormat = typer.Option(SolveFormat.text, "--format", "-f", help="output format (pdf: needs "
                                             "-o OUT.pdf and a LaTeX engine)"),
          latex_fragment: bool = typer.Option(False, "--latex-fragment",
                                              help="with --format latex: a question for the exam class, not a "
                                                   "whole document"),
          handout: bool = typer.Option(False, "--handout",
                                       help="print the question alone, for an exam paper: the statement (or the "
                                            "givens) and what is asked, without the solution or the answers"),
          picture: Optional[Path] = PICTURE, output: Optional[Path] = OUTPUT,
          timeout: Optional[str] = TIME_LIMIT) -> None:
    """Solve problems and print their worked solutions (each under its file name when there are several)."""
    if picture is not None and len(files) > 1:
        _stop(_usage("--picture", "draws the graph of one problem: give one file"))
    if format == SolveFormat.html and len(files) > 1:
        _stop(_usage("--format", "html writes one page: give one file (nnsolve export FILES --to html writes one "
                                 "page of several)"))
    if picture is not None and handout:
        _stop(_usage("--picture", "draws the solved graph, with its values: a handout does not show them"))
    if latex_fragment and format != SolveFormat.latex:
        _stop(_usage("--latex-fragment", "is a form of --format latex: add --format latex"))
    if format == SolveFormat.pdf and (output is None or str(output) == "-"):
        _stop(_usage("--format pdf", "writes a PDF file: give -o OUT.pdf"))
    color = format == Format.text and output is None and sys.stdout.isatty()

    def solved(file: Path) -> str:
        from .api import solve as solve_problem
        from .render import render

        solution = solve_problem(file, round_intermediates=round_intermediates)
        if digits is not None:
            solution.digits = digits
        if picture is not None:
            from .render.picture import write_picture      # only here: the picture module is not needed otherwise
            write_picture(solution, picture)
        # --format pdf: the LaTeX, compiled once every file is solved (several files make one PDF)
        fmt = "latex" if format == SolveFormat.pdf else format.value
        if not handout:
            return render(solution, fmt, color=color, fragment=latex_fragment)
        from .problems.errors import ProblemError
        try:
            return render(solution, fmt, color=color, handout=True, fragment=latex_fragment)
        except ProblemError as refused:      # a family that states no givens, without a statement
            raise ProblemError(refused.issues, refused.source or str(file)) from None

    with _Output(output, format, color) as out:
        done = _each(files, solved, timeout)
        if format == SolveFormat.pdf:
            _pdf([(str(f), text) for f, text, _ in done if text is not None], output)
        elif len(files) == 1 and done[0][1] is not None:
            out.write(done[0][1])
        elif len(files) > 1 and format == Format.json:
            out.write(_json_list([(f, text) for f, text, _ in done if text is not None], "solution"))
        elif len(files) > 1 and format == SolveFormat.latex:
            from .render.latex import join_latex
            out.write(join_latex([(str(f), text) for f, text, _ in done if text is not None], latex_fragment))
        elif len(files) > 1:
            for file, text, _ in done:
                if text is not None:
                    out.write(f"==> {file} <==\n{text}")
    if picture is not None and done[0][2] == 0:
        _say(f"picture written to {picture}")
    raise typer.Exit(max(code for *_, code in done))


def _pdf(documents: list[tuple[str, str]], output: Path) -> None:
    """The files' LaTeX documents as one PDF, through the LaTeX engine installed (nnsolve/render/pdf.py)."""
    if documents:
        from .render.latex import join_latex
        from .render.pdf import write_pdf
        _guarded(lambda: write_pdf(join_latex(documents) if len(documents) > 1 else documents[0][1], output))
        _say(f"PDF written to {output}")


@app.command()
def check(files: list[Path] = FILES,
          tolerance: Optional[str] = typer.Option(
              None, "--tolerance", help="absolute tolerance (e.g. 0.005); default: the key's own rounding"),
          format: Format = FORMAT, output: Optional[Path] = OUTPUT, timeout: Optional[str] = TIME_LIMIT) -> None:
    """Compare the answers given in each file with the computed ones; exit 1 on any mismatch. With several
    files: one line per file and a total."""
    from .check import check_file, render_report
    from .check.report import render_failure, render_reports

    color = format == Format.text and output is None and sys.stdout.isatty()
    single = len(files) == 1

    failures: dict[Path, BaseException] = {}

    def checked(file: Path):
        try:
            report = check_file(file, tolerance=tolerance)
        except BaseException as error:      # said on stderr as ever; kept for the JSON form
            failures[file] = error
            raise
        text = render_report(report, format.value, color=color) if single else None
        return report, text

    with _Output(output, format, color) as out:
        done = _each(files, checked, timeout)
        if single and done[0][1] is not None:
            out.write(done[0][1][1])
        elif single and format == Format.json:
            out.write(render_failure(str(files[0]), failures.get(files[0]), done[0][2]))
        elif not single:
            out.write(render_reports([(str(f), result[0] if result else None) for f, result, _ in done],
                                     format.value, {str(f): (failures.get(f), code) for f, _, code in done if code}))
    codes = [code or (0 if result[0].ok else 1) for _, result, code in done]
    raise typer.Exit(max(codes))


@app.command()
def summary(source: str = typer.Argument(..., help="architecture file, or a bundled name (resnet50, vgg16, …)",
                                        show_default=False),
            flops: Optional[str] = typer.Option(None, "--flops", help="FLOP convention: mac, mac+bias, 2mac, "
                                                "2mac+bias, then +activations, +pooling, +normalization"),
            input_shape: Optional[str] = typer.Option(
                None, "--input-shape", help="input shape without the batch axis, e.g. 3x224x224 (PyTorch "
                                            "snippets need it unless a '# input: …' comment gives it)"),
            model: Optional[str] = typer.Option(
                None, "--model", metavar="SPEC",
                help="the model of a snippet to summarise: a class of the file (Net, built with its defaults) "
                     "or a call of one, e.g. 'ResNet(BasicBlock, [2, 2, 2, 2])' (read, not run, except with "
                     "--trace); default: the last model the file builds"),
            set_: Optional[List[str]] = typer.Option(
                None, "--set", metavar="NAME=VALUE",
                help="a value for a name the snippet sets from its data, known only when run, e.g. "
                     "--set num_classes=10 (repeatable; a literal, never evaluated)"),
            style: Style = typer.Option(Style.nnsolve, "--style",
                                        help="table layout: nnsolve's (layers, shapes, MACs, receptive fields), "
                                             "keras (as model.summary() prints) or torchinfo (the module tree)"),
            trace: bool = typer.Option(False, "--trace",
                                       help="RUNS the file with PyTorch (if installed) to build its model on the "
                                            "meta device, for code the reader cannot follow: use it only on code "
                                            "you would run yourself"),
            format: Format = FORMAT, output: Optional[Path] = OUTPUT, timeout: Optional[str] = TIME_LIMIT) -> None:
    """Print a table of an architecture (a problem file, a bundled name, or a Keras/PyTorch snippet .py,
    which is parsed and not run, except with --trace): shapes, parameters, MACs, receptive fields."""
    from .problems.reading import STDIN
    if source == STDIN:
        _stop(_usage("", "summary reads an architecture file or a bundled name, not standard input"))

    def summarized(_: Path) -> str:
        from .arch.summary import summary as summarize
        shape = _shape(input_shape, source)
        if trace and source.lower().endswith(".py"):
            from .arch.trace import WARNING
            _say(WARNING.format(file=source))
        from .arch.summary import given_values
        given = given_values(set_ or [])
        return summarize(source, format.value, flops, shape, model, style.value, trace, given)

    with _Output(output, format, False) as out:
        ((_, text, code),) = _each([Path(source)], summarized, timeout)
        if text is not None:
            out.write(text)
    raise typer.Exit(code)


def _shape(text: Optional[str], source: str) -> Optional[tuple[int, ...]]:
    """`3x224x224` → (3, 224, 224): ASCII digits only ("³".isdigit() is true), and sizes within the limit
    before a long run of digits becomes an integer."""
    if text is None:
        return None
    if not source.lower().endswith(".py"):
        raise _usage("--input-shape", f"is for Keras/PyTorch snippets (.py); {source!r} carries its own input "
                                      f"shape")
    parts = [p.strip() for p in re.split(r"[x×,]", text.strip().lower())]
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise _usage("--input-shape", f"expected sizes like 3x224x224, got {text!r}")
    if len(parts) > MAX_INPUT_AXES.value:
        raise _usage("--input-shape", MAX_INPUT_AXES.refusal(f"{len(parts)} sizes"))
    largest = MAX_SIZE.value
    for p in parts:
        if len(p.lstrip("0")) > len(str(largest)) or int(p) > largest:
            raise _usage("--input-shape", MAX_SIZE.refusal(f"the size {p[:20]}{'…' if len(p) > 20 else ''}"))
        if int(p) == 0:
            raise _usage("--input-shape", f"every size must be at least 1, got {text!r}")
    return tuple(int(p) for p in parts)


def _time_limit(timeout: Optional[str]) -> float:
    """The seconds one piece of work may take: --timeout, else NNSOLVE_TIMEOUT, else the default (every malformed
    NNSOLVE_<NAME> refused first)."""
    check_environment()
    return TIMEOUT.value if timeout is None else TIMEOUT.read(timeout, "--timeout")


def _each(files: list[Path], work: Callable[[Path], object], timeout: Optional[str]) -> list[tuple]:
    """(file, result or None, exit code) for each file, each under its own deadline; a file that fails
    has said why on stderr, and the others are still done."""
    seconds, code = _attempt(lambda: _time_limit(timeout))
    if code:
        raise typer.Exit(code)
    from .problems.reading import STDIN, STDIN_NAME
    if any(str(f) == STDIN for f in files) and sys.stdin is not None and sys.stdin.isatty():
        _say("reading a problem from standard input (end it with Ctrl-D)")
    done = []
    for file in files:
        def timed(file=file):
            with deadline(seconds, HINT):
                return work(file)
        result, code = _attempt(timed, STDIN_NAME if str(file) == STDIN else str(file))
        done.append((file, result, code))
    return done


def _attempt(action: Callable, source: str | None = None) -> tuple[object, int]:
    """(`action`'s result, 0), or (None, the exit code) once what went wrong is said on stderr."""
    try:
        return action(), 0
    except typer.Exit:
        raise
    except (Exception, DeadlineExceeded) as error:
        return None, _reported(error, source)


def _reported(error: BaseException, source: str | None = None) -> int:
    """Say what stopped the work and give the exit code: 2 and a located message for a malformed input,
    an input over a limit, work past its deadline. Anything else is a bug in nnsolve: one line asking
    for a report and exit code 3 (NNSOLVE_DEBUG=1 raises it instead, with its traceback)."""
    import os

    from .ops.scalar import DomainError
    from .problems.errors import ProblemError

    where = f"{source}: " if source else ""
    if isinstance(error, ProblemError):
        _say(str(error))
    elif isinstance(error, DomainError):
        quantity = getattr(error, "quantity", None)
        _say(f"{where}error: {'cannot compute ' + quantity + ': ' if quantity else ''}{error}")
    elif isinstance(error, DeadlineExceeded):
        _say(f"{where}{error}")
    elif isinstance(error, MemoryError):
        _say(f"{where}ran out of memory: the problem is too large to be solved exactly")
    elif os.environ.get("NNSOLVE_DEBUG") == "1":
        raise error
    else:
        _say(f"{where}internal error, please report: {type(error).__name__}: {error} "
             f"(rerun with NNSOLVE_DEBUG=1 for the traceback)")
        return 3
    return 2


def _guarded(action):
    """`action`'s result, or the exit code `_attempt` gives it."""
    result, code = _attempt(action)
    if code:
        raise typer.Exit(code)
    return result


def _usage(where: str, message: str):
    """A ProblemError about the command line (`where` names the option)."""
    from .problems.errors import Issue, ProblemError
    return ProblemError([Issue(where, message)])


def _stop(error) -> NoReturn:
    _say(str(error))
    raise typer.Exit(2)


def _say(text: str) -> None:
    """A message on stderr, with any control character from the input written out."""
    from .problems.errors import printable
    typer.echo(printable(text), err=True)


_COLOUR = re.compile(r"(\x1b\[[0-9;]*m)")      # what rich and the check report write to colour text


class _Output:
    """Standard output, or the file of `--output`, checked before any work is done (a directory or an
    unwritable place is refused at once) and written only once there is something to write. Whatever
    reaches it has its control characters written out; nnsolve's own colours are kept."""

    def __init__(self, path: Optional[Path], format: Format, color: bool):
        self.path = None if path is None or str(path) == "-" else path      # `-o -`: standard output
        self.format, self.color = format, color
        self.file = None
        if self.path is not None:
            _guarded(lambda: _writable(self.path))

    def __enter__(self):
        return self

    def write(self, text: str) -> None:
        from .problems.errors import printable

        text = text if text.endswith("\n") else text + "\n"
        if self.color:
            text = "".join(part if i % 2 else printable(part) for i, part in enumerate(_COLOUR.split(text)))
        else:
            text = printable(text, json=self.format == Format.json)
        if self.path is None:
            sys.stdout.write(text)
            return
        try:
            if self.file is None:
                self.file = open(self.path, "w", encoding="utf-8")
            self.file.write(text)
        except OSError as e:
            _stop(_usage("--output", f"cannot write {str(self.path)!r}: {e.strerror or e}"))

    def __exit__(self, *exc) -> None:
        if self.file is not None:
            file, self.file = self.file, None
            try:
                file.close()
            except OSError as e:
                _stop(_usage("--output", f"cannot write {str(self.path)!r}: {e.strerror or e}"))


def _writable(path: Path) -> None:
    import os

    def refuse(why: str):
        raise _usage("--output", f"cannot write {str(path)!r}: {why}")

    if path.is_dir():
        refuse("it is a directory")
    if path.exists():
        if not os.access(path, os.W_OK):
            refuse("permission denied")
    elif not path.parent.is_dir():
        refuse(f"there is no directory {str(path.parent)!r}")
    elif not os.access(path.parent, os.W_OK | os.X_OK):
        refuse(f"permission denied in {str(path.parent)!r}")


def _json_list(items: list[tuple[Path, str]], key: str) -> str:
    """Several JSON documents as one list of {"file": …, key: …}, each document as it was rendered."""
    import json
    entries = [f'{{"file": {json.dumps(str(f), ensure_ascii=False)}, "{key}": {text.strip()}}}' for f, text in items]
    return "[\n" + ",\n".join(entries) + "\n]\n"


def main() -> None:
    from ._startup import end_process, tune_for_a_short_process
    tune_for_a_short_process()
    try:
        app(prog_name="nnsolve")
    except SystemExit as done:
        end_process(done.code)
    except Exception as bug:       # outside any command's guard: still one line, never a traceback
        end_process(_reported(bug))


if __name__ == "__main__":
    main()


# the commands of a course (grade, export, vary) and of authoring (schema, new): importing their module registers
# them on `app` (last, once every name they take from here is defined)
__import__(f"{__package__}.cli_course")
