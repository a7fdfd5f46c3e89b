"""sin, cos, tan, atan, σ, π and e in the expression language: derivatives in the calculus family against
SymPy's own differentiation of the same function written directly in SymPy, and values and gradients of a
computation graph against mpmath's numerical differentiation at 40 digits."""
from __future__ import annotations

import mpmath
import sympy as sp

import nnsolve
from nnsolve.expr import parse
from nnsolve.expr.symbolic import from_text


def test_every_named_function_parses():
    for name in ("exp", "log", "sqrt", "tanh", "sigmoid", "σ", "sin", "cos", "tan", "atan", "arctan"):
        parse(f"{name}(x)")


def test_calculus_derivatives_with_trig_and_constants_match_sympy():
    solution = nnsolve.solve("problem: calculus\nfunction: sin(a x) + cos(pi y) + atan(x y) + tan(x) + e σ(y)\n"
                             "variables: [x, y]\nstationary_points: false\npoints: [[0.5, 0.25]]\n")
    x, y, a = sp.symbols("x y a", real=True)
    f = sp.sin(a * x) + sp.cos(sp.pi * y) + sp.atan(x * y) + sp.tan(x) + sp.E / (1 + sp.exp(-y))
    for v in (x, y):
        ours = from_text(solution.value(f"df/d{v}")[()].text.replace("σ", "sigmoid"))
        theirs = sp.diff(f, v)
        assert sp.simplify((ours - theirs).rewrite(sp.exp)) == 0, v


def test_graph_values_and_gradients_match_mpmath():
    solution = nnsolve.solve('problem: computation_graph\nexpression: "sin(a*x) + cos(pi*x) + atan(x) + tan(x) '
                             '+ σ(x)*e"\nvalues: {a: 2, x: 0.5}\n')
    mpmath.mp.dps = 40

    def f(a, x):
        return mpmath.sin(a * x) + mpmath.cos(mpmath.pi * x) + mpmath.atan(x) + mpmath.tan(x) + \
            mpmath.e / (1 + mpmath.exp(-x))

    a, x = mpmath.mpf(2), mpmath.mpf("0.5")
    assert abs(mpmath.mpf(solution.value("f")[()]) - f(a, x)) < mpmath.mpf(10) ** -35
    assert abs(mpmath.mpf(solution.value("dL/dx")[()]) - mpmath.diff(lambda t: f(a, t), x)) < mpmath.mpf(10) ** -30
    assert abs(mpmath.mpf(solution.value("dL/da")[()]) - mpmath.diff(lambda t: f(t, x), a)) < mpmath.mpf(10) ** -30
