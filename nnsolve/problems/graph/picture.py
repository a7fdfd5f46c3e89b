"""The computation graph as Graphviz DOT source: one box per quantity, forward values in blue and
gradients in red."""
from __future__ import annotations

from ...engine.number import format_number
from ...render.formulas import symbolic
from ...render.picture import FORWARD, GRADIENT, head, html_label, quote
from ...solution import Solution


def to_dot(solution: Solution) -> str:
    """Each given and forward quantity as a box: `q = exp(p)`, its value in blue and ∂f/∂q in red."""
    shown = [s for s in solution.steps if s.section in ("Given", "Forward")]
    ids = {s.id for s in shown}
    output = solution.aliases.get("output", shown[-1].id if shown else "f")
    lines = head("computation", f"forward values in blue, gradients ∂{output}/∂· in red")
    for s in shown:
        title = s.text_symbol if s.formula is None else f"{s.text_symbol} = {symbolic(solution, s, latex=False)}"
        label = [(title, None), (format_number(s.value[()], solution.digits), FORWARD)]
        gradient = f"dL/d{s.id}"
        if gradient in solution.ids:
            label.append((format_number(solution.value(gradient)[()], solution.digits), GRADIENT))
        lines.append(f"  {quote(s.id)} [label={html_label(label)}];")
    for s in shown:
        if s.formula is not None:
            for arg in dict.fromkeys(s.formula.args):
                if arg in ids:
                    lines.append(f"  {quote(arg)} -> {quote(s.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"
