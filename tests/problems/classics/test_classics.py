"""The classics family against PyTorch float64 (entropy, KL, JS, cross-entropy) and exact hand values."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch
from hypothesis import assume, given, settings, strategies as st

import nnsolve
from nnsolve.engine.number import mp, to_float
from nnsolve.problems import ProblemError, load_text
from nnsolve.problems import parse_document


def solve(*items, **extra):
    return nnsolve.solve({"problem": "classics", "compute": list(items), **extra})


# distributions as integer weights normalised exactly, some entries zero
def distributions_of(low: int, high: int):
    return st.lists(st.integers(0, 9), min_size=low, max_size=high).filter(lambda w: sum(w) > 0).map(
        lambda w: [Fraction(v, sum(w)) for v in w])


distributions = distributions_of(2, 6)


def _as_text(p):
    return [f"{v.numerator}/{v.denominator}" for v in p]


@settings(max_examples=30, deadline=None)
@given(distributions, st.sampled_from(["e", "2", "10"]))
def test_entropy_matches_torch_categorical(p, base):
    value = to_float(solve({"entropy": {"p": _as_text(p), "base": base}}).value("H")[()])
    nats = torch.distributions.Categorical(probs=torch.tensor([float(v) for v in p], dtype=torch.float64)).entropy()
    expected = nats.item() / {"e": 1, "2": math.log(2), "10": math.log(10)}[base]
    assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(1, 9)), min_size=2, max_size=6))
def test_kl_matches_torch_kl_div_when_q_covers_p(weights):
    p = [Fraction(a, sum(a for a, _ in weights) or 1) for a, _ in weights]
    q = [Fraction(b, sum(b for _, b in weights)) for _, b in weights]
    assume(sum(p) == 1)                 # at least one nonzero weight of p
    value = to_float(solve({"kl": {"p": _as_text(p), "q": _as_text(q)}}).value("KL")[()])
    pt = torch.tensor([float(v) for v in p], dtype=torch.float64)
    qt = torch.tensor([float(v) for v in q], dtype=torch.float64)
    # kl_div(input = log Q, target = P) sums P (log P − log Q), with 0 log 0 = 0
    expected = torch.nn.functional.kl_div(qt.log(), pt, reduction="sum").item()
    assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)


def test_kl_is_infinite_and_says_why_when_the_support_is_not_covered():
    step = solve({"kl": {"p": [0.5, 0.5, 0], "q": [1, 0, 0]}}).step("KL")
    assert step.value[()] == mp.inf
    assert "undefined (infinite)" in step.note and "[2]" in step.note


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6).flatmap(lambda n: st.tuples(distributions_of(n, n), distributions_of(n, n))))
def test_js_is_the_mean_of_the_two_kls_to_the_mixture_and_bounded_by_ln2(pair):
    p, q = pair
    value = to_float(solve({"js": {"p": _as_text(p), "q": _as_text(q)}}).value("JS")[()])
    pt, qt = (torch.tensor([float(v) for v in d], dtype=torch.float64) for d in (p, q))
    m = (pt + qt) / 2

    # kl_div's input log M is −inf where M = 0 (then P = Q = 0) and 0·(−inf) is nan: xlogy keeps 0 log 0 = 0
    def kl_to_m(d):
        return (torch.special.xlogy(d, d) - torch.special.xlogy(d, m)).sum()
    expected = 0.5 * (kl_to_m(pt) + kl_to_m(qt)).item()
    assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12)
    assert -1e-15 <= value <= math.log(2) + 1e-15


def test_uniform_cross_entropy_matches_torch():
    value = solve({"cross_entropy_uniform": {"classes": 10}}).value("CE")[()]
    expected = torch.nn.functional.cross_entropy(torch.zeros(1, 10, dtype=torch.float64), torch.tensor([3])).item()
    assert math.isclose(to_float(value), expected, rel_tol=1e-12)


def test_initialization_variances_are_exact():
    s = solve({"xavier": {"fan_in": 2500, "fan_out": 1024, "form": "average", "distribution": "uniform"}},
              {"he": {"fan_in": 300}})
    assert s.value("var_xavier")[()] == Fraction(2, 3524)
    assert s.value("var_he")[()] == Fraction(1, 150)
    # U(−a, a) with a = sqrt(6/(n_in + n_out)) is Glorot's uniform limit
    assert math.isclose(to_float(s.value("limit_xavier")[()]), math.sqrt(6 / 3524), rel_tol=1e-12)


@pytest.mark.parametrize("drop_last, per_epoch", [(False, 16), (True, 15)])
def test_training_iterations_match_a_dataloader(drop_last, per_epoch):
    s = solve({"training": {"samples": 1000, "batch": 64, "epochs": 3, "drop_last": drop_last}})
    loader = torch.utils.data.DataLoader(range(1000), batch_size=64, drop_last=drop_last)
    assert s.value("batches_per_epoch")[()] == len(loader) == per_epoch
    assert s.value("iterations")[()] == 3 * per_epoch


def test_repeated_kinds_get_prefixed_ids():
    s = solve({"entropy": {"p": [0.5, 0.5], "base": 2}}, {"entropy": {"p": [0.25, 0.75]}})
    assert s.value("H")[()] == 1 and s.has("entropy2.H")


@pytest.mark.parametrize("text, where", [
    ("compute:\n  - entropy: {p: [0.5, 0.6]}\n", "compute[0].entropy.p"),
    ("compute:\n  - kl: {p: [0.5, 0.5], q: [1]}\n", "compute[0].kl.q"),
    ("compute:\n  - xavier: {fan_in: 3, form: average}\n", "compute[0].xavier.fan_out"),
    ("compute:\n  - {entropy: {p: [1]}, he: {fan_in: 2}}\n", "compute[0]"),
    ("compute:\n  - entropy: {p: [1], base: 3}\n", "compute[0].entropy.base"),
])
def test_bad_input_is_located(text, where):
    with pytest.raises(ProblemError) as raised:
        parse_document(load_text("problem: classics\n" + text, "<t>"))
    message = str(raised.value)
    assert where in message and "line" in message, message
