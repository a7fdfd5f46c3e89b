"""Run `python -m nnsolve.cli ARGS…` as a process of its own and measure what the hardening budget is about:
exit code, wall-clock time, CPU time and peak resident memory.

- The process: by default a fork of a helper process that has imported what every nnsolve command imports
  at start-up (PRELOADED), running `nnsolve.cli` as `python -m` would (`fresh_interpreter=True` starts a
  real interpreter instead). A fork is spared ~0.3 s of start-up per case; the helper's own start-up CPU
  time (measured once) is added to the fork's time and CPU time, so the limits still include start-up. Its
  peak memory includes the imported modules, as a real process's does. tests/hostile/spawner.py says how;
  test_hostile.py checks that both ways give the same answers.
- Time: `time.monotonic()` from just before the process starts to its reaping; a process still running
  after `kill_after` seconds is killed (with its process group) and reported as such, as is one the kernel
  ends past `cpu_limit` seconds of CPU time.
- Memory: the process's own peak resident set size, `ru_maxrss` of the rusage `os.wait4` returns for that
  one child (kilobytes on Linux). Not `getrusage(RUSAGE_CHILDREN)`: its ru_maxrss is the largest of all
  children ever reaped, so a delta says nothing about the latest one. The process is started by the
  helper, not by the test process (tests/hostile/spawner.py says why).
- Safety net: `RLIMIT_AS` (address space) of `memory_cap` bytes in the child, so a runaway case fails with
  a MemoryError (exit 3) instead of taking the machine's memory.
The child's stdin is empty, its stdout and stderr go to files (a process that prints megabytes never
blocks on a pipe), and NNSOLVE_DEBUG is unset so an internal error is the one line users see.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SPAWNER = Path(__file__).resolve().parent / "spawner.py"
MiB = 1024 * 1024
OUTPUT_KEPT = 1_000_000          # bytes of each stream kept for the assertions
PRELOADED = ("nnsolve.cli", "nnsolve._startup:tune_for_a_short_process", "nnsolve.problems")


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None        # None: killed after kill_after seconds
    stdout: str
    stderr: str
    wall: float                  # seconds, start-up included
    cpu: float                   # user + system seconds of the process, start-up included
    peak_rss_mb: float
    valid_utf8: bool             # both streams are UTF-8 text

    def describe(self) -> str:
        status = "killed (no answer)" if self.exit_code is None else f"exit {self.exit_code}"
        return (f"{status}, {self.wall:.2f} s wall, {self.cpu:.2f} s CPU, {self.peak_rss_mb:.0f} MB peak RSS; "
                f"stderr: {self.stderr[:400]!r}")


def environment() -> dict[str, str]:
    """This checkout's nnsolve first on the path, whatever is installed."""
    env = dict(os.environ)
    env.pop("NNSOLVE_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_cli(args: list[str], folder: Path, **limits) -> Outcome:
    """`nnsolve ARGS…` (`python -m nnsolve.cli ARGS…`); `limits` as for run_python."""
    return run_python(["-m", "nnsolve.cli", *args], folder, **limits)


def run_python(args: list[str], folder: Path, *, kill_after: float = 10.0, memory_cap: int = 1024 * MiB,
               cwd: Path = ROOT, cpu_limit: int | None = None, fresh_interpreter: bool = False) -> Outcome:
    """`python ARGS…` (`-m MODULE …` or `-c CODE …`), its output in files in `folder`."""
    out_path, err_path = folder / "stdout", folder / "stderr"
    reply = _spawner(fresh_interpreter).run({
        "argv": [sys.executable, *args], "cwd": str(cwd), "env": environment(), "stdout": str(out_path),
        "stderr": str(err_path), "kill_after": kill_after, "memory_cap": memory_cap, "cpu_limit": cpu_limit})
    raw_out, raw_err = _head(out_path), _head(err_path)
    startup = reply["startup_cpu"]
    return Outcome(exit_code=None if reply["killed"] else os.waitstatus_to_exitcode(reply["status"]),
                   stdout=raw_out.decode("utf-8", "replace"), stderr=raw_err.decode("utf-8", "replace"),
                   wall=startup + reply["wall"], cpu=startup + reply["cpu"], peak_rss_mb=reply["maxrss_kb"] / 1024,
                   valid_utf8=_is_utf8(raw_out) and _is_utf8(raw_err))


class _Spawner:
    def __init__(self, fresh_interpreter: bool):
        # exec'ing: small, no site-packages; forking: nnsolve imported from where a process finds it
        command = ["-S", str(SPAWNER)] if fresh_interpreter else [str(SPAWNER), "--preload", *PRELOADED]
        self.process = subprocess.Popen([sys.executable, *command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, cwd=ROOT, env=None if fresh_interpreter else environment())

    def run(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the spawner ended (exit {self.process.wait()})")
        return json.loads(line)


_local = threading.local()       # one spawner of each kind per thread (tests/hostile/triage.py runs two at a time)


def _spawner(fresh_interpreter: bool) -> _Spawner:
    spawners = _local.__dict__.setdefault("spawners", {})
    spawner = spawners.get(fresh_interpreter)
    if spawner is None or spawner.process.poll() is not None:
        spawner = spawners[fresh_interpreter] = _Spawner(fresh_interpreter)
    return spawner


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= OUTPUT_KEPT - 3     # only a character cut by the truncation
    return True


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(OUTPUT_KEPT)
