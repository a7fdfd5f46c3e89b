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


if __name__ == "__main__":
    main()
