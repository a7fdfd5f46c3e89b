"""Benchmark figures for `nnsolve grade`: the time to mark N synthetic students of the sample class
(examples/grading: a 2-2-1 network, 5 marked answers, one SGD update) with ECF and diagnosis, in process.

Prints figures; asserts nothing about time. The class mixes, in turn: right answers, answers rounded to 2 dp, a
slip in h1 carried through layer 2, the loss, the gradient and the update, W1 used transposed (a named slip), and
bad cells. The issue's goal — 10,000 students in 5 s on the 2-core machine — needs the vectorised replay across
students (one numpy pass per pattern of pinned values), which is not built yet: each student here is checked one
by one, exactly, and the figure printed is what that costs.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBLEM = ROOT / "examples" / "grading" / "problem.yaml"
KINDS = [
    {"h1": "[0.99, 0.21]", "y": "1.341", "loss": "0.0581405", "dL/dW2": "[[0.33759], [0.07161]]",
     "W2(1)": "[[1.166241], [-0.707161]]"},
    {"h1": "[0.99, 0.21]", "y": "1.34", "loss": "0.06", "dL/dW2": "[[0.34], [0.07]]", "W2(1)": "[[1.17], [-0.71]]"},
    {"h1": "[0.99, 0.31]", "y": "1.271", "loss": "0.0367205", "dL/dW2": "[[0.26829], [0.08401]]",
     "W2(1)": "[[1.173171], [-0.708401]]"},
    {"h1": "[0.64, 0.96]", "y": "0.396", "loss": "0.182408", "dL/dW2": "[[-0.38656], [-0.57984]]",
     "W2(1)": "[[1.238656], [-0.642016]]"},
    {"h1": "", "y": "—", "loss": "NaN", "dL/dW2": "[[0.33759, 0.07161]]", "W2(1)": "about 1"},
]
GOAL_STUDENTS, GOAL_SECONDS = 10_000, 5.0


def synthetic_class(n: int) -> dict:
    return {f"s{i:05d}": KINDS[i % len(KINDS)] for i in range(n)}


def main() -> None:
    import nnsolve
    from nnsolve.api import load

    loaded = load(PROBLEM)
    nnsolve.grade(loaded, synthetic_class(len(KINDS)))        # warm: imports and the first solve paid
    print(f"nnsolve grade, in process, on {PROBLEM.relative_to(ROOT)} (5 answers, ECF and slips diagnosed)")
    for n in (200, 1000):
        start = time.perf_counter()
        book = nnsolve.grade(loaded, synthetic_class(n))
        seconds = time.perf_counter() - start
        assert len(book.students) == n
        rate = n / seconds
        print(f"  {n:>5} students: {seconds:6.2f} s  ({rate:6.1f} students/s, {1000 * seconds / n:5.1f} ms each)")
    print(f"  goal (issue 13): {GOAL_STUDENTS:,} students in {GOAL_SECONDS:g} s = {GOAL_STUDENTS / GOAL_SECONDS:,.0f} "
          f"students/s — needs the vectorised replay across students, not built: at this rate {GOAL_STUDENTS:,} "
          f"students take about {GOAL_STUDENTS / rate:,.0f} s")


if __name__ == "__main__":
    main()
