"""`nnsolve grade` on a synthetic class of the sample problem, its marks computed independently by the plain-Python
reference marker beside this file (Fractions by hand)."""
from __future__ import annotations

import csv
import io
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.cli import app

import grade_reference as reference

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

PROBLEM = EXAMPLES / "grading" / "problem.yaml"
SCHEME_TEXT = PROBLEM.read_text(encoding="utf-8")
PLAIN_TEXT = SCHEME_TEXT.split("\n# The marking scheme")[0] + "\n"      # the same problem without `marking:`
SCHEME = {"h1": {"marks": 2}, "loss": {"tolerance": {"figures": 3}},
          "dL/dW2": {"element_marks": 1, "ecf": "0.5"}, "W2(1)": {"marks": 2, "ecf": "0.5",
                                                                    "tolerance": {"decimals": 2}}}
ANSWERS = ["h1", "y", "loss", "dL/dW2", "W2(1)"]

# students whose every cell reads: marked by the reference marker
CLASS = {
    "right": {"h1": "[0.99, 0.21]", "y": "1.341", "loss": "0.0581405", "dL/dW2": "[[0.33759], [0.07161]]",
              "W2(1)": "[[1.166241], [-0.707161]]"},
    "fractions": {"h1": "[99/100, 21/100]", "y": "1341/1000", "loss": "0.0581405",
                  "dL/dW2": "[[0.33759], [0.07161]]", "W2(1)": "[[1.166241], [-0.707161]]"},
    "two-dp": {"h1": "[0.99, 0.21]", "y": "1.34", "loss": "0.06", "dL/dW2": "[[0.34], [0.07]]",
               "W2(1)": "[[1.17], [-0.71]]"},
    # a slip in h1 (0.31 for 0.21) carried through layer 2, the loss, the gradient and the update
    "h1-slip": {"h1": "[0.99, 0.31]", "y": "1.271", "loss": "0.0367205", "dL/dW2": "[[0.26829], [0.08401]]",
                "W2(1)": "[[1.173171], [-0.708401]]"},
    # W1 used the other way round (u1 = W1 x + b1), everything after it worked from that
    "transposed-W1": {"h1": "[0.64, 0.96]", "y": "0.396", "loss": "0.182408",
                      "dL/dW2": "[[-0.38656], [-0.57984]]", "W2(1)": "[[1.238656], [-0.642016]]"},
    # y wrong with no slip before it; what follows from it carried
    "y-wrong": {"h1": "[0.99, 0.21]", "y": "2.5", "loss": "1.125", "dL/dW2": "[[1.485], [0.315]]",
                "W2(1)": "[[1.0515], [-0.7315]]"},
    # one element of the gradient right, one wrong
    "half-gradient": {"h1": "[0.99, 0.21]", "y": "1.341", "loss": "0.0581", "dL/dW2": "[[0.33759], [0.7161]]",
                      "W2(1)": "[[1.166241], [-0.707161]]"},
}
# cells that are no answer, each with what the message must say
BAD_CELLS = {
    "blank": ("", "blank"),
    "text": ("about one", "expected a number"),
    "dash": ("—", "expected a number"),
    "nan": ("NaN", "finite"),
    "wrong-shape": ("[0.99, 0.21, 0.5]", "vector of 2"),
    "unclosed": ("[0.99, 0.21", "closing bracket"),
    "nested-too-deep": ("[" * 40 + "1" + "]" * 40, "levels of nesting"),
    "empty-list": ("[]", "empty list"),
}


def _csv(students: dict, extra_lines: list[str] = ()) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *ANSWERS])
    for name, cells in students.items():
        writer.writerow([name, *(cells.get(a, "") for a in ANSWERS)])
    return out.getvalue() + "".join(line + "\n" for line in extra_lines)


@pytest.fixture
def plain_problem(tmp_path):
    path = tmp_path / "quiz.yaml"
    path.write_text(PLAIN_TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("scheme", [False, True], ids=["no scheme", "scheme"])
def test_marks_match_the_reference_marker(tmp_path, plain_problem, scheme):
    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv(CLASS), encoding="utf-8")
    book = nnsolve.grade(PROBLEM if scheme else plain_problem, submissions)
    assert [s.student for s in book.students] == list(CLASS)
    for student in book.students:
        expected = reference.mark(CLASS[student.student], SCHEME if scheme else {})
        got = {m.answer: (m.marks, m.ecf) for m in student.answers}
        assert got == expected, student.student
        assert student.total == sum(marks for marks, _ in expected.values())


def test_out_of_follows_the_scheme(plain_problem):
    with_scheme = nnsolve.grade(PROBLEM, {"a": CLASS["right"]})
    assert with_scheme.out_of == {"h1": 2, "y": 1, "loss": 1, "dL/dW2": 2, "W2(1)": 2}
    assert with_scheme.students[0].total == 8
    plain = nnsolve.grade(plain_problem, {"a": CLASS["right"]})
    assert plain.out_of == dict.fromkeys(ANSWERS, 1)


def test_ecf_chain_is_reported_with_what_it_follows(plain_problem):
    book = nnsolve.grade(plain_problem, {"s": CLASS["h1-slip"]})
    (student,) = book.students
    marks = {m.answer: m for m in student.answers}
    assert student.first_wrong == "h1"
    assert marks["h1"].verdict == "wrong" and marks["h1"].marks == 0
    assert [a for a in ANSWERS if marks[a].ecf] == ["y", "loss", "dL/dW2", "W2(1)"]
    assert marks["y"].follows == ["h1"] and marks["W2(1)"].follows == ["dL/dW2"]


def test_transposed_weights_slip_is_named(plain_problem):
    book = nnsolve.grade(plain_problem, {"s": CLASS["transposed-W1"]})
    (student,) = book.students
    assert student.first_wrong == "h1"
    assert any("W1" in slip and "transpose" in slip for slip in student.slips)
    assert book.summary()["slips"] == [(student.slips[0], 1)]


@pytest.mark.parametrize("kind", list(BAD_CELLS))
def test_a_bad_cell_is_a_format_error_for_that_cell(plain_problem, kind):
    cell, said = BAD_CELLS[kind]
    book = nnsolve.grade(plain_problem, {"s": {**CLASS["right"], "h1": cell}})
    marks = {m.answer: m for m in book.students[0].answers}
    assert marks["h1"].verdict == "format error" and marks["h1"].marks == 0
    assert said in marks["h1"].reason
    # the rest is marked as ever (right given the key: nothing to carry)
    assert all(marks[a].marks == 1 for a in ANSWERS[1:])


def test_a_transposed_matrix_is_said_as_such(plain_problem):
    book = nnsolve.grade(plain_problem, {"s": {**CLASS["right"], "dL/dW2": "[[0.33759, 0.07161]]"}})
    marks = {m.answer: m for m in book.students[0].answers}
    assert marks["dL/dW2"].verdict == "format error" and marks["dL/dW2"].marks == 0
    assert "transposed" in marks["dL/dW2"].reason and "1×2" in marks["dL/dW2"].reason


def test_malformed_rows_are_reported_with_their_line_and_kept(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    text = _csv({"first": CLASS["right"]}, ['short,"[0.99, 0.21]",1.341'])
    submissions.write_bytes(text.encode() + b"bytes,\xff\xfe,1,2,3,4\n" + _csv({"last": CLASS["two-dp"]})
                            .split("\n", 1)[1].encode())
    book = nnsolve.grade(plain_problem, submissions)
    assert [s.student for s in book.students] == ["first", "short", "bytes", "last"]
    short, undecoded = book.students[1], book.students[2]
    assert short.line == 3 and "3 cells" in short.malformed and short.total == 0
    assert undecoded.line == 4 and "UTF-8" in undecoded.malformed and undecoded.total == 0
    assert book.students[0].total == 5 and book.students[3].total == 5
    assert [(s, line) for s, line, _ in book.summary()["malformed_rows"]] == [("short", 3), ("bytes", 4)]


def test_a_folder_of_answer_files(tmp_path, plain_problem):
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "ann.yaml").write_text("h1: [0.99, 0.31]\ny: 1.271\nloss: 0.0367205\n", encoding="utf-8")
    (folder / "bo.json").write_text('{"answers": {"h1": [0.99, 0.21], "y": "1.341"}}', encoding="utf-8")
    (folder / "cy.yaml").write_text("h1: [0.99, 0.21\n", encoding="utf-8")
    book = nnsolve.grade(plain_problem, folder)
    assert book.answers == ["h1", "y", "loss"]
    ann, bo, cy = book.students
    assert [(m.marks, m.ecf) for m in ann.answers] == [(0, False), (1, True), (1, True)]
    assert [m.verdict for m in bo.answers] == ["right", "right", "format error"]     # no loss: blank
    assert cy.malformed and "cy.yaml" in cy.malformed


# -- the command ---------------------------------------------------------------------------------------------------
def _run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _rows(path):
    return list(csv.reader(path.read_text(encoding="utf-8").splitlines()))


def test_the_command_writes_the_gradebook_and_a_summary(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv(CLASS), encoding="utf-8")
    out = tmp_path / "grades.csv"
    result = _run("grade", plain_problem, submissions, "-o", out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows[0] == ["student", *ANSWERS, *(f"{a} ECF" for a in ANSWERS), "total", "first wrong", "slips",
                       "remarks"]
    assert [r[0] for r in rows[1:]] == list(CLASS)
    slip = rows[1 + list(CLASS).index("h1-slip")]
    assert slip[1:6] == ["0", "1", "1", "1", "1"] and slip[6:11] == ["", "yes", "yes", "yes", "yes"]
    assert slip[11] == "4" and slip[12] == "h1"
    totals = [sum(m for m, _ in reference.mark(CLASS[s], {}).values()) for s in CLASS]
    assert f"students: {len(CLASS)}" in result.stdout
    assert f"mean total: {_decimal(sum(totals, Fraction(0)) / len(CLASS))} / 5" in result.stdout
    assert "facility" in result.stdout and "h1:" in result.stdout


def _decimal(value: Fraction) -> str:
    """To 4 decimals, written out by hand (no nnsolve formatter)."""
    scaled = round(value * 10000)
    text = f"{scaled // 10000}.{scaled % 10000:04d}".rstrip("0").rstrip(".")
    return text


def test_moodle_and_canvas_layouts(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv({"s1": CLASS["right"], "s2": CLASS["h1-slip"]}), encoding="utf-8")
    moodle, canvas = tmp_path / "moodle.csv", tmp_path / "canvas.csv"
    assert _run("grade", plain_problem, submissions, "-o", moodle, "--layout", "moodle").exit_code == 0
    assert _run("grade", plain_problem, submissions, "-o", canvas, "--layout", "canvas").exit_code == 0
    title = "Quiz 3: forward pass, backprop and one SGD step"
    rows = _rows(moodle)
    assert rows[0] == ["ID number", title, "Feedback"]
    assert [r[:2] for r in rows[1:]] == [["s1", "5"], ["s2", "4"]]
    assert "first wrong step: h1" in rows[2][2]
    rows = _rows(canvas)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", title]
    assert rows[1] == ["Points Possible", "", "", "", "", "5"]
    assert rows[2:] == [["", "", "s1", "", "", "5"], ["", "", "s2", "", "", "4"]]


def test_feedback_files(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv({"s/1": CLASS["transposed-W1"], "s2": {**CLASS["right"], "y": "—"}}),
                           encoding="utf-8")
    folder = tmp_path / "feedback"
    result = _run("grade", plain_problem, submissions, "--feedback", folder)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["s2.md", "s_1.md"]
    first = (folder / "s_1.md").read_text(encoding="utf-8")
    assert "first wrong step is `h1`: you wrote [0.64, 0.96], the right value is [0.99, 0.21]" in first
    assert "carried forward" in first and "transpose" in first
    second = (folder / "s2.md").read_text(encoding="utf-8")
    assert "format error" in second and "expected a number" in second


def test_feedback_as_html_pages(tmp_path, plain_problem):
    """The same feedback as self-contained HTML: well-formed (every tag closed, read by html.parser), the wrong step's
    row marked wrong beside the right value, nothing fetched from elsewhere."""
    from html.parser import HTMLParser

    class Balance(HTMLParser):
        VOID = {"meta", "br", "hr", "img", "link"}

        def __init__(self):
            super().__init__()
            self.open, self.rows, self.cells = [], [], None

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.open.append(tag)
            if tag == "tr":
                self.cells = (dict(attrs).get("class"), [])
                self.rows.append(self.cells)
            assert tag not in ("script", "link", "img"), tag

        def handle_endtag(self, tag):
            assert self.open.pop() == tag

        def handle_data(self, data):
            if self.cells is not None and self.open and self.open[-1] in ("td", "code"):
                self.cells[1].append(data)

    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv({"s/1": CLASS["transposed-W1"]}), encoding="utf-8")
    folder = tmp_path / "feedback"
    result = _run("grade", plain_problem, submissions, "--feedback", folder, "--feedback-format", "html")
    assert result.exit_code == 0, result.output
    assert [p.name for p in folder.iterdir()] == ["s_1.html"]
    page = Balance()
    page.feed((folder / "s_1.html").read_text(encoding="utf-8"))
    assert page.open == []
    h1 = next(cells for kind, cells in page.rows if cells and cells[0] == "h1")
    assert h1[1:3] == ["[0.64, 0.96]", "[0.99, 0.21]"]
    assert next(kind for kind, cells in page.rows if cells and cells[0] == "h1") == "wrong"


def test_the_sample_class_in_examples(tmp_path):
    """The class docs/grading.md works through: the students whose cells all read are marked as the reference
    marker marks them, the others as the docs say; the gradebook and summary shown there are the command's."""
    sample = EXAMPLES / "grading" / "class.csv"
    out = tmp_path / "grades.csv"
    result = _run("grade", PROBLEM, sample, "-o", out)
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert rows[0][:6] == ["student", *ANSWERS]
    given = {row[0]: dict(zip(ANSWERS, row[1:])) for row in list(csv.reader(sample.read_text().splitlines()))[1:]}
    assert [r[0] for r in rows[1:]] == list(given)
    readable = ["s001", "s002", "s003", "s004", "s008"]
    for row in rows[1:]:
        if row[0] in readable:
            expected = reference.mark(given[row[0]], SCHEME)
            assert row[1:6] == [_decimal(expected[a][0]) for a in ANSWERS], row[0]
            assert row[6:11] == ["yes" if expected[a][1] else "" for a in ANSWERS], row[0]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["s005"][4:6] == ["0", "0"] and "transposed" in by_id["s005"][14]
    assert by_id["s006"][2:4] == ["0", "0"] and "—" in by_id["s006"][14] and "NaN" in by_id["s006"][14]
    assert by_id["s007"][11] == "0" and "line 8" in by_id["s007"][14]
    docs = (EXAMPLES.parent / "docs" / "grading.md").read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8") in docs
    assert result.stdout in docs


def test_what_follows_from_an_answer_marked_by_element_names_the_answer():
    book = nnsolve.grade(PROBLEM, {"s": CLASS["h1-slip"]})
    marks = {m.answer: m for m in book.students[0].answers}
    assert marks["W2(1)"].follows == ["dL/dW2"] and marks["W2(1)"].ecf
    assert marks["dL/dW2"].marks == 1 and marks["dL/dW2"].out_of == 2      # two elements, each ½ of 1 by ECF


def test_a_student_past_the_time_limit_is_said_not_marked(monkeypatch, plain_problem):
    from nnsolve.grading import marker
    from nnsolve.limits import DeadlineExceeded

    judge = marker.Marker.judge

    def slow_for_y_wrong(self, values):
        if values.get("y") is not None and values["y"].reshape(-1)[0] == Fraction(5, 2):
            raise DeadlineExceeded(1, marker.TIMEOUT_HINT)
        return judge(self, values)

    monkeypatch.setattr(marker.Marker, "judge", slow_for_y_wrong)
    book = nnsolve.grade(plain_problem, {"a": CLASS["right"], "b": CLASS["y-wrong"]}, timeout=30)
    a, b = book.students
    assert a.total == 5
    assert b.total == 0 and b.malformed.startswith("not marked:") and "--timeout" in b.malformed
    assert [(s, why) for s, _, why in book.summary()["malformed_rows"]] == [("b", b.malformed)]


def test_the_command_takes_a_timeout(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    submissions.write_text(_csv({"s": CLASS["right"]}), encoding="utf-8")
    assert _run("grade", plain_problem, submissions, "--timeout", "0").exit_code == 0
    refused = _run("grade", plain_problem, submissions, "--timeout", "soon")
    assert refused.exit_code == 2 and "--timeout" in refused.stderr


def test_element_and_alias_columns(plain_problem):
    """A column may name one element (`dL/dW2[1][0]`) or an alias (`delta2` for dL/du2): marked as `check` reads
    them, and carried forward from the student's own earlier answers."""
    right, slip = reference.exact(), CLASS["h1-slip"]
    book = nnsolve.grade(plain_problem, {
        "a": {"h1": "[0.99, 0.21]", "delta2": str(right["y"][0] - 1), "dL/dW2[1][0]": "0.07161"},
        "b": {"h1": slip["h1"], "delta2": "0.271", "dL/dW2[1][0]": "0.08401"},
    })
    a, b = book.students
    assert [(m.marks, m.ecf) for m in a.answers] == [(1, False), (1, False), (1, False)]
    # 0.271 = y − t from the slipped h1 (1.271 − 1); 0.31 · 0.271 = 0.08401
    assert [(m.marks, m.ecf) for m in b.answers] == [(0, False), (1, True), (1, True)]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_spreadsheet_separated_by_semicolons_or_tabs(tmp_path, plain_problem, separator):
    submissions = tmp_path / "class.csv"
    submissions.write_text(separator.join(["student", "h1", "y"]) + "\n"
                           + separator.join(["s1", "[0.99, 0.21]", "1.341"]) + "\n", encoding="utf-8")
    book = nnsolve.grade(plain_problem, submissions)
    assert book.answers == ["h1", "y"] and book.students[0].total == 2


def test_an_id_given_twice_is_marked_twice_and_said(tmp_path, plain_problem):
    submissions = tmp_path / "class.csv"
    submissions.write_text('student,h1\ns/1,"[0.99, 0.21]"\ns_1,"[0.99, 0.31]"\ns/1,"[0.99, 0.21]"\n',
                           encoding="utf-8")
    folder = tmp_path / "feedback"
    result = _run("grade", plain_problem, submissions, "--feedback", folder, "-o", tmp_path / "g.csv")
    assert result.exit_code == 0, result.output
    rows = _rows(tmp_path / "g.csv")
    assert [r[0] for r in rows[1:]] == ["s/1", "s_1", "s/1"]
    assert rows[3][-1] == "the id 's/1' is given again (first on line 2)"
    assert sorted(p.name for p in folder.iterdir()) == ["s_1-2.md", "s_1-3.md", "s_1.md"]
