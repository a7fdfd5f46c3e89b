"""Benchmark figures for `nnsolve grade`: the time to mark synthetic classes, in process, with ECF and diagnosis.

Prints figures; asserts nothing about time.

- The sample class (examples/grading: a 2-2-1 network, 5 marked answers) as before: five rows in turn (right,
  rounded to 2 dp, a slip in h1 carried through, W1 transposed, bad cells) — identical rows, so after the first
  five every student is a copy (the figure says what a class of repeated rows costs).
- The issue's benchmark: 10,000 students on a 3-layer network with 20 marked answers
  (benchmarks/data/three-layer-20.yaml), and 1,000 students each on a conv problem and an RNN problem
  (examples/conv, examples/recurrent). Each class mixes, student by student: right answers (to 4–6 dp), answers
  rounded per answer to 2–4 dp, a named slip (another convention, σ′ forgotten) rounded, an error carried
  forward (an early answer wrong, everything after it computed from it, then rounded), and garbage (some cells
  random numbers, blank or unreadable). Seeded: the same classes every run.

The goal of issue 13 is 10,000 students in 5 s on the 2-core machine. `--quick` marks 1,000 of the 10,000 and
extrapolates (said so in the output). What a class shares is done once (nnsolve.check.variants.SharedSolves: the
re-solves by exact pinned values, each written answer judged once, rows written alike marked once); every distinct
set of a student's pinned numbers is still re-solved exactly, one student at a time — the vectorised replay across
students is not built, and that is what the figures are short by. A class of many distinct rows is marked by
worker processes (nnsolve/grading/workers.py): each class is timed with 1 worker (NNSOLVE_MAX_GRADE_WORKERS=1) and
with as many as the machine gives (the CPUs this process may use, at most MAX_GRADE_WORKERS); the goal line is the
last of them. The figures are of the machine as it is at the time: other work on it slows the workers most.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "examples" / "grading" / "problem.yaml"
THREE_LAYER = ROOT / "benchmarks" / "data" / "three-layer-20.yaml"
CONV = ROOT / "examples" / "conv" / "conv-relu-maxpool.yaml"
RNN = ROOT / "examples" / "recurrent" / "elman-sgd-two-steps.yaml"
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
CHAINS = 300          # distinct wrong early answers carried forward, per problem
GARBAGE = ["", "—", "NaN", "about 1", "[1, 2"]


def synthetic_class(n: int) -> dict:
    return {f"s{i:05d}": KINDS[i % len(KINDS)] for i in range(n)}


class ClassMaker:
    """Synthetic students of one problem: the values each kind of student writes, computed by nnsolve's own
    re-solves (the problem, its alternatives, the problem with one early answer pinned to a wrong number)."""

    def __init__(self, path: Path, seed: int = 13):
        from nnsolve.api import load, solve
        from nnsolve.check.answers import quantity_name, resolve
        from nnsolve.check.conventions import alternatives
        from nnsolve.check.variants import FORGET, Variants, forgotten, value_at
        from nnsolve.problems import LoadedProblem

        loaded = load(path)
        self.answers = [str(a) for a in loaded.model.ask]
        model = loaded.model.model_copy(update={"answers": dict.fromkeys(quantity_name(a) for a in self.answers)})
        self.loaded = LoadedProblem(loaded.family, model, loaded.document)
        base = solve(self.loaded)
        position = {step_id: i for i, step_id in enumerate(base.ids)}
        names = sorted(set(base.ids) | {a for a, q in base.aliases.items() if q in position})
        self.where = {a: resolve(a, base, position, names) for a in self.answers}
        wanted = {q for q, _ in self.where.values()}

        def values(kept):
            found = {a: value_at(kept, q, i) for a, (q, i) in self.where.items()}
            return found if all(v is not None for v in found.values()) else None

        self.right = values(base)
        self.slips = []
        variants = Variants(loaded.family, model, base, wanted)
        variants._explaining_left = 10 ** 6
        for statement, alt in alternatives(loaded.family, model):
            self.slips.append(values(variants.solve(statement, alt)))
        for name in variants.activations() if loaded.family.pins else []:
            self.slips.append(values(variants.solve(forgotten(name), None, None, (), working=FORGET + name)))
        self.slips = [s for s in self.slips if s is not None and _differs(s, self.right)] or [self.right]
        self.random = random.Random(seed)
        order = sorted(self.answers, key=lambda a: (position[self.where[a][0]], self.where[a][1]))
        # a Variants keeps one re-solve per pinned place: each chain (another number at a place) needs its own
        self.chains = [c for c in (self._chain(Variants(loaded.family, model, base, wanted), order)
                                   for _ in range(CHAINS)) if c is not None]

    def _chain(self, variants, order):
        """An early answer written wrong (one entry off by 0.1–0.5), every later one computed from it."""
        from fractions import Fraction

        import numpy as np
        from nnsolve.check.variants import Pin, value_at
        from nnsolve.engine.number import format_number

        early = order[self.random.randrange(max(1, len(order) // 3))]
        quantity, index = self.where[early]
        value = np.array([Fraction(format_number(v, 6)) for v in self.right[early].reshape(-1)],
                         dtype=object).reshape(self.right[early].shape)
        at = tuple(self.random.randrange(n) for n in value.shape)
        value[at] += Fraction(self.random.choice([-1, 1]) * self.random.randrange(100, 500), 1000)
        found = variants.solve("", None, None, (Pin(quantity, index, value),))
        if found is None:
            return None
        chain = {a: value_at(found, q, i) for a, (q, i) in self.where.items()}
        return chain if all(v is not None for v in chain.values()) else None

    def student(self, i: int) -> dict:
        kind = i % 5
        r = self.random
        if kind == 0:
            return self._written(self.right, lambda: r.choice([4, 5, 6]))
        if kind == 1:
            return self._written(self.right, lambda: r.choice([2, 3, 4]))
        if kind == 2:
            return self._written(r.choice(self.slips), lambda: r.choice([3, 4]))
        if kind == 3:
            return self._written(r.choice(self.chains) if self.chains else self.right, lambda: r.choice([3, 4, 5]))
        row = self._written(self.right, lambda: r.choice([2, 3, 4]))
        for answer in r.sample(self.answers, k=max(1, len(self.answers) // 4)):
            row[answer] = r.choice(GARBAGE + [f"{r.uniform(-3, 3):.3f}"] * 3)
        return row

    def _written(self, values: dict, choose) -> dict:
        """Every answer to the decimals the student keeps (a habit: one choice per student, one more or one fewer
        for an answer now and then)."""
        import numpy as np
        from nnsolve.engine.number import format_number

        def text(v, places):
            if v.ndim == 0:
                return format_number(v[()], places)
            return "[" + ", ".join(text(np.asarray(e, dtype=object), places) for e in v) + "]"

        kept = choose()
        return {a: text(v, kept + (self.random.choice([-1, 1]) if self.random.random() < 0.1 else 0))
                for a, v in values.items()}

    def students(self, n: int) -> dict:
        return {f"s{i:05d}": self.student(i) for i in range(n)}


def _differs(one: dict, other: dict) -> bool:
    return any(a.shape != other[k].shape or (a != other[k]).any() for k, a in one.items())


def _timed(loaded, students: dict, workers: int | None = None):
    """Seconds to mark `students`, with at most `workers` worker processes (None: as many as the machine gives)."""
    import os

    import nnsolve

    before = os.environ.get(WORKERS_VARIABLE)
    if workers is not None:
        os.environ[WORKERS_VARIABLE] = str(workers)
    try:
        start = time.perf_counter()
        book = nnsolve.grade(loaded, students)
        seconds = time.perf_counter() - start
    finally:
        if before is None:
            os.environ.pop(WORKERS_VARIABLE, None)
        else:
            os.environ[WORKERS_VARIABLE] = before
    assert len(book.students) == len(students)
    return seconds


WORKERS_VARIABLE = "NNSOLVE_MAX_GRADE_WORKERS"


def _workers_for(distinct: int) -> int:
    from nnsolve.grading.workers import worker_count
    return worker_count(distinct)


def _line(label: str, n: int, seconds: float) -> str:
    return f"  {label}{n:>6,} students: {seconds:7.2f} s  ({n / seconds:7.1f} students/s, {1000 * seconds / n:6.2f} ms each)"


def main() -> None:
    import nnsolve
    from nnsolve.api import load

    quick = "--quick" in sys.argv
    loaded = load(SAMPLE)
    nnsolve.grade(loaded, synthetic_class(len(KINDS)))        # warm: imports and the first solve paid
    print(f"worker processes for a class of many distinct rows: {_workers_for(10 ** 6)} on this machine")
    print(f"nnsolve grade, in process, on {SAMPLE.relative_to(ROOT)} (5 answers; 5 distinct rows, repeated)")
    for n in (200, 1000):
        print(_line("", n, _timed(loaded, synthetic_class(n))))

    for path, n in ((THREE_LAYER, GOAL_STUDENTS), (CONV, 1000), (RNN, 1000)):
        maker = ClassMaker(path)
        marked = GOAL_STUDENTS // 10 if quick and n == GOAL_STUDENTS else n
        students = maker.students(marked)
        distinct = len({tuple(sorted(s.items())) for s in students.values()})
        print(f"{path.relative_to(ROOT)} ({len(maker.answers)} answers, {len(maker.slips)} slips, "
              f"{len(maker.chains)} ECF chains; {distinct:,} distinct rows of {marked:,})")
        counts = sorted({1, _workers_for(distinct)})
        for workers in counts:
            seconds = _timed(maker.loaded, students, workers)
            print(_line(f"{workers} worker{'s' if workers > 1 else ' '} ", marked, seconds))
        if n == GOAL_STUDENTS:
            whole = seconds * n / marked
            said = "extrapolated from the students marked" if marked != n else "measured"
            verdict = "meets" if whole <= GOAL_SECONDS else f"misses, {whole / GOAL_SECONDS:,.1f}× over"
            print(f"  goal (issue 13): {GOAL_STUDENTS:,} students in {GOAL_SECONDS:g} s; {said}: {whole:,.1f} s — "
                  f"{verdict}")


if __name__ == "__main__":
    main()
