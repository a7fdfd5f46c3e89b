"""What the server's worker processes do: each job is one of the CLI's commands on text the browser sent, done
by the same library functions the CLI calls, and its outcome as plain data (an `Outcome`) for the server to send.

A job never prints and never raises: a malformed input is an Outcome with status 422 and the located issues the
CLI would print; the time limit (`limits.deadline`, in the worker's main thread) gives 422 too, saying so; anything
else is an internal error, one line, status 500, never a traceback. Files the library reads by path (a class CSV,
a snippet, a folder of problems to export) are written to a fresh folder, which is the job's working directory, under
the names the messages then show (`problem.yaml`, `model.py`, `class.csv`).
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field

PROBLEM_NAME = "problem.yaml"
SNIPPET_NAME = "model.py"
CLASS_NAME = "class.csv"
SOLVE_FORMATS = {"json": "application/json", "html": "text/html; charset=utf-8",
                 "markdown": "text/markdown; charset=utf-8", "latex": "application/x-latex; charset=utf-8",
                 "text": "text/plain; charset=utf-8"}
SUFFIX = {"json": ".json", "html": ".html", "markdown": ".md", "latex": ".tex", "text": ".txt"}
EXPORT_MEDIA = {"moodle": ("application/xml", ".xml"), "qti": ("application/zip", ".zip"),
                "latex-exam": ("application/x-latex; charset=utf-8", ".tex"), "html": ("text/html; charset=utf-8", ".html")}


@dataclass
class Outcome:
    """What the server sends back: a body with its media type (and a file name when it is a download), or an error
    (`message` as the CLI prints it, `issues` each with its path, message and line)."""
    status: int = 200
    body: bytes | str = b""
    media: str = "application/json"
    filename: str | None = None
    message: str = ""
    issues: list = field(default_factory=list)
    kind: str = ""                  # of an error: "input", "limit", "time", "memory", "internal"

    @property
    def ok(self) -> bool:
        return self.status == 200


def data(value, filename: str | None = None) -> Outcome:
    return Outcome(body=json.dumps(value, ensure_ascii=False), filename=filename)


def run(job: str, args: dict, seconds: float | None) -> Outcome:
    """Do `job` (a name in JOBS) with `args` within `seconds` (None: no limit); never raises."""
    from ..limits import DeadlineExceeded, deadline
    from ..ops.scalar import DomainError
    from ..problems.errors import ProblemError

    try:
        with _workspace(), deadline(seconds, "the server's limit: nnsolve serve --cpu-seconds"):
            return JOBS[job](**args)
    except ProblemError as e:
        return refused(e)
    except DomainError as e:
        quantity = getattr(e, "quantity", None)
        return Outcome(422, message=f"cannot compute {quantity}: {e}" if quantity else str(e), kind="input")
    except DeadlineExceeded as e:
        return Outcome(422, message=str(e), kind="time")
    except MemoryError:
        return Outcome(422, message="ran out of memory: the problem is too large to be solved exactly", kind="memory")
    except Exception as bug:      # a bug in nnsolve (a RecursionError too: the limits exist to prevent it): one line,
        # as the CLI's exit code 3
        return internal(bug)


def refused(error) -> Outcome:
    """A ProblemError as the API sends it: the CLI's message, and each issue with its place and line."""
    issues = [{"path": i.path, "message": i.message, "line": i.line} for i in error.issues]
    limit = any("raise it with NNSOLVE_" in i.message for i in error.issues)
    return Outcome(422, message=str(error), issues=issues, kind="limit" if limit else "input")


def internal(bug: BaseException) -> Outcome:
    return Outcome(500, message=f"internal error, please report: {type(bug).__name__}: {bug}"[:2000], kind="internal")


@contextmanager
def _workspace():
    """A fresh folder as the working directory, removed afterwards (a job's files never outlive it)."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="nnsolve-web-") as folder:
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(before)


def _loaded(text: str, name: str = PROBLEM_NAME):
    from ..problems import load_text, parse_document
    return parse_document(load_text(text, name))


# -- the jobs ------------------------------------------------------------------------------------------
def solve(text: str, format: str = "json", handout: bool = False, digits: int | None = None,
          fragment: bool = False, round_intermediates: int | None = None) -> Outcome:
    """`nnsolve solve --format FORMAT`; `fragment` with html: the page's <main> alone, for the web page to place."""
    from ..api import solve as solve_problem
    from ..render import render

    solution = solve_problem(_loaded(text), round_intermediates=round_intermediates)
    if digits is not None:
        solution.digits = digits
    if format == "html" and fragment:
        from ..render.html import HtmlPrinter
        from ..render.tree import build
        printer = HtmlPrinter(solution, None, not handout)
        body = _inner(printer.print_handout()) if handout else printer.body(build(solution))
        return Outcome(body=body, media=SOLVE_FORMATS[format])
    body = render(solution, format, handout=handout, fragment=fragment and format == "latex")
    return Outcome(body=body, media=SOLVE_FORMATS[format], filename=_stem(solution) + SUFFIX[format])


def _inner(page: str) -> str:
    start, end = page.find("<main>"), page.rfind("</main>")
    return page[start + len("<main>"):end].strip() if start >= 0 and end > start else page


def _stem(solution) -> str:
    import re
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", (solution.title or "solution")).strip("-.")[:60]
    return stem or "solution"


def validate(text: str) -> Outcome:
    """Load and solve, as the editor asks while the user types: 200 with `ok` and the located issues either way (a
    malformed problem is the answer here, not an error), the family and the ids of the answers it asks for."""
    from ..api import solve as solve_problem
    from ..problems.errors import ProblemError

    try:
        loaded = _loaded(text)
        solution = solve_problem(loaded)
    except ProblemError as e:
        return data({"ok": False, "message": str(e), "issues": refused(e).issues})
    asked = [{"id": quantity, "symbol": solution.step(quantity).latex_symbol,
              "shape": list(solution.value(quantity).shape)} for quantity in solution.asked]
    return data({"ok": True, "family": loaded.family.name, "title": solution.title, "asks": asked,
                 "answers": sorted(getattr(loaded.model, "answers", None) or {}), "message": "", "issues": [],
                 "question": question_text(text, loaded.document)})


KEYS_OF_THE_KEY = ("answers",)     # what a student checking their work must not be shown of the file


def question_text(text: str, document) -> str | None:
    """The problem file as a question for a student, where the printer has none to show (a family whose givens
    are not steps, without a `statement:`): the file without its `answers:` block and without its comment lines
    (an author's comments may name the answers). None when the key cannot be cut out line by line (it shares a
    line with another key: flow style, minified JSON)."""
    lines = text.splitlines(keepends=True)
    tops = sorted(line for path, line in document.lines.items() if len(path) == 1 and line)
    cut: set[int] = set()
    for key in KEYS_OF_THE_KEY:
        start = document.lines.get((key,))
        if start is None:
            continue
        after = [line for line in tops if line > start]
        if start in [line for path, line in document.lines.items() if len(path) == 1 and path != (key,)]:
            return None
        end = after[0] - 1 if after else len(lines) - (1 if lines and lines[-1].strip() in ("}", "},") else 0)
        cut.update(range(start, end + 1))
    return "".join(line for n, line in enumerate(lines, 1)
                   if n not in cut and not line.lstrip().startswith("#"))


def check(text: str, answers: dict | None = None, tolerance: str | None = None, hide_solution: bool = False) -> Outcome:
    """`nnsolve check`: the file's own key, or `answers` (a student's); `hide_solution` keeps every computed value
    out of the reply (a student checking their work sees which answers are right, where they first went wrong and
    the likely slip, not the right numbers)."""
    from ..check import check as check_answers
    from ..check.report import report_json

    loaded = _loaded(text)
    report = report_json(check_answers(loaded, answers, tolerance))
    if hide_solution:
        for result in report["results"]:
            for key in ("computed", "computed_rounded", "reason", "verdict"):
                result.pop(key, None)
            result["verdict"] = "right" if result["ok"] else "wrong" + (" (your first wrong answer)"
                                                                         if result["first_divergence"] else "")
    return data(report)


def summary(text: str, kind: str = "snippet", format: str = "json", flops: str | None = None,
            input_shape: list[int] | None = None, model: str | None = None, style: str = "nnsolve",
            given: dict | None = None) -> Outcome:
    """`nnsolve summary` of a Keras/PyTorch snippet (parsed, never run: --trace is not reachable from here) or of an
    architecture problem file."""
    from ..arch.summary import summary as summarize

    if kind == "bundled":           # a bundled architecture's name (resnet50), never a path
        from ..arch.summary import bundled_names
        from ..problems.errors import Issue, ProblemError
        from ..problems.errors import suggestion
        name = text.strip()
        if name not in bundled_names():
            raise ProblemError([Issue("", f"no bundled architecture {name[:80]!r}"
                                          + suggestion(name, bundled_names(), True))], "the request body")
    else:
        name = SNIPPET_NAME if kind == "snippet" else PROBLEM_NAME
        with open(name, "w", encoding="utf-8") as f:
            f.write(text)
    shape = tuple(input_shape) if input_shape else None
    body = summarize(name, format, flops, shape, model, style, False, given or None)
    return Outcome(body=body, media=SOLVE_FORMATS[format], filename="summary" + SUFFIX[format])


def grade(text: str, submissions: bytes, columns=None, layout: str = "nnsolve") -> Outcome:
    """`nnsolve grade`: the gradebook (as the layout's CSV), the class summary, the class report and its charts as
    SVG text (none without matplotlib: the page says so), and each student's marks as data."""
    from ..grading.outputs import csv_text, layout_rows, summary_text
    from ..grading.report import ReportUnavailable, chart_svgs, report_markdown
    from ..grading.statistics import class_statistics

    book = _graded(text, submissions, columns)
    stats = class_statistics(book)
    rows = layout_rows(book, "nnsolve")
    try:
        charts = chart_svgs(stats)
    except ReportUnavailable:
        charts = {}
    return data({"summary": summary_text(book),
                 "gradebook": csv_text(rows if layout == "nnsolve" else layout_rows(book, layout)), "layout": layout,
                 "columns": rows[0], "rows": rows[1:], "report": report_markdown(stats), "charts": charts,
                 "students": len(book.students), "title": stats.title,
                 "mean": None if stats.mean_total is None else str(stats.mean_total), "out_of": str(stats.out_of)})


def _graded(text: str, submissions: bytes, columns):
    """The class marked against the problem. It is read from the upload's bytes: its size is bounded by the server's
    upload limit (--max-upload-mb), not by a problem file's."""
    from ..grading import grade as grade_class
    return grade_class(_loaded(text), submissions, None, columns, source=CLASS_NAME)


def feedback(text: str, submissions: bytes, format: str = "html", columns=None, gradebook: str = "",
             layout: str = "nnsolve") -> Outcome:
    """`grade --feedback DIR --feedback-format FORMAT` of a kept run, as a zip: the class marked again (its gradebook
    compared with the one kept: a difference is said, never hidden)."""
    from pathlib import Path

    from ..grading.feedback import write_feedback
    from ..grading.outputs import csv_text, layout_rows
    from ..publish.qti import zipped

    book = _graded(text, submissions, columns)
    written = write_feedback(book, Path("feedback"), format)
    outcome = Outcome(body=zipped({p.name: p.read_bytes() for p in written}), media="application/zip",
                      filename="feedback.zip")
    if gradebook and csv_text(layout_rows(book, layout)) != gradebook:
        outcome.message = ("marked again, the class's gradebook differs from the one kept with this run (nnsolve has "
                           "changed since): the feedback is of the new marking")
    return outcome


def vary(text: str, count: int = 10, seed: int | None = None, solutions: str | None = None,
         archive: bool = False) -> Outcome:
    """`nnsolve vary -n COUNT --seed SEED`: the stress report and each variant's file text; `archive`: a zip of the
    variant files (and their worked solutions in the `solutions` format), as `vary -o DIR` writes them."""
    from pathlib import Path

    from ..variants.generate import vary as draw
    from ..publish.qti import zipped
    from ..variants.report import stress_report, variant_text, write_variants

    with open(PROBLEM_NAME, "w", encoding="utf-8") as f:
        f.write(text)
    run = draw(PROBLEM_NAME, count, seed, None, "files")
    if not run.complete:
        return Outcome(422, message=f"{run.stopped}; no variant written\n\n{stress_report(run)}", kind="input")
    if archive:
        written = write_variants(run, Path("variants"), solutions)
        names = sorted({p.name for p in Path("variants").iterdir()}) if written else []
        return Outcome(body=zipped({n: Path("variants", n).read_bytes() for n in names}), media="application/zip",
                       filename="variants.zip")
    return data({"report": stress_report(run), "seed": run.seed,
                 "variants": [{"name": v.name, "text": variant_text(run, v)} for v in run.variants]})


def export(problems: list[dict], to: str) -> Outcome:
    """`nnsolve export FILES --to TARGET`: each problem ({"name", "text"}) written as a file of that name, then
    exported as the CLI exports them; the export's notes come back in a header."""
    from pathlib import Path

    from ..publish.export import export as write_export

    folder = Path("problems")
    folder.mkdir()
    files = []
    for problem in problems:
        path = folder / problem["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(problem["text"], encoding="utf-8")
        files.append(path)
    media, suffix = EXPORT_MEDIA[to]
    output = Path("export" + suffix)
    done = write_export(files, to, output)
    outcome = Outcome(body=output.read_bytes(), media=media, filename=("questions" if to != "html" else "solutions")
                      + suffix)
    outcome.message = "\n".join(done.report())
    return outcome


def warm() -> Outcome:
    """Import what the jobs use, so that a fresh worker's first request does not wait for it."""
    import importlib
    for module in ("api", "check.checker", "render.html", "render.json"):
        importlib.import_module(f"{__package__.rsplit('.', 1)[0]}.{module}")
    return Outcome()


JOBS = {"solve": solve, "validate": validate, "check": check, "summary": summary, "grade": grade,
        "feedback": feedback, "vary": vary, "export": export, "warm": warm}
