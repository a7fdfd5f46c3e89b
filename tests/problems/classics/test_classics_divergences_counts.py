"""Cross-entropy H(P, Q), the Jensen–Shannon distance, KL in the direction asked, dropout at test time and
exactly-k sub-networks, and the pass counts with `check` naming the reading a key used. Expected values are
computed here independently: mpmath for the logarithms, math.comb and by-hand arithmetic for the counts."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

import nnsolve
from nnsolve.check import check

mpmath.mp.dps = 50
P, Q = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)], [Fraction(1, 4), Fraction(1, 4), Fraction(1, 2)]
LOG = {"e": mpmath.log, "2": lambda v: mpmath.log(v, 2), "10": mpmath.log10}


def solve(*items, **extra):
    return nnsolve.solve({"problem": "classics", "compute": list(items), **extra})


def value(solution, quantity):
    return solution.value(quantity)[()]


def mp_of(v):
    return mpmath.mpf(v.numerator) / v.denominator


@pytest.mark.parametrize("base", ["e", "2", "10"])
def test_cross_entropy_of_two_distributions(base):
    s = solve({"cross_entropy": {"p": [str(v) for v in P], "q": [str(v) for v in Q], "base": base}})
    expected = -sum(mp_of(p) * LOG[base](mp_of(q)) for p, q in zip(P, Q))
    assert abs(mpmath.mpf(str(value(s, "H(P,Q)"))) - expected) < mpmath.mpf(10) ** -40
    # in bits: −(½ log2 ¼ + ¼ log2 ¼ + ¼ log2 ½) = 1 + ½ + ¼ = 7/4 exactly
    if base == "2":
        assert value(s, "H(P,Q)") == Fraction(7, 4)


def test_cross_entropy_is_infinite_where_q_misses_p():
    s = solve({"cross_entropy": {"p": [0.5, 0.5], "q": [1, 0]}})
    assert mpmath.isinf(value(s, "H(P,Q)")) and "infinite" in s.step("H(P,Q)").note


def test_js_distance_is_the_square_root_of_the_divergence():
    s = solve({"js": {"p": [0.5, 0.5, 0], "q": [0, 0.5, 0.5], "base": 2}})
    m = [mpmath.mpf(1) / 4, mpmath.mpf(1) / 2, mpmath.mpf(1) / 4]
    half = lambda d: sum(mpmath.mpf(x) * mpmath.log(mpmath.mpf(x) / mi, 2) for x, mi in zip(d, m) if x)
    js = (half([0.5, 0.5, 0]) + half([0, 0.5, 0.5])) / 2                    # = ½ bit
    assert abs(js - mpmath.mpf(1) / 2) < mpmath.mpf(10) ** -40
    assert value(s, "JS") == Fraction(1, 2)
    assert abs(mpmath.mpf(str(value(s, "JS_distance"))) - mpmath.sqrt(js)) < mpmath.mpf(10) ** -40


R = [Fraction(1, 10), Fraction(2, 5), Fraction(1, 2)]      # KL(P‖R) ≠ KL(R‖P)


def test_kl_in_the_direction_asked_is_named_so():
    forward = solve({"kl": {"p": [str(v) for v in P], "q": [str(v) for v in R]}})
    backward = solve({"kl": {"p": [str(v) for v in P], "q": [str(v) for v in R], "direction": "Q‖P"}})
    pq = sum(mp_of(p) * mpmath.log(mp_of(p) / mp_of(q)) for p, q in zip(P, R))
    qp = sum(mp_of(q) * mpmath.log(mp_of(q) / mp_of(p)) for p, q in zip(P, R))
    assert abs(pq - qp) > mpmath.mpf(10) ** -3
    assert abs(mpmath.mpf(str(value(forward, "KL"))) - pq) < mpmath.mpf(10) ** -40
    assert abs(mpmath.mpf(str(value(backward, "KL"))) - qp) < mpmath.mpf(10) ** -40
    assert forward.step("KL").text_symbol == "KL(P‖Q)" and backward.step("KL").text_symbol == "KL(Q‖P)"


def test_check_names_a_key_that_took_kl_the_other_way():
    qp = sum(mp_of(q) * mpmath.log(mp_of(q) / mp_of(p)) for p, q in zip(P, R))
    problem = {"problem": "classics", "compute": [{"kl": {"p": [str(v) for v in P], "q": [str(v) for v in R]}}]}
    result = check(problem, answers={"KL": round(float(qp), 4)}).result("KL")
    assert not result.ok and any("KL(Q‖P)" in a for a in result.alternatives)


@pytest.mark.parametrize("inverted", [True, False])
def test_dropout_at_test_time_and_exactly_k_kept(inverted):
    s = solve({"dropout": {"units": [3, 5], "p_drop": 0.2, "kept": 6, "inverted": inverted}})
    assert list(s.value("test_active_units")) == [3, 5] and value(s, "test_active_units_total") == 8
    assert value(s, "subnetworks_kept") == 28                    # C(8, 6) = 8·7/2
    assert value(s, "subnetworks") == 256
    note = s.step("test_active_units").note
    assert ("used as trained" in note) if inverted else ("multiplied by q" in note)


def test_kept_more_than_droppable_is_refused_at_its_place():
    from nnsolve.problems import ProblemError
    with pytest.raises(ProblemError) as error:
        solve({"dropout": {"units": [2, 2], "keep": [1, 0.5], "kept": 3}})
    assert "kept" in str(error.value) and "2 droppable" in str(error.value)


@pytest.mark.parametrize("samples, batch, epochs, drop_last", [(1000, 64, 3, False), (1000, 64, 3, True),
                                                               (640, 64, 2, False), (50, 7, 4, True)])
def test_pass_counts_per_epoch_and_in_total(samples, batch, epochs, drop_last):
    per_epoch = samples // batch if drop_last else (samples + batch - 1) // batch     # by hand: floor or ceil
    for counting, factor in (("pair", 1), ("each", 2)):
        s = solve({"training": {"samples": samples, "batch": batch, "epochs": epochs, "drop_last": drop_last,
                                "pass_counting": counting}})
        assert value(s, "batches_per_epoch") == per_epoch and value(s, "iterations") == per_epoch * epochs
        assert value(s, "passes_per_epoch") == factor * per_epoch
        assert value(s, "passes") == factor * per_epoch * epochs
        assert value(s, "forward_passes") == value(s, "backward_passes") == per_epoch * epochs


def test_check_names_the_pass_reading_a_key_used():
    problem = {"problem": "classics", "compute": [{"training": {"samples": 1000, "batch": 64, "epochs": 3}}]}
    # 1000/64 = 15.6: ⌈⌉ = 16, ⌊⌋ = 15; a key with 45 iterations dropped the last batch, one with 96 passes
    # counted forward and backward separately
    # (each key on its own: one key giving both mixed ⌊⌋ and ⌈⌉, and check names a reading only when it holds
    # for every answer it changes — 45 iterations with 96 passes fits neither reading alone)
    report = check(problem, answers={"iterations": 45})
    assert any("drop_last: true" in a for a in report.result("iterations").alternatives)
    report = check(problem, answers={"passes": 96})
    assert any("pass_counting: each" in a for a in report.result("passes").alternatives)


def test_the_documented_examples_state_true_values():
    from problems.test_format_doc import problems as documented
    s = nnsolve.solve(documented()["Cross-entropy, KL both ways and the JS distance (yaml)"])
    assert value(s, "H(P,Q)") == Fraction(7, 4)
    assert s.step("kl2.KL").text_symbol == "KL(Q‖P)" and s.step("KL").text_symbol == "KL(P‖Q)"
    assert value(s, "JS") == Fraction(1, 2)
    assert abs(mpmath.mpf(str(value(s, "JS_distance"))) - mpmath.sqrt(mpmath.mpf(1) / 2)) < mpmath.mpf(10) ** -40
    s = nnsolve.solve(documented()["Passes per epoch and in total, dropout at test time (yaml)"])
    assert [value(s, q) for q in ("iterations", "passes_per_epoch", "passes", "subnetworks", "subnetworks_kept",
                                  "test_active_units_total", "test_scale")] == [48, 32, 96, 256, 28, 8, Fraction(4, 5)]


def test_the_new_items_print_with_valid_latex():
    import json
    import sys
    from pathlib import Path
    from nnsolve.render import render
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "render"))
    from render_latex_lint import latex_problems, math_spans
    s = solve({"cross_entropy": {"p": [0.5, 0.5], "q": [0.25, 0.75], "base": 10}},
              {"kl": {"p": [0.5, 0.5], "q": [0.25, 0.75], "direction": "Q||P"}},
              {"js": {"p": [0.5, 0.5], "q": [0.25, 0.75]}},
              {"training": {"samples": 100, "batch": 32, "epochs": 2, "pass_counting": "each"}},
              {"dropout": {"units": [3, 5], "keep": [1, 0.5], "kept": 2, "inverted": False}})
    text = render(s, "text")
    assert [step["id"] for step in json.loads(render(s, "json"))["steps"]] == s.ids
    for step in s.steps:
        assert f"{step.text_symbol} = " in text, step.id
    for span in math_spans(render(s, "markdown")):
        assert latex_problems(span) == [], span
