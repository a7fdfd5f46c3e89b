"""Benchmark figures for `nnsolve vary` (issue 14's goals, on the 2-core machine):

- 1,000 accepted variants of a 3-layer backprop question, with their keys and worked solutions written: < 20 s;
- 10,000 variants with numeric keys only: < 10 s.

Prints wall and CPU time (a shared machine inflates wall time, not CPU time), the tries the constraints cost, and
where the time of one try goes (validating the drawn file, solving it, the constraints, the key, the printed
solution). Asserts nothing about time. `python benchmarks/bench_variants.py [N_FILES] [N_KEYS]`.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nnsolve  # noqa: E402
from nnsolve.variants.generate import Generator  # noqa: E402
from nnsolve.variants.report import write_variants  # noqa: E402

QUESTION = ROOT / "examples/variants/dense-three-layer-backprop.yaml"


def timed(action):
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def with_files(n: int) -> None:
    def work():
        run = nnsolve.vary(QUESTION, n=n)
        with tempfile.TemporaryDirectory() as folder:
            write_variants(run, Path(folder), "text")
        return run
    run, wall, cpu = timed(work)
    print(f"{n:,} variants with keys, files and worked solutions (text): {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({run.tries:,} tries, {1000 * cpu / n:.1f} ms CPU a variant)   goal: 1,000 in < 20 s")


def keys_only(n: int) -> None:
    run, wall, cpu = timed(lambda: nnsolve.vary(QUESTION, n=n, keys_only=True))
    print(f"{n:,} variants, numeric keys only: {wall:.1f} s wall, {cpu:.1f} s CPU ({run.tries:,} tries, "
          f"{1000 * cpu / max(run.tries, 1):.2f} ms CPU a try)   goal: 10,000 in < 10 s")


def one_try_parts(tries: int = 300) -> None:
    """Where one try's time goes, in CPU milliseconds."""
    import random

    from nnsolve.problems import parse_document
    from nnsolve.problems.loader import Document
    from nnsolve.render import render
    from nnsolve.variants.constraints import key_of

    gen = Generator(QUESTION)
    rng = random.Random(1)
    choices = [gen.givens.draw(rng) for _ in range(tries)]
    parts = {"draw and copy the givens": 0.0, "validate the drawn file": 0.0, "solve": 0.0, "constraints": 0.0,
             "key": 0.0, "worked solution (text)": 0.0}
    for choice in choices:
        t = time.process_time()
        data = gen.givens.data(choice)
        t1 = time.process_time()
        loaded = parse_document(Document(data, gen.loaded.document.lines, "bench"))
        t2 = time.process_time()
        solution = gen._solve(loaded.model, gen.constraints.tell)
        t3 = time.process_time()
        gen.constraints.failing(solution, {})
        t4 = time.process_time()
        key_of(solution)
        t5 = time.process_time()
        render(solution, "text")
        t6 = time.process_time()
        for name, spent in zip(parts, (t1 - t, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            parts[name] += spent
    print(f"one try of {QUESTION.name}, CPU ms (mean of {tries}):")
    for name, spent in parts.items():
        print(f"  {name:<28} {1000 * spent / tries:6.2f}")


if __name__ == "__main__":
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    keys = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    nnsolve.vary(QUESTION, n=3)          # imports and caches warmed, as in a long session
    one_try_parts()
    with_files(files)
    keys_only(keys)
