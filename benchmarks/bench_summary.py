"""Time `summary` of ResNet-152 in-process (shapes only; goal < 10 ms) against torchinfo.summary on the
same network written in torch (a forward pass with hooks), and print the ratio (goal ≥ 100×).

    .venv/bin/python benchmarks/bench_summary.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "arch"))


def best_of(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    from nnsolve.arch.analyze import analyze
    from nnsolve.arch.layer_list import load_bundled
    from nnsolve.arch.table import render_summary

    arch = load_bundled("resnet152")          # reading the YAML is not part of the summary
    ours, ours_median = best_of(lambda: render_summary(analyze(arch)), 20)
    print(f"nnsolve summary resnet152 (in-process, {len(arch.layers)} layers): "
          f"best {ours * 1e3:.2f} ms, median {ours_median * 1e3:.2f} ms (goal < 10 ms)")

    import torch
    from test_against_torch import torch_resnet
    model = torch_resnet([3, 8, 36, 3], True).eval()
    try:
        import torchinfo
    except ImportError:
        print("torchinfo is not installed: pip install torchinfo")
        return
    with torch.no_grad():
        theirs, theirs_median = best_of(lambda: torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0), 3)
    print(f"torchinfo.summary on the same network in torch: best {theirs * 1e3:.0f} ms, "
          f"median {theirs_median * 1e3:.0f} ms")
    print(f"ratio: {theirs / ours:.0f}× (goal ≥ 100×)")


if __name__ == "__main__":
    main()
