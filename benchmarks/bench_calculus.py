"""Benchmark figures for the calculus family (SymPy behind our own parser): how long a student waits.

Prints medians; asserts nothing about time. Cold = a fresh `nnsolve solve` process (SymPy's import is
paid there, and only for calculus problems); warm = in process, after the first solve.
"""
from __future__ import annotations

import sys

from bench_core import CLI, ROOT, cold, median_ms, warm

CASES = {
    "Hessian + 9 stationary points (BITS MK Q5(b))": ROOT / "examples/bits-001/mk-q5b-hessian-classification.yaml",
    "cubic surface, saddle, unbounded (MS23 Q6)": ROOT / "examples/bits-001/ms23-q6-error-surface-minimum.yaml",
    "one Adam step on a function (REG Q3(a))": ROOT / "examples/bits-001/reg-q3a-adam-one-step.yaml",
}


LONG_ADAM = """problem: calculus
title: 10,000 Adam steps on x^2 + 10y^2
function: x^2 + 10y^2
stationary_points: false
hessian: false
descent: {type: adam, lr: 0.1, steps: 10000, start: [1, 1]}
"""


def long_descent() -> None:
    """Goal: 10,000 Adam steps on f(x, y) = x² + 10y² under 1 s in process (CPU time, which a shared machine
    does not inflate as it does wall time); 1,000 steps took about 6 s before long runs were carried."""
    import time

    import nnsolve
    from nnsolve.api import load

    loaded = load(LONG_ADAM)
    nnsolve.solve(loaded)
    samples = []
    for _ in range(3):
        start = time.process_time()
        nnsolve.solve(loaded)
        samples.append(time.process_time() - start)
    print(f"\n10,000 Adam steps on x^2 + 10y^2 (in process, CPU):\n  solve              {median_ms(samples)}")


def main() -> None:
    import nnsolve
    from nnsolve.api import load
    from nnsolve.check import check_file

    print(f"Python {sys.version.split()[0]}")
    for title, path in CASES.items():
        loaded = load(path)
        print(f"\n{title}:")
        if CLI.exists():
            print(f"  nnsolve solve, fresh process     {median_ms(cold([str(CLI), 'solve', str(path)], runs=5))}")
        print(f"  solve in process                 {median_ms(warm(lambda: nnsolve.solve(loaded), runs=10))}")
        print(f"  check in process                 {median_ms(warm(lambda: check_file(path), runs=5))}")
    long_descent()


if __name__ == "__main__":
    main()
