"""The student ids of `--student-ids roster.csv`: a column named id, student, student_id, username or email (or,
without such a header, the first column), one id a row. An id names the student's variant file, so it must be a
plain name (letters, digits, `.`, `_`, `-`, `@`); an empty or repeated id is refused with its line."""
from __future__ import annotations

import csv
import io
import re

from ..problems.errors import Issue, ProblemError
from ..problems.reading import read_text

ID_COLUMNS = ("id", "student", "student_id", "student id", "username", "email", "sis user id", "id number")
_FILE_NAME = re.compile(r"[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,99}")


def read_roster(path) -> list[str]:
    text, source = read_text(path)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(cell.strip() for cell in row)]
    if not numbered:
        raise ProblemError([Issue("", "the roster has no student ids")], source)
    first = [cell.strip().lower() for cell in numbered[0][1]]
    column = next((first.index(name) for name in ID_COLUMNS if name in first), None)
    if column is not None:
        numbered = numbered[1:]
    column = column or 0
    ids, issues, seen = [], [], {}
    for line, row in numbered:
        student = row[column].strip() if column < len(row) else ""
        if not student:
            issues.append(Issue("", "no student id in this row", line))
        elif not _FILE_NAME.fullmatch(student):
            issues.append(Issue("", f"the id {student[:40]!r} cannot name a file: use letters, digits, '.', '_', "
                                    f"'-' and '@'", line))
        elif student in seen:
            issues.append(Issue("", f"the id {student!r} appears twice (first at line {seen[student]})", line))
        else:
            seen[student] = line
            ids.append(student)
    if issues:
        raise ProblemError(issues, source)
    return ids
