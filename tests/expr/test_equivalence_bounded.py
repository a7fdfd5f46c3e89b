"""Formula answers are compared by a bounded check: points first (a difference not 0 at one settles it), then
SymPy's simplify on a difference of bounded size, the points alone past it."""
from __future__ import annotations

import time

import sympy as sp

from nnsolve.expr.symbolic import MAX_SIMPLIFIED_OPERATIONS, equivalent


def test_small_formulas_are_simplified():
    x, y = sp.symbols("x y", real=True)
    assert equivalent(3 * (x - y) ** 2 - 2 * x, 3 * x ** 2 - 6 * x * y + 3 * y ** 2 - 2 * x)
    assert not equivalent(sp.sin(x) ** 2, 1 - sp.cos(x) ** 2 + x * 10 ** -30)
    assert equivalent(sp.sin(x) ** 2, 1 - sp.cos(x) ** 2)


def test_a_large_difference_is_judged_at_points_without_simplify():
    x, y, z = sp.symbols("x y z", real=True)
    product = (x + 2 * y - z + 1) ** 12
    expanded = sp.expand(product)
    assert sp.count_ops(expanded - product) > MAX_SIMPLIFIED_OPERATIONS
    start = time.process_time()
    assert equivalent(expanded, product)
    assert not equivalent(expanded + x * y * z, product)
    assert time.process_time() - start < 5
