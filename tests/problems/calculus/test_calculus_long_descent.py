"""Long descents (the first updates recorded, the rest carried by each optimizer's rule), the tolerance stop,
learning-rate schedules and an optimizer's initial state: against optimizers written out here in mpmath at 80
digits, torch.optim in float64, and fractions by hand."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import torch

from calculus_support import solved
from nnsolve.problems.errors import ProblemError


def adam_by_hand(steps: int, lr, beta1, beta2, eps, start, grad, m=None, s=None, t0=0):
    """Adam (bias-corrected, ε outside the root) in mpmath at 80 digits."""
    with mpmath.workdps(80):
        w = [mpmath.mpf(x) for x in start]
        m = [mpmath.mpf(x) for x in (m or [0] * len(w))]
        s = [mpmath.mpf(x) for x in (s or [0] * len(w))]
        lr, b1, b2, eps = (mpmath.mpf(x) for x in (lr, beta1, beta2, eps))
        for t in range(1, steps + 1):
            g = grad(w)
            m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
            s = [b2 * si + (1 - b2) * gi * gi for si, gi in zip(s, g)]
            c1, c2 = 1 - b1 ** (t0 + t), 1 - b2 ** (t0 + t)
            w = [wi - lr * (mi / c1) / (mpmath.sqrt(si / c2) + eps) for wi, mi, si in zip(w, m, s)]
        return w


@pytest.fixture(autouse=True)
def eighty_digits():
    """Comparisons in mpmath's global context at 80 digits (its default 15 would round our 50-digit values)."""
    with mpmath.workdps(80):
        yield


def problem(descent: str, function: str = "x^2 + 10y^2", extra: str = "") -> str:
    return f"problem: calculus\nfunction: {function}\nstationary_points: false\nhessian: false\n" \
           f"descent: {{{descent}}}\n{extra}"


def test_ten_thousand_adam_steps_match_adam_written_out_at_80_digits():
    solution = solved(problem("type: adam, lr: 0.1, steps: 10000, start: [1, 1]"))
    expected = adam_by_hand(10000, "0.1", "0.9", "0.999", "1e-8", [1, 1], lambda w: [2 * w[0], 20 * w[1]])
    for name, value in zip(("x", "y"), expected):
        ours = mpmath.mpf(solution.value(f"{name}(10000)")[()])
        assert abs(ours - value) <= abs(value) * mpmath.mpf(10) ** -40, name
    f = expected[0] ** 2 + 10 * expected[1] ** 2
    assert abs(mpmath.mpf(solution.value("f(10000)")[()]) - f) <= f * mpmath.mpf(10) ** -40


def test_the_table_shows_head_ellipsis_and_tail_and_the_full_trace_on_request():
    short = solved(problem("type: sgd, lr: 0.05, steps: 30, start: [1, 1]"))
    rows = short.value("iterations")
    assert [str(r[0]) for r in rows] == ["0", "1", "2", "3", "4", "5", "⋮", "26", "27", "28", "29", "30"]
    full = solved(problem("type: sgd, lr: 0.05, steps: 30, start: [1, 1], trace: full"))
    rows = full.value("iterations")
    assert len(rows) == 31
    # gradient descent on x² + 10y² with η = 1/20: x ← 9/10·x, y ← 0·y, exactly
    assert rows[30][1] == Fraction(9, 10) ** 30 and rows[30][2] == 0


TORCH = {
    "sgd": ("type: sgd, lr: 0.01", lambda w: torch.optim.SGD(w, lr=0.01)),
    "momentum": ("type: momentum, lr: 0.01, momentum: 0.9", lambda w: torch.optim.SGD(w, lr=0.01, momentum=0.9)),
    "nesterov": ("type: nesterov, lr: 0.01, momentum: 0.9",
                 lambda w: torch.optim.SGD(w, lr=0.01, momentum=0.9, nesterov=True)),
    "adagrad": ("type: adagrad, lr: 0.1", lambda w: torch.optim.Adagrad(w, lr=0.1)),
    "rmsprop": ("type: rmsprop, lr: 0.01, rho: 0.9", lambda w: torch.optim.RMSprop(w, lr=0.01, alpha=0.9)),
    "adam": ("type: adam, lr: 0.05, beta1: 0.8, beta2: 0.95",
             lambda w: torch.optim.Adam(w, lr=0.05, betas=(0.8, 0.95))),
}


@pytest.mark.parametrize("case", TORCH)
def test_a_long_run_of_every_carried_optimizer_matches_torch(case):
    ours_spec, make = TORCH[case]
    steps = 200
    solution = solved(problem(f"{ours_spec}, steps: {steps}, start: [1.5, -2]", "3w1^2 + w1 w2 + 2w2^2 + w1^4"))
    w = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.5, -2.0)]
    optimizer = make(w)
    for _ in range(steps):
        optimizer.zero_grad()
        (3 * w[0] ** 2 + w[0] * w[1] + 2 * w[1] ** 2 + w[0] ** 4).backward()
        optimizer.step()
    for name, theirs in zip(("w1", "w2"), (v.detach() for v in w)):
        ours = float(solution.value(f"{name}({steps})")[()])
        assert abs(ours - float(theirs)) <= 1e-9 * max(1.0, abs(float(theirs))), (case, name)


def test_nesterov_look_ahead_form_carried_matches_the_look_ahead_written_out():
    steps = 40
    solution = solved(problem(f"type: nesterov, form: lookahead, lr: 0.02, momentum: 0.9, steps: {steps}, "
                              "start: [1, -1]"))
    w, v = [Fraction(1), Fraction(-1)], [Fraction(0), Fraction(0)]

    def grad(p):
        return [2 * p[0], 20 * p[1]]

    for _ in range(steps):
        g = grad([wi + Fraction(9, 10) * vi for wi, vi in zip(w, v)])
        v = [Fraction(9, 10) * vi - Fraction(2, 100) * gi for vi, gi in zip(v, g)]
        w = [wi + vi for wi, vi in zip(w, v)]
    for name, value in zip(("x", "y"), w):
        ours = mpmath.mpf(solution.value(f"{name}({steps})")[()])
        assert abs(ours - mpmath.mpf(value.numerator) / value.denominator) <= mpmath.mpf(10) ** -45


@pytest.mark.parametrize("steps", [15, 40])
def test_the_run_stops_when_the_gradient_norm_falls_below_the_tolerance(steps):
    # x² with η = 1/4: x_k = 2^−k, ∂f/∂x = 2^(1−k); the first k with 2^(1−k) < 10⁻³ is k = 11
    solution = solved(problem(f"type: sgd, lr: 0.25, steps: {steps}, start: [1], tolerance: 0.001", "x^2"))
    k = next(k for k in range(100) if 2 * Fraction(1, 2 ** k) < Fraction(1, 1000))
    assert solution.value("stopped_at")[()] == k
    assert solution.value(f"x({k})")[()] == Fraction(1, 2 ** k)
    assert not solution.has(f"x({k + 1})")


def test_a_schedule_list_and_a_schedule_formula():
    listed = solved(problem("type: sgd, steps: 3, start: [1], lr_schedule: [0.1, 0.2, 0.3]", "x^2"))
    x = Fraction(1)
    for rate in (Fraction(1, 10), Fraction(2, 10), Fraction(3, 10)):
        x -= rate * 2 * x
    assert listed.value("x(3)")[()] == x
    long = solved(problem("type: sgd, steps: 30, start: [1], lr_schedule: 0.5/(1 + t)", "x^2"))
    x = Fraction(1)
    for t in range(1, 31):
        x -= Fraction(1, 2) / (1 + t) * 2 * x
    assert abs(mpmath.mpf(long.value("x(30)")[()]) - mpmath.mpf(x.numerator) / x.denominator) <= \
        mpmath.mpf(10) ** -45 * abs(mpmath.mpf(x.numerator) / x.denominator)


def test_a_step_decay_reaches_the_carried_updates():
    solution = solved(problem("type: sgd, lr: 0.25, lr_decay: {factor: 0.5, every: 10}, steps: 40, start: [1]",
                              "x^2"))
    x = Fraction(1)
    for t in range(1, 41):
        x -= Fraction(1, 4) * Fraction(1, 2) ** ((t - 1) // 10) * 2 * x
    assert solution.value("x(40)")[()] == x


def test_an_initial_velocity_and_adam_state_resumed():
    momentum = solved(problem("type: momentum, lr: 0.1, momentum: 0.5, steps: 2, start: [1], initial_state: {v: [2]}",
                              "x^2"))
    x, v = Fraction(1), Fraction(2)
    for _ in range(2):
        v = Fraction(1, 2) * v + 2 * x
        x -= Fraction(1, 10) * v
    assert momentum.value("x(2)")[()] == x
    for steps, state in ((3, "{m: [0.5, -1], s: [0.25, 4]}"), (30, "{m: {x: 0.5, y: -1}, s: {x: 0.25, y: 4}}")):
        adam = solved(problem(f"type: adam, lr: 0.1, steps: {steps}, start: [1, 2], "
                              f"initial_state: {state}, previous_steps: 7"))
        expected = adam_by_hand(steps, "0.1", "0.9", "0.999", "1e-8", [1, 2], lambda w: [2 * w[0], 20 * w[1]],
                                m=["0.5", -1], s=["0.25", 4], t0=7)
        for name, value in zip(("x", "y"), expected):
            ours = mpmath.mpf(adam.value(f"{name}({steps})")[()])
            assert abs(ours - value) <= abs(value) * mpmath.mpf(10) ** -40, (steps, name)


def test_an_iterate_an_answer_names_is_recorded_from_the_carried_run():
    solution = solved(problem("type: sgd, lr: 0.05, steps: 100, start: [1, 1]", extra="answers: {x(50): 0}\n"))
    assert mpmath.mpf(solution.value("x(50)")[()]) == mpmath.mpf(Fraction(9, 10) ** 50)


@pytest.mark.parametrize("descent, where", [
    ("type: sgd, lr: 0.1, steps: 2, start: [1], tolerance: 0", "descent.tolerance"),
    ("type: sgd, steps: 3, start: [1], lr_schedule: [0.1]", "descent.lr_schedule"),
    ("type: sgd, steps: 3, start: [1], lr_schedule: 0.1 x", "descent.lr_schedule"),
    ("type: sgd, lr: 0.1, steps: 3, start: [1], initial_state: {v: [1]}", "descent.initial_state"),
    ("type: adam, steps: 3, start: [1], initial_state: {m: [1, 2]}", "descent.initial_state.m"),
    ("type: adam, steps: 3, start: [1], initial_state: {v: [1]}", "descent.initial_state"),
    ("type: momentum, steps: 3, start: [1], lr: 0.1, lr_schedule: [0.1, 0.1, 0.1]", "descent.lr_schedule"),
    ("type: sgd, lr: 0.1, steps: 200000, start: [1]", "descent.steps"),
])
def test_run_keys_that_cannot_work_are_refused_at_their_place(descent, where):
    with pytest.raises(ProblemError) as caught:
        solved(problem(descent, "x^2"))
    assert where in str(caught.value)


def adaptive_by_hand(kind: str, steps: int, inside: bool, corrected: bool = True):
    """RMSProp (ρ = 0.9) or Adam (β = 0.9, 0.999) on x² + 10y² from (1, 1), η = 0.01, ε = 10⁻⁸ inside or
    outside the root, at 80 digits."""
    with mpmath.workdps(80):
        w, m, s = [mpmath.mpf(1)] * 2, [mpmath.mpf(0)] * 2, [mpmath.mpf(0)] * 2
        eps, lr = mpmath.mpf(10) ** -8, mpmath.mpf("0.01")
        for t in range(1, steps + 1):
            g = [2 * w[0], 20 * w[1]]
            if kind == "rmsprop":
                rho = mpmath.mpf("0.9")
                s = [rho * si + (1 - rho) * gi ** 2 for si, gi in zip(s, g)]
                top, size = g, s
            else:
                b1, b2 = mpmath.mpf("0.9"), mpmath.mpf("0.999")
                m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
                s = [b2 * si + (1 - b2) * gi ** 2 for si, gi in zip(s, g)]
                top, size = (([mi / (1 - b1 ** t) for mi in m], [si / (1 - b2 ** t) for si in s])
                             if corrected else (m, s))
            w = [wi - lr * a / (mpmath.sqrt(b + eps) if inside else mpmath.sqrt(b) + eps)
                 for wi, a, b in zip(w, top, size)]
        return w


@pytest.mark.parametrize("spec, kind, inside, corrected", [
    ("type: rmsprop, lr: 0.01, rho: 0.9, eps_inside_sqrt: true", "rmsprop", True, True),
    ("type: adam, lr: 0.01, eps_inside_sqrt: true", "adam", True, True),
    ("type: adam, lr: 0.01, bias_correction: false", "adam", False, False),
])
def test_carried_variants_of_the_adaptive_rules(spec, kind, inside, corrected):
    steps = 60
    solution = solved(problem(f"{spec}, steps: {steps}, start: [1, 1]"))
    expected = adaptive_by_hand(kind, steps, inside, corrected)
    for name, value in zip(("x", "y"), expected):
        ours = mpmath.mpf(solution.value(f"{name}({steps})")[()])
        assert abs(ours - value) <= abs(value) * mpmath.mpf(10) ** -40, name


@pytest.mark.parametrize("form", ["pytorch", "sutskever", "ema"])
def test_carried_momentum_forms_stay_exact_fractions(form):
    steps, beta, lr = 30, Fraction(1, 2), Fraction(1, 10)
    solution = solved(problem(f"type: momentum, form: {form}, lr: 0.1, momentum: 0.5, steps: {steps}, start: [1]",
                              "x^2 - x"))
    x, v = Fraction(1), Fraction(0)
    for _ in range(steps):
        g = 2 * x - 1
        if form == "sutskever":
            v = beta * v - lr * g
            x = x + v
        else:
            v = beta * v + ((1 - beta) * g if form == "ema" else g)
            x = x - lr * v
    assert solution.value(f"x({steps})")[()] == x


# gradient descent with η = 1 on f = −1.5x² + 4/3·x³ is the logistic map x ← 4x(1 − x): chaotic, every update
# doubles an error, so a run carried at 65 digits keeps none of them after about 200 updates
def chaotic(steps: int) -> str:
    return problem(f"type: sgd, lr: 1, steps: {steps}, start: [0.3]", "-1.5x^2 + 4/3 x^3")


def test_a_chaotic_run_is_refused_by_its_verification_and_a_short_one_verified():
    with pytest.raises(ProblemError) as caught:
        solved(chaotic(150))
    assert "descent.verify" in str(caught.value) and "magnifies rounding" in str(caught.value)
    solution = solved(chaotic(40))
    with mpmath.workdps(200):
        x = mpmath.mpf(3) / 10
        for _ in range(40):
            x = 4 * x * (1 - x)
        assert abs(mpmath.mpf(solution.value("x(40)")[()]) - x) <= abs(x) * mpmath.mpf(10) ** -45
    assert any(name == "verification" and "agrees to 50" in said for name, said in solution.conventions)


def test_a_long_run_says_when_it_is_not_verified():
    solution = solved(problem("type: adam, lr: 0.1, steps: 10000, start: [1, 1]"))
    assert any(name == "verification" and "not made again" in said for name, said in solution.conventions)


def test_carried_rprop_matches_torch():
    steps = 200
    solution = solved(problem(f"type: rprop, step_init: 0.3, steps: {steps}, start: [1.5, -2]",
                              "3w1^2 + w1 w2 + 2w2^2 + w1^4"))
    w = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.5, -2.0)]
    optimizer = torch.optim.Rprop(w, lr=0.3)      # PyTorch's Rprop is iRprop−
    for _ in range(steps):
        optimizer.zero_grad()
        (3 * w[0] ** 2 + w[0] * w[1] + 2 * w[1] ** 2 + w[0] ** 4).backward()
        optimizer.step()
    for name, theirs in zip(("w1", "w2"), (v.detach() for v in w)):
        assert abs(float(solution.value(f"{name}({steps})")[()]) - float(theirs)) <= 1e-9, name


@pytest.mark.parametrize("variant", ["rprop+", "rprop-", "irprop+", "irprop-"])
def test_carried_rprop_variants_by_hand(variant):
    # f = x² − 3x from x = 0 with Δ₀ = 1, η⁺ = 1.2, η⁻ = 0.5, written out here in fractions
    steps = 25
    solution = solved(problem(f"type: rprop, variant: {variant}, step_init: 1, steps: {steps}, start: [0]",
                              "x^2 - 3x"))

    def sign(v):
        return (v > 0) - (v < 0)

    x, g_prev, delta, change, f_prev = Fraction(0), None, Fraction(1), Fraction(0), None
    for _ in range(steps):
        g, f = 2 * x - 3, x * x - 3 * x
        agree = None if g_prev is None else sign(g_prev * g)
        if agree is not None:
            delta = min(Fraction(6, 5) * delta, 50) if agree > 0 else max(delta / 2, Fraction(1, 10 ** 6)) \
                if agree < 0 else delta
        kept = g if agree is None or variant == "rprop-" else (0 if agree < 0 else g)
        if agree is None or variant in ("rprop-", "irprop-"):
            change = -sign(kept if variant == "irprop-" else g) * delta
        elif agree < 0:
            change = -change if variant == "rprop+" or f > f_prev else 0
        else:
            change = -sign(g) * delta
        g_prev, f_prev, x = kept, f, x + change
    assert solution.value(f"x({steps})")[()] == x
