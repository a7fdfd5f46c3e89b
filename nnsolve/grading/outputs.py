"""A Gradebook written out: the gradebook CSV, the Moodle and Canvas import layouts and the class summary (each
student's feedback file: feedback.py). Every number here was decided by the marker; these only lay it out."""
from __future__ import annotations

import csv
import io
from fractions import Fraction

from .gradebook import FORMAT, Gradebook, StudentGrade

LAYOUTS = ("nnsolve", "moodle", "canvas")


def marks_text(value: Fraction | None) -> str:
    """Marks as a decimal: exact when it ends (2.5, 0.125), else to 4 decimals (1/3 → 0.3333)."""
    if value is None:
        return ""
    value = Fraction(value)
    places = next((p for p in range(5) if (value * 10 ** p).denominator == 1), 4)
    scaled = round(value * 10 ** places)
    sign, digits = ("-" if scaled < 0 else ""), str(abs(scaled)).rjust(places + 1, "0")
    return sign + (digits[:-places] + "." + digits[-places:] if places else digits)


def gradebook_rows(book: Gradebook) -> list[list[str]]:
    """The id as given, each answer's marks, each answer's ECF flag, the total, then what a reader needs to trust
    it: the first wrong step, the slips named, remarks (a row that could not be read, an id given twice, an ECF
    credit capped); an ECF flag is "capped" where the credit was."""
    header = [book.id_header, *book.answers, *(f"{a} ECF" for a in book.answers), "total", "first wrong",
              "slips", "remarks"]
    rows = [header]
    for s in book.students:
        marks = {m.answer: m for m in s.answers}
        remarks = s.remarks + [f"{m.answer}: {m.verdict}: {m.reason}" for m in s.answers
                               if m.verdict == FORMAT and not s.malformed]
        remarks += [f"{m.answer}: {m.ecf_capped}" for m in s.answers if m.ecf_capped]
        rows.append([s.student, *(marks_text(marks[a].marks) for a in book.answers),
                     *(("capped" if marks[a].ecf_capped else "yes") if marks[a].ecf else "" for a in book.answers),
                     marks_text(s.total),
                     s.first_wrong or "", "; ".join(s.slips), "; ".join(remarks)])
    return rows


def moodle_rows(book: Gradebook) -> list[list[str]]:
    """Moodle's CSV grade import (docs.moodle.org/311/en/Grade_import, "CSV grade import"): a header row, a column
    identifying the user — "ID number", mapped to the user's `useridnumber` — and one column per grade item, here
    the total, with a feedback column the import maps to that item's feedback."""
    rows = [["ID number", book.title or "nnsolve grade", "Feedback"]]
    rows += [[s.student, marks_text(s.total), _feedback_line(s)] for s in book.students]
    return rows


def canvas_rows(book: Gradebook) -> list[list[str]]:
    """Canvas's gradebook import CSV (the layout of its gradebook export: Canvas Instructor Guide "How do I import
    grades in the Gradebook?"; summarised at teaching.resources.osu.edu, "Import a CSV file to Carmen grades"):
    Student, ID, SIS User ID, SIS Login ID, Section, then one column per assignment — a new column name makes a
    new assignment — and a "Points Possible" row under the header. The student id given is the SIS User ID."""
    name = book.title or "nnsolve grade"
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", name],
            ["Points Possible", "", "", "", "", marks_text(book.total_out_of)]]
    rows += [["", "", s.student, "", "", marks_text(s.total)] for s in book.students]
    return rows


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def layout_rows(book: Gradebook, layout: str) -> list[list[str]]:
    return {"nnsolve": gradebook_rows, "moodle": moodle_rows, "canvas": canvas_rows}[layout](book)


def _feedback_line(s: StudentGrade) -> str:
    if s.malformed:
        return s.remarks[0] if s.remarks else s.malformed
    parts = []
    if s.first_wrong:
        parts.append(f"first wrong step: {s.first_wrong}")
    carried = [m.answer + (" (ECF capped)" if m.ecf_capped else "") for m in s.answers if m.ecf]
    if carried:
        parts.append(f"carried forward: {', '.join(carried)}")
    if s.slips:
        parts.append(f"slip: {'; '.join(s.slips)}")
    return "; ".join(parts) or "all right"


def summary_text(book: Gradebook) -> str:
    from .statistics import class_statistics
    stats = class_statistics(book)
    mean = stats.mean_total
    lines = [f"Graded: {stats.title}",
             f"students: {stats.students}; mean total: "
             f"{marks_text(round(mean, 4)) if mean is not None else '—'} / {marks_text(stats.out_of)}",
             "facility (mean marks / marks):"]
    for q in stats.questions:
        lines.append(f"  {q.answer}: {percent_text(q.facility)}")
    lines.append(f"answers credited as carried forward (ECF): {stats.ecf}")
    if stats.ecf_capped:
        lines.append(f"  of which capped (carried from a value that makes them degenerate): {stats.ecf_capped}")
    if stats.slips:
        lines.append("most common slips:")
        lines += [f"  {count} × {slip}" for slip, count in stats.slips[:5]]
    if stats.format_errors:
        lines.append(f"cells that could not be read (marked 0): {stats.format_errors}")
    for student, line, why in stats.malformed_rows:
        lines.append(f"row {('on line ' + str(line)) if line else ''} ({student or 'no id'}) could not be read: {why}"
                     f" — marked 0")
    return "\n".join(lines) + "\n"


def percent_text(share: Fraction | None) -> str:
    return "—" if share is None else f"{float(share):.0%}"
