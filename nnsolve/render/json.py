"""Exact data for programs: every step and answer with its exact value as text and as a float.

`exact` is a string (nested lists for vectors and matrices): a terminating rational in full, any
other rational as `p/q`, an irrational to 32 significant digits. Keys come in a fixed order.
"""
from __future__ import annotations

import json

from ..solution import Solution, Step
from .formulas import symbolic
from .tree import Printer
from ..engine.notation import latex_symbol
from .values import exact_data, exact_text, float_data


def render_json(solution: Solution, handout: bool = False) -> str:
    printer = JsonPrinter(solution)
    return dumps(printer.print_handout() if handout else printer.print_document()) + "\n"


def dumps(data, level: int = 0) -> str:
    """Indented JSON, except that a vector or matrix stays on one line (`[[1, 2], [3, 4]]`) rather
    than one number per line."""
    inner = "  " * (level + 1)
    if isinstance(data, dict) and data:
        items = [f"{inner}{json.dumps(key, ensure_ascii=False)}: {dumps(value, level + 1)}"
                 for key, value in data.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(data, list) and data and not _is_array(data):
        return "[\n" + ",\n".join(inner + dumps(item, level + 1) for item in data) + "\n" + "  " * level + "]"
    return json.dumps(data, ensure_ascii=False)


def _is_array(data: list) -> bool:
    return all(not isinstance(item, (dict, list)) or (isinstance(item, list) and _is_array(item)) for item in data)


def value_data(step: Step) -> dict:
    return _value_data(step.value)


def _value_data(value) -> dict:
    return {"exact": exact_data(value), "float": float_data(value), "shape": list(value.shape)}


class JsonPrinter(Printer):
    def _print_Document(self, doc) -> dict:
        data = self.doprint(doc.header)
        data["steps"] = [entry for section in doc.sections for entry in self.doprint(section)]
        data["answers"] = self.doprint(doc.answers) if doc.answers is not None else {}
        return data

    def _print_Header(self, header) -> dict:
        return {"title": self.solution.title, "kind": self.solution.kind, "source": self.solution.source,
                "conventions": [{"name": name, "statement": statement} for name, statement in header.conventions],
                "meta": self.solution.meta, "groups": self.solution.groups,
                **({"statement": self.doprint(header.statement)} if header.statement is not None else {})}

    def _print_Statement(self, statement) -> dict:
        """The statement filled in the text printer's notation and as Markdown with LaTeX, and each placeholder's
        given exactly."""
        from .markdown import statement_markdown
        from .text import statement_text
        return {"text": statement_text(statement, self.digits),
                "markdown": statement_markdown(statement, self.digits, self.solution.vectors != "row"),
                "placeholders": [{"written": p.written, "id": p.step.id, "index": list(p.index),
                                  "value": _value_data(p.value)}
                                 for p in statement.pieces if not isinstance(p, str)]}

    def _print_Handout(self, handout) -> dict:
        header = handout.header
        data = {"title": self.solution.title, "kind": self.solution.kind, "source": self.solution.source}
        if header.statement is not None:
            data["statement"] = self.doprint(header.statement)
        data["givens"] = [self.doprint(block) for block in handout.givens]
        data["questions"] = self.doprint(handout.questions)
        return data

    def _print_Questions(self, questions) -> list[dict]:
        return [{"id": quantity_id, "symbol": {"latex": latex_symbol(step.latex_symbol), "text": step.text_symbol}}
                for quantity_id, step in questions.rows]

    def _print_Section(self, section) -> list[dict]:
        return [self.doprint(block) for block in section.blocks]

    def _print_Given(self, block) -> dict:
        return self._step(block.step)

    def _print_Derivation(self, block) -> dict:
        return self._step(block.step)

    def _print_Answers(self, answers) -> dict:
        return {quantity_id: value_data(step) for quantity_id, step in answers.rows}

    def _step(self, step: Step) -> dict:
        formula = None if step.formula is None else \
            {"latex": symbolic(self.solution, step, True), "text": symbolic(self.solution, step, False)}
        # the full note, even where the worked solution leaves a repeated one out
        data = {"id": step.id, "symbol": {"latex": latex_symbol(step.latex_symbol), "text": step.text_symbol},
                "section": step.section, "formula": formula, "note": step.note, "value": value_data(step)}
        if step.axes:
            data["axes"] = list(step.axes)
        if step.expansion:
            data["expansion"] = [{"index": list(e.index), "kind": e.kind, "terms": [[exact_text(f) for f in term]
                                                                                     for term in e.terms],
                                  "divisor": e.divisor, "value": exact_text(e.value),
                                  **({"sources": [{"id": i, "index": list(at)} for i, at in e.sources]}
                                     if e.sources else {})} for e in step.expansion]
        return data
