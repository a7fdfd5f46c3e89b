"""The exam-paper corpus cases of the calculus family: each encoded file reproduces the corpus's answer
(computed independently of nnsolve; formulas compared by meaning) and `nnsolve check` flags exactly the
key answers the corpus calls wrong (BITS Q3(a)'s Adam weights)."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve
from nnsolve.check import check_file
from nnsolve.engine.number import mp, to_float
from nnsolve.engine.symbolic import Verdict

from corpus_files import case_files

ROOT = Path(__file__).resolve().parent.parent
CASES = {c["id"]: c for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
WANTED = {"s000-q2d-tanh-derivative", "s001-bits-ms23-q4-gd-three-steps", "s001-bits-ms23-q6-error-surface-minimum",
          "s001-bits-mk-q5b-hessian-classification", "s001-bits-reg-q2b-exponential-loss-sgd-update",
          "s001-bits-reg-q3a-adam-one-step"}
FILES = case_files(WANTED)
WRONG = {"s001-bits-reg-q3a-adam-one-step": {"w1(1)", "w2(1)"}}


def formula(solution, quantity, index=()):
    return solution.value(quantity)[index]


def test_every_calculus_case_is_encoded():
    assert set(FILES) == WANTED


def test_tanh_derivative_through_its_output():
    s = nnsolve.solve(FILES["s000-q2d-tanh-derivative"])
    # corpus: f'(u) = 1 - tanh(u)^2 = 1 - y^2
    assert formula(s, "df/du").matches("1 - tanh(u)^2") and formula(s, "df/du").matches("1 - y^2")
    assert formula(s, "df/du").text == "1 - y^2"


def test_gradient_descent_steps_are_exact():
    s = nnsolve.solve(FILES["s001-bits-ms23-q4-gd-three-steps"])
    correct = CASES["s001-bits-ms23-q4-gd-three-steps"]["correct_answer"]
    assert [s.value(f"p({k})")[()] for k in (1, 2, 3)] == [Fraction(x) for x in correct["exact"]]
    assert s.value("S1")[0] == Fraction(correct["true_minimiser"])


def test_error_surface_has_a_saddle_and_no_minimum():
    s = nnsolve.solve(FILES["s001-bits-ms23-q6-error-surface-minimum"])
    correct = CASES["s001-bits-ms23-q6-error-surface-minimum"]["correct_answer"]
    for v, expected in zip(("w1", "w2", "w3"), correct["gradient"]):
        assert formula(s, f"dE/dw{v[-1]}").matches(expected)
    point = s.value("S1")
    assert point[0] == Fraction(correct["stationary_point"]["w1"]) and point[1] == Fraction(correct["stationary_point"]["w2"])
    assert isinstance(point[2], Verdict) and point[2].matches(correct["stationary_point"]["w3"])
    assert s.value("E(S1)")[()] == correct["E_at_stationary"]
    assert s.value("hessian(S1)")[:2, :2].tolist() == correct["hessian_w1w2"]
    assert s.value("det_hessian(S1)")[()] == correct["hessian_det"]
    assert s.value("type(S1)")[()].matches("saddle")
    assert s.value("infimum")[()] == -mp.inf and s.value("stationary_count")[()] == 1


def test_hessian_classification():
    s = nnsolve.solve(FILES["s001-bits-mk-q5b-hessian-classification"])
    correct = CASES["s001-bits-mk-q5b-hessian-classification"]["correct_answer"]
    rows = correct["hessian"].strip("[]").split("], [")
    expected = [[cell.strip() for cell in row.split(",")] for row in rows]
    for i in range(2):
        for j in range(2):
            assert formula(s, "hessian", (i, j)).matches(expected[i][j])
    for point in ("(0, 0)", "(4, 3)"):
        name = point.replace(" ", "")
        assert s.value(f"hessian({name})").tolist() == correct[point]["hessian"]
        assert s.value(f"gradient({name})").tolist() == correct[point]["gradient"]
        assert s.value(f"type({name})")[()].matches(correct[point]["type"])


def test_exponential_loss_update():
    s = nnsolve.solve(FILES["s001-bits-reg-q2b-exponential-loss-sgd-update"])
    corpus = CASES["s001-bits-reg-q2b-exponential-loss-sgd-update"]["correct_answer"]["delta_w"]
    assert corpus == "eta * exp(-y w.x) * y * x"
    for i in (1, 2):     # the corpus's vector form, component by component
        written = corpus.replace("w.x", "*(w1*x1 + w2*x2)").replace("* x", f"* x{i}")
        assert formula(s, f"delta_w{i}").matches(written)


def test_adam_step_matches_standard_adam():
    s = nnsolve.solve(FILES["s001-bits-reg-q3a-adam-one-step"])
    correct = CASES["s001-bits-reg-q3a-adam-one-step"]["correct_answer"]
    for k, v in enumerate(("w1", "w2")):
        assert s.value(f"dL/d{v}(0)")[()] == correct["grad"][k]
        assert math.isclose(to_float(s.value(f"m.{v}(1)")[()]), correct["v"][k], rel_tol=1e-12)
        assert math.isclose(to_float(s.value(f"s.{v}(1)")[()]), correct["s"][k], rel_tol=1e-12)
        assert math.isclose(to_float(s.value(f"{v}(1)")[()]), correct["reading_a_standard_bias_corrected"][k],
                            rel_tol=1e-8)


@pytest.mark.parametrize("case_id", sorted(WANTED))
def test_check_flags_exactly_the_wrong_key_answers(case_id):
    report = check_file(FILES[case_id])
    wrong = {r.target for r in report.results if not r.ok}
    assert wrong == WRONG.get(case_id, set())
    assert CASES[case_id]["key_correct"] is (not wrong)
