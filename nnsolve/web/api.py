"""The JSON API: one endpoint per command, each doing what the CLI does, in a worker process (pool.py).

`POST /api/solve` takes the problem text (YAML or JSON) as the request body and returns what `solve --format json`
prints; `/api/check`, `/api/grade` (multipart: problem + CSV), `/api/summary` (snippet text), `/api/vary` and
`/api/export` likewise. Every error is JSON, `{"error": message, "kind": …, "issues": [{path, message, line}]}`,
with the CLI's located messages: 422 for a malformed input or one over a limit, 413 for a body over its size, 404,
503 for a busy server or an unusable database; never a traceback.
"""
from __future__ import annotations

from enum import Enum
from typing import Optional

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..cli import Format as SummaryFormat, Style as SummaryStyle
from ..cli_course import Layout, Target        # the CLI's own choices, so that the API offers the same ones
from .jobs import SNIPPET_NAME, Outcome
from .storage import KINDS, StorageError

router = APIRouter(prefix="/api")
Id = Annotated[int, Path(ge=1, le=2 ** 63 - 1, description="as listed")]       # SQLite's integers are 64-bit

TEXT_BODY = {"requestBody": {"required": True, "content": {
    "application/yaml": {"schema": {"type": "string"}, "example": "problem: dense_network\n…"},
    "application/json": {"schema": {"type": "object"}},
    "text/plain": {"schema": {"type": "string"}}}}}
SNIPPET_BODY = {"requestBody": {"required": True, "content": {"text/x-python": {"schema": {"type": "string"}},
                                                              "text/plain": {"schema": {"type": "string"}}}}}


class SolveFormat(str, Enum):
    """`solve --format`'s choices but pdf (a file the server would have to compile)."""
    json = "json"
    html = "html"
    markdown = "markdown"
    latex = "latex"
    text = "text"


class SummaryKind(str, Enum):
    snippet = "snippet"
    architecture = "architecture"
    bundled = "bundled"


class CheckAnswers(BaseModel):
    """A student's (or anyone's) answers to a problem, checked without the key in the file."""
    problem: str = Field(description="the problem file's text (YAML or JSON)")
    answers: dict = Field(description="answer id → the number (or nested list) given, as in a problem's answers:")
    tolerance: Optional[str] = Field(None, description="one absolute tolerance (0.005); default: each number's "
                                                       "own decimals")
    hide_solution: bool = Field(False, description="leave every computed value out of the reply: which answers "
                                                   "are right, the first wrong one and the likely slip only")


class VaryRequest(BaseModel):
    problem: str = Field(description="a problem file with a variants: block")
    count: int = Field(10, ge=1, le=1000, description="how many variants to draw")
    seed: Optional[int] = Field(None, ge=0)
    archive: bool = Field(False, description="reply with a zip of the variant files, not JSON")
    solutions: Optional[SolveFormat] = Field(None, description="with archive: each variant's worked solution too")


class ProblemText(BaseModel):
    name: str = Field(description="a file name ending in .yaml, .yml or .json; folders make categories "
                                  "(week1/q1.yaml)")
    text: str


class ExportRequest(BaseModel):
    problems: list[ProblemText] = Field(min_length=1, max_length=500)
    to: Target


class SavedItem(BaseModel):
    kind: str = Field("problem", description="problem, key or snippet")
    name: str = Field(min_length=1, max_length=200)
    text: str


# -- the commands --------------------------------------------------------------------------------------
@router.post("/solve", openapi_extra=TEXT_BODY, summary="Solve a problem (as `nnsolve solve`)")
async def solve(request: Request, format: SolveFormat = SolveFormat.json, handout: bool = False,
                digits: Optional[int] = Query(None, ge=0, le=30),
                round_intermediates: Optional[int] = Query(None, ge=0, le=30),
                fragment: bool = Query(False, description="html: the page's content alone; latex: an exam-class "
                                                          "question"),
                download: bool = Query(False, description="as a file to save (Content-Disposition)")) -> Response:
    args = {"text": await text_body(request), "format": format.value, "handout": handout, "digits": digits,
            "fragment": fragment, "round_intermediates": round_intermediates}
    return reply(await work(request, "solve", args), download)


@router.post("/validate", openapi_extra=TEXT_BODY, summary="Read and solve a problem, for an editor: its issues")
async def validate(request: Request) -> Response:
    """Always 200 for a problem that can be read as text: `ok`, and the located `issues` when it is not."""
    return reply(await work(request, "validate", {"text": await text_body(request)}))


@router.post("/check", openapi_extra=TEXT_BODY, summary="Check the key in a problem file (as `nnsolve check`)")
async def check(request: Request, tolerance: Optional[str] = None) -> Response:
    args = {"text": await text_body(request), "tolerance": tolerance}
    return reply(await work(request, "check", args))


@router.post("/check-answers", summary="Check given answers to a problem (a student's work)")
async def check_answers(request: Request, body: CheckAnswers) -> Response:
    limit_text(request, body.problem, "problem")
    unicode_text(body.answers, "answers")
    if body.tolerance is not None:
        unicode_text(body.tolerance, "tolerance")
    args = {"text": body.problem, "answers": body.answers, "tolerance": body.tolerance,
            "hide_solution": body.hide_solution}
    return reply(await work(request, "check", args))


@router.post("/grade", summary="Mark a class with error carried forward (as `nnsolve grade`)")
async def grade(request: Request,
                submissions: UploadFile = File(description="the class CSV, or a Moodle or Canvas responses export"),
                problem: Optional[str] = Form(None, description="the problem file's text, with its marking:"),
                problem_file: Optional[UploadFile] = File(None, description="or the problem file itself"),
                columns: Optional[str] = Form(None, description="as grade --columns"),
                layout: Layout = Form(Layout.nnsolve), save: bool = Form(True)) -> Response:
    if problem_file is not None:
        problem = await read_upload(request, problem_file, "problem_file", request.app.state.max_body)
        problem = decoded(problem, "problem_file")
    if not problem:
        return error(422, "give the problem: a form field `problem` (its text) or a file `problem_file`",
                     [{"path": "problem", "message": "missing", "line": None}])
    limit_text(request, problem, "problem")
    data = await read_upload(request, submissions, "submissions", request.app.state.max_upload)
    mapping = None
    if columns:
        from ..grading.exports import parse_columns
        try:
            mapping = parse_columns(columns)
        except ValueError as e:
            return error(422, f"--columns: {e}", [{"path": "columns", "message": str(e), "line": None}])
    outcome = await work(request, "grade", {"text": problem, "submissions": data, "columns": mapping,
                                                     "layout": layout.value})
    if outcome.ok and save:
        import json
        result = json.loads(outcome.body)
        result["run"], result["saved"] = None, ""
        try:
            result["run"] = request.app.state.storage.save_run(result["title"], problem,
                                                               submissions.filename or "class.csv", result, data,
                                                               columns or None)
        except StorageError as e:
            result["saved"] = f"not saved: {e}"
        return JSONResponse(result)
    return reply(outcome)


@router.post("/summary", openapi_extra=SNIPPET_BODY, summary="Tabulate an architecture (as `nnsolve summary`)")
async def summary(request: Request, kind: SummaryKind = SummaryKind.snippet, format: SummaryFormat = SummaryFormat.json,
                  flops: Optional[str] = None,
                  input_shape: Optional[str] = Query(None, description="without the batch axis: 3x224x224"),
                  model: Optional[str] = None, style: SummaryStyle = SummaryStyle.nnsolve,
                  set: list[str] = Query([], description="NAME=VALUE for a name the snippet sets from its data")
                  ) -> Response:
    """The body is a Keras or PyTorch snippet (read, never run: the CLI's --trace is not offered here), an
    architecture problem file (`kind=architecture`), or a bundled architecture's name (`kind=bundled`)."""
    from ..cli import _shape
    from ..problems.errors import ProblemError
    text = await text_body(request)
    try:
        shape = _shape(input_shape, SNIPPET_NAME if kind == SummaryKind.snippet else "x.yaml")
        from ..arch.summary import given_values
        given = given_values(set)
    except ProblemError as e:
        from .jobs import refused
        return reply(refused(e))
    args = {"text": text, "kind": kind.value, "format": format.value, "flops": flops,
            "input_shape": list(shape) if shape else None, "model": model, "style": style.value, "given": given}
    return reply(await work(request, "summary", args))


@router.post("/vary", summary="Draw randomised variants (as `nnsolve vary`)")
async def vary(request: Request, body: VaryRequest) -> Response:
    limit_text(request, body.problem, "problem")
    args = {"text": body.problem, "count": body.count, "seed": body.seed, "archive": body.archive,
            "solutions": body.solutions.value if body.solutions else None}
    return reply(await work(request, "vary", args), download=body.archive)


@router.post("/export", summary="Export problems as quiz questions (as `nnsolve export`)")
async def export(request: Request, body: ExportRequest) -> Response:
    from pathlib import PurePosixPath
    names = set()
    for i, problem in enumerate(body.problems):
        path = PurePosixPath(problem.name)
        if (path.is_absolute() or ".." in path.parts or path.suffix.lower() not in (".yaml", ".yml", ".json")
                or problem.name in names or "\\" in problem.name or "\0" in problem.name):
            return error(422, f"problems[{i}].name: expected a new relative file name ending in .yaml, .yml or "
                              f".json, got {problem.name!r}",
                         [{"path": f"problems[{i}].name", "message": "not a usable file name", "line": None}])
        names.add(problem.name)
        limit_text(request, problem.text, f"problems[{i}].text")
        unicode_text(problem.name, f"problems[{i}].name")
    args = {"problems": [p.model_dump() for p in body.problems], "to": body.to.value}
    return reply(await work(request, "export", args), download=True)


# -- examples and templates ----------------------------------------------------------------------------
@router.get("/examples", summary="The bundled examples and a template per family")
async def examples() -> Response:
    from .examples import catalogue
    return JSONResponse(catalogue())


@router.get("/examples/{name:path}", summary="One example's text")
async def example(name: str) -> Response:
    from .examples import example_text
    text = example_text(name)
    if text is None:
        return error(404, f"no example {name!r}: GET /api/examples lists them")
    return Response(text, media_type="application/yaml; charset=utf-8")


# -- storage -------------------------------------------------------------------------------------------
@router.get("/saved", summary="Saved problems, keys and snippets")
async def saved(request: Request, kind: Optional[str] = None) -> Response:
    return stored(lambda: request.app.state.storage.saved(kind))


@router.post("/saved", summary="Save a problem, key or snippet")
async def save(request: Request, item: SavedItem) -> Response:
    refused = savable(request, item)
    return refused or stored(lambda: request.app.state.storage.save(item.kind, item.name, item.text), status=201)


def savable(request: Request, item: SavedItem) -> Response | None:
    """The refusal of an item that cannot be saved (an unknown kind; a text over the body limit or not Unicode)."""
    if item.kind not in KINDS:
        return error(422, f"kind: expected one of {', '.join(KINDS)}, got {item.kind!r}")
    limit_text(request, item.text, "text")
    unicode_text(item.name, "name")
    return None


@router.get("/saved/{item}", summary="One saved item")
async def saved_item(request: Request, item: Id) -> Response:
    return stored(lambda: request.app.state.storage.get(item), f"no saved item {item}")


@router.put("/saved/{item}", summary="Replace a saved item")
async def replace(request: Request, item: Id, body: SavedItem) -> Response:
    refused = savable(request, body)
    return refused or stored(lambda: request.app.state.storage.save(body.kind, body.name, body.text, item),
                  f"no saved item {item}")


@router.delete("/saved/{item}", summary="Delete a saved item")
async def delete(request: Request, item: Id) -> Response:
    return stored(lambda: request.app.state.storage.delete(item) or None, f"no saved item {item}")


@router.get("/runs", summary="Grading runs")
async def runs(request: Request) -> Response:
    return stored(lambda: request.app.state.storage.runs())


@router.get("/runs/{run}", summary="One grading run")
async def run(request: Request, run: Id) -> Response:
    return stored(lambda: request.app.state.storage.run(run), f"no grading run {run}")


@router.get("/runs/{run}/gradebook.csv", summary="A grading run's gradebook")
async def gradebook(request: Request, run: Id) -> Response:
    return run_file(request, run, "gradebook", "text/csv; charset=utf-8", f"gradebook-{run}.csv")


@router.get("/runs/{run}/report.md", summary="A grading run's class report")
async def class_report(request: Request, run: Id) -> Response:
    return run_file(request, run, "report", "text/markdown; charset=utf-8", f"report-{run}.md")


class FeedbackFormat(str, Enum):
    html = "html"
    markdown = "markdown"


@router.get("/runs/{run}/feedback.zip", summary="A grading run's feedback: a file per student (as grade --feedback)")
async def feedback(request: Request, run: Id, format: FeedbackFormat = FeedbackFormat.html) -> Response:
    """The class is marked again from the run's problem and upload (as it was marked: the same verdicts, unless
    nnsolve has changed since, which the X-Nnsolve-Notes header then says) and each student's feedback written."""
    try:
        found = request.app.state.storage.run(run, with_class=True)
    except StorageError as e:
        return error(503, str(e), kind="storage")
    if found is None:
        return error(404, f"no grading run {run}", kind="missing")
    if not found["class"]:
        return error(404, f"grading run {run} was kept without its class (by an earlier nnsolve): grade it again",
                     kind="missing")
    from ..grading.exports import parse_columns
    args = {"text": found["problem"], "submissions": found["class"], "format": format.value,
            "columns": parse_columns(found["columns"]) if found["columns"] else None,
            "gradebook": found["result"]["gradebook"], "layout": found["result"].get("layout", "nnsolve")}
    outcome = await work(request, "feedback", args)
    if outcome.ok:
        outcome.filename = f"feedback-{run}.zip"
    return reply(outcome, download=True)


def run_file(request: Request, run: int, key: str, media: str, name: str) -> Response:
    """One file of a grading run, as a download."""
    try:
        found = request.app.state.storage.run(run)
    except StorageError as e:
        return error(503, str(e), kind="storage")
    if found is None:
        return error(404, f"no grading run {run}", kind="missing")
    return Response(found["result"][key], media_type=media, headers=attachment(name))


@router.get("/health", summary="The server's state")
async def health(request: Request) -> Response:
    from .. import __version__
    state = request.app.state
    return JSONResponse({"version": __version__, "workers": state.pool.size, "cpu_seconds": state.pool.cpu_seconds,
                         "workers_replaced": state.pool.replaced, "requests_dropped": state.pool.dropped,
                         "storage": str(state.storage.path),
                         "storage_problem": state.storage.problem})


# -- pieces --------------------------------------------------------------------------------------------
async def work(request: Request, job: str, args: dict) -> Outcome:
    """The job done by the server's pool (dropped if the client leaves before its turn)."""
    return await request.app.state.pool(job, args, request)


class BodyTooLarge(Exception):
    def __init__(self, what: str, size: int, limit: int):
        super().__init__(f"{what} is {size:,} bytes; the server takes at most {limit:,} bytes (nnsolve serve "
                         f"--max-body-mb, --max-upload-mb)")


async def text_body(request: Request) -> str:
    """The request body as text (the size was bounded by the middleware before it was read)."""
    return decoded(await request.body(), "the request body")


def decoded(raw: bytes, what: str) -> str:
    """Text as a problem file's is read: UTF-8 without a NUL byte (problems/reading.py)."""
    from ..problems.reading import text_of
    return text_of(raw, what)


def limit_text(request: Request, text: str, what: str) -> None:
    """A problem inside a JSON body or a form is held to the body's limit too, and must be text a file can hold
    (JSON can write a lone surrogate, `"\\udc80"`, which no UTF-8 file can)."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > request.app.state.max_body:
        raise BodyTooLarge(what, size, request.app.state.max_body)
    unicode_text(text, what)


def unicode_text(value, what: str) -> None:
    """Refuse a lone surrogate anywhere in `value` (a text, or lists and mappings of them), at its place."""
    from ..problems.errors import Issue, ProblemError
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise ProblemError([Issue(what, f"not Unicode text: a lone surrogate U+{ord(value[e.start]):04X} at "
                                            f"character {e.start}")]) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            unicode_text(key, what)
            unicode_text(item, f"{what}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            unicode_text(item, f"{what}[{i}]")


async def read_upload(request: Request, upload: UploadFile, what: str, limit: int) -> bytes:
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(what, len(data), limit)
    return data


def attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def reply(outcome: Outcome, download: bool = False) -> Response:
    if not outcome.ok:
        return error(outcome.status, outcome.message, outcome.issues, outcome.kind)
    headers = attachment(outcome.filename) if download and outcome.filename else {}
    if outcome.message:          # what the command would have said on stderr (an export's notes)
        headers["X-Nnsolve-Notes"] = outcome.message.replace("\n", " | ").encode("ascii", "replace").decode()[:4000]
    return Response(outcome.body, media_type=outcome.media, headers=headers)


def error(status: int, message: str, issues: list | None = None, kind: str = "input") -> JSONResponse:
    return JSONResponse({"error": message, "kind": kind, "issues": issues or []}, status_code=status)


def stored(action, missing: str = "", status: int = 200) -> Response:
    """A storage action's result as JSON; 404 for None (with `missing`), 503 when the database cannot be used."""
    try:
        result = action()
    except StorageError as e:
        return error(503, str(e), kind="storage")
    if result is None and missing:
        return error(404, missing, kind="missing")
    return JSONResponse(result if result is not True else {"deleted": True}, status_code=status)
