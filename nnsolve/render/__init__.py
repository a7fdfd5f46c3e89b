"""Printers over a Solution: one per output format. Printers never compute numbers."""
from __future__ import annotations


def render(solution, fmt: str = "text", color: bool = False) -> str:
    if fmt == "text":
        from .text import render_text
        return render_text(solution)
    if fmt == "markdown":
        from .markdown import render_markdown
        return render_markdown(solution)
    if fmt == "json":
        from .json import render_json
        return render_json(solution)
    raise ValueError(f"unknown format {fmt!r}")
