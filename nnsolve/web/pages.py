"""The pages of the web app (server-rendered with Jinja2; a little local JavaScript calls the API)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

pages = APIRouter(include_in_schema=False)


@pages.get("/", response_class=HTMLResponse)
async def index() -> str:
    return "<!DOCTYPE html><html><head><title>nnsolve</title></head><body><h1>nnsolve</h1></body></html>"
