"""Moodle's quiz Responses report and Canvas's quiz Student Analysis report read as submissions (fixtures in
data/: made-up students in those layouts), marked as the reference marker beside this file marks the same
answers; every mapping that is missing, wrong or ambiguous refused with the header's line."""
from __future__ import annotations

import csv
import io
from fractions import Fraction as F
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app
from nnsolve.grading.exports import CANVAS, MOODLE, export_kind, parse_columns
from nnsolve.grading.submissions import read_submissions
from nnsolve.problems.errors import ProblemError

import grade_reference as reference

HERE = Path(__file__).resolve().parent
PROBLEM = HERE.parents[1] / "examples" / "grading" / "problem.yaml"
MOODLE_CSV = HERE / "data" / "moodle_responses.csv"
CANVAS_CSV = HERE / "data" / "canvas_student_analysis.csv"
ANSWERS = ["h1", "y", "loss", "dL/dW2", "W2(1)"]
SCHEME = {"h1": {"marks": 2}, "loss": {"tolerance": {"figures": 3}},
          "dL/dW2": {"element_marks": 1, "ecf": "0.5"}, "W2(1)": {"marks": 2, "ecf": "0.5",
                                                                    "tolerance": {"decimals": 2}}}
MOODLE_MAP = {f"Response {i + 1}": a for i, a in enumerate(ANSWERS)}
CANVAS_MAP = {str(7101 + i): a for i, a in enumerate(ANSWERS)}

RIGHT = {"h1": "[0.99, 0.21]", "y": "1.341", "loss": "0.0581405", "dL/dW2": "[[0.33759], [0.07161]]",
         "W2(1)": "[[1.166241], [-0.707161]]"}
H1_SLIP = {"h1": "[0.99, 0.31]", "y": "1.271", "loss": "0.0367205", "dL/dW2": "[[0.26829], [0.08401]]",
           "W2(1)": "[[1.173171], [-0.708401]]"}
TRANSPOSED_NO_LOSS = {"h1": "[0.64, 0.96]", "y": "0.396", "dL/dW2": "[[-0.38656], [-0.57984]]",
                      "W2(1)": "[[1.238656], [-0.642016]]"}


def _marks(student) -> dict:
    return {m.answer: (m.marks, m.ecf) for m in student.answers}


def test_moodle_responses_report_is_marked_as_the_reference_marker_marks_it():
    book = nnsolve.grade(PROBLEM, MOODLE_CSV, columns=MOODLE_MAP)
    assert book.id_header == "ID number"
    assert [s.student for s in book.students] == ["m-101", "m-102", "", "m-104"]      # every row, in order
    quill, brandt, no_id, varga = book.students
    assert _marks(quill) == reference.mark(RIGHT, SCHEME)
    assert _marks(brandt) == reference.mark(H1_SLIP, SCHEME)
    # Moodle writes "-" for a question not answered: that cell is a format error, the rest is marked
    expected = reference.mark(TRANSPOSED_NO_LOSS, SCHEME)
    assert {a: v for a, v in _marks(varga).items() if a != "loss"} == expected
    loss = next(m for m in varga.answers if m.answer == "loss")
    assert (loss.verdict, loss.marks) == ("format error", 0)
    # a row without an id: kept, marked 0, said with its line
    assert no_id.malformed == "no student id: its ID number cell is empty" and no_id.line == 4
    assert no_id.total == 0 and "line 4" in no_id.remarks[0]


def test_canvas_student_analysis_is_marked_by_question_id_or_whole_header():
    by_id = nnsolve.grade(PROBLEM, CANVAS_CSV, columns=CANVAS_MAP)
    header = next(csv.reader(io.StringIO(CANVAS_CSV.read_text(encoding="utf-8"))))
    whole = {name: ANSWERS[int(name.split(":")[0]) - 7101] for name in header if name[:4].isdigit()}
    by_header = nnsolve.grade(PROBLEM, CANVAS_CSV, columns=whole)
    for book in (by_id, by_header):
        assert book.id_header == "sis_id"
        assert [s.student for s in book.students] == ["c-201", "c-202", ""]
        keller, adeyemi, moreau = book.students
        assert _marks(keller) == reference.mark(RIGHT, SCHEME)
        assert _marks(adeyemi) == reference.mark(H1_SLIP, SCHEME)
        assert moreau.malformed == "no student id: its sis_id cell is empty" and moreau.line == 4


def test_canvas_without_sis_ids_uses_canvas_user_ids(tmp_path):
    rows = list(csv.reader(io.StringIO(CANVAS_CSV.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        row[2] = ""
    path = tmp_path / "no_sis.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    book = nnsolve.grade(PROBLEM, path, columns=CANVAS_MAP)
    assert book.id_header == "id" and [s.student for s in book.students] == ["4401", "4402", "4403"]


def test_a_column_left_out_with_a_dash_is_not_marked():
    given = read_submissions(MOODLE_CSV, {**MOODLE_MAP, "Response 2": "-"})
    assert given.answers == ["h1", "loss", "dL/dW2", "W2(1)"]
    assert given.students[0].cells == {a: RIGHT[a] for a in given.answers}


def test_the_kind_is_told_from_the_header():
    assert export_kind(["Surname", "ID number", "State", "Grade/8.00", "Response 1"]) == MOODLE
    assert export_kind(["name", "id", "sis_id", "attempt", "7101: Compute h1", "1.0"]) == CANVAS
    # a class CSV whose answer ids merely look alike stays a class CSV
    assert export_kind(["student", "Response 1", "y"]) is None
    assert export_kind(["student", "h1", "y"]) is None


@pytest.mark.parametrize("columns, said", [
    (None, "which answer id is each response column"),
    ({"Response 1": "h1"}, "no answer id for the response columns Response 2, Response 3, Response 4, Response 5"),
    ({**MOODLE_MAP, "Response 9": "y"}, "'Response 9', which is no response column"),
    ({**MOODLE_MAP, "Response 2": "h1"}, "two response columns are mapped to 'h1'"),
    (["h1", "y"], "5 response columns"),
    (dict.fromkeys(MOODLE_MAP, "-"), "every response column is left out"),
])
def test_a_mapping_that_does_not_account_for_every_column_is_refused(columns, said):
    with pytest.raises(ProblemError) as caught:
        read_submissions(MOODLE_CSV, columns)
    (issue,) = caught.value.issues
    assert said in issue.message and issue.line == 1


def test_an_export_without_an_id_column_is_refused(tmp_path):
    path = tmp_path / "anonymous.csv"
    path.write_text("Surname,First name,State,Grade/8.00,Response 1\nQuill,Marta,Finished,8.00,1.341\n",
                    encoding="utf-8")
    with pytest.raises(ProblemError) as caught:
        read_submissions(path, {"Response 1": "y"})
    assert "no student id column" in caught.value.issues[0].message


def test_the_command_maps_columns_and_reports_unmapped_ones(tmp_path):
    runner = CliRunner()
    mapping = ",".join(f"{k}={v}" for k, v in MOODLE_MAP.items())
    out = tmp_path / "grades.csv"
    done = runner.invoke(app, ["grade", str(PROBLEM), str(MOODLE_CSV), "--columns", mapping, "-o", str(out)])
    assert done.exit_code == 0, done.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][0] == "ID number" and [r[0] for r in rows[1:]] == ["m-101", "m-102", "", "m-104"]
    assert "line 4: no student id" in rows[3][-1]
    assert "students: 4" in done.stdout

    missing = runner.invoke(app, ["grade", str(PROBLEM), str(MOODLE_CSV)])
    assert missing.exit_code == 2 and "Response 1, Response 2" in missing.output and "--columns" in missing.output
    bad = runner.invoke(app, ["grade", str(PROBLEM), str(MOODLE_CSV), "--columns", "Response 1"])
    assert bad.exit_code == 2 and "is not COLUMN=ANSWER" in bad.output
    unknown = runner.invoke(app, ["grade", str(PROBLEM), str(MOODLE_CSV), "--columns",
                                  mapping.replace("=y", "=why")])
    assert unknown.exit_code == 2 and "why" in unknown.output


def test_columns_in_the_order_of_the_marking_scheme(tmp_path):
    # the sample problem's marking: names h1, loss, dL/dW2, W2(1) in that order; a quiz asking those four
    rows = list(csv.reader(io.StringIO(MOODLE_CSV.read_text(encoding="utf-8"))))
    four = [row[:10] + row[11:] for row in rows]                    # without Response 2 (y)
    four[0] = four[0][:9] + ["Response 1", "Response 2", "Response 3", "Response 4"]
    path = tmp_path / "four.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(four)
    done = CliRunner().invoke(app, ["grade", str(PROBLEM), str(path), "--columns", "marking", "-o",
                                    str(tmp_path / "g.csv")])
    assert done.exit_code == 0, done.output
    book = nnsolve.grade(PROBLEM, path, columns="marking")
    assert book.answers == ["h1", "loss", "dL/dW2", "W2(1)"]
    assert _marks(book.students[0]) == {a: (m, e) for a, (m, e) in reference.mark(
        {a: RIGHT[a] for a in book.answers}, SCHEME).items()}
    assert book.students[0].total == F(7)


def test_a_mapping_for_a_plain_class_csv_or_a_folder_is_refused(tmp_path):
    plain = PROBLEM.parent / "class.csv"
    with pytest.raises(ProblemError) as caught:
        read_submissions(plain, {"h1": "h1"})
    assert "responses export" in caught.value.issues[0].message
    with pytest.raises(ProblemError):
        read_submissions(tmp_path, {"Response 1": "h1"})


def test_parse_columns():
    assert parse_columns("Response 1=h1, Response 2 = y,7103=-") == {"Response 1": "h1", "Response 2": "y",
                                                                      "7103": "-"}
    assert parse_columns(" marking ") == "marking"
    with pytest.raises(ValueError, match="mapped twice"):
        parse_columns("Response 1=h1,Response 1=y")


# -- Moodle Cloze: several blanks in one response column, `part 1: …; part 2: …` --------------------------------
BLANKS = ["h1[0]", "h1[1]", "y", "loss", "dL/dW2[0][0]", "dL/dW2[1][0]", "W2(1)[0][0]", "W2(1)[1][0]"]


def _parts(answers: dict) -> list[str]:
    """A student's answers as the blanks of BLANKS, in order (each answer's numbers flattened)."""
    return [n.strip() for a in ANSWERS for n in answers[a].replace("[", "").replace("]", "").split(",")]


def _cloze_csv(tmp_path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "cloze.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Surname", "First name", "ID number", "State", "Started on", "Grade/9.00", "Response 1"])
    for student, response in rows:
        writer.writerow(["S", "F", student, "Finished", "1 December 2026", "", response])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _moodle_summary(parts: list[str]) -> str:
    """How Moodle's responses report writes a Cloze response (qtype_multianswer: 'part {i}: {response}', '; ')."""
    return "; ".join(f"part {i}: {p}" for i, p in enumerate(parts, 1))


def test_a_moodle_cloze_column_is_split_into_its_answers(tmp_path):
    path = _cloze_csv(tmp_path, [("c-1", _moodle_summary(_parts(RIGHT))), ("c-2", _moodle_summary(_parts(H1_SLIP))),
                                 ("c-3", "0.99, 0.21"), ("c-4", "")])
    book = nnsolve.grade(PROBLEM, path, columns={"Response 1": "+".join(BLANKS)})
    assert book.answers == ANSWERS          # the blanks put back together as the scheme names the answers
    right, slip, unreadable, blank = book.students
    assert _marks(right) == reference.mark(RIGHT, SCHEME)
    assert _marks(slip) == reference.mark(H1_SLIP, SCHEME)
    assert all(m.verdict == "format error" and "not a Cloze response" in m.reason for m in unreadable.answers)
    assert all(m.verdict == "format error" and "blank" in m.reason for m in blank.answers)


def test_cloze_maps_the_question_nnsolve_export_writes(tmp_path):
    """`cloze`: the blanks of the exported question, every answer asked: here dL/dW1 too, worked by hand."""
    x, w2, r = [F("1.5"), F("0.7")], [F("1.2"), F("-0.7")], F("1.341") - 1
    delta1 = [w * r for w in w2]                        # both units of layer 1 are on (u1 = [0.99, 0.21])
    dw1 = [[xi * d for d in delta1] for xi in x]
    right = dict(RIGHT)
    right["dL/dW1"] = str([[str(v) for v in row] for row in dw1]).replace("'", "")
    order = ["h1", "y", "loss", "dL/dW2", "dL/dW1", "W2(1)"]
    parts = [n.strip() for a in order for n in right[a].replace("[", "").replace("]", "").split(",")]
    path = _cloze_csv(tmp_path, [("c-1", _moodle_summary(parts)),
                                 ("c-2", _moodle_summary(parts[:-1]))])
    book = nnsolve.grade(PROBLEM, path, columns={"Response 1": "cloze"})
    assert book.answers == order
    full, short = book.students
    assert full.total == 2 + 1 + 1 + 2 + 1 + 2          # every answer right: the scheme's marks in all
    assert all("parts 1, 2" in m.reason and "parts 1–12" in m.reason for m in short.answers)
