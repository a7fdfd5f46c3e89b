"""The perceptron family against an independent plain-Python loop of the perceptron rule."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings, strategies as st

from nnsolve.api import solve

small = st.integers(-4, 4).map(lambda k: Fraction(k, 2))


def reference(w, b, eta, theta, compare, bipolar, X, T, epochs):
    """The textbook loop, written independently of nnsolve: returns final (w, b, epochs run, converged)."""
    low = -1 if bipolar else 0
    for epoch in range(1, epochs + 1):
        changed = False
        for x, t in zip(X, T):
            z = sum(wi * xi for wi, xi in zip(w, x)) + b
            y = 1 if (z > theta if compare == ">" else z >= theta) else low
            if y != t:
                changed = True
                w = [wi + eta * (t - y) * xi for wi, xi in zip(w, x)]
                b = b + eta * (t - y)
        if not changed:
            return w, b, epoch, True
    return w, b, epochs, False


def _yaml(w, b, eta, theta, compare, bipolar, X, T, epochs):
    fmt = lambda v: f'"{v}"'
    return (f"problem: perceptron_learning\nweights: [{', '.join(map(fmt, w))}]\nbias: {fmt(b)}\n"
            f"eta: {fmt(eta)}\nthreshold: {fmt(theta)}\ncompare: '{compare}'\n"
            f"encoding: {'bipolar' if bipolar else 'binary'}\nepochs: {epochs}\n"
            f"inputs: [{', '.join('[' + ', '.join(map(fmt, x)) + ']' for x in X)}]\n"
            f"targets: [{', '.join(map(str, T))}]\nask: [w, b, epochs_run, converged]\n")


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_matches_the_plain_loop(data):
    n = data.draw(st.integers(1, 3))
    m = data.draw(st.integers(1, 5))
    bipolar = data.draw(st.booleans())
    w = data.draw(st.lists(small, min_size=n, max_size=n))
    b, theta = data.draw(small), data.draw(small)
    eta = data.draw(st.sampled_from([Fraction(1, 10), Fraction(1, 2), Fraction(1)]))
    compare = data.draw(st.sampled_from([">", ">="]))
    X = data.draw(st.lists(st.lists(small, min_size=n, max_size=n), min_size=m, max_size=m))
    T = data.draw(st.lists(st.sampled_from([-1, 1] if bipolar else [0, 1]), min_size=m, max_size=m))
    epochs = data.draw(st.integers(1, 6))
    solution = solve((_yaml(w, b, eta, theta, compare, bipolar, X, T, epochs)))
    w_ref, b_ref, run, converged = reference(w, b, eta, theta, compare, bipolar, X, T, epochs)
    assert list(solution.value("w")) == w_ref
    assert solution.value("b")[()] == b_ref
    assert solution.value("epochs_run")[()] == run
    assert solution.value("converged")[()] == int(converged)


def test_and_gate_converges_and_xor_is_reported_not_separable():
    base = "problem: perceptron_learning\nweights: [0, 0]\nbias: 0\neta: 1\nepochs: 50\ngate: {}\n"
    and_gate = solve((base.format("AND")))
    assert and_gate.value("converged")[()] == 1 and and_gate.value("separable")[()] == 1
    xor = solve((base.format("XOR")))
    assert xor.value("converged")[()] == 0 and xor.value("separable")[()] == 0
    assert "never converge" in xor.step("separable").note
