"""The class statistics (one piece of logic behind the stdout summary and `--report`), checked against figures
worked out by hand for a small gradebook built here as plain data; the report's files: written, valid PNG and SVG,
the same bytes for the same class."""
from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nnsolve.cli import app
from nnsolve.grading.gradebook import CARRIED, FORMAT, RIGHT, WRONG, AnswerMark, Gradebook, StudentGrade
from nnsolve.grading.outputs import summary_text
from nnsolve.grading.report import report_markdown
from nnsolve.grading.statistics import Bar, class_statistics

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "grading"
SLIP = "no ½ in the loss"


def _mark(answer, marks, out_of, verdict, ecf=False):
    return AnswerMark(answer, F(marks), F(out_of), verdict, "", "", ecf=ecf)


def small_class() -> Gradebook:
    """Four students on two answers: `a` worth 2 (ECF at half credit), `b` worth 1.
    ann: both right (3); bo: `a` carried forward (1 of 2), `b` carried forward (½ of 1) → 1.5;
    cy: a row that could not be read (0); di: `a` right, `b` wrong with a named slip → 2."""
    students = [
        StudentGrade("ann", 2, [_mark("a", 2, 2, RIGHT), _mark("b", 1, 1, RIGHT)], F(3), None, []),
        StudentGrade("bo", 3, [_mark("a", 1, 2, CARRIED, True), _mark("b", F(1, 2), 1, CARRIED, True)], F(3, 2),
                     None, []),
        StudentGrade("cy", 4, [_mark("a", 0, 2, FORMAT), _mark("b", 0, 1, FORMAT)], F(0), None, [],
                     ["line 4: 1 cells where the header has 3"], malformed="1 cells where the header has 3"),
        StudentGrade("di", 5, [_mark("a", 2, 2, RIGHT), _mark("b", 0, 1, WRONG)], F(2), "b", [SLIP]),
    ]
    return Gradebook("Small quiz", "quiz.yaml", "class.csv", "student", ["a", "b"], {"a": F(2), "b": F(1)},
                     students, {"a": F(1, 2), "b": F(1, 2)})


def test_class_statistics_match_the_hand_worked_figures():
    stats = class_statistics(small_class())
    totals = [F(3), F(3, 2), F(0), F(2)]
    mean = (3 + F(3, 2) + 0 + 2) / 4                                  # 13/8
    assert stats.students == 4 and stats.out_of == 3
    assert stats.mean_total == mean == F(13, 8)
    assert stats.median_total == (F(3, 2) + 2) / 2 == F(7, 4)         # sorted 0, 1.5, 2, 3
    assert (stats.lowest, stats.highest) == (0, 3)
    variance = ((3 - mean) ** 2 + (F(3, 2) - mean) ** 2 + (0 - mean) ** 2 + (2 - mean) ** 2) / 4
    assert variance == F(75, 64)
    assert stats.standard_deviation == pytest.approx(math.sqrt(75) / 8, rel=1e-15)
    a, b = stats.questions
    assert (a.mean, a.facility) == (F(2 + 1 + 0 + 2, 4), F(5, 4) / 2)
    assert (b.mean, b.facility) == (F(1 + F(1, 2), 4), F(3, 8))
    assert a.verdicts == {RIGHT: 2, CARRIED: 1, WRONG: 0, FORMAT: 1}
    assert b.verdicts == {RIGHT: 1, CARRIED: 1, WRONG: 1, FORMAT: 1}
    assert stats.ecf == 2 and stats.ecf_by_answer == {"a": 1, "b": 1}
    assert stats.slips == [(SLIP, 1)]
    assert stats.format_errors == 0                # cy's cells are a row not read, counted as that
    assert stats.malformed_rows == [("cy", 4, "1 cells where the header has 3")]
    # one bar per whole mark, 0 … 3: 1.5 is in the bar of 1
    assert [(bar.low, bar.high, bar.count) for bar in stats.histogram] == [(0, 1, 1), (1, 2, 1), (2, 3, 1),
                                                                            (3, 4, 1)]
    assert sorted(totals) == [0, F(3, 2), 2, 3]


def test_past_twenty_marks_the_bars_are_wider():
    book = small_class()
    book.out_of = {"a": F(40), "b": F(5)}                  # out of 45: bars of ceil(45 / 20) = 3 marks
    for student, total in zip(book.students, (45, 44, 0, F(5, 2))):
        student.total = F(total)
    bars = class_statistics(book).histogram
    assert len(bars) == 45 // 3 + 1 and all(bar.high - bar.low == 3 for bar in bars)
    counts = {bar.low: bar.count for bar in bars if bar.count}
    assert counts == {0: 2, 42: 1, 45: 1}                 # 0 and 2.5 in [0, 3); 44 in [42, 45); 45 in [45, 48)


def test_an_empty_class_has_no_figures_but_no_crash():
    book = small_class()
    book.students = []
    stats = class_statistics(book)
    assert (stats.mean_total, stats.median_total, stats.standard_deviation) == (None, None, None)
    assert all(q.facility is None for q in stats.questions)
    assert "| mean | — |" in report_markdown(stats)


def test_summary_and_report_show_the_same_figures():
    book = small_class()
    text = summary_text(book)
    assert "students: 4; mean total: 1.625 / 3" in text
    assert "  a: 62%" in text and "  b: 38%" in text               # 5/8 and 3/8, as whole percents
    assert f"  1 × {SLIP}" in text and "carried forward (ECF): 2" in text
    assert book.summary()["mean_total"] == F(13, 8)
    report = report_markdown(class_statistics(book))
    assert "| mean | 1.625 |" in report and "| median | 1.75 |" in report
    assert f"| standard deviation | {round(math.sqrt(75) / 8, 4)} |" in report
    assert "| `a` | 2 | 1.25 | 62% | 2 | 1 | 0 | 1 |" in report
    assert "| `b` | 1 | 0.375 | 38% | 1 | 1 | 1 | 1 |" in report
    assert f"| {SLIP} | 1 |" in report
    assert "2 answers credited as carried forward" in report and "`a` 1, `b` 1" in report
    assert "- line 4: cy: 1 cells where the header has 3 — marked 0" in report


def _report(tmp_path, folder: str):
    pytest.importorskip("matplotlib")
    out = tmp_path / folder
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "problem.yaml"), str(EXAMPLES / "class.csv"),
                                      "--report", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_the_report_is_written_with_valid_charts(tmp_path):
    out = _report(tmp_path, "report")
    assert sorted(p.name for p in out.iterdir()) == ["facility.png", "facility.svg", "report.md", "totals.png",
                                                     "totals.svg"]
    for name in ("totals", "facility"):
        png = (out / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
        assert ET.parse(out / f"{name}.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"
    report = (out / "report.md").read_text(encoding="utf-8")
    # the sample class's totals, as docs/grading.md lists them: 8, 7, 4, 4, 4, 6, 0, 8
    totals = [8, 7, 4, 4, 4, 6, 0, 8]
    assert "8 students" in report and f"| mean | {sum(totals) / 8:g} |" in report
    assert "| median | 5 |" in report                                      # (4 + 6) / 2
    mean = F(sum(totals), 8)
    spread = math.sqrt(sum((t - mean) ** 2 for t in totals) / 8)        # 50.875 / 8 under the root
    assert f"| standard deviation | {round(spread, 4)} |" in report
    assert "| 4 | 3 |" in report and "| 8 | 2 |" in report and "| 5 | 0 |" in report
    assert "![histogram of the totals](totals.svg)" in report


def test_the_same_class_gives_the_same_bytes(tmp_path):
    first, second = _report(tmp_path, "one"), _report(tmp_path, "two")
    for name in ("totals.png", "totals.svg", "facility.png", "facility.svg", "report.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_without_matplotlib_the_report_is_refused_and_nothing_written(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)           # `import matplotlib` now raises ImportError
    out = tmp_path / "report"
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "problem.yaml"), str(EXAMPLES / "class.csv"),
                                      "--report", str(out)])
    assert result.exit_code == 2
    assert "--report" in result.output and "matplotlib" in result.output
    assert not out.exists()


def test_a_report_folder_that_is_a_file_is_refused(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "problem.yaml"), str(EXAMPLES / "class.csv"),
                                      "--report", str(taken)])
    assert result.exit_code == 2 and "is a file" in result.output


def test_bar_widths_in_labels():
    from nnsolve.grading.report import bar_label
    assert bar_label(Bar(F(4), F(5), 0)) == "4"
    assert bar_label(Bar(F(6), F(9), 0)) == "[6, 9)"
