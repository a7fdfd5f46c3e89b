"""The `nnsolve` commands of a course beyond one problem: marking a class (`grade`), publishing questions
(`export`), drawing variants (`vary`), and authoring problem files (`schema`, `new`). They are registered on the
one `app` of nnsolve.cli, with its options, messages and exit codes; heavy modules load inside the commands."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .cli import HINT, OUTPUT, TIME_LIMIT, Format, _attempt, _guarded, _Output, _say, _stop, _time_limit, _usage, app
from .limits import TIMEOUT


class Layout(str, Enum):
    nnsolve = "nnsolve"
    moodle = "moodle"
    canvas = "canvas"


class FeedbackFormat(str, Enum):
    markdown = "markdown"
    html = "html"


class Target(str, Enum):
    moodle = "moodle"
    qti = "qti"
    latex_exam = "latex-exam"
    html = "html"


@app.command()
def export(paths: list[Path] = typer.Argument(..., metavar="FILES|DIR", show_default=False,
                                              help="problem files, or folders of them (each folder one category "
                                                   "of questions)"),
           to: Target = typer.Option(..., "--to", help="moodle: Moodle XML; qti: a Canvas QTI 1.2 zip; latex-exam: "
                                                       "an exam-class document with its key; html: one page of the "
                                                       "worked solutions"),
           output: Path = typer.Option(..., "--output", "-o", metavar="PATH", help="the file to write"),
           timeout: Optional[str] = TIME_LIMIT) -> None:
    """Write solved problems as quiz questions: one numeric answer per number asked, its tolerance from the
    problem's marking scheme (else the decimals shown), the worked solution as feedback."""
    if output.is_dir():
        _stop(_usage("--output", f"{str(output)!r} is a folder; give a file name"))
    seconds = _guarded(lambda: _time_limit(timeout))

    def exported():
        from .limits import deadline
        from .publish.export import export as write_export
        with deadline(seconds, "raise it with --timeout SECONDS or NNSOLVE_TIMEOUT; 0 for no limit"):
            return write_export(list(paths), to.value, output)

    done = _guarded(exported)
    for line in done.report():
        _say(line)
    _say(f"written: {output}")
    raise typer.Exit(0)


@app.command()
def grade(problem: Path = typer.Argument(..., metavar="PROBLEM", show_default=False,
                                         help="the problem file (its `marking:` is the scheme)"),
          submissions: Path = typer.Argument(..., metavar="SUBMISSIONS", show_default=False,
                                             help="a CSV (student id column, one column per answer id), a Moodle "
                                                  "or Canvas quiz responses export (with --columns), or a folder "
                                                  "of per-student YAML/JSON answer files"),
          output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="PATH",
                                                help="write the gradebook CSV to PATH (- for standard output)"),
          layout: Layout = typer.Option(Layout.nnsolve, "--layout",
                                        help="gradebook columns: nnsolve's (marks and ECF per answer, total), or "
                                             "Moodle's or Canvas's grade-import CSV"),
          feedback: Optional[Path] = typer.Option(None, "--feedback", metavar="DIR",
                                                  help="also write one feedback file per student in DIR"),
          feedback_format: FeedbackFormat = typer.Option(FeedbackFormat.markdown, "--feedback-format",
                                                         help="the feedback files: Markdown, or self-contained "
                                                              "HTML pages"),
          report: Optional[Path] = typer.Option(None, "--report", metavar="DIR",
                                                help="also write the class report in DIR: report.md, a histogram "
                                                     "of the totals and a bar chart of facility (PNG and SVG; "
                                                     "needs matplotlib)"),
          columns: Optional[str] = typer.Option(
              None, "--columns", metavar="MAP",
              help="which answer id each response column of a Moodle or Canvas export holds: 'Response 1=h1,"
                   "Response 2=y' (Canvas: the question id, '6012=h1'; '=-' leaves a column out), or 'marking': "
                   "the marking: scheme's answers in the columns' order"),
          timeout: Optional[str] = typer.Option(
              None, "--timeout", metavar="SECONDS",
              help=f"stop the solve (exit code 2), or leave one student unmarked and say so, past this long "
                   f"(default: NNSOLVE_TIMEOUT, else {TIMEOUT.default:g}; 0: no limit)")) -> None:
    """Mark a class: each student's answers checked against the problem, with error carried forward, marked by
    the problem's `marking:` scheme; prints a class summary."""
    for option, folder in (("--feedback", feedback), ("--report", report)):
        if folder is not None and folder.exists() and not folder.is_dir():
            _stop(_usage(option, f"{str(folder)!r} is a file; give a folder"))
    gradebook_out = None if output is None else _Output(output, Format.text, False)
    mapping = None if columns is None else _guarded(lambda: _columns_read(columns))

    seconds = _guarded(lambda: _time_limit(timeout))

    def graded():
        from .grading import grade as grade_class
        from .grading.progress import progress_bar
        return grade_class(problem, submissions, seconds, mapping, progress_bar())

    book, code = _attempt(graded, str(problem))
    if code:
        raise typer.Exit(code)
    from .grading.feedback import write_feedback
    from .grading.outputs import csv_text, layout_rows, summary_text
    if gradebook_out is not None:
        with gradebook_out as out:
            out.write(csv_text(layout_rows(book, layout.value)))
    if feedback is not None:
        _guarded(lambda: _folder_written("--feedback", lambda b, f: write_feedback(b, f, feedback_format.value),
                                         book, feedback))
    if report is not None:
        _guarded(lambda: _report_written(book, report))
    text = summary_text(book)
    if gradebook_out is not None and gradebook_out.path is None:
        _say(text.rstrip("\n"))          # the gradebook has standard output
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(0)


@app.command()
def vary(problem: Path = typer.Argument(..., metavar="PROBLEM", show_default=False,
                                        help="a problem file with a `variants:` block (docs/variants.md)"),
         count: int = typer.Option(10, "-n", "--count", min=1, max=100_000, help="how many variants to draw"),
         seed: Optional[int] = typer.Option(None, "--seed", min=0, help="the seed (default: the block's, else 1)"),
         output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="DIR",
                                               help="write each variant as DIR/NAME.yaml with its key (without "
                                                    "-o: only the stress report)"),
         student_ids: Optional[Path] = typer.Option(None, "--student-ids", metavar="ROSTER.csv",
                                                    help="one variant per student, drawn from the seed and the id, "
                                                         "written as DIR/ID.yaml (replaces -n)"),
         solutions: Optional[str] = typer.Option(None, "--solutions", metavar="FORMAT",
                                                 help="also write each variant's worked solution (text, markdown, "
                                                      "json) as DIR/NAME.solution.*"),
         report: Optional[Path] = typer.Option(None, "--report", metavar="PATH",
                                               help="also write the stress report to PATH"),
         max_tries: Optional[int] = typer.Option(None, "--max-tries", min=1,
                                                 help="stop after this many draws (default: 100 per variant, at "
                                                      "least 10,000)"),
         timeout: Optional[str] = TIME_LIMIT) -> None:
    """Draw randomised variants of a problem, each a problem file with its key; print the stress report
    (acceptance rate, range of each answer, the constraint that rejected most)."""
    if output is not None and output.exists() and not output.is_dir():
        _stop(_usage("--output", f"{str(output)!r} is a file; give a folder"))
    if (student_ids is not None or solutions is not None) and output is None:
        _stop(_usage("--student-ids" if student_ids is not None else "--solutions", "needs -o DIR to write into"))
    if solutions is not None:
        from .render import FORMATS
        if solutions not in FORMATS:
            _stop(_usage("--solutions", f"unknown format {solutions!r}; choose one of {', '.join(FORMATS)}"))
    report_out = None if report is None else _Output(report, Format.text, False)
    # as `solve` bounds one file, each try (the drawn file's validation and solve) is bounded; the run's length is
    # bounded by --max-tries
    seconds = _guarded(lambda: _time_limit(timeout))

    def drawn():
        from .variants.generate import vary as draw
        from .variants.roster import read_roster
        students = None if student_ids is None else read_roster(student_ids)
        run = draw(problem, count, seed, students, "files" if output is not None else "keys", max_tries, seconds, HINT)
        if run.complete and output is not None:
            from .variants.report import write_variants
            _folder_written("-o", lambda run, folder: write_variants(run, folder, solutions), run, output)
        return run

    run, code = _attempt(drawn, str(problem))
    if code:
        raise typer.Exit(code)
    from .variants.report import stress_report
    text = stress_report(run)
    typer.echo(text, nl=False)
    if report_out is not None:
        with report_out as out:
            out.write(text)
    if not run.complete:
        _say(f"{problem}: {run.stopped}; no variant written")
        raise typer.Exit(2)
    if output is not None:
        _say(f"{len(run.variants):,} variants written to {output}")
    raise typer.Exit(0)


def _folder_written(option: str, write, book, folder: Path):
    try:
        return write(book, folder)
    except OSError as e:
        raise _usage(option, f"cannot write in {str(folder)!r}: {e.strerror or e}") from None


def _columns_read(text: str):
    from .grading.exports import parse_columns
    try:
        return parse_columns(text)
    except ValueError as e:
        raise _usage("--columns", str(e)) from None


def _report_written(book, folder: Path):
    from .grading.report import ReportUnavailable, write_report
    try:
        return _folder_written("--report", write_report, book, folder)
    except ReportUnavailable as e:
        raise _usage("--report", str(e)) from None


@app.command()
def schema(family: Optional[str] = typer.Argument(None, metavar="[FAMILY]", show_default=False,
                                                 help="one family (dense_network, conv_network, …); default: all"),
           output: Optional[Path] = OUTPUT) -> None:
    """Print the JSON Schema of the problem file (one family's, or every family's as a oneOf by `problem:`), for
    editors: put `# yaml-language-server: $schema=PATH` on a problem file's first line."""
    from .authoring.schema import schema_text
    _guarded(lambda: _known_family(family))
    with _Output(output, Format.json, False) as out:
        out.write(_guarded(lambda: schema_text(family)))
    raise typer.Exit(0)


@app.command()
def new(family: str = typer.Argument(..., metavar="FAMILY", show_default=False,
                                     help="the problem family: dense_network, conv_network, recurrent, …"),
        source: Optional[Path] = typer.Option(
            None, "--from", metavar="QUESTION.tex|.md",
            help="lift the named matrices, vectors and scalars of an exam question (LaTeX or Markdown) into the "
                 "template's givens; what cannot be placed is listed"),
        output: Optional[Path] = OUTPUT,
        force: bool = typer.Option(False, "--force", help="write over PATH if it exists")) -> None:
    """Write a commented problem file for FAMILY to complete (to PATH with -o, else to the screen)."""
    from .authoring.template import new_problem
    _guarded(lambda: _known_family(family))
    if output is not None and str(output) != "-" and output.is_file() and not force:
        # a template written over a problem someone has completed would lose their work
        _stop(_usage("--output", f"{str(output)!r} exists: give another name, or --force to write over it"))
    text, report = _guarded(lambda: new_problem(family, source))
    with _Output(output, Format.text, False) as out:
        out.write(text)
    for line in report:
        _say(line)
    raise typer.Exit(0)


def _known_family(name: Optional[str]) -> None:
    from .problems import REGISTRY
    from .problems.errors import suggestion
    if name is not None and name not in REGISTRY:
        raise _usage("FAMILY", f"unknown problem family {name!r}" + suggestion(name, sorted(REGISTRY), True))


@app.command()
def serve(port: int = typer.Option(8000, "--port", min=0, max=65535, help="the port (0: any free one)"),
          host: str = typer.Option("127.0.0.1", "--host",
                                   help="the address to listen on; the default lets only this computer in (0.0.0.0 "
                                        "opens the page to the network: every visitor can use its CPU)"),
          open_browser: bool = typer.Option(False, "--open", help="open the page in the web browser"),
          data: Optional[Path] = typer.Option(None, "--data", metavar="DIR",
                                              help="keep saved problems and grading runs in DIR (default: "
                                                   "NNSOLVE_DATA, else the user's data folder)"),
          workers: Optional[int] = typer.Option(None, "--workers", min=0, max=64,
                                                help="worker processes doing the work (default: the CPUs, at most 4; "
                                                     "0: in the server's own process, without the CPU limit)"),
          cpu_seconds: float = typer.Option(30.0, "--cpu-seconds", min=0.1, max=3600,
                                            help="CPU time one request may use before it is stopped (a 422)"),
          worker_memory: int = typer.Option(4096, "--worker-memory", metavar="MB", min=256,
                                            help="address space of each worker process, in MB"),
          max_body_mb: float = typer.Option(2.0, "--max-body-mb", min=0.01, max=1024,
                                            help="largest request body (a problem, a snippet), in MB (413 past it)"),
          max_upload_mb: float = typer.Option(50.0, "--max-upload-mb", min=0.01, max=4096,
                                              help="largest upload (a class's submissions), in MB (413 past it)")
          ) -> None:
    """Serve the local web page (solve, check your work, check a key, grade a class, summary, variants and export)
    and its JSON API, documented at /api; stop it with Ctrl-C."""
    import importlib.util
    missing = [name for name in ("fastapi", "uvicorn", "jinja2", "multipart") if importlib.util.find_spec(name) is None]
    if missing:
        _stop(_usage("serve", f"needs the web packages ({', '.join(missing)} missing): pip install -e ."))
    from .web.app import MB, create_app
    from .web.pool import InlinePool, WorkerPool, default_workers
    from .web.storage import Storage, data_folder

    storage = Storage(data if data is not None else data_folder())
    if storage.problem:
        _say(f"warning: {storage.problem}; saving is off until it is fixed (everything else works)")
    pool = InlinePool(cpu_seconds) if workers == 0 else WorkerPool(default_workers() if workers is None else workers,
                                                                   cpu_seconds, worker_memory)
    application = create_app(pool, storage, int(max_body_mb * MB), int(max_upload_mb * MB))
    _run_server(application, host, port, open_browser, pool)


def _run_server(application, host: str, port: int, open_browser: bool, pool) -> None:
    import socket

    import uvicorn
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        listener = socket.create_server((host, port), family=family)
    except OSError as e:
        pool.close()
        _stop(_usage("--port", f"cannot listen on {host}:{port}: {e.strerror or e}"))
    bound = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    _say(f"nnsolve serving {url} (API: {url}api; stop with Ctrl-C)")
    if not (host in ("localhost", "::1") or host.startswith("127.")):
        _say(f"warning: listening on {host}: anyone who can reach this port can use the page, its CPUs and its saved "
             f"problems (there are no accounts)")
    if open_browser:
        import threading
        import webbrowser
        threading.Timer(0.8, lambda: webbrowser.open(url)).start()
    config = uvicorn.Config(application, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=5)
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:       # uvicorn raises the Ctrl-C it caught again once it has shut down
        pass
    finally:
        pool.close()
    _say("nnsolve stopped")
    raise typer.Exit(0)
