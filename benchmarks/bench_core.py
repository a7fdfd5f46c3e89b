"""Benchmark figures for the README: cold start of the CLI and in-process solve time.

Prints medians; asserts nothing about time (the machine may be shared). Run with `make bench`.
Goals: `nnsolve solve` on the demo < 0.3 s cold; a 4-layer, 8-wide network forward + backward +
one Adam step in exact arithmetic < 20 ms in process.
"""
from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
CLI = Path(sys.executable).with_name("nnsolve")
COLD_RUNS = 7
WARM_RUNS = 20


def median_ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms   (min {min(samples) * 1000:6.1f}, " \
           f"max {max(samples) * 1000:6.1f}, n={len(samples)})"


def cold(argv: list[str], runs: int = COLD_RUNS) -> list[float]:
    """Wall time of a fresh process, as a user typing the command a second time sees it: Python's
    bytecode cache is allowed (some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every run
    recompile nnsolve, ~90 ms here), and one untimed run writes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run = lambda: subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # noqa: E731
                                 cwd=ROOT, env=env)
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def warm(action, runs: int = WARM_RUNS) -> list[float]:
    action()   # warm-up: imports, schema building, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def four_by_eight_problem(optimizer: str) -> dict:
    """A 4-layer network, 8 units wide, with exact two-decimal weights drawn from a fixed seed."""
    rng = random.Random(2024)

    def number() -> str:
        return f"{rng.randint(-100, 100) / 100:.2f}"

    layers = [{"W": [[number() for _ in range(8)] for _ in range(8)], "b": [number() for _ in range(8)],
               "activation": act} for act in ("tanh", "relu", "tanh", "sigmoid")]
    return {"problem": "dense_network", "network": {"layout": "in_out", "layers": layers},
            "data": {"x": [number() for _ in range(8)], "target": [f"{rng.randint(0, 100) / 100:.2f}"
                                                                   for _ in range(8)]},
            "loss": {"type": "mse"}, "optimizer": {"type": optimizer, "lr": "0.01"}}


def main() -> None:
    print(f"Python {sys.version.split()[0]} on {os.cpu_count()} cores")
    print("\nCold start (fresh process, wall time):")
    print(f"  python -c pass                   {median_ms(cold([sys.executable, '-c', 'pass']))}")
    if CLI.exists():
        print(f"  nnsolve --help                   {median_ms(cold([str(CLI), '--help']))}")
        print(f"  nnsolve solve demo (goal 300 ms) {median_ms(cold([str(CLI), 'solve', str(DEMO)]))}")
    else:
        print(f"  (no {CLI}: run `make install` first)")

    import nnsolve
    from nnsolve.api import load
    from nnsolve.optim import OPTIMIZERS

    optimizer = "adam" if "adam" in OPTIMIZERS else "sgd"
    problem = four_by_eight_problem(optimizer)
    loaded = load(problem)
    print(f"\nIn process, 4 layers × 8 units, forward + backward + one {optimizer} step, exact:")
    print(f"  solve (goal 20 ms)               {median_ms(warm(lambda: nnsolve.solve(loaded)))}")
    print(f"  validate the problem dict        {median_ms(warm(lambda: load(problem)))}")
    print(f"  validate + solve                 {median_ms(warm(lambda: nnsolve.solve(problem)))}")


if __name__ == "__main__":
    main()
