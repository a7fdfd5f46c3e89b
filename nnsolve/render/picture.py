"""A solution's graph as a picture: Graphviz DOT source, and SVG/PNG/PDF through Graphviz's `dot` program.

Forward values are drawn in blue and gradients in red, as exam rubrics ask. Each family that has a picture
registers its DOT builder (`Family.picture`), built from the helpers here: quoting, labels, clusters,
the common head. The source is deterministic, so it can be compared with a golden copy; `dot` runs as a
plain subprocess (no shell, no Python binding).
"""
from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import numpy as np

from ..engine.number import format_number
from ..problems.errors import Issue, ProblemError
from ..solution import Solution

FORWARD = "blue"
GRADIENT = "red"
RENDERED = {".svg": "svg", ".png": "png", ".pdf": "pdf"}    # suffix → `dot -T` format
SOURCE = (".dot", ".gv")
MISSING_DOT = ("Graphviz's `dot` program is not installed (Debian: apt-get install graphviz); "
               "write a .dot file instead")


class PictureError(ProblemError):
    """A picture that cannot be drawn (no picture for this kind of problem, an unknown file type, no
    Graphviz): refused like a malformed input, so the CLI prints the message and exits with code 2."""

    def __init__(self, message: str):
        super().__init__([Issue("picture", message)])
        self.message = message

    def __str__(self) -> str:
        return f"cannot draw the picture: {self.message}"


def to_dot(solution: Solution) -> str:
    """The graph of a solution as Graphviz DOT source, drawn by its family's builder."""
    from ..problems import families

    drawn = {name: f.picture for name, f in families().items() if f.picture is not None}
    if solution.kind not in drawn:
        raise PictureError(f"there is no picture for {solution.kind} problems; pictures are drawn for "
                           + " and ".join(sorted(drawn)) + " problems")
    return drawn[solution.kind](solution)


def write_picture(solution: Solution, path) -> str:
    """Write the picture to `path`: .dot/.gv the source, .svg/.png/.pdf drawn by Graphviz. Returns the source."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SOURCE and suffix not in RENDERED:
        raise PictureError(f"cannot write a picture as {path.name!r}: name a .svg, .png or .pdf file, "
                           "or a .dot/.gv file for the Graphviz source")
    source = to_dot(solution)
    data = source.encode("utf-8") if suffix in SOURCE else run_dot(source, RENDERED[suffix])
    try:
        path.write_bytes(data)
    except OSError as e:
        raise PictureError(f"cannot write {path}: {e.strerror or e}") from None
    return source


def run_dot(source: str, fmt: str) -> bytes:
    dot = shutil.which("dot")
    if dot is None:
        raise PictureError(MISSING_DOT)
    try:
        done = subprocess.run([dot, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise PictureError("Graphviz's `dot` took more than 30 seconds; write a .dot file instead") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise PictureError(f"Graphviz's `dot` failed: {message or f'exit code {done.returncode}'}")
    return done.stdout


# -- shared helpers ---------------------------------------------------------------------------------------
def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def numbers(value, digits: int) -> str:
    """One number, or a unit's value for each sample of a batch as (v₁, v₂, …)."""
    value = np.asarray(value, dtype=object)
    if value.ndim == 0:
        return format_number(value[()], digits)
    return "(" + ", ".join(format_number(v, digits) for v in value.reshape(-1)) + ")"


def html_label(lines: list[tuple[str, str | None]]) -> str:
    """A Graphviz HTML-like label: one line per (text, colour or None)."""
    shown = [html.escape(text) if color is None else f'<font color="{color}">{html.escape(text)}</font>'
             for text, color in lines]
    return "<" + "<br/>".join(shown) + ">"


def head(name: str, legend: str) -> list[str]:
    return [f"digraph {name} {{", "  rankdir=LR;", "  ranksep=1.2;", f"  label={quote(legend)};", "  labelloc=b;",
            "  fontname=Helvetica;", "  node [shape=box, fontname=Helvetica];",
            # decorate: a line from each weight to its edge, so labels of crossing edges are not mixed up
            "  edge [fontname=Helvetica, fontsize=10, decorate=true];"]


def cluster(name: str, title: str, nodes: list[tuple[str, str]]) -> list[str]:
    lines = [f"  subgraph cluster_{name} {{", f"    label={quote(title)};", "    rank=same;"]
    lines += [f"    {quote(node)} [label={label}];" for node, label in nodes]
    return lines + ["  }"]
