"""A small process that starts the hostile cases' processes for tests/hostile/limited_run.py and measures them.

Why a process of its own: a child's `ru_maxrss` counts the memory of the process it was forked from (Linux
records the old address space's peak when the child execs; after a fork that is a copy of the parent's), so
a child of a large pytest worker (PyTorch loaded by other tests: hundreds of MB) would report the worker's
size, not its own. Forked from this small process instead, it reports its own peak (this one's ~10 MB
is below any nnsolve process's).

Protocol: one JSON request per line on stdin, one JSON reply per line on stdout; ends at end of input.
  request: {"argv": […], "cwd": …, "env": {…}, "stdout": path, "stderr": path, "kill_after": s, "memory_cap": bytes,
            "cpu_limit": s (optional: the kernel ends the process past that much CPU time, SIGXCPU)}
  reply:   {"status": wait status, "killed": bool, "wall": s, "cpu": s, "maxrss_kb": KB}
Imports only the standard library's process tools, to stay small."""
import json
import os
import resource
import signal
import subprocess
import sys
import time


def run(request: dict) -> dict:
    cap = request["memory_cap"]

    cpu = request.get("cpu_limit")

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if cpu:
            resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu) + 1))

    with open(request["stdout"], "wb") as out, open(request["stderr"], "wb") as err:
        start = time.monotonic()
        process = subprocess.Popen(request["argv"], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   cwd=request["cwd"], env=request["env"], preexec_fn=limit_memory,
                                   start_new_session=True)
        deadline, pause, killed = start + request["kill_after"], 0.001, False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() >= deadline:
                os.killpg(process.pid, signal.SIGKILL)     # its own session: this process and its children
                _, status, usage = os.wait4(process.pid, 0)
                killed = True
                break
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
        wall = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)    # reaped here: Popen must not wait again
    killed = killed or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL))
    return {"status": status, "killed": killed, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss}


def main() -> None:
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
