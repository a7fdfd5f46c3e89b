"""The class in numbers: what the stdout summary and the class report (`--report`) both show, computed once here
from a Gradebook. Plain data; the printers only lay it out."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from .gradebook import CARRIED, FORMAT, RIGHT, WRONG, Gradebook

# past this many marks, the histogram's bars are wider than one mark so that there are at most this many of them
MOST_BARS = 20


@dataclass
class QuestionStatistics:
    answer: str
    out_of: Fraction
    mean: Fraction | None              # mean marks over every row of the gradebook (unread rows count as 0)
    facility: Fraction | None          # mean / out_of (None when the answer is worth nothing or there is no row)
    verdicts: dict[str, int]           # RIGHT, CARRIED, WRONG, FORMAT → how many students (unread rows: FORMAT)


@dataclass
class Bar:
    """Totals t with low ≤ t < high (whole marks: low = high − 1 when the bars are one mark wide)."""
    low: Fraction
    high: Fraction
    count: int


@dataclass
class ClassStatistics:
    title: str
    students: int
    out_of: Fraction
    mean_total: Fraction | None
    median_total: Fraction | None
    lowest: Fraction | None
    highest: Fraction | None
    standard_deviation: float | None   # of the totals, over the class (population: divided by n)
    questions: list[QuestionStatistics]
    histogram: list[Bar]
    slips: list[tuple[str, int]]       # each slip with the number of students whose numbers it reproduces, commonest first
    ecf: int                           # answers credited as carried forward, over the class
    ecf_capped: int                    # of those, carried from a value that makes them degenerate (capped)
    format_errors: int                 # cells that could not be read (rows that could not be read not included)
    malformed_rows: list[tuple[str, int | None, str]] = field(default_factory=list)  # (student, line, why)

    @property
    def ecf_by_answer(self) -> dict[str, int]:
        return {q.answer: q.verdicts[CARRIED] for q in self.questions}

    def summary(self) -> dict:
        """The few figures `Gradebook.summary()` gives, as a dict."""
        return {"students": self.students, "mean_total": self.mean_total, "out_of": self.out_of,
                "facility": {q.answer: q.facility for q in self.questions}, "slips": self.slips, "ecf": self.ecf,
                "format_errors": self.format_errors, "malformed_rows": self.malformed_rows}


def class_statistics(book: Gradebook) -> ClassStatistics:
    n = len(book.students)
    totals = sorted(s.total for s in book.students)
    mean = sum(totals, Fraction(0)) / n if n else None
    questions = []
    for answer in book.answers:
        marks = [m for s in book.students for m in s.answers if m.answer == answer]
        verdicts = Counter(m.verdict for m in marks)
        out_of = book.out_of[answer]
        average = sum((m.marks for m in marks), Fraction(0)) / n if n else None
        questions.append(QuestionStatistics(answer, out_of, average,
                                            average / out_of if average is not None and out_of else None,
                                            {v: verdicts[v] for v in (RIGHT, CARRIED, WRONG, FORMAT)}))
    return ClassStatistics(
        title=book.title or book.problem, students=n, out_of=book.total_out_of, mean_total=mean,
        median_total=_median(totals), lowest=totals[0] if n else None, highest=totals[-1] if n else None,
        standard_deviation=math.sqrt(sum((t - mean) ** 2 for t in totals) / n) if n else None,
        questions=questions, histogram=_histogram(totals, book.total_out_of),
        slips=Counter(slip for s in book.students for slip in s.slips).most_common(),
        ecf=sum(m.ecf for s in book.students for m in s.answers),
        ecf_capped=sum(bool(m.ecf_capped) for s in book.students for m in s.answers),
        format_errors=sum(m.verdict == FORMAT for s in book.students if not s.malformed for m in s.answers),
        malformed_rows=[(s.student, s.line, s.malformed) for s in book.students if s.malformed])


def _median(ordered: list[Fraction]) -> Fraction | None:
    n = len(ordered)
    if not n:
        return None
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _histogram(totals: list[Fraction], out_of: Fraction) -> list[Bar]:
    """Bars of `width` whole marks from 0 up to the bar holding the full marks: one mark wide up to MOST_BARS
    marks, wider past that so that there are at most MOST_BARS + 1 bars. A total of 4.5 is in the bar of 4."""
    width = max(1, math.ceil(out_of / MOST_BARS))
    bars = [Bar(Fraction(k * width), Fraction((k + 1) * width), 0) for k in range(math.floor(out_of / width) + 1)]
    for t in totals:
        bars[min(math.floor(t / width), len(bars) - 1)].count += 1
    return bars
