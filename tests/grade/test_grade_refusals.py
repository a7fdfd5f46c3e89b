"""What stops `nnsolve grade` (exit 2, located): a marking scheme it cannot honour, a submissions file that is no
class list, an answer column that names nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from nnsolve.cli import app

PROBLEM = Path(__file__).resolve().parents[2] / "examples" / "grading" / "problem.yaml"
PLAIN = PROBLEM.read_text(encoding="utf-8").split("\n# The marking scheme")[0] + "\n"
PLAIN_LINES = PLAIN.count("\n")
CLASS = 'student,h1,y\ns1,"[0.99, 0.21]",1.341\n'


def _grade(tmp_path, marking: str = "", submissions: str = CLASS):
    problem = tmp_path / "quiz.yaml"
    problem.write_text(PLAIN + marking, encoding="utf-8")
    answers = tmp_path / "class.csv"
    answers.write_text(submissions, encoding="utf-8")
    return CliRunner().invoke(app, ["grade", str(problem), str(answers)])


@pytest.mark.parametrize("marking, said, line", [
    ("marking:\n  h1: {markz: 2}\n", "unknown key 'markz'", 2),
    ("marking:\n  h1: {marks: 2, element_marks: 1}\n", "not both", 2),
    ("marking:\n  h1: {ecf: 1.5}\n", "between 0 and 1", 2),
    ("marking:\n  h1: {marks: -1}\n", "at least 0", 2),
    ("marking:\n  h1:\n    tolerance: {decimals: 2, figures: 3}\n", "exactly one of", 3),
    ("marking:\n  h1:\n    tolerance: {nearly: 2}\n", "unknown key 'nearly'", 3),
    ("marking:\n  h1: {element_marks: [1, 2, 3]}\n", "is a vector of 3; h1 is a vector of 2", 2),
    ("marking:\n  u9: {marks: 2}\n", "no column", 2),
    ("marking:\n  h1: {element_marks: [1, -1]}\n", "at least 0", 2),
    ("marking:\n  h1: {element_marks: [1, log(2)]}\n", "such as 1, 0.5", 2),
    ("marking:\n  h1: {element_marks: lots}\n", "expected a number", 2),
    ("marking:\n  h1: {tolerance: {relative: -0.1}}\n", "at least 0", 2),
    ("marking:\n  h1: {tolerance: {figures: 0}}\n", "at least 1", 2),
    ("marking: 3\n", "expected a mapping", 1),
])
def test_a_scheme_that_cannot_be_honoured_is_refused_with_its_line(tmp_path, marking, said, line):
    result = _grade(tmp_path, marking)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    assert f"(line {PLAIN_LINES + line})" in result.stderr


@pytest.mark.parametrize("submissions, said, line", [
    ("", "empty", None),
    ("student,h1,h1\n", "given twice", 1),
    ("student,,y\n", "no name", 1),
    ("student\ns1\n", "no answer columns", 1),
    ("student,h9\ns1,1\n", "no quantity 'h9'", 1),
])
def test_a_submissions_file_that_is_no_class_list_is_refused(tmp_path, submissions, said, line):
    result = _grade(tmp_path, "", submissions)
    assert result.exit_code == 2, result.output
    assert said in result.stderr
    if line:
        assert f"(line {line})" in result.stderr


def test_a_missing_submissions_file(tmp_path):
    problem = tmp_path / "quiz.yaml"
    problem.write_text(PLAIN, encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(problem), str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_the_id_column_may_be_named_anywhere(tmp_path):
    result = _grade(tmp_path, "", 'h1,ID number,y\n"[0.99, 0.21]",s1,1.341\n')
    assert result.exit_code == 0, result.output
    out = tmp_path / "g.csv"
    CliRunner().invoke(app, ["grade", str(tmp_path / "quiz.yaml"), str(tmp_path / "class.csv"), "-o", str(out)])
    assert out.read_text(encoding="utf-8").splitlines()[:2] == ["ID number,h1,y,h1 ECF,y ECF,total,first wrong,"
                                                               "slips,remarks", "s1,1,1,,,2,,,"]


SYMBOLIC = Path(__file__).resolve().parents[2] / "examples" / "calculus" / "symbolic-parabola.yaml"


def test_formula_answers_are_compared_symbolically(tmp_path):
    import nnsolve

    book = nnsolve.grade(SYMBOLIC, {"a": {"S1": "-b/(2*a)", "df/dx": "b + 2*a*x"}, "b": {"S1": "-b/a", "df/dx": ""}})
    a, b = book.students
    assert [m.marks for m in a.answers] == [1, 1]
    assert [m.verdict for m in b.answers] == ["wrong", "format error"]


def test_a_numeric_tolerance_on_a_formula_is_refused(tmp_path):
    problem = tmp_path / "p.yaml"
    text = SYMBOLIC.read_text(encoding="utf-8")
    problem.write_text(text + "marking:\n  S1:\n    tolerance: {absolute: 0.1}\n", encoding="utf-8")
    answers = tmp_path / "c.csv"
    answers.write_text("id,S1\na,-b/(2a)\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(problem), str(answers)])
    assert result.exit_code == 2
    assert "formula" in result.stderr and f"(line {text.count(chr(10)) + 3})" in result.stderr


def test_a_submissions_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import nnsolve
    from nnsolve.problems.errors import ProblemError

    path = tmp_path / "class.csv"
    path.write_text("student,S1\n" + "s,1\n" * 400)          # 1,611 bytes
    monkeypatch.setenv("NNSOLVE_MAX_FILE_BYTES", "1000")
    with pytest.raises(ProblemError) as e:
        nnsolve.grade(SYMBOLIC, path)
    assert "bytes" in str(e.value) and "NNSOLVE_MAX_FILE_BYTES" in str(e.value)
