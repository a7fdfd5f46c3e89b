"""Derivatives of random exam-style functions: the family's exact gradient and Hessian at a point against
torch.autograd in float64 and, independently, against central differences in 60-digit mpmath."""
from __future__ import annotations

import math

import mpmath
import torch
from hypothesis import given, settings, strategies as st

from calculus_support import close, flat, high_precision, solved

VARIABLES = ("x", "y", "w")


class Term:
    """One random sub-expression, as the text a problem file holds and as the same function in torch
    and in mpmath (each built from the same choices, never from the text)."""

    def __init__(self, text: str, in_torch, in_mpmath):
        self.text, self.in_torch, self.in_mpmath = text, in_torch, in_mpmath


def _leaf(choice):
    if isinstance(choice, str):
        index = VARIABLES.index(choice)
        return Term(choice, lambda v, i=index: v[i], lambda v, i=index: v[i])
    numerator, denominator = choice
    text = f"{numerator}" if denominator == 1 else f"({numerator}/{denominator})"
    return Term(text, lambda v: torch.tensor(numerator / denominator, dtype=torch.float64),
                lambda v: mpmath.mpf(numerator) / denominator)


def _unary(name: str, a: Term) -> Term:
    # log and sqrt only of 1 + (…)², positive everywhere, so every point is in the domain
    table = {
        "exp": (f"exp({a.text})", torch.exp, mpmath.exp),
        "tanh": (f"tanh({a.text})", torch.tanh, mpmath.tanh),
        "sigmoid": (f"sigmoid({a.text})", torch.sigmoid, lambda z: 1 / (1 + mpmath.exp(-z))),
        # log1p(eᶻ), not F.softplus, whose threshold makes it linear (derivative exactly 1) above 20
        "softplus": (f"softplus({a.text})", lambda z: torch.log1p(torch.exp(z)), lambda z: mpmath.log(1 + mpmath.exp(z))),
        "log": (f"log(1 + ({a.text})^2)", lambda z: torch.log(1 + z ** 2), lambda z: mpmath.log(1 + z ** 2)),
        "sqrt": (f"sqrt(1 + ({a.text})^2)", lambda z: torch.sqrt(1 + z ** 2), lambda z: mpmath.sqrt(1 + z ** 2)),
        "square": (f"({a.text})^2", lambda z: z ** 2, lambda z: z ** 2),
        "cube": (f"({a.text})**3", lambda z: z ** 3, lambda z: z ** 3),
        "neg": (f"-({a.text})", lambda z: -z, lambda z: -z),
    }
    text, t, m = table[name]
    return Term(text, lambda v: t(a.in_torch(v)), lambda v: m(a.in_mpmath(v)))


def _binary(op: str, a: Term, b: Term) -> Term:
    table = {
        "+": (f"{a.text} + {b.text}", lambda p, q: p + q),
        "-": (f"{a.text} - ({b.text})", lambda p, q: p - q),
        "*": (f"({a.text})*({b.text})", lambda p, q: p * q),
        # juxtaposition multiplies, as exam keys write 3(w1 − w2)
        "juxtaposed": (f"({a.text})({b.text})", lambda p, q: p * q),
        # a denominator that is never 0
        "/": (f"({a.text}) / (2 + ({b.text})^2)", lambda p, q: p / (2 + q ** 2)),
    }
    text, combine = table[op]
    return Term(text, lambda v: combine(a.in_torch(v), b.in_torch(v)), lambda v: combine(a.in_mpmath(v), b.in_mpmath(v)))


LEAVES = st.one_of(st.sampled_from(VARIABLES), st.tuples(st.integers(-3, 3), st.sampled_from([1, 2, 4, 5])))


@st.composite
def terms(draw, depth: int = 3) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return _leaf(draw(LEAVES))
    if draw(st.booleans()):
        return _unary(draw(st.sampled_from(["exp", "tanh", "sigmoid", "softplus", "log", "sqrt", "square", "cube",
                                            "neg"])), draw(terms(depth - 1)))
    return _binary(draw(st.sampled_from(["+", "-", "*", "juxtaposed", "/"])), draw(terms(depth - 1)),
                   draw(terms(depth - 1)))


@st.composite
def functions(draw) -> Term:
    """A sum of two random terms in which every variable occurs (so each derivative is exercised)."""
    term = _binary("+", draw(terms()), draw(terms()))
    return _binary("+", term, Term("x*y*w/10", lambda v: v[0] * v[1] * v[2] / 10,
                                   lambda v: v[0] * v[1] * v[2] / 10))


COORDINATES = st.tuples(st.integers(-8, 8), st.sampled_from([4, 5])).map(lambda nd: nd[0] / nd[1])


def _problem(f: Term, point) -> str:
    return (f"problem: calculus\nfunction: '{f.text}'\nvariables: [x, y, w]\n"
            f"points: [[{', '.join(repr(c) for c in point)}]]\nstationary_points: false\n")


def _finite(values) -> bool:
    return all(math.isfinite(float(v)) and abs(float(v)) < 1e12 for v in values)


@settings(max_examples=30, deadline=None)
@given(functions(), st.tuples(COORDINATES, COORDINATES, COORDINATES))
def test_gradient_and_hessian_match_torch(f, point):
    at = [torch.tensor(c, dtype=torch.float64, requires_grad=True) for c in point]
    value = f.in_torch(at)
    grads = torch.autograd.grad(value, at, allow_unused=True)
    grads = [0.0 if g is None else float(g) for g in grads]
    hessian = torch.autograd.functional.hessian(lambda *v: f.in_torch(list(v)),
                                                tuple(torch.tensor(c, dtype=torch.float64) for c in point))
    hessian = [[float(hessian[i][j]) for j in range(3)] for i in range(3)]
    if not _finite([value.item(), *grads, *sum(hessian, [])]):
        return       # a float64 overflow is no test of the exact values

    solution = solved(_problem(f, point))
    assert close(solution.value("f(P1)")[()], value.item(), 1e-9)
    scale = max(1.0, *(abs(g) for g in grads))
    for name, expected in zip(VARIABLES, grads):
        assert close(solution.value(f"df/d{name}(P1)")[()], expected, 1e-9, scale), (f.text, name)
    assert [float(g) for g in flat(solution, "gradient(P1)")] == \
        [float(solution.value(f"df/d{name}(P1)")[()]) for name in VARIABLES]
    ours = flat(solution, "hessian(P1)")
    scale = max(1.0, *(abs(h) for h in sum(hessian, [])))
    for k, expected in enumerate(sum(hessian, [])):
        assert close(ours[k], expected, 1e-9, scale), (f.text, divmod(k, 3))


@settings(max_examples=25, deadline=None)
@given(functions(), st.tuples(COORDINATES, COORDINATES, COORDINATES))
def test_gradient_matches_central_differences_in_mpmath(f, point):
    """f'(p) = (f(p + h) − f(p − h)) / 2h + O(h²): with h = 10⁻²⁰ at 60 digits the truncation error is
    ~10⁻⁴⁰·f''' and the rounding error ~10⁻⁴⁰, so 25 agreeing digits are far inside both."""
    with mpmath.workdps(60):
        # the file's 0.2 is exactly 1/5 to the solver; the float 0.2 is not, so rebuild k/20 exactly
        at = [mpmath.mpf(round(c * 20)) / 20 for c in point]
        h = mpmath.mpf(10) ** -20
        slopes = []
        for i in range(3):
            up, down = list(at), list(at)
            up[i] += h
            down[i] -= h
            slopes.append((f.in_mpmath(up) - f.in_mpmath(down)) / (2 * h))
        if not all(abs(s) < 10 ** 12 for s in slopes):
            return
        solution = solved(_problem(f, point))
        for name, slope in zip(VARIABLES, slopes):
            ours = high_precision(solution.value(f"df/d{name}(P1)")[()])
            assert abs(ours - slope) <= mpmath.mpf(10) ** -25 * max(1, abs(slope)), (f.text, name, ours, slope)


def test_three_irrational_eigenvalues_of_a_rational_hessian():
    """A 3×3 rational Hessian with three distinct irrational eigenvalues: SymPy writes them with complex
    cube roots (casus irreducibilis) although they are real; they must come out as real numbers, equal
    to mpmath's symmetric eigensolver's. H = [[6,1,1],[1,12,1],[1,1,18]] at (1, 2, 3)."""
    solution = solved("problem: calculus\nfunction: x^3 + y^3 + w^3 + x*y + y*w + x*w\n"
                      "points: [[1, 2, 3]]\nstationary_points: false\n")
    with mpmath.workdps(50):
        expected, _ = mpmath.eigsy(mpmath.matrix([[6, 1, 1], [1, 12, 1], [1, 1, 18]]))
        ours = [high_precision(v) for v in flat(solution, "eigenvalues(P1)")]
        assert all(abs(a - b) < mpmath.mpf(10) ** -40 for a, b in zip(ours, sorted(expected)))
    assert solution.value("type(P1)")[()].matches("not stationary")      # ∇f(1,2,3) = (3+5, 12+4, 27+3) ≠ 0


def test_a_power_of_sigmoid_softplus_relu_prints_in_latex():
    # SymPy's LaTeX printer passes the power of a function as `exp`: σ(x)² once crashed the printers
    from nnsolve.render import render

    markdown = render(solved("problem: calculus\nfunction: sigmoid(x)^2 + softplus(x)^3 + relu(x)^2\n"
                             "points: [[1]]\nstationary_points: false\n"), "markdown")
    assert r"\sigma\left(x\right)^{2}" in markdown and r"\operatorname{softplus}\left(x\right)^{3}" in markdown
