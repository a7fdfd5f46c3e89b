"""Moodle XML export, read back by an independent parser (xml.dom.minidom, not the ElementTree that wrote it) and
checked for the elements Moodle's XML import requires: a category, then per question its name, question text,
general feedback, grade, and a numerical answer with its tolerance or cloze blanks in Moodle's syntax. The numbers
and tolerances are worked out here by hand, not read from nnsolve."""
from __future__ import annotations

import re
from fractions import Fraction as F
from pathlib import Path
from xml.dom import minidom

import pytest

from nnsolve.publish.export import export
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]
GRADING = ROOT / "examples" / "grading"
# Moodle's cloze grammar for one blank: {weight:TYPE:=answer:tolerance} (NUMERICAL) or {weight:TYPE:=answer}
CLOZE = re.compile(r"\{(\d+):(NUMERICAL|SHORTANSWER):=((?:[^\\}:]|\\.)*)(?::([^}]*))?\}")


def _read(path: Path):
    return minidom.parseString(path.read_bytes())


def _text(element, tag: str) -> str:
    node = element.getElementsByTagName(tag)[0].getElementsByTagName("text")[0]
    return "".join(child.data for child in node.childNodes)


def test_the_grading_example_as_moodle_cloze(tmp_path):
    out = tmp_path / "quiz.xml"
    export([GRADING], "moodle", out)
    doc = _read(out)
    questions = doc.getElementsByTagName("question")
    assert [q.getAttribute("type") for q in questions] == ["category", "cloze"]
    assert _text(questions[0], "category") == "$course$/top/nnsolve/grading"
    cloze = questions[1]
    for required in ("name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "hidden"):
        assert cloze.getElementsByTagName(required), required
    assert cloze.getElementsByTagName("questiontext")[0].getAttribute("format") == "html"
    blanks = CLOZE.findall(_text(cloze, "questiontext"))
    # the answers asked, worked by hand: x = [1.5, 0.7], u1 = W1ᵀx + b1, h1 = ReLU(u1), y = W2ᵀh1 + b2
    h1 = [F("0.5") * F("1.5") + F("0.2") * F("0.7") + F("0.1"), F("-0.3") * F("1.5") + F("0.8") * F("0.7") + F("0.1")]
    y = F("1.2") * h1[0] - F("0.7") * h1[1] + F("0.3")
    loss = (y - 1) ** 2 / 2
    numbers = [F(v) for _, kind, v, _ in blanks if kind == "NUMERICAL"]
    assert numbers[:4] == [h1[0], h1[1], y, loss]
    tolerances = [F(t) for _, kind, _, t in blanks]
    # 4 decimals shown: ½·10⁻⁴; the loss to 3 significant figures of 0.0581…: ½·10⁻⁴ too; W2(1) to 2 decimals
    assert tolerances[0] == tolerances[2] == F(1, 20000)
    assert tolerances[3] == F(1, 2) * F(10) ** (-2 - 3 + 1)
    assert tolerances[-1] == F(1, 200)
    # weights follow the marks: h1 is worth 2 (1 an element), dL/dW1 1 (¼ an element) → 4 : 1
    weights = [int(w) for w, *_ in blanks]
    assert weights[0] == weights[1] == 4 * weights[8]
    grade = cloze.getElementsByTagName("defaultgrade")[0].firstChild.data
    assert F(grade) == 2 + 1 + 1 + 2 + 1 + 2      # h1, y, loss, dL/dW2 (1 an element), dL/dW1, W2(1)
    # the worked solution is the feedback
    assert "Conventions" in _text(cloze, "generalfeedback")


def test_one_number_is_a_numerical_question(tmp_path):
    problem = tmp_path / "one.yaml"
    problem.write_text("problem: dense_network\ntitle: one neuron\nnetwork:\n  layout: out_in\n  layers:\n"
                       "    - {W: [[0.5, 0.25]], b: [0.125], activation: identity}\n"
                       "data: {x: [2, 4]}\nask: [y]\ndigits: 3\n")
    out = tmp_path / "q.xml"
    export([problem], "moodle", out)
    question = [q for q in _read(out).getElementsByTagName("question") if q.getAttribute("type") != "category"][0]
    assert question.getAttribute("type") == "numerical"
    answer = question.getElementsByTagName("answer")[0]
    assert answer.getAttribute("fraction") == "100"
    assert F(_text(question, "answer")) == F("0.5") * 2 + F("0.25") * 4 + F("0.125")
    assert F(answer.getElementsByTagName("tolerance")[0].firstChild.data) == F(1, 2000)


def test_formulas_become_short_answers_and_are_reported(tmp_path):
    out = tmp_path / "calc.xml"
    done = export([ROOT / "examples" / "calculus" / "linear-function.yaml"], "moodle", out)
    text = _text([q for q in _read(out).getElementsByTagName("question")
                  if q.getAttribute("type") == "cloze"][0], "questiontext")
    assert "SHORTANSWER" in text
    assert any("checked by hand" in line for line in done.report())


@pytest.fixture(scope="module")
def every_example():
    from nnsolve.publish.export import collect
    return collect([ROOT / "examples"])


def test_every_example_exports_as_it_is(every_example, tmp_path):
    """Every problem under examples/ (solved once here) written both ways and read back."""
    from nnsolve.publish.moodle import moodle_xml
    from nnsolve.publish.qti import qti_zip
    from tests.publish.test_qti import read_package

    doc = minidom.parseString(moodle_xml(every_example.questions).encode("utf-8"))
    asked = [q for q in doc.getElementsByTagName("question") if q.getAttribute("type") != "category"]
    assert len(asked) == len(every_example.questions) > 100
    blanks = sum(len(CLOZE.findall(_text(q, "questiontext"))) or 1 for q in asked)
    assert blanks == sum(len(q.blanks) for q in every_example.questions)
    (tmp_path / "all.zip").write_bytes(qti_zip(every_example.questions, "all"))
    assert len(read_package(tmp_path / "all.zip")) == blanks
    assert every_example.skipped            # the folder's CSVs, snippets and .expect.yaml files are counted


@pytest.mark.parametrize("target, name", [("moodle", "quiz.xml"), ("qti", "quiz.zip")])
def test_the_command_exports_a_folder(tmp_path, target, name):
    run = invoke("export", ROOT / "examples" / "recurrent", "--to", target, "-o", tmp_path / name)
    assert run.exit_code == 0, run.stderr
    assert (tmp_path / name).stat().st_size > 0 and "written" in run.stderr


def test_refusals_are_located(tmp_path):
    assert invoke("export", tmp_path / "missing.yaml", "--to", "moodle", "-o", tmp_path / "q.xml").exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    run = invoke("export", empty, "--to", "moodle", "-o", tmp_path / "q.xml")
    assert run.exit_code == 2 and "no problem files" in run.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("problem: dense_network\nnetwork:\n  layers:\n    - {W: [[1, 2]], b: [0, 0]}\ndata: {x: [1, 2]}\n")
    run = invoke("export", broken, "--to", "moodle", "-o", tmp_path / "q.xml")
    assert run.exit_code == 2 and "line" in run.stderr
    assert not (tmp_path / "q.xml").exists()
    run = invoke("export", GRADING, "--to", "moodle", "-o", tmp_path)
    assert run.exit_code == 2 and "folder" in run.stderr
    # a scheme's element marks are read as the grader reads them (a ragged matrix: an internal error before)
    ragged = tmp_path / "ragged.yaml"
    ragged.write_text((GRADING / "problem.yaml").read_text().replace("dL/dW2: {element_marks: 1,",
                                                                     "dL/dW2: {element_marks: [[1, 2], [3]],"))
    run = invoke("export", ragged, "--to", "qti", "-o", tmp_path / "q.zip")
    assert run.exit_code == 2 and "marking.dL/dW2.element_marks: rows have different lengths" in run.stderr
