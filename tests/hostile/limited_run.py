"""Run `python -m nnsolve.cli ARGS…` as a real process and measure what the hardening budget is about:
exit code, wall-clock time, CPU time and peak resident memory.

- Time: `time.monotonic()` around the process, from start to reaping; a process still running after
  `kill_after` seconds is killed (with its process group) and reported as such.
- Memory: the process's own peak resident set size, `ru_maxrss` of the rusage `os.wait4` returns for that
  one child (kilobytes on Linux). Not `getrusage(RUSAGE_CHILDREN)`: its ru_maxrss is the largest of all
  children ever reaped, so a delta says nothing about the latest one.
- Safety net: `RLIMIT_AS` (address space) of `memory_cap` bytes on the child (set with prlimit right after
  it starts, which leaves Python free to start it with vfork: no preexec_fn), so a runaway case fails
  with a MemoryError (exit 3) instead of taking the machine's memory.
The child's stdin is empty, its stdout and stderr go to files (a process that prints megabytes never
blocks on a pipe), and NNSOLVE_DEBUG is unset so an internal error is the one line users see.
"""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
MiB = 1024 * 1024
OUTPUT_KEPT = 1_000_000          # characters of each stream kept for the assertions


@dataclass(frozen=True)
class Outcome:
    exit_code: int | None        # None: killed after kill_after seconds
    stdout: str
    stderr: str
    wall: float                  # seconds
    cpu: float                   # user + system seconds of the process
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


def run_cli(args: list[str], folder: Path, *, kill_after: float = 10.0, memory_cap: int = 1024 * MiB,
            cwd: Path = ROOT) -> Outcome:
    out_path, err_path = folder / "stdout", folder / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "nnsolve.cli", *args], stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=err, cwd=cwd, env=environment(), process_group=0)
        try:
            resource.prlimit(process.pid, resource.RLIMIT_AS, (memory_cap, memory_cap))
        except ProcessLookupError:       # already gone
            pass
        status, usage, killed = _reap(process, start + kill_after)
        wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)     # reaped here: Popen must not wait again
    raw_out, raw_err = _head(out_path), _head(err_path)
    return Outcome(exit_code=None if killed else process.returncode,
                   stdout=raw_out.decode("utf-8", "replace"), stderr=raw_err.decode("utf-8", "replace"),
                   wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024,
                   valid_utf8=_is_utf8(raw_out) and _is_utf8(raw_err))


def _reap(process: subprocess.Popen, deadline: float):
    """Wait for the process (polling, so the deadline holds), killing its group at the deadline."""
    pause = 0.001
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            return status, usage, False
        if time.monotonic() >= deadline:
            os.killpg(process.pid, signal.SIGKILL)     # its own process group: this process and its children
            _, status, usage = os.wait4(process.pid, 0)
            return status, usage, True
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= OUTPUT_KEPT - 3     # only a character cut by the truncation
    return True


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(OUTPUT_KEPT)
