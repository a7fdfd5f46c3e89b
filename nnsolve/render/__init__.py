"""Printers over a Solution: one per output format. Printers never compute numbers.

Each format walks the same tree (`tree.build`): text for a terminal (`text`), Markdown with LaTeX
math for GitHub and Jupyter (`markdown`), exact data (`json`), and LaTeX for paper (`latex`: a standalone
document, or with `fragment` a question for the `exam` class).
"""
from __future__ import annotations

FORMATS = ("text", "markdown", "json", "latex")


def render(solution, fmt: str = "text", color: bool = False, fragment: bool = False) -> str:
    if fmt == "text":
        from .text import render_text
        return render_text(solution, color=color)
    if fmt == "markdown":
        from .markdown import render_markdown
        return render_markdown(solution)
    if fmt == "json":
        from .json import render_json
        return render_json(solution)
    if fmt == "latex":
        from .latex import render_latex
        return render_latex(solution, fragment=fragment)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
