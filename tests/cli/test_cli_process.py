"""Where the process itself is the point: `python -m nnsolve`, standard input, a file written before the
fast exit (os._exit), and reading an endless stream in bounded memory."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
MEMORY_CAP = 600 * 2 ** 20       # address space: the demo needs about a third of it


def _nnsolve(*args: str, **options) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "nnsolve", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60, **options)


def test_python_m_nnsolve_reads_standard_input_and_writes_the_output_file_before_exiting(tmp_path):
    out = tmp_path / "solution.txt"
    with open(DEMO, "rb") as problem:
        done = _nnsolve("solve", "-", "-o", str(out), stdin=problem)
    assert done.returncode == 0 and done.stdout == "" and "Traceback" not in done.stderr, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("Demo: forward, loss") and text.rstrip().endswith("]")     # all of it, flushed


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform != "linux", reason="needs /dev/zero, rlimits")
def test_an_endless_standard_input_is_read_in_bounded_memory():
    def capped():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    with open("/dev/zero", "rb") as endless:
        done = _nnsolve("solve", "-", stdin=endless, preexec_fn=capped)
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("<stdin>: 1 problem in the input:\n  more than 5,000,000 bytes of one problem file (or of "
                           "standard input) (raise it with NNSOLVE_MAX_FILE_BYTES)\n")
