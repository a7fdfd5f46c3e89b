"""Plain text: a header of conventions, then each step as `symbol = formula = numbers = value`."""
from __future__ import annotations

from ..solution import Solution
from .values import text_value


def render_text(solution: Solution, digits: int | None = None) -> str:
    digits = solution.digits if digits is None else digits
    lines = []
    if solution.title:
        lines += [solution.title, "=" * len(solution.title)]
    lines.append("Conventions:")
    lines += [f"  - {name}: {statement}" for name, statement in solution.conventions]
    by_id = {s.id: s for s in solution.steps}
    for section, steps in solution.sections():
        lines += ["", section, "-" * len(section)]
        for step in steps:
            lines.append(_step_line(step, by_id, digits))
            if step.note and step.formula is not None:
                lines.append(f"      ({step.note})")
    if solution.asked:
        lines += ["", "Answers", "-------"]
        width = max(len(a) for a in solution.asked)
        lines += [f"  {a:<{width}}  {text_value(solution.value(a), digits)}" for a in solution.asked]
    return "\n".join(lines) + "\n"


def _step_line(step, by_id, digits) -> str:
    value = text_value(step.value, digits)
    if step.formula is None:
        return f"  {step.text_symbol} = {value}"
    symbolic = step.formula.fill(False, lambda i: by_id[i].text_symbol)
    numeric = step.formula.fill(False, lambda i: text_value(by_id[i].value, digits))
    parts = [step.text_symbol, symbolic]
    if numeric != symbolic and numeric != value:
        parts.append(numeric)
    parts.append(value)
    return "  " + " = ".join(parts)
