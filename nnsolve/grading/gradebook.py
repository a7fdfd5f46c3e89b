"""A class's marks as plain data: each answer's marks and verdict, each student's, the whole gradebook. The marker
(marker.py) makes it; the writers (outputs.py, report.py) and the statistics read it."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

RIGHT, CARRIED, WRONG, FORMAT = "right", "carried forward", "wrong", "format error"


@dataclass
class AnswerMark:
    answer: str                  # the answer id (a column of the submissions)
    marks: Fraction
    out_of: Fraction
    verdict: str                 # RIGHT, CARRIED, WRONG or FORMAT (the worst of its elements when marked by element)
    given: str                   # as the student wrote it
    expected: str                # the right value, to four decimals (exact when short)
    ecf: bool = False
    follows: list[str] = field(default_factory=list)    # the student's earlier answers it was carried from
    rule: str = ""               # why it is right
    reason: str = ""             # why it is wrong, or what is wrong with the cell
    slips: list[str] = field(default_factory=list)      # named slips under which it agrees
    ecf_capped: str = ""         # why its ECF credit is capped (carried from a value that makes it degenerate)


@dataclass
class StudentGrade:
    student: str
    line: int | None
    answers: list[AnswerMark]    # in the order of the columns
    total: Fraction
    first_wrong: str | None      # the first answer, in the order the solution computes them, that is wrong
    slips: list[str]
    remarks: list[str] = field(default_factory=list)    # a malformed row, an id given twice
    malformed: str = ""          # why the row could not be read (every answer is then marked 0)


@dataclass
class Gradebook:
    title: str
    problem: str
    source: str
    id_header: str
    answers: list[str]
    out_of: dict[str, Fraction]
    students: list[StudentGrade]
    ecf_fraction: dict[str, Fraction]

    @property
    def total_out_of(self) -> Fraction:
        return sum(self.out_of.values(), Fraction(0))

    def summary(self) -> dict:
        """The class at a glance (mean total, facility, slips, unread cells and rows): statistics.class_statistics."""
        from .statistics import class_statistics
        return class_statistics(self).summary()
