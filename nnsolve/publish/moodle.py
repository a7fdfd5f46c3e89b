"""Moodle XML (Moodle's own question import format): a `numerical` question for a problem with one number asked,
an embedded-answers (`cloze`) question with a NUMERICAL blank per number for the rest, the tolerance of each blank
Moodle's nominal one (|typed − answer| ≤ tolerance), the worked solution as general feedback, and the variants of
one problem in one category, so that a quiz draws a random question from it.

Only formatting happens here: every number, tolerance and mark was decided in questions.py.
"""
from __future__ import annotations

import html
import math
import xml.etree.ElementTree as ET
from fractions import Fraction

from .questions import Blank, Question, exported_number
from .texts import feedback_html, question_html

TOP = "$course$/top/nnsolve"
PENALTY = "0.3333333"        # Moodle's default for a wrong try in an interactive quiz


def moodle_xml(questions: list[Question]) -> str:
    quiz = ET.Element("quiz")
    category = None
    for question in questions:
        if question.category and question.category != category:
            category = question.category
            _category(quiz, category)
        _question(quiz, question)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _category(quiz, name: str) -> None:
    element = ET.SubElement(quiz, "question", type="category")
    _text(ET.SubElement(element, "category"), f"{TOP}/{name}")


def _question(quiz, question: Question) -> None:
    blanks = question.blanks
    single = len(blanks) == 1 and blanks[0].numeric
    element = ET.SubElement(quiz, "question", type="numerical" if single else "cloze")
    _text(ET.SubElement(element, "name"), question.title)
    body = question_html(question, None if single else _cloze_blank, _weights(blanks))
    _text(ET.SubElement(element, "questiontext", format="html"), body)
    _text(ET.SubElement(element, "generalfeedback", format="html"), feedback_html(question))
    ET.SubElement(element, "defaultgrade").text = _decimal(sum((b.marks for b in blanks), Fraction(0)))
    ET.SubElement(element, "penalty").text = PENALTY
    ET.SubElement(element, "hidden").text = "0"
    if single:
        blank = blanks[0]
        answer = ET.SubElement(element, "answer", fraction="100", format="moodle_auto_format")
        _text(answer, blank.text)
        ET.SubElement(answer, "tolerance").text = exported_number(blank.tolerance)
        _text(ET.SubElement(answer, "feedback", format="html"), "")
        ET.SubElement(element, "unitgradingtype").text = "0"
        ET.SubElement(element, "unitpenalty").text = "0.1000000"
        ET.SubElement(element, "showunits").text = "3"          # no units asked
        ET.SubElement(element, "unitsleft").text = "0"


def _weights(blanks: list[Blank]) -> list[int]:
    """The blanks' marks as Moodle's whole-number cloze weights (½ and 1 are 1 and 2)."""
    scale = math.lcm(*(b.marks.denominator for b in blanks)) if blanks else 1
    return [max(int(b.marks * scale), 1) if b.marks else 0 for b in blanks]


def _cloze_blank(blank: Blank, weight: int) -> str:
    if blank.numeric:
        return f"{{{weight}:NUMERICAL:={blank.text}:{exported_number(blank.tolerance)}}}"
    return f"{{{weight}:SHORTANSWER:={_cloze_escaped(blank.text)}}}"


def _cloze_escaped(text: str) -> str:
    """Moodle's cloze syntax reserves } # ~ / " and the backslash inside an answer: each is escaped."""
    for ch in "\\}#~/\"":
        text = text.replace(ch, "\\" + ch)
    return html.escape(text, quote=False)


def _text(parent, value: str) -> None:
    ET.SubElement(parent, "text").text = value


def _decimal(x: Fraction) -> str:
    return exported_number(x) if x.denominator != 1 else f"{x.numerator}"
