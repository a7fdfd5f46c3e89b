"""Marking a class: each student's answers judged as `nnsolve check` judges a key — right (to the decimals
written, or as hand rounding gives), carried forward from the student's own earlier numbers (ECF), or wrong, with
the named slip that explains it — and the verdicts turned into marks by the problem's scheme."""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property

import numpy as np

from ..check.answers import AnswerError, quantity_name, read_answers, resolve
from ..check.checker import Checker
from ..check.variants import SharedSolves
from ..engine.number import format_number
from ..engine.symbolic import Symbolic
from ..problems import LoadedProblem
from ..problems.errors import Issue, ProblemError
from ..solution import Solution
from .cells import CellError, read_cell
from .comparators import within
from .ecf import capped_ecf
from .scheme import AnswerMarking
from .submissions import Submission, Submissions, read_submissions

from .gradebook import CARRIED, FORMAT, RIGHT, WRONG, AnswerMark, Gradebook, StudentGrade


@dataclass
class _Column:
    answer: str
    quantity: str
    index: tuple[int, ...]
    order: int
    scheme: AnswerMarking
    expected: np.ndarray         # exact value of quantity[index]

    @cached_property
    def shown(self) -> str:
        """The right value as the gradebook shows it (the same for every student)."""
        return _shown(self.expected)

    @property
    def formulas(self) -> bool:
        """A formula or a verdict (calculus, computation graphs): compared symbolically by `check`."""
        return any(isinstance(v, Symbolic) for v in self.expected.reshape(-1))

    @property
    def elements(self) -> list[tuple[int, ...]]:
        """Marked one by one: each element's position within the answer ([()] for the whole answer)."""
        return list(np.ndindex(self.expected.shape)) if self.scheme.element_marks is not None else [()]


def grade(problem, submissions, timeout: float | None = None, progress=None) -> Gradebook:
    """`timeout` (seconds) bounds the solve of the problem (past it: DeadlineExceeded) and the check of each
    student (past it: that student is not marked, and the gradebook says so)."""
    from ..api import load, solve
    from ..limits import deadline

    loaded = load(problem)
    given = submissions if isinstance(submissions, Submissions) else read_submissions(submissions)
    model = loaded.model
    # the solver computes some quantities (gradients after the last update) only when an answer names them
    told = model.model_copy(update={"answers": dict.fromkeys(quantity_name(a) for a in given.answers)})
    loaded = LoadedProblem(loaded.family, told, loaded.document)
    with deadline(timeout, TIMEOUT_HINT):
        base = solve(loaded)
    columns = _columns(loaded, base, given)
    marker = Marker(loaded, base, columns)
    students = _marked(marker, given.students, timeout, progress or iter)
    _note_repeated_ids(students)
    return Gradebook(base.title, loaded.document.source, given.source, given.id_header, given.answers,
                     {c.answer: _out_of(c) for c in columns}, students, {c.answer: c.scheme.ecf for c in columns})


def _columns(loaded: LoadedProblem, base: Solution, given: Submissions) -> list[_Column]:
    """Each answer column resolved to its quantity, with its scheme; every column naming nothing, and every scheme
    entry naming no column or given a wrong shape, refused with its place (exit 2)."""
    from ..check.variants import value_at

    scheme = dict(loaded.model.marking)
    position = {step_id: i for i, step_id in enumerate(base.ids)}
    names = sorted(set(base.ids) | {a for a, q in base.aliases.items() if q in position})
    issues, columns = [], []
    for answer in given.answers:
        try:
            quantity, index = resolve(answer, base, position, names)
        except AnswerError as e:
            where, line = given.named_at.get(answer, (given.source, None))
            issues.append(Issue(f"{where}: column {answer!r}", e.message, line))
            continue
        columns.append(_Column(answer, quantity, index, position[quantity], scheme.get(answer, AnswerMarking()),
                               value_at(base, quantity, index)))
    for answer, marking in scheme.items():
        line = loaded.locate(("marking", answer))
        if answer not in given.answers:
            issues.append(Issue(f"marking.{answer}", f"marks an answer the submissions have no column for "
                                                     f"(their columns: {', '.join(given.answers)})", line))
            continue
        column = next((c for c in columns if c.answer == answer), None)
        if column is not None and marking.element_marks is not None:
            issues += _element_marks_issues(column, marking.element_marks, line)
        if column is not None and marking.tolerance is not None and column.formulas:
            issues.append(Issue(f"marking.{answer}.tolerance", f"{answer} is a formula or a verdict, compared "
                                "symbolically: a numeric tolerance cannot apply to it",
                                loaded.locate(("marking", answer, "tolerance")) or line))
    if issues:
        raise ProblemError(issues, loaded.document.source)
    return columns


def _element_marks_issues(column: _Column, given, line) -> list[Issue]:
    return element_marks_issues(column.answer, column.expected.shape, given, line)


def element_marks_issues(answer: str, shape: tuple[int, ...], given, line) -> list[Issue]:
    """What is wrong with an answer's `element_marks` (marks of its elements, of the answer's shape, at least 0):
    the grader and the exporters read it alike."""
    from ..check.answers import read_value, shape_text

    where = f"marking.{answer}.element_marks"
    try:
        value = read_value(given)
    except AnswerError as e:
        return [Issue(where, e.message, line)]
    if value.ndim and value.shape != tuple(shape):
        return [Issue(where, f"is {shape_text(value.shape)}; {answer} is {shape_text(tuple(shape))}", line)]
    if not all(isinstance(v, Fraction) for v in value.reshape(-1)):
        return [Issue(where, "marks are written as numbers such as 1, 0.5 or 1/3", line)]
    if any(v < 0 for v in value.reshape(-1)):
        return [Issue(where, "marks must be at least 0", line)]
    return []


def _element_marks(column: _Column) -> list[Fraction]:
    return element_marks(column.scheme.element_marks, column.expected.shape)


def element_marks(given, shape: tuple[int, ...]) -> list[Fraction]:
    """Each element's marks in row-major order, from `element_marks` as written (one number for every element, or
    the answer's shape; element_marks_issues has refused anything else): the grader and the exporters alike."""
    from ..check.answers import read_value

    value = read_value(given)
    each = np.broadcast_to(value, shape) if value.ndim == 0 else value
    return [Fraction(v) for v in each.reshape(-1)]


def _out_of(column: _Column) -> Fraction:
    if column.scheme.element_marks is not None:
        return sum(_element_marks(column), Fraction(0))
    return Fraction(column.scheme.marks)


class Marker:
    """One student's answers checked against the solution solved once for the class: a Checker per student (its
    re-solves are the student's own pins and slips), the scheme's comparator where one is named.

    What does not depend on the student is done once for the class: the re-solves are shared by exact values
    (SharedSolves: the problem's hand-rounded and alternative solves, and every set of pinned numbers two students
    both wrote), and a row whose cells are those of an earlier row is given that row's marks."""

    def __init__(self, loaded: LoadedProblem, base: Solution, columns: list[_Column], share: bool = True):
        """`share=False`: every student checked alone, as `nnsolve check` checks one key (what the shared path
        must agree with, mark for mark)."""
        self.loaded, self.base, self.columns = loaded, base, columns
        self.shared = SharedSolves({c.quantity for c in columns}) if share else None
        self.marked: dict[tuple, StudentGrade] | None = {} if share else None

    def judge(self, values: dict[str, np.ndarray]):
        """(checker, answers read, report) for the answers that could be read (element ids for those marked by
        element)."""
        answers = read_answers(values, self.base, lambda loc: None, "<answers>")
        checker = Checker(self.loaded.family, self.loaded.model, self.base, None, self.shared)
        return checker, answers, checker.run(answers, self.loaded.document.source)


def _element_id(column: _Column, at: tuple[int, ...]) -> str:
    return column.answer + "".join(f"[{i}]" for i in at)


TIMEOUT_HINT = "raise it with --timeout SECONDS or NNSOLVE_TIMEOUT; 0 for no limit"


def _marked(marker: Marker, submissions: list[Submission], timeout: float | None, progress) -> list[StudentGrade]:
    """Every student's marks, in the class's order. A class of many distinct rows has them marked in worker
    processes (workers.py); the rows written alike, and the malformed ones, are marked here."""
    from .workers import Workers, worker_count

    cells = [_cells_as_written(marker, s) if marker.marked is not None else None for s in submissions]
    first = {}          # a distinct row's cells → the first student who wrote it
    for row, submission in zip(cells, submissions):
        if row is not None and row not in first:
            first[row] = submission
    count = worker_count(len(first))
    if count == 1:
        return [_mark_in_time(marker, s, timeout) for s in progress(submissions)]
    distinct = list(first.values())
    place = {row: i for i, row in enumerate(first)}
    students = []
    with Workers(lambda s: _mark_within(marker, s, timeout), distinct, count) as workers:
        for row, submission in progress(list(zip(cells, submissions))):
            if row is not None and row in place and row not in marker.marked:
                grade, in_time = workers.result(place.pop(row))
                if in_time:
                    marker.marked[row] = grade
                students.append(grade)
            else:       # a row written alike (re-marked here if the first was not marked in time), or malformed
                students.append(_mark_in_time(marker, submission, timeout))
    return students


def _mark_in_time(marker: Marker, submission: Submission, timeout: float | None) -> StudentGrade:
    cells = _cells_as_written(marker, submission) if marker.marked is not None else None
    if cells in (marker.marked or {}):
        return _marked_again(marker.marked[cells], submission)
    grade, in_time = _mark_within(marker, submission, timeout)
    if in_time and cells is not None:
        marker.marked[cells] = grade
    return grade


def _mark_within(marker: Marker, submission: Submission, timeout: float | None) -> tuple[StudentGrade, bool]:
    """(the student's marks, whether they were marked within `timeout`: past it, the row says it was not)."""
    from ..limits import DeadlineExceeded, deadline

    try:
        with deadline(timeout, TIMEOUT_HINT):
            return _mark(marker, submission), True
    except DeadlineExceeded as e:
        late = Submission(submission.student, submission.line, malformed=f"not marked: {e}")
        return _mark(marker, late), False


def _cells_as_written(marker: Marker, submission: Submission) -> tuple | None:
    """A row's cells, exactly as written (type and text: 0.5 and "0.50" differ, they claim different decimals);
    None for a malformed row."""
    if submission.malformed:
        return None
    return tuple((type(v).__name__, repr(v)) for v in (submission.cells.get(c.answer) for c in marker.columns))


def _marked_again(grade: StudentGrade, submission: Submission) -> StudentGrade:
    """Another student's copy of the marks of a row written the same."""
    answers = [replace(m, follows=list(m.follows), slips=list(m.slips)) for m in grade.answers]
    return replace(grade, student=submission.student, line=submission.line, answers=answers, slips=list(grade.slips),
                   remarks=[])


def _mark(marker: Marker, submission: Submission) -> StudentGrade:
    if submission.malformed:
        marks = [AnswerMark(c.answer, Fraction(0), _out_of(c), FORMAT, "", c.shown,
                            reason="the row could not be read") for c in marker.columns]
        return StudentGrade(submission.student, submission.line, marks, Fraction(0), None, [],
                            [f"line {submission.line}: {submission.malformed}" if submission.line
                             else submission.malformed], malformed=submission.malformed)
    read: dict[str, np.ndarray] = {}
    errors: dict[str, str] = {}
    for c in marker.columns:
        try:
            value = read_cell(submission.cells.get(c.answer), c.expected.shape, c.formulas)
        except CellError as e:
            errors[c.answer] = str(e)
            continue
        for at in c.elements:
            read[_element_id(c, at)] = value[at] if at else value
    checker, answers, report = marker.judge(read) if read else (None, [], None)
    results = {r.name: r for r in report.results} if report else {}
    pins = _pins(answers, results)
    # an answer marked element by element is checked as its elements: what follows from them follows from it
    column_of = {_element_id(c, at): c.answer for c in marker.columns for at in c.elements}
    marks = []
    for c in marker.columns:
        written = submission.cells.get(c.answer)
        given = "" if written is None else str(written).strip()
        if c.answer in errors:
            marks.append(AnswerMark(c.answer, Fraction(0), _out_of(c), FORMAT, given, c.shown,
                                    reason=errors[c.answer]))
            continue
        worth = _element_marks(c) if c.scheme.element_marks is not None else [Fraction(c.scheme.marks)]
        parts = [_verdict(checker, answers, results[_element_id(c, at)], c, pins) for at in c.elements]
        ecf, capped = capped_ecf(checker, answers, results, c, parts, pins)
        marks.append(_combine(c, given, parts, worth, column_of, ecf, capped))
    order = {c.answer: (c.order, c.index) for c in marker.columns}
    wrong = sorted((m for m in marks if m.verdict in (WRONG, FORMAT) and m.given), key=lambda m: order[m.answer])
    slips = list(dict.fromkeys(s for m in sorted(marks, key=lambda m: order[m.answer]) for s in m.slips))
    total = sum((m.marks for m in marks), Fraction(0))
    return StudentGrade(submission.student, submission.line, marks, total, wrong[0].answer if wrong else None, slips)


def _pins(answers, results) -> tuple:
    from ..check.variants import Pin
    return tuple(Pin(a.quantity, a.index, results[a.name].aligned_key) for a in answers
                 if results[a.name].aligned_key is not None)


def _verdict(checker, answers, result, column: _Column, pins) -> tuple[str, list[str], str, str, list[str]]:
    """(verdict, answers followed, rule, reason, slips) of one answer (or element) as the scheme compares it."""
    if column.scheme.tolerance is None:
        if result.ok:
            if not result.follows:
                return RIGHT, [], result.rule, "", []
            how = "" if result.follow_rule.startswith("exact") else f" ({result.follow_rule})"
            return CARRIED, result.follows, f"follows from {', '.join(result.follows)} as written{how}", "", []
        return WRONG, [], "", result.reason, result.alternatives
    comparator = column.scheme.tolerance
    if result.aligned_key is None:
        return WRONG, [], "", result.reason, []
    if within(comparator, result.aligned_key, result.computed):
        return RIGHT, [], comparator.describe(), "", []
    answer = next(a for a in answers if a.name == result.name)
    # what the student's own earlier numbers give: each pinned answer as computed from the pins before it
    upstream = checker._upstream_as_written(answer)
    if upstream:
        from ..check.variants import value_at
        carried = value_at(checker.variants.solve("", None, None, pins, carry=True), answer.quantity, answer.index)
        if carried is not None and within(comparator, result.aligned_key, carried):
            return CARRIED, upstream, f"follows from {', '.join(upstream)} as written, {comparator.describe()}", \
                "", []
    return WRONG, [], "", f"not {comparator.describe()} of {_shown(result.computed)}", result.alternatives


# the rules of `check` under which an answer is right only through a slip of rounding (compare.py, checker.py):
# truncated where rounding was asked, or every intermediate rounded or truncated along the way
ROUNDING_SLIP = ("(truncated)", "intermediates rounded", "intermediates truncated", "hand-rounded values")


def rounding_slip(rule: str) -> bool:
    return any(words in rule for words in ROUNDING_SLIP)


def _combine(column: _Column, given: str, parts: list, worth: list[Fraction], column_of: dict, ecf: Fraction,
             capped: str) -> AnswerMark:
    rounding = Fraction(column.scheme.rounding)

    def earned_by(verdict, rule, w):
        share = Fraction(1) if verdict == RIGHT else ecf if verdict == CARRIED else Fraction(0)
        return w * share * (rounding if verdict != WRONG and rounding_slip(rule) else 1)
    earned = sum((earned_by(v, r, w) for (v, _, r, *_), w in zip(parts, worth)), Fraction(0))
    verdicts = [v for v, *_ in parts]
    verdict = WRONG if WRONG in verdicts else CARRIED if CARRIED in verdicts else RIGHT
    follows = list(dict.fromkeys(column_of.get(f, f) for _, fs, *_ in parts for f in fs))
    rules = list(dict.fromkeys(r for _, _, r, _, _ in parts if r))
    reasons = [r if len(parts) == 1 else f"{_element_id(column, at)[len(column.answer):]}: {r}"
               for (_, _, _, r, _), at in zip(parts, column.elements) if r]
    slips = list(dict.fromkeys(s for *_, ss in parts for s in ss))
    return AnswerMark(column.answer, earned, sum(worth, Fraction(0)), verdict, given, column.shown,
                      ecf=CARRIED in verdicts, follows=follows, rule="; ".join(rules), reason="; ".join(reasons),
                      slips=slips, ecf_capped=capped)


def _note_repeated_ids(students: list[StudentGrade]) -> None:
    first: dict[str, StudentGrade] = {}
    for s in students:
        if s.student in first:
            s.remarks.append(f"the id {s.student!r} is given again (first on line {first[s.student].line})"
                             if first[s.student].line else f"the id {s.student!r} is given again")
        else:
            first[s.student] = s


def _shown(value: np.ndarray) -> str:
    if value.ndim == 0:
        v = value[()]
        if isinstance(v, Fraction) and v.denominator < 1000 and len(format_number(v, 6)) > 8:
            return f"{v.numerator}/{v.denominator}"
        return format_number(v, 6)
    return "[" + ", ".join(_shown(np.asarray(v, dtype=object)) for v in value) + "]"
