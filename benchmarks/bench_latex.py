"""Benchmark figures for the LaTeX printer and `--format pdf`: printing time in process, and each TeX engine's
time on the printed document. Prints medians; asserts nothing about time (the machine may be shared).

Goals: printing an exam question's LaTeX well under the 0.3 s a command may take; a PDF in about a second.
Run: `python benchmarks/bench_latex.py`.
"""
from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nnsolve  # noqa: E402
from nnsolve.render import render  # noqa: E402
from nnsolve.render.pdf import compile_latex  # noqa: E402

CASES = ["examples/demo-two-layer-tanh.yaml", "examples/conv/conv-relu-maxpool.yaml",
         "tests/render/cases/lstm-two-steps.yaml", "tests/render/cases/attention-two-heads.yaml"]
RUNS = 20
TEX_RUNS = 3


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:8.1f} ms"


def timed(action, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    engines = [e for e in ("pdflatex", "xelatex") if shutil.which(e)]
    print(f"{'example':40} {'latex':>11} {'fragment':>11}" + "".join(f" {e:>11}" for e in engines))
    for case in CASES:
        solution = nnsolve.solve(ROOT / case)
        tex = render(solution, "latex")
        row = [median_ms(timed(lambda: render(solution, "latex"), RUNS)),
               median_ms(timed(lambda: render(solution, "latex", fragment=True), RUNS))]
        row += [median_ms(timed(lambda e=e: compile_latex(tex, e), TEX_RUNS)) for e in engines]
        print(f"{Path(case).stem:40} " + " ".join(f"{cell:>11}" for cell in row))
    if not engines:
        print("no TeX engine installed: only the printing times are shown")


if __name__ == "__main__":
    main()
