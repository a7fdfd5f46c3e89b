"""Pins reach the classics: a pinned value is taken as given and what is computed from it follows, so
`check` can carry a key's slip forward (a wrong KL(P‖M) behind a JS computed from it)."""
from __future__ import annotations

from fractions import Fraction

import nnsolve
from nnsolve.check import check
from nnsolve.engine.number import to_float

JS = """\
problem: classics
compute:
  - js: {p: [0.5, 0.5, 0], q: [0, 0.5, 0.5], base: 2}
"""


def test_a_pinned_divergence_is_used_by_the_js_after_it():
    base = nnsolve.solve(JS)
    pinned = nnsolve.solve(JS, pins={"KL(P||M)": Fraction(1, 4)})
    assert pinned.value("KL(P||M)")[()] == Fraction(1, 4)
    expected = (Fraction(1, 4) + to_float(base.value("KL(Q||M)")[()])) / 2
    assert abs(to_float(pinned.value("JS")[()]) - float(expected)) < 1e-12
    assert "pinned" in dict(pinned.conventions)


def test_check_carries_a_wrong_divergence_forward_to_the_js():
    # KL(P‖M) is 0.5 − ½·log2(1.5)… ≈ 0.2075; a key writing 0.25 and then the JS that follows from it
    base = nnsolve.solve(JS)
    kl_q = to_float(base.value("KL(Q||M)")[()])
    report = check(JS, answers={"KL(P||M)": 0.25, "JS": round((0.25 + kl_q) / 2, 4)})
    assert not report.result("KL(P||M)").ok
    js = report.result("JS")
    assert js.ok and js.follows == ["KL(P||M)"]      # it follows from the key's KL(P‖M) as written
