"""`nnsolve check` on calculus answers: formulas compared by meaning, verdicts by synonyms, descent
numbers by value."""
from __future__ import annotations


from cli_runner import invoke
from nnsolve.check import check

CUBIC = "problem: calculus\nfunction: (w1 - w2)^3 - 2(w1^2 - w2) + w1^2 + w2^2\n"


def results(problem: str, answers: dict) -> dict:
    return {r.name: r for r in check(problem, answers).results}


def test_equivalent_forms_of_a_gradient_agree():
    # ∂f/∂w1 = 3(w1 − w2)² − 4w1 + 2w1 = 3(w1 − w2)² − 2w1, however it is arranged
    found = results(CUBIC, {"df/dw1": "3(w1-w2)^2 - 2w1",
                            "df/dw2": "-3(w1 - w2)^2 + 2 + 2w2",
                            "gradient": ["3w1^2 - 6 w1 w2 + 3 w2^2 - 2 w1", "2(1 + w2) - 3(w2 - w1)^2"]})
    assert all(r.ok for r in found.values()), {n: r.reason for n, r in found.items()}


def test_a_wrong_formula_is_flagged_with_its_difference():
    # the sign of the cube's derivative dropped: + 3(w1 − w2)² instead of − 3(w1 − w2)², off by 6(w1 − w2)²
    found = results(CUBIC, {"df/dw2": "3(w1 - w2)^2 + 2 + 2w2"})["df/dw2"]
    assert not found.ok
    assert found.reason.startswith("differs by")
    assert "6·w1^2" in found.reason and "12·w1·w2" in found.reason


def test_an_unreadable_formula_is_a_mismatch_not_a_crash():
    found = results(CUBIC, {"df/dw1": "3(w1 - w2"})["df/dw1"]
    assert not found.ok and "cannot be read" in found.reason


def test_a_derivative_written_with_a_named_part():
    # y = tanh(u): dy/du = 1 − tanh(u)² = 1 − y²; 1 − y is not it
    problem = "problem: calculus\nname: y\nfunction: tanh(u)\nin_terms_of: {y: tanh(u)}\n"
    found = results(problem, {"dy/du": "1 - y^2"})
    assert found["dy/du"].ok
    assert not results(problem, {"dy/du": "1 - y"})["dy/du"].ok
    assert results(problem, {"dy/du": "1 - tanh(u)^2"})["dy/du"].ok


def test_verdicts_agree_by_synonym_and_disagree_by_meaning():
    # x² + y² has its minimum at 0 (H = 2I); x² − y² a saddle (H = diag(2, −2))
    bowl = "problem: calculus\nfunction: x^2 + y^2\npoints: [[0, 0]]\n"
    assert results(bowl, {"type(P1)": "local min"})["type(P1)"].ok
    assert results(bowl, {"type(P1)": "Local Minimum"})["type(P1)"].ok
    wrong = results(bowl, {"type(P1)": "saddle"})["type(P1)"]
    assert not wrong.ok and "local minimum" in wrong.reason
    saddle = "problem: calculus\nfunction: x^2 - y^2\npoints: [[0, 0]]\n"
    assert not results(saddle, {"type(P1)": "local minimum"})["type(P1)"].ok


def test_descent_numbers_are_checked_by_value():
    # p ← 0.2p − 1.2 from 6: 0, −1.2, −1.44
    problem = "problem: calculus\nname: t\nfunction: (2p + 3)^2\ndescent: {type: sgd, lr: 0.1, steps: 3, start: {p: 6}}\n"
    found = results(problem, {"p(1)": 0, "p(2)": -1.2, "p(3)": -1.44, "t(2)": 0.36})
    assert all(r.ok for r in found.values()), {n: r.reason for n, r in found.items()}
    # −1.4 would agree (−1.44 to the key's 1 decimal); −1.46 claims 2 decimals and is 0.02 off
    assert results(problem, {"p(3)": -1.4})["p(3)"].ok
    off = results(problem, {"p(2)": -1.2, "p(3)": -1.46})["p(3)"]
    assert not off.ok and off.reason.startswith("differs by")


def test_cli_check_exit_codes(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(CUBIC + "answers:\n  df/dw1: 3(w1-w2)^2 - 2w1\n  type(S1): saddle\n  minimum: no minimum\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(CUBIC + "answers:\n  type(S1): local min\n")
    ok, wrong = invoke("check", good), invoke("check", bad)
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert wrong.exit_code == 1 and "WRONG" in wrong.stdout and "Traceback" not in wrong.stderr


ADAM = ("problem: calculus\nname: L\nfunction: 3 w1^2 + 1.5 w2^3\nstationary_points: false\nhessian: false\n"
        "descent: {type: adam, lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-8, steps: 1, start: {w1: 1.5, w2: -2}}\n")


def test_a_key_without_adams_bias_correction_is_named():
    # no bias correction: m = 4.5, s = 8.1 → w1 = 1.5 − 0.01·4.5/(√8.1 + 1e-8) = 1.5 − 0.0158114 = 1.4842 (4 dp);
    # standard Adam gives 1.49, so the key is wrong, and the report says which convention it followed
    found = results(ADAM, {"w1(1)": "1.4842"})["w1(1)"]
    assert not found.ok
    assert "Adam without bias correction" in found.alternatives
