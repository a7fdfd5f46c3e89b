"""The pages of the web app, server-rendered with Jinja2 (templates/), one shared layout with a nav bar; a little
local JavaScript (static/app.js) calls the JSON API with fetch. Every asset is served from here: no CDN, no font or
script from the network.

- `/`         Solve: the problem editor, its issues at their lines as one types, the worked solution beside it
- `/check`    Check my work (students): the question alone, an input per asked answer, the first wrong step
- `/grade`    Check a key, grade a class (TAs): verdicts, the gradebook, the charts, earlier runs
- `/summary`  A Keras or PyTorch snippet's table and totals
- `/publish`  Variants and export (Moodle XML, QTI, LaTeX exam, HTML)
- `/api`      The JSON API, documented from the app's own OpenAPI schema (FastAPI's Swagger page would load from a CDN)
"""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from .. import __version__

pages = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _code_spans(text: str):
    """The API's descriptions as HTML: escaped, their `backquoted` words as <code>."""
    import re

    from markupsafe import Markup, escape
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


templates.env.filters["code_spans"] = _code_spans

NAV = [("/", "solve", "Solve"), ("/check", "check", "Check my work"), ("/grade", "grade", "Check a key · grade"),
       ("/summary", "summary", "Summary"), ("/publish", "publish", "Variants · export"), ("/api", "api", "API")]
METHODS = ("get", "post", "put", "delete", "patch")


def _page(request: Request, name: str, title: str, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, f"{name}.html", {"nav": NAV, "current": name, "title": title,
                                                                "version": __version__, **context})


TITLES = {"solve": "Solve", "check": "Check my work", "grade": "Check a key, grade a class",
          "summary": "Summary of an architecture", "publish": "Variants and export"}


def _route(path: str, name: str) -> None:
    async def page(request: Request) -> HTMLResponse:
        return _page(request, name, TITLES[name])
    pages.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse, name=f"{name}_page")


for _path, _name, _ in NAV:
    if _name in TITLES:
        _route(_path, _name)


@pages.get("/api", response_class=HTMLResponse)
async def api_page(request: Request) -> HTMLResponse:
    return _page(request, "api", "The JSON API", endpoints=endpoints(request.app.openapi()))


@pages.get("/static/solution.css")
async def solution_css() -> Response:
    """The worked solution's own style (the HTML printer's), for the fragments the pages place."""
    from ..render.html import CSS
    return Response(CSS, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


def endpoints(schema: dict) -> list[dict]:
    """Each operation of an OpenAPI schema as the /api page lists it: method, path, summary, description, parameters
    (name, where, type, required, description) and the request body's media types (with a form's fields)."""
    found = []
    components = schema.get("components", {}).get("schemas", {})
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [{"name": p.get("name", ""), "in": p.get("in", ""), "required": bool(p.get("required")),
                           "type": _type(p.get("schema", {}), components),
                           "description": p.get("description") or p.get("schema", {}).get("description", ""),
                           "default": p.get("schema", {}).get("default")}
                          for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            media = []
            for kind, content in body.items():
                fields = _fields(content.get("schema", {}), components)
                media.append({"type": kind, "fields": fields})
            found.append({"method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                          "description": operation.get("description", ""), "parameters": parameters, "body": media,
                          "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "")})
    return found


def _resolved(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return components.get(ref.rsplit("/", 1)[1], {})
    return schema


def _type(schema: dict, components: dict) -> str:
    schema = _resolved(schema, components)
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type(s, components) for s in schema["anyOf"] if s.get("type") != "null") or "any"
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}), components)}"
    return schema.get("type", "object")


def _fields(schema: dict, components: dict) -> list[dict]:
    """A JSON or form body's fields: name, type, required, description."""
    schema = _resolved(schema, components)
    required = set(schema.get("required", []))
    fields = []
    for name, field in schema.get("properties", {}).items():
        resolved = _resolved(field, components)
        kind = "file" if resolved.get("format") == "binary" or resolved.get("contentMediaType") else _type(field,
                                                                                                          components)
        fields.append({"name": name, "type": kind, "required": name in required,
                       "description": field.get("description") or resolved.get("description", "")})
    return fields
