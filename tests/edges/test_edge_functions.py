"""The edges of the functions, as a mathematician takes them: a positive number too small to print is positive, a
probability that is 1 to 50 digits still has a logarithm of its complement, and what cannot be represented is
refused with its place."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import yaml

import nnsolve
from edge_problems import single_unit, value
from nnsolve.engine.number import format_number
from nnsolve.problems import ProblemError

REFERENCE = mpmath.MPContext()
REFERENCE.dps = 60
CLOSE = REFERENCE.mpf(10) ** -45


def agrees(ours, expected) -> bool:
    return bool(REFERENCE.almosteq(REFERENCE.mpf(ours), expected, rel_eps=CLOSE))


def test_sigmoid_of_minus_a_million_is_a_positive_number_too_small_to_print():
    solution = nnsolve.solve(single_unit(x="1e6", w="-1", b="0", activation="sigmoid", loss="bce", target="1"))
    y = value(solution, "h1")
    expected = 1 / (1 + REFERENCE.exp(10 ** 6))
    assert 0 < y < REFERENCE.mpf(10) ** -400000 and agrees(y, expected)
    assert format_number(y, 4) == "3.297e-434295"
    assert agrees(value(solution, "loss"), -REFERENCE.log(expected))          # −ln σ(−10⁶) ≈ 10⁶


@pytest.mark.parametrize("u", ["200", "1e6"])
@pytest.mark.parametrize("fused", [True, False])
def test_bce_where_the_sigmoid_is_one_to_fifty_digits(u, fused):
    # t = 0 and ŷ = σ(u) = 1 − e^(−u)…: L = softplus(u) and ∂L/∂u = σ(u), not log(0) and not 1/0
    problem = single_unit(x=u, w="1", b="0", activation="sigmoid", loss="bce", target="0",
                          conventions={"fused_output_gradient": fused})
    solution = nnsolve.solve(problem)
    x = REFERENCE.mpf(u)
    assert agrees(value(solution, "loss"), x + REFERENCE.log1p(REFERENCE.exp(-x)))
    assert agrees(value(solution, "dL/du1"), 1 / (1 + REFERENCE.exp(-x)))


def test_softmax_of_a_million_gives_a_positive_cross_entropy():
    problem = {"problem": "dense_network",
               "network": {"layout": "in_out", "layers": [{"W": [["1", "-1"]], "b": ["0", "0"],
                                                           "activation": "softmax"}]},
               "data": {"x": ["1e6"], "target": ["1", "0"]}, "loss": {"type": "cross_entropy"}}
    solution = nnsolve.solve(problem)
    loss = value(solution, "loss")
    assert loss > 0 and agrees(loss, REFERENCE.log1p(REFERENCE.exp(-2 * 10 ** 6)))      # ≈ 10^−868589
    assert agrees(solution.value("h1")[1], REFERENCE.exp(-2 * 10 ** 6) / (1 + REFERENCE.exp(-2 * 10 ** 6)))


def graph(x) -> dict:
    return {"problem": "computation_graph", "nodes": {"a": "exp(x)", "b": "exp(a)", "c": "exp(b)"}, "values": {"x": x}}


@pytest.mark.parametrize("x, digits", [(2, 45), (3, 40)])
def test_exp_exp_exp_in_a_computation_graph(x, digits):
    # e^(e^(e^3)) ≈ 10^(2.3·10^8): its argument e^(e^3) is known to 50 digits, so the result to about 41
    solution = nnsolve.solve(graph(x))
    a = REFERENCE.exp(x)
    c = REFERENCE.exp(REFERENCE.exp(a))
    within = REFERENCE.mpf(10) ** -digits
    assert REFERENCE.almosteq(REFERENCE.mpf(value(solution, "c")), c, rel_eps=within)
    assert REFERENCE.almosteq(REFERENCE.mpf(value(solution, "dL/dx")), c * REFERENCE.exp(a) * a, rel_eps=within)


@pytest.mark.parametrize("x, why", [
    (6, "is not known to the digits shown"),   # e^(1.6·10^175) from a 50-digit argument: not one digit is right
    (7, "too large to represent"),             # e^(10^476): past any representation
])
def test_exp_exp_exp_past_what_can_be_known_is_refused_with_its_place(x, why):
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(graph(x))
    issue, = refused.value.issues
    assert "cannot compute c" in issue.message and why in issue.message


def test_log_of_zero_in_a_loss_needs_its_clamp():
    # a person rounding to 2 decimals has ŷ = σ(10) = 0.99995… as 1.00, and ln(1 − ŷ) = ln 0 for t = 0 …
    problem = single_unit(x="10", w="1", b="0", activation="sigmoid", loss="bce", target="0")
    text = yaml.safe_dump(problem, sort_keys=False)
    with pytest.raises(ProblemError) as refused:        # … refused, with its place, where the file gives no clamp
        nnsolve.solve(text, round_intermediates=2)
    issue, = refused.value.issues
    assert issue.path == "loss" and "log(0) is undefined" in issue.message
    assert text.splitlines()[issue.line - 1].startswith("loss:")
    clamped = nnsolve.solve({**problem, "loss": {"type": "bce", "log_zero": "-100"}}, round_intermediates=2)
    assert value(clamped, "loss") == 100                # … and the clamp, stated in the header, where it does
    assert "log(0) ≈ -100" in dict(clamped.conventions)["loss"]
    exact = nnsolve.solve(problem)                      # unrounded, ŷ < 1 and the loss is softplus(10)
    assert agrees(value(exact, "loss"), 10 + REFERENCE.log1p(REFERENCE.exp(-10)))


def test_an_unfused_bce_gradient_at_a_given_zero_or_one_is_refused_with_its_reason():
    problem = {"problem": "dense_network", "network": {"layout": "in_out", "layers": []},
               "data": {"x": ["1"], "target": ["0"]}, "loss": {"type": "bce", "log_zero": "-100"},
               "ask": ["input_gradient"]}
    with pytest.raises(ProblemError) as refused:
        nnsolve.solve(problem)
    issue, = refused.value.issues
    assert "∂L/∂ŷ is infinite at ŷ = 1" in issue.message


def test_kl_divergence_off_the_support_is_infinite_and_checks():
    from nnsolve.check import check
    problem = {"problem": "classics", "compute": [{"kl": {"p": [0.5, 0.5], "q": [1, 0]}}]}
    solution = nnsolve.solve(problem)
    assert REFERENCE.isinf(value(solution, solution.asked[0]))
    report = check(problem, answers={solution.asked[0]: "inf"})
    assert report.ok
    report = check(problem, answers={solution.asked[0]: "1e999"})
    assert not report.ok


def test_sigmoid_and_tanh_derivatives_keep_their_digits_where_the_output_is_one():
    # σ'(u) = σ(u)σ(−u) and tanh'(u) = sech²(u): at u = 60, 1 − y² would be 0 to 50 digits
    for activation, expected in (("sigmoid", lambda u: REFERENCE.exp(-u) / (1 + REFERENCE.exp(-u)) ** 2),
                                 ("tanh", lambda u: REFERENCE.sech(u) ** 2)):
        solution = nnsolve.solve(single_unit(x="60", w="1", b="0", activation=activation, target="0",
                                             ask=["gradients"]))
        error = value(solution, "h1")
        assert agrees(value(solution, "dL/du1"), error * expected(REFERENCE.mpf(60)))
    at_zero = nnsolve.solve(single_unit(x="0", w="1", b="0", activation="sigmoid", target="0", ask=["gradients"]))
    assert value(at_zero, "dL/du1") == Fraction(1, 8)      # (½ − 0)·σ'(0) = ½·¼, exact as before
