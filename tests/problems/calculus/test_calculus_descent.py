"""Descent iterations of the calculus family against torch.optim (float64) on the same function, and the
exact hand values of the lecture example."""
from __future__ import annotations

from fractions import Fraction

import pytest
import torch

from calculus_support import close, solved
from cli_runner import invoke

STEPS = 3
# a cubic surface of the BITS exam family: different curvature along w1 and w2, and a cross term
FUNCTION = "3w1^2 + 1.5w2^3 + w1 w2"
START = (1.5, -2.0)


def torch_function(w1, w2):
    return 3 * w1 ** 2 + 1.5 * w2 ** 3 + w1 * w2


def torch_iterates(make_optimizer, function=torch_function, start=START, steps=STEPS) -> list[tuple]:
    w = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    optimizer = make_optimizer(w)
    out = []
    for _ in range(steps):
        optimizer.zero_grad()
        function(*w).backward()
        optimizer.step()
        out.append(tuple(float(v.detach()) for v in w))
    return out


def our_iterates(descent: str, function=FUNCTION, start=START, steps=STEPS) -> list[tuple]:
    solution = solved(f"problem: calculus\nfunction: {function}\nstationary_points: false\nhessian: false\n"
                      f"descent: {{{descent}, steps: {steps}, start: [{start[0]}, {start[1]}]}}\n")
    return [(solution.value(f"w1({k})")[()], solution.value(f"w2({k})")[()]) for k in range(1, steps + 1)]


CASES = {
    "sgd": ("type: sgd, lr: 0.01", lambda w: torch.optim.SGD(w, lr=0.01)),
    "momentum": ("type: momentum, lr: 0.01, momentum: 0.9",
                 lambda w: torch.optim.SGD(w, lr=0.01, momentum=0.9)),
    "nesterov": ("type: nesterov, lr: 0.01, momentum: 0.9",
                 lambda w: torch.optim.SGD(w, lr=0.01, momentum=0.9, nesterov=True)),
    "adagrad": ("type: adagrad, lr: 0.1", lambda w: torch.optim.Adagrad(w, lr=0.1)),
    "rmsprop": ("type: rmsprop, lr: 0.01, rho: 0.9",
                lambda w: torch.optim.RMSprop(w, lr=0.01, alpha=0.9)),
    "adam": ("type: adam, lr: 0.1, beta1: 0.8, beta2: 0.95",
             lambda w: torch.optim.Adam(w, lr=0.1, betas=(0.8, 0.95))),
    # PyTorch's Rprop is iRprop−; lr is the initial step
    "rprop": ("type: rprop, step_init: 0.3", lambda w: torch.optim.Rprop(w, lr=0.3)),
}


@pytest.mark.parametrize("case", CASES)
def test_iterates_match_torch_optim(case):
    ours_spec, theirs = CASES[case]
    ours = our_iterates(ours_spec)
    expected = torch_iterates(theirs)
    for k, (mine, torch_values) in enumerate(zip(ours, expected), start=1):
        for a, b in zip(mine, torch_values):
            assert close(a, b, 1e-10), (case, k, float(a), b)


def test_rprop_changes_sign_and_shrinks_like_torch():
    # a large initial step overshoots the minimum of the quadratic, so the gradient's sign flips and
    # iRprop− halves the step and skips that update: the branch the small-step case never reaches
    function = "(w1 - 1)^2 + 4(w2 + 0.5)^2"
    ours = our_iterates("type: rprop, step_init: 2", function=function, start=(0.0, 0.0), steps=5)
    expected = torch_iterates(lambda w: torch.optim.Rprop(w, lr=2.0),
                              function=lambda a, b: (a - 1) ** 2 + 4 * (b + 0.5) ** 2, start=(0.0, 0.0), steps=5)
    for mine, torch_values in zip(ours, expected):
        for a, b in zip(mine, torch_values):
            assert close(a, b, 1e-10)


def adam_without_bias_correction(start, lr, beta1, beta2, eps, steps):
    """Adam as some lecture notes write it, m/(√v + ε) with the raw moments (torch.optim.Adam always
    corrects the bias, so this loop is the oracle; its gradients come from torch.autograd)."""
    w = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    m = [torch.zeros((), dtype=torch.float64) for _ in w]
    v = [torch.zeros((), dtype=torch.float64) for _ in w]
    out = []
    for _ in range(steps):
        grads = torch.autograd.grad(torch_function(*w), w)
        with torch.no_grad():
            for i, g in enumerate(grads):
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                w[i] -= lr * m[i] / (v[i].sqrt() + eps)
        out.append(tuple(float(x.detach()) for x in w))
    return out


def test_adam_without_bias_correction():
    ours = our_iterates("type: adam, lr: 0.1, beta1: 0.8, beta2: 0.95, bias_correction: false")
    expected = adam_without_bias_correction(START, 0.1, 0.8, 0.95, 1e-8, STEPS)
    for mine, theirs in zip(ours, expected):
        for a, b in zip(mine, theirs):
            assert close(a, b, 1e-10)


def test_bits_adam_case():
    """BITS: L = 3w1² + 1.5w2³ from (1.5, −2), η 0.01, β1 0.5, β2 0.9, ε 1e-8: one step moves each weight
    by almost exactly η against its gradient's sign (m̂/√v̂ = ±1 at t = 1)."""
    function = "3w1^2 + 1.5w2^3"
    ours = our_iterates("type: adam, lr: 0.01, beta1: 0.5, beta2: 0.9, eps: 1e-8", function=function, steps=1)
    expected = torch_iterates(lambda w: torch.optim.Adam(w, lr=0.01, betas=(0.5, 0.9), eps=1e-8),
                              function=lambda a, b: 3 * a ** 2 + 1.5 * b ** 3, steps=1)
    (w1, w2), = ours
    assert close(w1, expected[0][0], 1e-10) and close(w2, expected[0][1], 1e-10)
    assert abs(float(w1) - 1.49) < 1e-8 and abs(float(w2) + 2.01) < 1e-8   # ∂L/∂w1 = 9 > 0, ∂L/∂w2 = 18 > 0


GD = """\
problem: calculus
name: t
function: (2p + 3)^2
descent: {type: sgd, lr: LR, steps: STEPS, start: {p: 6}}
"""


def test_gradient_descent_on_lecture_example_is_exact():
    # ∂t/∂p = 8p + 12, so p ← p − 0.1(8p + 12) = 0.2p − 1.2: 6 → 0 → −6/5 → −36/25, in exact Fractions
    solution = solved(GD.replace("LR", "0.1").replace("STEPS", "3"))
    assert [solution.value(f"p({k})")[()] for k in (1, 2, 3)] == [Fraction(0), Fraction(-6, 5), Fraction(-36, 25)]
    assert all(isinstance(solution.value(f"p({k})")[()], Fraction) for k in (1, 2, 3))
    # t = (2p + 3)²: t(3) = (2·(−36/25) + 3)² = (3/25)²
    assert solution.value("t(3)")[()] == Fraction(9, 625)
    assert solution.value("p(0)")[()] == 6        # the start is reachable as iterate 0 too


def test_divergent_descent_is_a_verdict_not_numbers():
    # λ = 8, so η = 0.5 > 2/λ = 1/4: p + 1.5 is multiplied by 1 − 8·0.5 = −3 each update and runs away
    solution = solved(GD.replace("LR", "0.5").replace("STEPS", "60"))
    step = solution.step("convergence")
    assert step.value[()].matches("diverges")
    assert "diverges" in step.note
    assert not solution.has("p(60)")


def test_divergent_descent_cli_exits_0_with_the_message(tmp_path):
    path = tmp_path / "diverges.yaml"
    path.write_text(GD.replace("LR", "0.5").replace("STEPS", "60"))
    result = invoke("solve", path)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "diverges" in result.stdout
