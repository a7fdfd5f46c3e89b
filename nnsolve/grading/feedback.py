"""One student's feedback: each answer beside the right value, the marks, ECF said with what it followed, the slip
named where one explains the numbers — decided once as plain data (`feedback_of`), printed as Markdown or as a
self-contained HTML page (no script, no network) by one printer each."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from .gradebook import CARRIED, FORMAT, RIGHT, WRONG, Gradebook, StudentGrade

FORMATS = {"markdown": ".md", "html": ".html"}
VERDICT_WORDS = {RIGHT: "✅ right", CARRIED: "↪ carried forward", WRONG: "❌ wrong", FORMAT: "⚠ format error"}


@dataclass(frozen=True)
class Row:
    answer: str
    yours: str              # as written ("" for a blank)
    right: str
    marks: str              # "1 / 2"
    verdict: str            # one of VERDICT_WORDS' keys
    note: str


@dataclass
class Feedback:
    title: str
    student: str
    total: str              # "5 / 8"
    unreadable: str = ""    # why the row could not be read (then no rows)
    rows: list[Row] = field(default_factory=list)
    # sentences, each a list of (text, is an answer id) pieces: the printers set the ids apart as code
    sentences: list[list[tuple[str, bool]]] = field(default_factory=list)


def feedback_of(book: Gradebook, s: StudentGrade) -> Feedback:
    from .outputs import marks_text

    out = Feedback(book.title or "Feedback", s.student,
                   f"{marks_text(s.total)} / {marks_text(book.total_out_of)}")
    if s.malformed:
        out.unreadable = s.remarks[0] if s.remarks else s.malformed
        return out
    for m in s.answers:
        note = {RIGHT: m.rule, WRONG: m.reason, FORMAT: m.reason}.get(m.verdict, "")
        if m.verdict == CARRIED:
            share = book.ecf_fraction.get(m.answer, Fraction(1))
            credit = "full credit" if share == 1 else f"{marks_text(share)} of the marks"
            note = f"right from your own {', '.join(m.follows)} ({credit})" if not m.ecf_capped else m.ecf_capped
        out.rows.append(Row(m.answer, m.given, m.expected, f"{marks_text(m.marks)} / {marks_text(m.out_of)}",
                            m.verdict, note))
    if s.first_wrong:
        first = next(m for m in s.answers if m.answer == s.first_wrong)
        out.sentences.append([("Your first wrong step is ", False), (first.answer, True),
                              (f": you wrote {first.given}, the right value is {first.expected}.", False)])
    carried = [m.answer for m in s.answers if m.ecf]
    if carried:
        pieces = [("Error carried forward: ", False)]
        for k, answer in enumerate(carried):
            pieces += [(", ", False)] * (k > 0) + [(answer, True)]
        pieces.append((f" {'is' if len(carried) == 1 else 'are'} right given your own earlier answers.", False))
        out.sentences.append(pieces)
    out.sentences += [[(f"Your numbers match this slip: {slip}.", False)] for slip in s.slips]
    out.sentences += [[(f"Note: {remark}.", False)] for remark in s.remarks]
    return out


# -- Markdown ------------------------------------------------------------------------------------------------------
def feedback_markdown(book: Gradebook, s: StudentGrade) -> str:
    fb = feedback_of(book, s)
    lines = [f"# {fb.title}", "", f"Student: {_cell(fb.student)}", "", f"**Total: {fb.total}**", ""]
    if fb.unreadable:
        lines += [f"Your row could not be read ({_cell(fb.unreadable)}): every answer is marked 0. Please see your "
                  "instructor.", ""]
        return "\n".join(lines)
    lines += ["| answer | yours | right value | marks | |", "|---|---|---|---|---|"]
    for r in fb.rows:
        lines.append(f"| `{r.answer}` | {_cell(r.yours) or '(blank)'} | {_cell(r.right)} | {r.marks} | "
                     f"{VERDICT_WORDS[r.verdict]}{': ' + _cell(r.note) if r.note else ''} |")
    lines.append("")
    lines += ["".join(f"`{text}`" if code else text.replace("\n", " ") for text, code in sentence)
              for sentence in fb.sentences]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


# -- HTML ----------------------------------------------------------------------------------------------------------
STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #bbb;padding:.3rem .6rem;text-align:left;
vertical-align:top}th{background:#f2f2f2}td.number{font-family:ui-monospace,monospace;white-space:nowrap}
tr.wrong td{background:#fdecec}tr.format td{background:#fff6e0}tr.carried td{background:#eef5ff}
@media print{body{margin:0}tr td{background:none!important}}"""


def feedback_html(book: Gradebook, s: StudentGrade) -> str:
    fb = feedback_of(book, s)
    e = html.escape
    body = [f"<h1>{e(fb.title)}</h1>", f"<p>Student: {e(fb.student)}</p>", f"<p><strong>Total: {e(fb.total)}"
                                                                            f"</strong></p>"]
    if fb.unreadable:
        body.append(f"<p>Your row could not be read ({e(fb.unreadable)}): every answer is marked 0. Please see your "
                    f"instructor.</p>")
    else:
        rows = "".join(f'<tr class="{_ROW_CLASS[r.verdict]}"><td><code>{e(r.answer)}</code></td>'
                       f'<td class="number">{e(r.yours) or "(blank)"}</td><td class="number">{e(r.right)}</td>'
                       f'<td class="number">{e(r.marks)}</td><td>{e(VERDICT_WORDS[r.verdict])}'
                       f'{": " + e(r.note) if r.note else ""}</td></tr>' for r in fb.rows)
        body.append("<table><thead><tr><th>answer</th><th>yours</th><th>right value</th><th>marks</th><th></th>"
                    f"</tr></thead><tbody>{rows}</tbody></table>")
        body += ["<p>" + "".join(f"<code>{e(t)}</code>" if code else e(t) for t, code in sentence) + "</p>"
                 for sentence in fb.sentences]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>' + e(f"{fb.title}: {fb.student}")
            + f"</title><style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


_ROW_CLASS = {RIGHT: "right", CARRIED: "carried", WRONG: "wrong", FORMAT: "format"}


# -- files ---------------------------------------------------------------------------------------------------------
def feedback_name(student: str, taken: set[str], suffix: str = ".md") -> str:
    """A file name for a student's feedback: the id with anything but letters, digits, `-`, `_`, `.` replaced,
    numbered when two ids come to the same name."""
    stem = re.sub(r"[^\w.-]", "_", student).strip(".") or "student"
    name, n = f"{stem}{suffix}", 2
    while name in taken:
        name, n = f"{stem}-{n}{suffix}", n + 1
    taken.add(name)
    return name


def write_feedback(book: Gradebook, folder: Path, fmt: str = "markdown") -> list[Path]:
    """One file per student in `folder`, as Markdown or as an HTML page."""
    printer = feedback_markdown if fmt == "markdown" else feedback_html
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    written = []
    for s in book.students:
        path = folder / feedback_name(s.student, taken, FORMATS[fmt])
        path.write_text(printer(book, s), encoding="utf-8")
        written.append(path)
    return written
