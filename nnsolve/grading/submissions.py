"""A class's answers as submitted: a CSV (a student id column and one column per answer id), a Moodle or Canvas
quiz responses export (exports.py), or a folder of per-student YAML/JSON answer files (file stem = student id).

A row that cannot be read (wrong number of cells, not UTF-8) is kept, said with its line, and marked 0: every row
of the input appears in the gradebook. What stops everything (exit 2) is a file that is no class list at all: no
header, a column without a name or given twice.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..problems.errors import Issue, ProblemError

# headers naming the student id column (compared case-insensitively); otherwise it is the first column.
# "ID number" is Moodle's identifier field, "SIS User ID" Canvas's.
ID_HEADERS = ("id", "student", "student id", "id number", "sis user id")
ANSWER_FILES = (".yaml", ".yml", ".json")
_UNDECODED = re.compile("[\udc80-\udcff]")      # bytes that were not UTF-8, kept by surrogateescape


@dataclass
class Submission:
    student: str                       # the id as given
    line: int | None                   # where in the CSV (None for a file of its own)
    cells: dict[str, object] = field(default_factory=dict)     # answer id → as written (text or YAML data)
    malformed: str = ""                # why the row could not be read; its cells are then empty
    places: dict[str, int | None] = field(default_factory=dict)  # answer id → line of the cell in its own file


@dataclass
class Submissions:
    source: str
    answers: list[str]                 # the answer ids, in the order of the columns
    students: list[Submission]
    id_header: str = "id"
    # where each answer id is named (the CSV header's line, or a student's file and line), for located refusals
    named_at: dict[str, tuple[str, int | None]] = field(default_factory=dict)


def read_submissions(source, columns=None) -> Submissions:
    """A CSV file or a folder of answer files; a dict {student: {answer id: value}} from Python. A Moodle or
    Canvas quiz responses export (a CSV) needs `columns`: which answer id each response column is (exports.py)."""
    path = None if isinstance(source, dict) else Path(source)
    if columns is not None and (path is None or path.is_dir()):
        raise ProblemError([Issue("", "a column mapping (--columns) is for a Moodle or Canvas quiz responses "
                                      "export (a CSV file)")], str(source) if path else "<submissions>")
    if path is None:
        return _from_dict(source)
    if path.is_dir():
        return _from_folder(path)
    if not path.is_file():
        raise ProblemError([Issue("", f"no such file or folder: {str(path)!r}")], str(path))
    from ..problems.reading import read_file_bytes
    # read as a problem file is: a regular file of at most MAX_FILE_BYTES, never a FIFO or a device
    return read_csv(read_file_bytes(path, str(path)), str(path), columns)


def read_csv(data: bytes, source: str, columns=None) -> Submissions:
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    rows = csv.reader(text.splitlines(keepends=True), delimiter=_delimiter(text))

    def stop(message: str, line: int | None = None):
        raise ProblemError([Issue("", message, line)], source)

    try:
        header = next(rows, None)
        while header is not None and not any(c.strip() for c in header):
            header = next(rows, None)
        if header is None:
            stop("the file is empty: expected a header row (a student id column and one column per answer id)")
        header_line = rows.line_num
        if _UNDECODED.search("".join(header)):
            stop("the header row is not UTF-8 text", header_line)
        names = [c.strip() for c in header]
        from .exports import export_kind, read_export
        kind = export_kind(names)
        if kind is not None:
            return read_export(kind, names, header_line, records(rows, header_line, len(names)), source, columns)
        if columns is not None:
            stop("a column mapping (--columns) is for a Moodle or Canvas quiz responses export; this file is a "
                 "class CSV whose headers are the answer ids themselves", header_line)
        id_column = next((i for i, n in enumerate(names) if n.lower() in ID_HEADERS), 0)
        answers = [n for i, n in enumerate(names) if i != id_column]
        for i, name in enumerate(names):
            if not name:
                stop(f"column {i + 1} of the header has no name: every column is the student id or an answer id",
                     header_line)
        seen: set[str] = set()
        for name in names:
            if name in seen:
                stop(f"the column {name!r} is given twice", header_line)
            seen.add(name)
        if not answers:
            stop("no answer columns: after the student id, one column per answer id (h1, dL/dW2[0][1], …)",
                 header_line)
        students = []
        for line, row, unreadable in records(rows, header_line, len(names)):
            student = row[id_column].strip() if id_column < len(row) else (row[0].strip() if row else "")
            if unreadable:
                students.append(Submission(shown(student), line, malformed=unreadable))
            else:
                cells = {names[i]: cell for i, cell in enumerate(row) if i != id_column}
                students.append(Submission(student, line, cells))
    except csv.Error as e:
        stop(f"not a readable CSV: {e}", rows.line_num)
    return Submissions(source, answers, students, names[id_column], {a: (source, header_line) for a in answers})


def records(rows, header_line: int, width: int):
    """(line, cells, why it cannot be read or "") for each non-empty row after the header."""
    start = header_line
    for row in rows:
        line, start = start + 1, rows.line_num
        if not any(c.strip() for c in row):
            continue                 # an empty line is no row
        if _UNDECODED.search("".join(row)):
            yield line, row, "the row is not UTF-8 text"
        elif len(row) != width:
            yield line, row, f"{len(row)} cells where the header has {width}"
        else:
            yield line, row, ""


def shown(text: str) -> str:
    """`text` with the bytes that were not UTF-8 shown as \ufffd."""
    return _UNDECODED.sub("\ufffd", text)


def _delimiter(text: str) -> str:
    """The separator of the header row: a comma, or the semicolon or tab a spreadsheet writes where the comma is
    the decimal mark — whichever the first non-empty line holds most of outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = "".join(part for i, part in enumerate(first.split('"')) if i % 2 == 0)
    return max(",;\t", key=lambda c: (outside.count(c), c == ","))


def _from_folder(folder: Path) -> Submissions:
    from ..problems.loader import load_file

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in ANSWER_FILES and p.is_file())
    if not files:
        raise ProblemError([Issue("", "the folder holds no answer files (.yaml, .yml or .json, one per student)")],
                           str(folder))
    answers: list[str] = []
    named_at: dict[str, tuple[str, int | None]] = {}
    students = []
    for path in files:
        try:
            doc = load_file(path)
        except ProblemError as e:
            students.append(Submission(path.stem, None, malformed=f"{path.name}: {'; '.join(map(str, e.issues))}"))
            continue
        data, prefix = doc.data, ()
        if isinstance(data, dict) and set(data) == {"answers"} and isinstance(data["answers"], dict):
            data, prefix = data["answers"], ("answers",)
        if not isinstance(data, dict):
            students.append(Submission(path.stem, None, malformed=f"{path.name}: expected a mapping of answer "
                                                                  f"ids to answers"))
            continue
        cells = {str(k).strip(): v for k, v in data.items()}
        places = {str(k).strip(): doc.line_of(prefix + (k,)) for k in data}
        for name in cells:
            if name not in named_at:
                answers.append(name)
                named_at[name] = (str(path), places[name])
        students.append(Submission(path.stem, None, cells, places=places))
    return Submissions(str(folder), answers, students, "id", named_at)


def _from_dict(given: dict) -> Submissions:
    answers: list[str] = []
    for cells in given.values():
        answers += [str(a) for a in cells if str(a) not in answers]
    students = [Submission(str(s), None, {str(k): v for k, v in cells.items()}) for s, cells in given.items()]
    return Submissions("<submissions>", answers, students, "id", {a: ("<submissions>", None) for a in answers})
