"""Printers over a Solution: one per output format. Printers never compute numbers.

Each format walks the same tree (`tree.build`): text for a terminal (`text`), Markdown with LaTeX
math for GitHub and Jupyter (`markdown`), exact data (`json`), a self-contained page with MathML (`html`), and
LaTeX for paper (`latex`: a standalone document, or with `fragment` a question for the `exam` class).
"""
from __future__ import annotations

FORMATS = ("text", "markdown", "json", "html", "latex")


def render(solution, fmt: str = "text", color: bool = False, handout: bool = False, fragment: bool = False) -> str:
    """The worked solution in `fmt`; with `handout`, the question alone (statement or givens, and what is asked);
    with `fragment` (LaTeX), a question for the `exam` class."""
    if fmt == "text":
        from .text import render_text
        return render_text(solution, color=color, handout=handout)
    if fmt == "markdown":
        from .markdown import render_markdown
        return render_markdown(solution, handout=handout)
    if fmt == "json":
        from .json import render_json
        return render_json(solution, handout=handout)
    if fmt == "html":
        from .html import render_html
        return render_html(solution, handout=handout)
    if fmt == "latex":
        from .latex import render_latex
        return render_latex(solution, fragment=fragment, handout=handout)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
