"""A quiz's responses as Moodle or Canvas exports them, read as a class's submissions.

The layouts followed (the kind is told from the header row):

- **Moodle**, the quiz "Responses" report downloaded as CSV (docs.moodle.org, "Quiz reports" › "Responses report";
  its columns as the moodleQuiz R package documents a download, `responses_ls`): the user identity columns the
  site shows (Surname, First name, and such as ID number, Username, Email address, Institution, Department), then
  State, Started on, Completed, Time taken, `Grade/<maximum>`, then one `Response N` column per question slot
  (with the report's options, `Question N` and `Right answer N` beside them). One row per attempt.
- **Canvas**, a classic quiz's "Student Analysis" report (Canvas Quiz Reports API, report_type
  `student_analysis`; its columns as described by the assessmentdisaggregation.org "Exam files" page and seen in
  the report's download): name, id, sis_id, section, section_id, section_sis_id, submitted, attempt, then for
  each question a column headed `<question id>: <question text>` holding the response, followed by a column
  headed with the question's points holding the points earned; then n correct, n incorrect, score.

Which answer id each response column holds is never guessed: the caller maps it, column by column
(`{"Response 1": "h1", "Response 2": "y"}`; a Canvas question by its id, `{"6012": "h1"}`, or its whole header;
`-` leaves a column out), or by a list of answer ids taken in order, one per response column (the `marking:`
scheme's answers, when the instructor says the quiz asks them in that order). A response column left unmapped, a
key naming no column, two columns mapped to one answer: each is refused (exit 2), the header's line said.

A Moodle embedded-answers (Cloze) question holds several numbers in one response column, which Moodle writes
`part 1: 0.99; part 2: 0.21` (qtype_multianswer's summary of a response). Such a column is mapped to the answer
elements its blanks ask, in order, joined by `+` (`Response 1=h1[0]+h1[1]+y`), or to the word `cloze`: the blanks
of the question `nnsolve export` writes of this problem. The parts are put back together: every element of an
answer present makes one answer (`h1` = [part 1, part 2]), as its marking scheme names it; a response that is not
in that layout is a format error for each answer it holds, said as such.
"""
from __future__ import annotations

import re

from ..problems.errors import Issue, ProblemError
from .submissions import Submission, Submissions, shown

MOODLE, CANVAS = "Moodle responses report", "Canvas student analysis report"
SKIP = "-"
CLOZE = "cloze"           # a Cloze column: the blanks nnsolve export writes, in order (resolved with the problem)
_PART = re.compile(r"(?:^|; )part (\d+): ")
_ELEMENT = re.compile(r"(.+?)((?:\[\d+\])+)")
_MOODLE_RESPONSE = re.compile(r"Response \d+")
_CANVAS_QUESTION = re.compile(r"(\d+): ")
# the student id, in order of preference: the institution's id before the login name before the address
MOODLE_ID_COLUMNS = ("ID number", "Username", "Email address")


def export_kind(names: list[str]) -> str | None:
    if any(_MOODLE_RESPONSE.fullmatch(n) for n in names) and (
            {"State", "Started on"} & set(names) or any(n.startswith("Grade/") for n in names)):
        return MOODLE
    if {"sis_id", "attempt"} <= set(names) and any(_CANVAS_QUESTION.match(n) for n in names):
        return CANVAS
    return None


def parse_columns(text: str):
    """`--columns`: 'Response 1=h1,Response 2=y' → {"Response 1": "h1", …}; 'marking' → "marking"."""
    if text.strip() == "marking":
        return "marking"
    mapping: dict[str, str] = {}
    for item in text.split(","):
        key, sep, answer = item.partition("=")
        if not sep or not key.strip() or not answer.strip():
            raise ValueError(f"{item.strip()!r} is not COLUMN=ANSWER (e.g. 'Response 1=h1'; '-' leaves a column "
                             f"out), nor the word marking")
        if key.strip() in mapping:
            raise ValueError(f"the column {key.strip()!r} is mapped twice")
        mapping[key.strip()] = answer.strip()
    return mapping


def read_export(kind: str, names: list[str], header_line: int, records, source: str, columns) -> Submissions:
    def stop(message: str):
        raise ProblemError([Issue(f"{kind}", message, header_line)], source)

    responses = _response_columns(kind, names)
    if not responses:
        stop("no response columns")
    shown_names = [names[i] for i, _ in responses]
    if columns is None:
        stop(f"which answer id is each response column? Map them: --columns '{shown_names[0]}=h1,…' "
             f"(Python: columns={{...}}), or --columns marking to take the marking: scheme's answers in order "
             f"(response columns: {', '.join(key for _, key in responses)})")
    mapped = _mapped(kind, names, responses, columns, stop)
    parts = {i: _assembly(a.split("+")) for i, a in mapped.items() if "+" in a}
    records = list(records)
    id_column, id_name = _id_column(kind, names, records, stop)
    answers = [b for i, a in mapped.items() if a != SKIP for b in (parts[i] if i in parts else [a])]
    twice = sorted({a for a in answers if answers.count(a) > 1})
    if twice:
        stop(f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} asked by two response columns (or two blanks)")
    students = []
    for line, row, unreadable in records:
        student = row[id_column].strip() if id_column < len(row) else ""
        if unreadable:
            students.append(Submission(shown(student), line, malformed=unreadable))
        elif not student:
            students.append(Submission("", line, malformed=f"no student id: its {id_name} cell is empty"))
        else:
            cells = {}
            for i, a in mapped.items():
                if i in parts:
                    cells.update(_cloze_cells(row[i], mapped[i].split("+"), parts[i], names[i]))
                elif a != SKIP:
                    cells[a] = row[i]
            students.append(Submission(student, line, cells))
    return Submissions(source, answers, students, id_name, {a: (source, header_line) for a in answers})


def _assembly(blanks: list[str]) -> dict[str, list[tuple[int, ...]] | None]:
    """The answers a Cloze column's blanks make, in order: an answer every element of which is a blank (a full grid
    of indices, in row-major order) → its element positions; any other blank stays an answer of its own (None)."""
    grouped: dict[str, list[tuple[int, ...]]] = {}
    alone: list[str] = []
    for blank in blanks:
        match = _ELEMENT.fullmatch(blank)
        if match is None:
            alone.append(blank)
            continue
        grouped.setdefault(match.group(1), []).append(tuple(int(i) for i in re.findall(r"\d+", match.group(2))))
    out: dict[str, list[tuple[int, ...]] | None] = {}
    for blank in blanks:
        match = _ELEMENT.fullmatch(blank)
        name = match.group(1) if match else blank
        if name in out or blank in out:
            continue
        positions = grouped.get(name) if match else None
        if positions is not None and _full_grid(positions):
            out[name] = positions
        elif match:
            for p in grouped[name]:
                out[name + "".join(f"[{i}]" for i in p)] = None
        else:
            out[blank] = None
    return out


def _full_grid(positions: list[tuple[int, ...]]) -> bool:
    import itertools
    if len({len(p) for p in positions}) != 1:
        return False
    shape = tuple(max(p[k] for p in positions) + 1 for k in range(len(positions[0])))
    return positions == list(itertools.product(*(range(n) for n in shape)))


def _cloze_cells(text: str, blanks: list[str], answers: dict, column: str) -> dict:
    """A Cloze response (`part 1: 0.99; part 2: 0.21`) as the cells of the answers its blanks make."""
    from .cells import Unreadable

    found = _parts(text, len(blanks))
    if isinstance(found, str):
        return {a: Unreadable(text, f"{column}: {found}") for a in answers}
    if not any(found):
        return dict.fromkeys(answers, "")       # not attempted: each answer blank
    by_blank = dict(zip(blanks, found))
    cells = {}
    for answer, positions in answers.items():
        if positions is None:
            cells[answer] = by_blank[answer]
        else:
            cells[answer] = _nested([by_blank[answer + "".join(f"[{i}]" for i in p)] for p in positions], positions)
    return cells


def _parts(text: str, count: int) -> list[str] | str:
    """The parts' texts in order, or why the response is not `part 1: …; part 2: …` with `count` parts."""
    if not text.strip():
        return [""] * count                 # not attempted: every blank blank
    marks = list(_PART.finditer(text))
    if not marks or marks[0].start() != 0:
        return f"not a Cloze response ('part 1: …; part 2: …'): {text.strip()[:40]!r}"
    numbers = [int(m.group(1)) for m in marks]
    if numbers != list(range(1, count + 1)):
        return f"a Cloze response of parts {', '.join(map(str, numbers))} where the question has parts 1–{count}"
    ends = [m.start() for m in marks[1:]] + [len(text)]
    return [text[m.end():end].strip() for m, end in zip(marks, ends)]


def _nested(texts: list[str], positions: list[tuple[int, ...]]):
    """Element texts in row-major order → the nested list of the answer's shape."""
    import numpy as np
    shape = tuple(max(p[k] for p in positions) + 1 for k in range(len(positions[0])))
    return np.array(texts, dtype=object).reshape(shape).tolist()


def _response_columns(kind: str, names: list[str]) -> list[tuple[int, str]]:
    """(index, key) of each response column, in the export's order; the key is what a mapping names it by."""
    if kind == MOODLE:
        return [(i, n) for i, n in enumerate(names) if _MOODLE_RESPONSE.fullmatch(n)]
    return [(i, _CANVAS_QUESTION.match(n).group(1)) for i, n in enumerate(names) if _CANVAS_QUESTION.match(n)]


def _mapped(kind: str, names: list[str], responses, columns, stop) -> dict[int, str]:
    """Response column index → answer id (or SKIP), every response column accounted for."""
    keys = [key for _, key in responses]
    if isinstance(columns, (list, tuple)):
        answers = [str(a) for a in columns]
        if len(answers) != len(responses):
            stop(f"{len(responses)} response columns ({', '.join(keys)}) but {len(answers)} answers in order "
                 f"({', '.join(answers)}): map the columns one by one (--columns 'COLUMN=ANSWER,…', '-' leaves one "
                 f"out)")
        chosen = {i: a for (i, _), a in zip(responses, answers)}
    elif isinstance(columns, dict):
        by_key = {key: i for i, key in responses}
        if kind == CANVAS:
            by_key.update({names[i]: i for i, _ in responses})       # the whole header names it too
        chosen = {}
        for key, answer in columns.items():
            if str(key) not in by_key:
                stop(f"the mapping names {str(key)!r}, which is no response column of this export "
                     f"(response columns: {', '.join(keys)})")
            if by_key[str(key)] in chosen:
                stop(f"the column {str(key)!r} is mapped twice")
            chosen[by_key[str(key)]] = str(answer).strip()
        left = [key if kind == MOODLE else f"{key} ({names[i]!r})" for i, key in responses if i not in chosen]
        if left:
            stop(f"no answer id for the response column{'s' if len(left) > 1 else ''} {', '.join(left)}: map "
                 f"{'each' if len(left) > 1 else 'it'} to an answer id, or to '-' to leave it out")
    else:
        raise TypeError("columns: a dict {response column: answer id} or a list of answer ids in order")
    seen: dict[str, int] = {}
    for i, answer in sorted(chosen.items()):
        if answer != SKIP and answer in seen:
            stop(f"two response columns are mapped to {answer!r}: {names[seen[answer]]} and {names[i]}")
        seen.setdefault(answer, i)
    if all(a == SKIP for a in chosen.values()):
        stop("every response column is left out ('-'): map at least one to an answer id")
    return dict(sorted(chosen.items()))


def _id_column(kind: str, names: list[str], records, stop) -> tuple[int, str]:
    if kind == MOODLE:
        for name in MOODLE_ID_COLUMNS:
            if name in names:
                return names.index(name), name
        stop(f"no student id column: show one of {', '.join(MOODLE_ID_COLUMNS)} among the report's user "
             f"identity fields and download it again")
    # Canvas's sis_id, the institution's id; a course without SIS ids has that column empty throughout, and
    # then Canvas's own user id is the one there is
    sis = names.index("sis_id")
    if "id" in names and not any(len(row) > sis and row[sis].strip() for _, row, unreadable in records
                                 if not unreadable):
        return names.index("id"), "id"
    return sis, "sis_id"
