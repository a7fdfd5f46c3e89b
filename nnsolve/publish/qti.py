"""A Canvas quiz as an IMS QTI 1.2 package (a zip: `imsmanifest.xml` and one assessment), as Canvas Classic Quizzes
import it: one `numerical_question` item per number asked, right inside a range (answer ± tolerance), the worked
solution as each item's general feedback.

Canvas' quirks handled (text2qti documents them):
- Canvas turns any number under 10⁻⁴ in magnitude into 0. A blank whose range ends would be such a number is asked
  in scaled units instead ("in units of 10⁻⁶"), said in its text; the range is exact in those units. An answer of 0
  is the exception, asked as it is (only 0 is then right in Canvas, which the export says).
- Canvas Classic has no multi-part numerical question: a problem's numbers are consecutive items of one section.
  The variants of a problem (a folder of questions of one title asking the same answers) with one number each form
  a question group drawing one; variants with several numbers cannot be drawn as a whole, so each is its own
  section, and the export's report says so.

The worked solution is the general feedback of a problem's last item; its other items point to it.
"""
from __future__ import annotations

import html
import io
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from itertools import groupby

from .questions import Blank, Part, Question, exported_number
from .texts import feedback_html, question_html

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_SMALLEST = Fraction(1, 10 ** 4)
ZIP_DATE = (2026, 1, 1, 0, 0, 0)   # every entry's date, fixed: the same questions give the same zip, byte for byte


def qti_zip(questions: list[Question], title: str) -> bytes:
    ident = "nnsolve_" + _ident(title)
    return zipped({f"{ident}/{ident}.xml": assessment_xml(questions, ident, title),
                   "imsmanifest.xml": manifest_xml(ident, title)})


def zipped(files: dict) -> bytes:
    """A zip of `files` (name → text or bytes, in that order), every entry dated ZIP_DATE: the same files give the
    same zip, byte for byte."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    return buffer.getvalue()


def manifest_xml(ident: str, title: str) -> str:
    manifest = ET.Element("manifest", identifier=f"{ident}_manifest", xmlns=CP)
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    resource = ET.SubElement(resources, "resource", identifier=ident, type="imsqti_xmlv1p2",
                             href=f"{ident}/{ident}.xml")
    ET.SubElement(resource, "file", href=f"{ident}/{ident}.xml")
    return _document(manifest)


def assessment_xml(questions: list[Question], ident: str, title: str) -> str:
    root = ET.Element("questestinterop", xmlns=QTI)
    assessment = _sub(root, "assessment", ident=ident, title=title)
    _metadata(assessment, {"cc_maxattempts": "1"})
    top = _sub(assessment, "section", ident="root_section")
    number = {id(q): i for i, q in enumerate(questions)}
    for g, (category, group) in enumerate(groupby(questions, key=lambda q: q.category)):
        group = list(group)
        if variants(group) and all(len(q.blanks) == 1 for q in group):
            pool = _sub(top, "section", ident=f"group_{g}", title=category or "variants")
            selection = _sub(_sub(pool, "selection_ordering"), "selection")
            _sub(selection, "selection_number").text = "1"
            _sub(_sub(selection, "selection_extension"), "points_per_item").text = \
                _points(group[0].blanks[0].marks)
            for question in group:
                _items(pool, question, number[id(question)])
        else:
            for question in group:
                _items(_sub(top, "section", ident=f"section_{number[id(question)]}", title=question.title),
                       question, number[id(question)])
    return _document(root)


def zeros_read_exactly(questions: list[Question]) -> int:
    """How many blanks are 0 with a tolerance under 10⁻⁴: Canvas reads their range as [0, 0], so only 0 is right."""
    return sum(b.numeric and b.value == 0 and 0 < b.tolerance < CANVAS_SMALLEST for q in questions for b in q.blanks)


def multipart_variants(questions: list[Question]) -> list[str]:
    """The categories whose variants have several numbers each: Canvas cannot draw one of them as a whole."""
    found = []
    for category, group in groupby(questions, key=lambda q: q.category):
        group = list(group)
        if variants(group) and any(len(q.blanks) > 1 for q in group):
            found.append(category)
    return found


def variants(group: list[Question]) -> bool:
    """Whether a folder's questions are variants of one problem (a pool to draw one from): two or more, of one
    title, asking the same answers in the same shapes. A folder of different problems is no pool."""
    shape = lambda q: (q.title, tuple((p.answer, len(p.blanks)) for p in q.parts))  # noqa: E731
    return len(group) > 1 and len({shape(q) for q in group}) == 1


def _items(section, question: Question, number: int) -> None:
    """The problem's numbers as consecutive items; the worked solution is the feedback of the last one (on every
    item it would repeat the whole solution dozens of times), which the others point to."""
    last = question.blanks[-1]
    pointer = f"<p>The worked solution is the feedback of the last part of this problem ({html.escape(last.label)}).</p>"
    for j, part in enumerate(question.parts):
        for k, blank in enumerate(part.blanks):
            _item(section, question, part, blank, f"item_{number}_{j}_{k}",
                  feedback_html(question) if blank is last else pointer)


def _item(section, question: Question, part: Part, blank: Blank, name: str, feedback: str) -> None:
    item = _sub(section, "item", ident=name, title=f"{question.title}: {blank.label}")
    numeric = blank.numeric
    _metadata(_sub(item, "itemmetadata"), {"question_type": "numerical_question" if numeric
                                           else "short_answer_question", "points_possible": _points(blank.marks)})
    scale = _scale(blank) if numeric else 0
    alone = Part(part.answer, part.quantity, part.symbol, (blank,), part.rule)
    text = question_html(question, None, [], [alone])
    if len(part.blanks) > 1:
        text += f"\n<p>Enter {html.escape(blank.label)}.</p>"
    if scale:
        text += f"\n<p>Enter it in units of 10<sup>−{scale}</sup> (the number × 10<sup>{scale}</sup>).</p>"
    presentation = _sub(item, "presentation")
    _sub(_sub(presentation, "material"), "mattext", texttype="text/html").text = text
    response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
    _sub(_sub(response, "render_fib", fibtype="Decimal" if numeric else "String"), "response_label", ident="answer1")
    processing = _sub(item, "resprocessing")
    _sub(_sub(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    _sub(processing, "respcondition", title="General feedback", attrib={"continue": "Yes"})
    _sub(processing[-1], "conditionvar").append(ET.Element("other"))
    _sub(processing[-1], "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    condition = _sub(processing, "respcondition", attrib={"continue": "No"})
    test = _sub(condition, "conditionvar")
    if numeric:
        unit = Fraction(10) ** scale
        both = _sub(_sub(test, "or"), "and")
        _sub(both, "vargte", respident="response1").text = exported_number((blank.value - blank.tolerance) * unit)
        _sub(both, "varlte", respident="response1").text = exported_number((blank.value + blank.tolerance) * unit)
    else:
        _sub(test, "varequal", respident="response1").text = blank.text
    _sub(condition, "setvar", action="Set", varname="SCORE").text = "100"
    flow = _sub(_sub(item, "itemfeedback", ident="general_fb"), "flow_mat")
    _sub(_sub(flow, "material"), "mattext", texttype="text/html").text = feedback


def _scale(blank: Blank) -> int:
    """The power of ten a blank is asked in: 0 when no non-zero number Canvas reads (the range's ends) is under
    10⁻⁴ in magnitude; else the least that brings the smallest end to 1 or more (0.0000295 in units of 10⁻⁵ is
    2.95), the way a person writes such a number."""
    ends = [abs(x) for x in (blank.value - blank.tolerance, blank.value + blank.tolerance) if x != 0]
    if not ends or min(ends) >= CANVAS_SMALLEST or blank.value == 0:
        return 0        # (an answer of 0 is asked as it is: its range reads as [0, 0], and 0 is what students write)
    scale = 0
    while min(ends) * Fraction(10) ** scale < 1:
        scale += 1
    return scale


def _metadata(parent, fields: dict[str, str]) -> None:
    metadata = _sub(parent, "qtimetadata")
    for label, entry in fields.items():
        field = _sub(metadata, "qtimetadatafield")
        _sub(field, "fieldlabel").text = label
        _sub(field, "fieldentry").text = entry


def _points(marks: Fraction) -> str:
    return exported_number(marks) if marks.denominator != 1 else f"{marks.numerator}.0"


def _sub(parent, tag: str, attrib: dict | None = None, **attributes):
    return ET.SubElement(parent, tag, dict(attrib or {}, **attributes))


def _ident(text: str) -> str:
    """An XML identifier: letters, digits and underscores."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "_") else "_" for ch in text)
    return cleaned if cleaned[:1].isalpha() else "q_" + cleaned


def _document(root) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
