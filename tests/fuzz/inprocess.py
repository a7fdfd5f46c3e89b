"""One `nnsolve` command run in this process (tests/cli_runner.py) under a time limit and a memory watch,
classified the way the hardening issue judges it: exit 0, 1 or 2 is an answer; exit 3, an exception that
escapes the command, a run over its time and a run that grows memory past its limit are failures.

- Time: `signal.setitimer(ITIMER_REAL)` raises `RunTimeout` in the main thread when the limit passes.
  It is a BaseException, so the CLI's `except Exception` cannot turn it into exit 3. A signal is only
  handled between bytecodes: a single C call (a billion-digit multiplication) delays it until it
  returns; `hard_limit` (faulthandler, a C thread) then dumps every thread's stack and ends the process,
  which tests/fuzz/run.py notices and reports against the run it had started.
- Memory: Linux's peak-RSS counter is reset before each run (writing 5 to /proc/self/clear_refs) and read
  after it (VmHWM in /proc/self/status): the run's own peak, above the resident size it started from, at
  the cost of two small file operations per run. Without /proc (not Linux) the process's ru_maxrss is
  used instead, which only rises when a run passes every earlier peak. A run that raises MemoryError
  counts as a memory failure too.
"""
from __future__ import annotations

import faulthandler
import re
import resource
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from cli_runner import invoke

INTERNAL_ERROR = re.compile(r"internal error, please report: (\w+)")


FAILURES = ("exit 3", "exception", "timeout", "memory", "crash")


class RunTimeout(BaseException):
    """The run passed its time limit (a BaseException: nothing in nnsolve may catch it)."""


@dataclass
class Outcome:
    kind: str                  # "exit 0", "exit 1", "exit 2"; failures: "exit 3", "exception", "timeout", "memory",
                               # and "crash" (tests/fuzz/run.py: the process running it ended)
    detail: str = ""           # for a failure: the exception type and message, or the limit passed
    seconds: float = 0.0       # CPU seconds
    grown_mb: float = 0.0      # peak resident memory above the run's start
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)
    exit_code: int | None = None   # None when the command gave none (a timeout, an escaping exception)

    @property
    def failed(self) -> bool:
        return self.kind in FAILURES

    @property
    def cause(self) -> str:
        """What a failure is grouped by: its kind and exception type."""
        return f"{self.kind}: {self.detail.split(':', 1)[0]}" if self.detail else self.kind


def run_guarded(args: list[str], *, seconds: float = 2.0, memory_mb: float = 120.0) -> Outcome:
    """`nnsolve ARGS…` in-process, classified. Must be called from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("run_guarded needs the main thread (it uses SIGALRM)")
    start_rss = _reset_peak()
    start = time.process_time()        # CPU seconds: the command's work, not the machine's other load
    try:
        with _time_limit(seconds):
            result = invoke(*args)
    except RunTimeout:
        return Outcome("timeout", f"over {seconds:g} s of CPU time (or {5 * seconds:g} s waiting)",
                       time.process_time() - start, _grown(start_rss))
    except MemoryError as e:
        return Outcome("memory", f"MemoryError: {e}", time.process_time() - start, _grown(start_rss))
    except Exception as e:     # noqa: BLE001 - what escapes the command is the finding
        return Outcome("exception", f"{type(e).__name__}: {e}"[:300], time.process_time() - start, _grown(start_rss))
    elapsed, grown = time.process_time() - start, _grown(start_rss)
    outcome = Outcome(f"exit {result.exit_code}", "", elapsed, grown, result.stdout, result.stderr, result.exit_code)
    if result.exit_code == 3:
        found = INTERNAL_ERROR.search(result.stderr)
        outcome.detail = result.stderr.split("please report: ", 1)[-1].strip()[:300] if found else result.stderr[:300]
        if found and found.group(1) == "MemoryError":
            outcome.kind = "memory"
    elif result.exit_code not in (0, 1, 2):
        outcome.kind, outcome.detail = "exception", f"exit code {result.exit_code}: {result.stderr[:200]}"
    elif grown > memory_mb:
        outcome.kind, outcome.detail = "memory", f"peak {grown:.0f} MB above the start (limit {memory_mb:g} MB)"
    return outcome


@contextmanager
def _time_limit(seconds: float):
    """RunTimeout after `seconds` of CPU time (what the command works, whatever else shares the cores), or after
    five times as long on the clock (a command that waits rather than works). Both alarms repeat every 50 ms once
    due, so a RunTimeout swallowed where Python ignores exceptions (a gc callback) is raised again."""
    armed = [True]

    def expire(signum, frame):
        if armed[0]:
            raise RunTimeout

    previous_prof = signal.signal(signal.SIGPROF, expire)
    previous_alarm = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_PROF, seconds, 0.05)
    signal.setitimer(signal.ITIMER_REAL, 5 * seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous_prof)
        signal.signal(signal.SIGALRM, previous_alarm)


@contextmanager
def hard_limit(seconds: float):
    """End the whole process (stacks on stderr) if the block runs `seconds`: the last resort for a C call
    that never returns to the interpreter."""
    faulthandler.dump_traceback_later(seconds, exit=True)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


@contextmanager
def address_space_cap(extra_mb: float):
    """Cap this process's address space at its current size plus `extra_mb` for the block, so a run that
    allocates without bound gets a MemoryError instead of the machine's memory (the cap is lifted after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    size = _status_kb("VmSize")
    if size is None:
        yield
        return
    cap = int((size * 1024) + extra_mb * 1024 * 1024)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _reset_peak() -> float:
    """The resident size now (KB), after resetting the peak counter where Linux allows it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    rss = _status_kb("VmRSS")
    return rss if rss is not None else _maxrss_kb()


def _grown(start_kb: float) -> float:
    peak = _status_kb("VmHWM")
    return max(0.0, ((peak if peak is not None else _maxrss_kb()) - start_kb) / 1024)


def _status_kb(field_name: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def _maxrss_kb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform == "darwin" else peak     # bytes on macOS, KB elsewhere
