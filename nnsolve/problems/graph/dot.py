"""The computation graph as Graphviz DOT source: one box per quantity, its forward value in blue and the
output's derivative with respect to it in red (as exam rubrics draw it)."""
from __future__ import annotations

import html

from ...engine.number import format_number
from ...solution import Solution


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(solution: Solution) -> str:
    shown = [s for s in solution.steps if s.section in ("Given", "Forward")]
    ids = {s.id for s in shown}
    lines = ["digraph computation {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for s in shown:
        value = format_number(s.value[()], solution.digits)
        label = f'<{html.escape(s.text_symbol)}<br/><font color="blue">{value}</font>'
        grad_id = f"dL/d{s.id}"
        if solution.has(grad_id) and grad_id in solution.ids:
            label += f'<br/><font color="red">{format_number(solution.value(grad_id)[()], solution.digits)}</font>'
        lines.append(f"  {_quote(s.id)} [label={label}>];")
    for s in shown:
        if s.formula is not None:
            for arg in dict.fromkeys(s.formula.args):
                if arg in ids:
                    lines.append(f"  {_quote(arg)} -> {_quote(s.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
