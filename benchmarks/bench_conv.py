"""Benchmark figure for the README: explicit-number convolution, exact.

A 32×32×3 input (decimals k/100) with six 5×5 filters and a bias: forward, then the gradients of the
input, the kernel and the bias for a given upstream gradient, all in exact arithmetic. Goal < 2 s.
Also one with an irrational (mpf) input entry, which takes the exact-object path instead of the integer
one (no time goal: once a tanh has made every entry irrational, each product is an mpf product).
Prints medians; asserts nothing about time (the machine may be shared).
"""
from __future__ import annotations

import random
import statistics
import time
from fractions import Fraction

import numpy as np

from nnsolve.engine.number import mp
from nnsolve.ops.conv import CONV

RUNS = 5


def exact(shape, rng) -> np.ndarray:
    out = np.empty(int(np.prod(shape)), dtype=object)
    out[:] = [Fraction(rng.randint(-99, 99), 100) for _ in range(out.size)]
    return out.reshape(shape)


def forward_and_backward(x, w, b, g):
    z = CONV.forward(x, w, b)
    return z, [CONV.vjp(i, g, z, x, w, b) for i in range(3)]


def timed(fn, runs: int = RUNS) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def report(label: str, samples: list[float]) -> None:
    print(f"{label:<62} median {statistics.median(samples) * 1000:8.1f} ms   (max {max(samples) * 1000:8.1f}, "
          f"n={len(samples)})")


def main() -> None:
    rng = random.Random(0)
    x, w, b = exact((3, 32, 32), rng), exact((6, 3, 5, 5), rng), exact((6,), rng)
    g = exact((6, 28, 28), rng)
    report("conv 32×32×3 * six 5×5 filters, forward + backward, exact",
           timed(lambda: forward_and_backward(x, w, b, g)))
    irrational = x.copy()
    irrational[0, 0, 0] = mp.tanh(mp.mpf(1) / 3)
    report("same with one mpf input entry (exact-object path)",
           timed(lambda: forward_and_backward(irrational, w, b, g), runs=1))
    print("goal: < 2000 ms for the exact forward + backward")


if __name__ == "__main__":
    main()
