"""The HTML a course system shows: the question (its statement, or its title and givens, and what is asked, to
what precision) and the worked solution given as feedback. Shared by the Moodle and Canvas exporters."""
from __future__ import annotations

import html
from typing import Callable, Optional

from .questions import Blank, Part, Question


def question_html(question: Question, blank: Optional[Callable[[Blank, int], str]], weights: list[int],
                  parts: list[Part] | None = None) -> str:
    """The question's text. `blank(b, weight)` writes a typed answer's box into the text (Moodle's cloze); without
    it the system adds the one box itself and the text only says what to type."""
    out = [_statement(question)]
    parts = question.parts if parts is None else parts
    rules = {p.rule for p in parts}
    if len(rules) == 1:
        out.append(f"<p>Give {'each answer' if len(question.blanks) > 1 else 'the answer'} "
                   f"{html.escape(next(iter(rules)))}.</p>")
    weight = iter(weights)
    items = []
    for part in parts:
        own = f" ({html.escape(part.rule)})" if len(rules) > 1 else ""      # each part's own rule, when they differ
        name = html.escape(part.symbol or part.answer)
        if blank is None:
            items.append(f"<li>{name}{own}</li>")
        elif len(part.blanks) == 1:
            items.append(f"<li>{name}{own} = {blank(part.blanks[0], next(weight))}</li>")
        else:
            cells = "".join(f"<li>{html.escape(_element(part, b))} = {blank(b, next(weight))}</li>"
                            for b in part.blanks)
            items.append(f"<li>{name}{own}, element by element:<ul>{cells}</ul></li>")
    out.append(f"<p>Find:</p><ul>{''.join(items)}</ul>")
    return "\n".join(out)


def _statement(question: Question) -> str:
    if question.statement:
        return "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in question.statement.split("\n\n") if p.strip())
    out = [f"<p>{html.escape(question.title)}</p>"]
    if question.conventions:
        rules = "".join(f"<li>{html.escape(name)}: {html.escape(rule)}</li>" for name, rule in question.conventions)
        out.append(f"<p>Conventions:</p><ul>{rules}</ul>")
    if question.givens:
        givens = "".join(f"<li>{html.escape(s)} = {html.escape(v)}</li>" for s, v in question.givens)
        out.append(f"<p>Given:</p><ul>{givens}</ul>")
    elif question.data:
        keys = "\n".join(f"{key}: {value}" for key, value in question.data)
        out.append(f"<p>Given (as the problem file states it):</p><pre>{html.escape(keys)}</pre>")
    return "\n".join(out)


def _element(part: Part, blank: Blank) -> str:
    """`h1[0]` written with the worked solution's symbol: `h₁[0]`."""
    return (part.symbol or part.answer) + blank.label[len(part.answer):]


def feedback_html(question: Question) -> str:
    """The worked solution, as the text printer lays it out (its matrices keep their columns in a <pre>)."""
    from ..render import render
    return f"<pre>{html.escape(render(question.solution, 'text'))}</pre>"
