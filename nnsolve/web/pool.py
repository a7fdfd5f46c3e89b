"""The server's worker processes: every solve, check, grade, summary, vary and export runs in one, under a limit of
CPU time, so that one pathological problem cannot stall the server or the other users.

- A worker is a process started by a fork server that has already imported nnsolve (a new worker is ready in
  milliseconds); it does one job at a time, sent over a pipe, and sends back an `Outcome`.
- Before each job the worker sets its soft RLIMIT_CPU to the CPU time it has used plus the limit: past it the kernel
  sends SIGXCPU, which the worker turns into the same "stopped after N s" as the CLI's deadline (a 422). Afterwards
  the limit is lifted again.
- A worker that does not answer within a wall-clock backstop (stuck inside one long C call, which a signal cannot
  break off) or that dies (out of memory under its address-space limit) is killed and replaced, and the request is
  told so. The server itself never computes.
- At most `size` jobs run at once; others wait in line, and past `queue` waiting requests the server answers 503.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from .jobs import Outcome

PRELOADED = ["nnsolve.web.jobs", "nnsolve.api", "nnsolve.check.checker", "nnsolve.render.html", "nnsolve.render.json"]
BACKSTOP_FACTOR, BACKSTOP_EXTRA = 3, 10.0      # wall-clock seconds a job may take: 3 × its CPU limit + 10 s
CPU_HINT = "the server's limit per request: nnsolve serve --cpu-seconds"


def cpu_limit_exceeded(seconds: float):
    """What the SIGXCPU handler raises in the worker's main thread: the CLI's DeadlineExceeded (which no `except
    Exception` in the library swallows), saying which limit it was."""
    from ..limits import DeadlineExceeded
    error = DeadlineExceeded(seconds, CPU_HINT)
    error.args = (f"stopped after {seconds:g} s of CPU time, the server's limit per request (nnsolve serve "
                  f"--cpu-seconds)",)
    return error


def _serve(conn, cpu_seconds: float | None, memory_bytes: int | None) -> None:
    """A worker's life: jobs from `conn`, one at a time, until the pipe closes."""
    import resource

    from ..limits import DeadlineExceeded
    from . import jobs

    if memory_bytes:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))
    signal.signal(signal.SIGINT, signal.SIG_IGN)          # Ctrl-C in the terminal stops the server, which stops us

    def over(signum, frame):
        raise cpu_limit_exceeded(cpu_seconds)

    signal.signal(signal.SIGXCPU, over)
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        if cpu_seconds:
            used = resource.getrusage(resource.RUSAGE_SELF)
            limit = math.ceil(used.ru_utime + used.ru_stime + cpu_seconds)
            resource.setrlimit(resource.RLIMIT_CPU, (limit if hard == resource.RLIM_INFINITY else min(limit, hard),
                                                     hard))
        try:
            outcome = jobs.run(job, args, None)
        except DeadlineExceeded as e:     # the limit met at the very edge of the job's own guard
            outcome = Outcome(422, message=str(e), kind="time")
        finally:
            if cpu_seconds:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
        try:
            conn.send(outcome)
        except (EOFError, OSError):
            return


class _Worker:
    def __init__(self, context, cpu_seconds, memory_bytes):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, cpu_seconds, memory_bytes), daemon=True,
                                       name="nnsolve-worker")
        self.process.start()
        child.close()

    def call(self, job: str, args: dict, backstop: float | None) -> Outcome | None:
        """The job's outcome, or None when the worker did not answer in time or died (it is then stopped)."""
        try:
            self.conn.send((job, args))
            if self.conn.poll(backstop):
                return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            pass
        self.stop()
        return None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    def __init__(self, size: int = 2, cpu_seconds: float | None = 30.0, memory_mb: int | None = 4096,
                 queue_size: int = 256, backstop: float | None = None):
        self.size, self.cpu_seconds = size, cpu_seconds
        self.backstop = backstop or (cpu_seconds * BACKSTOP_FACTOR + BACKSTOP_EXTRA if cpu_seconds else None)
        self.memory_bytes = memory_mb * 1024 * 1024 if memory_mb else None
        self.queue_size = queue_size
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOADED)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = 0
        self.replaced = 0              # workers killed and replaced (stuck or dead): the health page shows it
        self.dropped = 0               # jobs not started because their client had left
        for _ in range(size):
            self._idle.put(self._new())
        self._threads = ThreadPoolExecutor(max_workers=size, thread_name_prefix="nnsolve-dispatch")
        self.closed = False

    def _new(self) -> _Worker:
        return _Worker(self._context, self.cpu_seconds, self.memory_bytes)

    def run(self, job: str, args: dict, gone=None) -> Outcome:
        """Do the job in a worker (blocking: the calling thread waits). `gone()`, asked once a worker is free, says
        whether the client has left meanwhile: its work is then not started (an editor's superseded request, a
        script that gave up)."""
        worker = self._idle.get()
        if gone is not None and gone():
            with self._lock:
                self.dropped += 1
            self._idle.put(worker)
            return Outcome(499, kind="gone", message="the client left before its turn; nothing was done")
        try:
            outcome = worker.call(job, args, self.backstop)
            if outcome is None:
                with self._lock:
                    self.replaced += 1
                worker = self._new()
                outcome = Outcome(422, kind="time", message=(
                    f"stopped: the work ended without an answer within {self.backstop:g} s (it ran out of memory, "
                    f"or one step could not be broken off; {CPU_HINT})" if self.backstop else
                    "stopped: the work ended without an answer (it ran out of memory)"))
            return outcome
        finally:
            self._idle.put(worker)

    async def __call__(self, job: str, args: dict, request=None) -> Outcome:
        """Do the job without blocking the server: in line behind at most `queue_size` others, else 503. With the
        `request`, a job whose client has disconnected by its turn is dropped."""
        import asyncio
        loop = asyncio.get_running_loop()
        gone = None if request is None else lambda: _disconnected(request, loop)
        with self._lock:
            if self._waiting >= self.queue_size + self.size:
                return Outcome(503, kind="busy", message=f"the server is busy: {self._waiting} requests are waiting; "
                                                        f"try again in a moment")
            self._waiting += 1
        try:
            return await loop.run_in_executor(self._threads, self.run, job, args, gone)
        finally:
            with self._lock:
                self._waiting -= 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._threads.shutdown(wait=False, cancel_futures=True)
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                break


def _disconnected(request, loop) -> bool:
    """Whether the request's client has gone, asked from a dispatch thread of the server's event loop."""
    import asyncio
    try:
        return asyncio.run_coroutine_threadsafe(request.is_disconnected(), loop).result(timeout=5)
    except Exception:       # the loop is closing, or the question timed out: do the work
        return False


class InlinePool:
    """Jobs done in the server's own process, under the wall-clock deadline only where a signal can reach it:
    for tests of the API that do not test the limits, and for `--workers 0` (debugging)."""
    size, cpu_seconds, replaced, dropped, closed = 0, None, 0, 0, False

    def __init__(self, seconds: float | None = 30.0):
        self.seconds = seconds

    async def __call__(self, job: str, args: dict, request=None) -> Outcome:
        from . import jobs
        return jobs.run(job, args, self.seconds)

    def close(self) -> None:
        self.closed = True


def default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))
