"""Time `summary` of ResNet-152 in-process (shapes only; the analysis and the printed table) against
torchinfo.summary on the same network written in torch (a forward pass with hooks), and print the ratio
(goal ≥ 100×, best against best). Without torch or torchinfo the ratio is taken against torchinfo's time
recorded on the development machine (RECORDED_TORCHINFO_MS), and says so. Then the whole command as a
fresh process, imports included (goal < 0.3 s), on a PyTorch snippet and on the bundled ResNet-152.

    .venv/bin/python benchmarks/bench_summary.py
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "arch"))
# `nnsolve summary ARGS` as a user runs it: a new interpreter, every import paid
FRESH_COMMANDS = (("tests/arch/snippets/bottleneck_resnet_snippet.py", "--input-shape", "3x224x224"), ("resnet152",))

RECORDED_TORCHINFO_MS = 340       # torchinfo.summary of ResNet-152 at 1×3×224×224, issue 12's machine


def best_of(action, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def fresh_process(arguments: tuple[str, ...], repeats: int = 5) -> tuple[float, float]:
    """Best and median wall time of `python -m nnsolve summary ARGUMENTS` in a new process."""
    path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "nnsolve", "summary", *arguments]
    return best_of(lambda: subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": path}, check=True,
                                          stdout=subprocess.DEVNULL), repeats)


def print_fresh_processes() -> None:
    for arguments in FRESH_COMMANDS:
        best, median = fresh_process(arguments)
        print(f"fresh process `nnsolve summary {' '.join(arguments)}`, best / median of 5: "
              f"{best * 1e3:.0f} / {median * 1e3:.0f} ms (goal < 300 ms)")


def main() -> None:
    start = time.perf_counter()
    from nnsolve.arch.analyze import analyze
    from nnsolve.arch.layer_list import load_bundled
    from nnsolve.arch.styles import keras_table, torchinfo_table
    from nnsolve.arch.table import render_summary

    arch = load_bundled("resnet152")          # read once per process, then cached
    print(f"read bundled resnet152 (imports and first read): {(time.perf_counter() - start) * 1e3:.1f} ms")
    analysis_best, analysis_median = best_of(lambda: analyze(arch), 30)
    analysis = analyze(arch)
    printing_best, printing_median = best_of(lambda: render_summary(analysis), 30)
    ours, ours_median = best_of(lambda: render_summary(analyze(load_bundled("resnet152"))), 30)
    print(f"nnsolve summary resnet152 ({len(arch.layers)} layers), in process, best / median of 30:")
    print(f"  analysis  {analysis_best * 1e3:6.2f} / {analysis_median * 1e3:6.2f} ms")
    print(f"  printing  {printing_best * 1e3:6.2f} / {printing_median * 1e3:6.2f} ms")
    print(f"  together  {ours * 1e3:6.2f} / {ours_median * 1e3:6.2f} ms (goal: ≥ 100× faster than torchinfo, below)")
    for style, table in (("keras", keras_table), ("torchinfo", torchinfo_table)):
        best, median = best_of(lambda: table(analysis), 30)
        print(f"  --style {style:<9} printing {best * 1e3:6.2f} / {median * 1e3:6.2f} ms")

    try:
        import torch
        import torchinfo
    except ImportError as e:
        print(f"{e.name} is not installed (pip install torch torchinfo): ratio against torchinfo's "
              f"{RECORDED_TORCHINFO_MS} ms recorded on issue 12's machine, not measured here: "
              f"{RECORDED_TORCHINFO_MS / (ours * 1e3):.0f}× (goal ≥ 100×)")
        print_fresh_processes()
        return
    from test_against_torch import torch_resnet
    model = torch_resnet([3, 8, 36, 3], True).eval()
    with torch.no_grad():        # its table written too (what verbose=1 prints), as nnsolve's is
        theirs, theirs_median = best_of(
            lambda: str(torchinfo.summary(model, input_size=(1, 3, 224, 224), verbose=0)), 5)
    print(f"torchinfo.summary on the same network in torch, its table written: best {theirs * 1e3:.0f} ms, "
          f"median {theirs_median * 1e3:.0f} ms")
    print(f"ratio: {theirs / ours:.0f}× (goal ≥ 100×)")
    print_fresh_processes()


if __name__ == "__main__":
    main()
