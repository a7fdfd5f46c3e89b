"""The web application: the JSON API (api.py), the pages (pages.py), their local assets (static/), the worker pool
that does the work (pool.py) and the storage (storage.py), with the limits on what a request may send.

`create_app(...)` builds it for `nnsolve serve` and for the tests (which pass their own pool and data folder).
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from .. import __version__
from ..problems.errors import ProblemError
from .api import BodyTooLarge, error, router
from .jobs import internal, refused

MB = 1024 * 1024
# the pages' scripts are app.js alone: no inline script or handler runs, whatever HTML a solution or an upload holds;
# styles may be inline (the SVG of Graphviz and matplotlib carries them); nothing is fetched from another origin
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
                                 b"frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
MAX_BODY = 2 * MB              # a request body: a problem file, a snippet, a JSON request
MAX_UPLOAD = 50 * MB           # a multipart upload: a class's submissions
STATIC = Path(__file__).parent / "static"


def create_app(pool=None, storage=None, max_body: int = MAX_BODY, max_upload: int = MAX_UPLOAD) -> FastAPI:
    """The application; `pool` does the work (default: worker processes), `storage` keeps saved items and runs
    (default: the user's data folder)."""
    if pool is None:
        from .pool import WorkerPool, default_workers
        pool = WorkerPool(default_workers())
    if storage is None:
        from .storage import Storage, data_folder
        storage = Storage(data_folder())

    @asynccontextmanager
    async def lifespan(app):
        yield
        pool.close()

    # FastAPI's own /docs page loads Swagger UI from a CDN: the API is documented by /api (pages.py) from the same
    # OpenAPI schema (/openapi.json), with every asset local
    app = FastAPI(title="nnsolve", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Exact, explained answers to the hand-calculation problems of deep-learning exams: "
                              "the commands of the `nnsolve` CLI as a JSON API.")
    app.state.pool, app.state.storage = pool, storage
    app.state.max_body, app.state.max_upload = max_body, max_upload
    app.include_router(router)
    from .pages import pages
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, e: ProblemError):
        outcome = refused(e)
        return error(422, outcome.message, outcome.issues, outcome.kind)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, e: BodyTooLarge):
        return error(413, str(e), kind="size")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError):
        issues = [{"path": ".".join(str(p) for p in item.get("loc", ()) if p != "body" or len(item["loc"]) == 1),
                   "message": item.get("msg", ""), "line": None} for item in e.errors()]
        text = "; ".join(f"{i['path']}: {i['message']}" if i["path"] else i["message"] for i in issues)
        return error(422, f"the request is malformed: {text}", issues)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, e: HTTPException):
        return error(e.status_code, str(e.detail), kind="http")

    @app.exception_handler(Exception)
    async def _bug(request: Request, e: Exception):
        outcome = internal(e)
        return error(500, outcome.message, kind="internal")

    return SizeLimit(app, max_body, max_upload)


class SizeLimit:
    """Refuse a request body over its limit with 413 before it is read into memory: by its Content-Length when it
    states one, else by counting as it arrives. A multipart upload may be `max_upload` bytes, any other body
    `max_body`. Every response also gets the security headers."""

    def __init__(self, app, max_body: int, max_upload: int):
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = self.max_upload if multipart else self.max_body
        what = "the upload" if multipart else "the request body"
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _send_too_large(send, what, int(length), limit)
        seen, started = 0, False

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(what, seen, limit)
            return message

        async def watched(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await _send_too_large(send, what, seen, limit)


async def _send_too_large(send, what: str, size: int, limit: int) -> None:
    import json
    body = json.dumps({"error": str(BodyTooLarge(what, size, limit)), "kind": "size", "issues": []}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
