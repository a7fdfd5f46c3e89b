"""The distinct rows of a large class marked in worker processes: the problem is loaded and solved once, in this
process, and each worker — forked from it, so it starts with the solution and every re-solve already shared — marks
every n-th distinct row and sends its gradebook rows back as plain data, in its rows' order. Marking a student
depends on nothing another student did (the shared re-solves give exactly what a student checked alone gets:
tests/grade/test_fast_marking.py), so the gradebook is the one marked in one process (tests/grade/test_workers.py).

A worker that stops before sending all its rows (killed, out of memory) is an internal error, said as such: a
student is never silently left out."""
from __future__ import annotations

import os
import pickle
import signal
import struct

MIN_ROWS = 64          # fewer distinct rows are marked faster than workers are forked and their results read
_LENGTH = struct.Struct("<Q")


class WorkerFailed(RuntimeError):
    """A marking worker stopped before it sent all its rows."""


def worker_count(rows: int) -> int:
    """How many workers mark `rows` distinct rows: the CPUs this process may use, at most MAX_GRADE_WORKERS; 1 (no
    worker: marked here) for fewer than MIN_ROWS rows, where processes cannot be forked, or in a process running
    other threads (a fork copies only the calling thread: a lock another one holds would never be released)."""
    import threading

    from ..limits import MAX_GRADE_WORKERS

    if rows < MIN_ROWS or not hasattr(os, "fork") or not hasattr(os, "sched_getaffinity") \
            or threading.active_count() > 1:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), MAX_GRADE_WORKERS.value))


class Workers:
    """`count` forked workers marking `rows` (row i by worker i % count) with `mark`; `result(i)` is row i's
    mark, asked for in the rows' order. Used as a context manager: leaving it reaps every worker (killing those
    still at work when it is left by an exception)."""

    def __init__(self, mark, rows: list, count: int):
        self.mark, self.rows, self.count = mark, rows, count
        self._children: list[tuple[int, object]] = []       # (pid, the read end of its pipe)
        self._next = 0

    def __enter__(self) -> "Workers":
        try:
            for worker in range(self.count):
                read, write = os.pipe()
                pid = os.fork()
                if pid == 0:        # the worker: it never returns
                    os.close(read)
                    for _, stream in self._children:
                        stream.close()
                    _serve(self.mark, self.rows[worker::self.count], write)
                os.close(write)
                self._children.append((pid, os.fdopen(read, "rb")))
        except BaseException:
            self._stop()
            raise
        return self

    def result(self, i: int):
        assert i == self._next, "rows are read in their order"
        self._next += 1
        pid, stream = self._children[i % self.count]
        header = stream.read(_LENGTH.size)
        body = stream.read(_LENGTH.unpack(header)[0]) if len(header) == _LENGTH.size else b""
        if not body:
            raise WorkerFailed(f"a marking worker (process {pid}) {_ended(pid)} before it sent the marks of row "
                               f"{i + 1} of {len(self.rows)} distinct rows")
        kind, value = pickle.loads(body)
        if kind == "error":
            raise value
        return value

    def __exit__(self, kind, error, trace) -> None:
        if kind is not None:
            self._stop()
            return
        for pid, stream in self._children:
            stream.close()
        children, self._children = self._children, []
        failed = [(pid, status) for pid, status in (os.waitpid(pid, 0) for pid, _ in children) if status]
        if failed:
            pid, status = failed[0]
            raise WorkerFailed(f"a marking worker (process {pid}) {_status_text(status)}")

    def _stop(self) -> None:
        for pid, stream in self._children:
            stream.close()
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        self._children = []


def _serve(mark, rows: list, fd: int):
    """A worker's life: each row marked and sent (length, pickle); an exception marking one is sent in its place
    (raised again by the parent, as it would have been raised marking there), and ends the worker."""
    code = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for row in rows:
                try:
                    frame = ("ok", mark(row))
                except Exception as error:      # noqa: BLE001  (sent to the parent, which raises it)
                    frame, code = ("error", _portable(error)), 1
                data = pickle.dumps(frame, pickle.HIGHEST_PROTOCOL)
                out.write(_LENGTH.pack(len(data)) + data)
                if code:
                    break
    except BaseException:       # noqa: BLE001  (a worker never returns into the parent's code)
        code = 2
    finally:
        os._exit(code)


def _portable(error: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:       # noqa: BLE001
        return RuntimeError(f"{type(error).__name__}: {error}")


def _ended(pid: int) -> str:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "stopped"
    return _status_text(status)


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"stopped with exit status {os.waitstatus_to_exitcode(status)}"
