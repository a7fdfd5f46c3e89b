"""`check` on huge, tiny and infinite answers and values, and what a check of a deep network may cost."""
from __future__ import annotations

import gc

import pytest

import nnsolve
from edge_problems import single_unit
from nnsolve.check import check, variants
from nnsolve.engine.computation import Computation
from nnsolve.problems import ProblemError

TINY = single_unit(x="1e6", w="-1", b="0", activation="sigmoid", loss="bce", target="1")     # ŷ = σ(−10⁶)


def verdicts(problem, answers) -> dict[str, bool]:
    return {r.name: r.ok for r in check(problem, answers=answers).results}


@pytest.mark.parametrize("written, ok", [
    ("3.297e-434295", True), ("3.3e-434295", True), ("3.4e-434295", False),   # σ(−10⁶) = 3.2968…·10^−434295
    ("0", False), ("1e-999999999", False), ("1e-300", False),
    (0.0, True), ("0.0000", True),                       # written to 1 or 4 decimals, it is 0
])
def test_answers_for_a_value_too_small_to_print(written, ok):
    assert verdicts(TINY, {"h1": [written]}) == {"h1": ok}


@pytest.mark.parametrize("written", ["1e999", "1e400", "-1e-999999999", 10 ** 5000, "1e300", float("inf")],
                         ids=["1e999", "1e400", "-1e-999999999", "int-of-5001-digits", "1e300", "float-inf"])
def test_answers_past_the_exact_range_are_compared_not_crashed_on(written):
    report = check(single_unit(), answers={"loss": written})      # ½(3·2 + 0.5 − 1)² = 15.125
    result, = report.results
    assert not result.ok and result.reason.startswith("differs by")


def test_a_huge_exact_value_against_keys_of_every_size():
    steps = 30
    rnn = {"problem": "recurrent", "layout": "out_in",
           "weights": {"W": [[1]], "V": [["1e10"]], "b": [0], "U": [[1]]}, "x": [[1]] * steps, "h0": [0],
           "cell": {"activation": "relu", "input_weight": "W", "recurrent_weight": "V", "bias": "b"}}
    assert verdicts(rnn, {"h30": ["1e290"], "h29": ["1.0000000001e280"], "h28": ["1e999"]}) == \
        {"h30": True, "h29": True, "h28": False}


def test_infinity_agrees_with_infinity_only():
    kl = {"problem": "classics", "compute": [{"kl": {"p": [0.5, 0.5], "q": [1, 0]}}]}
    assert verdicts(kl, {"KL": "inf"}) == {"KL": True}
    assert verdicts(kl, {"KL": "∞"}) == {"KL": True}
    assert verdicts(kl, {"KL": "-inf"}) == {"KL": False}
    assert verdicts(kl, {"KL": "1e999"}) == {"KL": False}
    with pytest.raises(ProblemError, match="NaN"):
        check(kl, answers={"KL": "nan"})


def deep(layers: int) -> dict:
    return {"problem": "dense_network",
            "network": {"layout": "in_out", "layers": [{"W": [["0.5", "-0.3"], ["0.2", "0.7"]], "b": ["0.1", "-0.1"],
                                                        "activation": "tanh"}] * layers},
            "data": {"x": ["1", "2"], "target": ["0.5", "0.5"]}, "loss": {"type": "mse"},
            "optimizer": {"type": "sgd", "lr": "0.1"},
            "answers": {"y": [0.1234, 0.5678], "loss": 0.25, "dL/dW1": [[0.001, 0.002], [0.003, 0.004]],
                        "W1(1)": [[0.5, -0.3], [0.2, 0.7]]}}


def test_a_deep_check_keeps_only_answered_values_and_bounds_its_re_solves(monkeypatch):
    kept, explaining = [], []
    solve = variants.Variants._solve

    def counted(self, model, places, pins, carry=False, working=""):
        result = solve(self, model, places, pins, carry, working)
        kept.append(result)
        # carrying the key's numbers forward decides agreement, so it is not an explaining re-solve
        explaining.append(model is not self.model or (bool(pins) and not carry) or bool(working))
        return result
    monkeypatch.setattr(variants.Variants, "_solve", counted)
    monkeypatch.setenv("NNSOLVE_MAX_EXPLAINING_VALUES", "0")       # the fewest: MIN_EXPLAINING_SOLVES
    report = check(deep(20))
    assert [r.ok for r in report.results] == [False, False, False, True]
    assert sum(explaining) <= variants.MIN_EXPLAINING_SOLVES
    answered = {"h20", "loss", "dL/dW1", "W1(1)"}
    assert all(k is None or set(k.values) <= answered for k in kept)


def test_finished_re_solves_are_freed_with_the_cycle_collector_off(monkeypatch):
    # the `nnsolve` command turns the collector off; a check's re-solves are reference cycles
    monkeypatch.setattr(variants, "GARBAGE_VALUES", 1000)     # a collection every dozen re-solves or so
    enabled = gc.isenabled()
    gc.disable()
    try:
        check(deep(3))
        alive = sum(type(o) is Computation for o in gc.get_objects())
    finally:
        if enabled:
            gc.enable()
    assert alive <= 15      # 46 without any collection


def test_a_diverging_check_is_quick_and_honest():
    problem = single_unit(optimizer={"type": "sgd", "lr": 10, "steps": 1000},
                          answers={"W1(1000)": [["1e999"]], "loss": 15.125, "u1": [6.5]})
    assert {r.name: r.ok for r in check(problem).results} == {"u1": True, "loss": True, "W1(1000)": False}
    nnsolve.solve(problem)
