"""A solution's graph as a picture: Graphviz DOT source, and SVG/PNG/PDF through Graphviz's `dot` program.

Forward values are drawn in blue and gradients in red, as exam rubrics ask. One DOT builder per kind of
graph (a computation graph: one box per quantity; a dense network: one box per unit, arranged in layers),
sharing the quoting and label helpers. The source is deterministic, so it can be compared with a golden
copy; `dot` runs as a plain subprocess (no shell, no Python binding).
"""
from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import numpy as np

from ..engine.number import format_number
from ..problems.errors import Issue, ProblemError
from ..solution import Solution, Step
from .formulas import symbolic

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
    """The graph of a computation-graph or dense-network solution as Graphviz DOT source."""
    builder = BUILDERS.get(solution.kind)
    if builder is None:
        raise PictureError(f"there is no picture for {solution.kind} problems; pictures are drawn for "
                           + " and ".join(BUILDERS) + " problems")
    return builder(solution)


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
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _numbers(value, digits: int) -> str:
    """One number, or a unit's value for each sample of a batch as (v₁, v₂, …)."""
    value = np.asarray(value, dtype=object)
    if value.ndim == 0:
        return format_number(value[()], digits)
    return "(" + ", ".join(format_number(v, digits) for v in value.reshape(-1)) + ")"


def _html_label(lines: list[tuple[str, str | None]]) -> str:
    """A Graphviz HTML-like label: one line per (text, colour or None)."""
    shown = [html.escape(text) if color is None else f'<font color="{color}">{html.escape(text)}</font>'
             for text, color in lines]
    return "<" + "<br/>".join(shown) + ">"


def _head(name: str, legend: str) -> list[str]:
    return [f"digraph {name} {{", "  rankdir=LR;", "  ranksep=1.2;", f"  label={_quote(legend)};", "  labelloc=b;",
            "  fontname=Helvetica;", "  node [shape=box, fontname=Helvetica];",
            # decorate: a line from each weight to its edge, so labels of crossing edges are not mixed up
            "  edge [fontname=Helvetica, fontsize=10, decorate=true];"]


# -- computation graphs: one box per quantity ------------------------------------------------------------
def computation_graph_dot(solution: Solution) -> str:
    """Each given and forward quantity as a box: `q = exp(p)`, its value in blue and ∂f/∂q in red."""
    shown = [s for s in solution.steps if s.section in ("Given", "Forward")]
    ids = {s.id for s in shown}
    output = solution.aliases.get("output", shown[-1].id if shown else "f")
    lines = _head("computation", f"forward values in blue, gradients ∂{output}/∂· in red")
    for s in shown:
        head = s.text_symbol if s.formula is None else f"{s.text_symbol} = {symbolic(solution, s, latex=False)}"
        label = [(head, None), (format_number(s.value[()], solution.digits), FORWARD)]
        gradient = f"dL/d{s.id}"
        if gradient in solution.ids:
            label.append((format_number(solution.value(gradient)[()], solution.digits), GRADIENT))
        lines.append(f"  {_quote(s.id)} [label={_html_label(label)}];")
    for s in shown:
        if s.formula is not None:
            for arg in dict.fromkeys(s.formula.args):
                if arg in ids:
                    lines.append(f"  {_quote(arg)} -> {_quote(s.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- dense networks: one box per unit, a cluster per layer -----------------------------------------------
def dense_network_dot(solution: Solution) -> str:
    """Units x₁…, then each layer's units with u, h (and z under batch normalization) in blue, δ = ∂L/∂u
    in red and the bias; each edge carries its weight (and ∂L/∂w in red). Units are numbered from 1."""
    d = solution.digits
    depth = sum(1 for s in solution.steps if s.section == "Given" and s.id[:1] == "W" and s.id[1:].isdigit())
    in_out = _layout_is_in_out(solution)
    lines = _head("network", "forward values in blue, gradients ∂L/∂· in red; units numbered from 1")
    x = solution.step("x")
    width = x.value.shape[-1]
    lines += _cluster("input", f"input {x.text_symbol}",
                      [(f"x.{j}", _unit_label(solution, [x], j, f"dL/d{x.id}")) for j in range(width)])
    for i in range(1, depth + 1):
        h = solution.step(f"h{i}")
        layer = [solution.step(q) for q in (f"u{i}", f"z{i}", f"h{i}") if q in solution.ids]
        units = h.value.shape[-1]
        extra = {"bias": solution.step(f"b{i}") if f"b{i}" in solution.ids else None}
        if i == depth and "t" in solution.ids:
            extra["target"] = solution.step("t")
        lines += _cluster(f"layer{i}", f"layer {i}: {h.text_symbol} = {symbolic(solution, h, latex=False)}",
                          [(f"{i}.{j}", _unit_label(solution, layer, j, f"dL/du{i}", **extra))
                           for j in range(units)])
        lines += _weight_edges(solution, i, width, units, in_out)
        width = units
    if "loss" in solution.ids and depth:
        loss = solution.step("loss")
        label = _html_label([(loss.text_symbol, None), (_numbers(loss.value, d), FORWARD)])
        lines.append(f'  "loss" [label={label}];')
        lines += [f"  {_quote(f'{depth}.{j}')} -> \"loss\" [style=dashed];" for j in range(width)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout_is_in_out(solution: Solution) -> bool:
    from ..ops.linear import AFFINE
    return dict(solution.conventions).get("weight layout") == AFFINE.note(layout="in_out")


def _cluster(name: str, title: str, nodes: list[tuple[str, str]]) -> list[str]:
    lines = [f"  subgraph cluster_{name} {{", f"    label={_quote(title)};", "    rank=same;"]
    lines += [f"    {_quote(node)} [label={label}];" for node, label in nodes]
    return lines + ["  }"]


def _unit_label(solution: Solution, forward: list[Step], j: int, gradient: str,
                bias: Step | None = None, target: Step | None = None) -> str:
    d = solution.digits
    lines: list[tuple[str, str | None]] = [
        (f"{s.text_symbol}[{j + 1}] = {_numbers(s.value[..., j], d)}", FORWARD) for s in forward]
    if gradient in solution.ids:
        g = solution.step(gradient)
        lines.append((f"{g.text_symbol}[{j + 1}] = {_numbers(g.value[..., j], d)}", GRADIENT))
    for s in (bias, target):
        if s is not None:
            lines.append((f"{s.text_symbol}[{j + 1}] = {_numbers(s.value[..., j], d)}", None))
    return _html_label(lines)


def _weight_edges(solution: Solution, layer: int, width: int, units: int, in_out: bool) -> list[str]:
    W = solution.value(f"W{layer}")
    gradient = solution.value(f"dL/dW{layer}") if f"dL/dW{layer}" in solution.ids else None
    source = "x" if layer == 1 else str(layer - 1)
    lines = []
    for k in range(width):
        for j in range(units):
            at = (k, j) if in_out else (j, k)
            label = [(format_number(W[at], solution.digits), None)]
            if gradient is not None:
                label.append((format_number(gradient[at], solution.digits), GRADIENT))
            lines.append(f"  {_quote(f'{source}.{k}')} -> {_quote(f'{layer}.{j}')} [label={_html_label(label)}];")
    return lines


BUILDERS = {"computation_graph": computation_graph_dot, "dense_network": dense_network_dot}
