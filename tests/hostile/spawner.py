"""The helper process that starts the hostile cases' processes for tests/hostile/limited_run.py and measures them.

Why a process of its own: a child's `ru_maxrss` counts the memory of the process it was forked from (Linux
records the old address space's peak when the child execs; after a fork that is a copy of the parent's), so
a child of a large pytest worker (PyTorch loaded by other tests: hundreds of MB) would report the worker's
size, not its own. Forked from this process instead, it reports no more than an nnsolve process's own peak.

Two ways to start a child, chosen when this process starts:
- `python -S spawner.py`: each child execs its argv (a real `python -m nnsolve.cli …`); this process stays at
  ~10 MB, below any nnsolve process's.
- `python spawner.py --preload MODULE…`: this process imports the MODULEs once (what every nnsolve process
  imports at start-up: numpy, pydantic, typer …), and each child is a fork of it that runs argv's
  `-m MODULE ARGS…` or `-c CODE ARGS…` as the interpreter would, without starting one. A case then costs its
  own work, not ~0.3 s of start-up; that start-up (the CPU time of a fresh interpreter up to the end of the
  same imports, measured once) is reported with each reply so the caller can add it back. The child
  is still a process of its own, in its own session, with its limits set before it reads any input. Its
  peak memory counts the imported modules, as a real process's would: the copied pages of this process,
  and the pages of its mapped libraries that it had touched, which the child touches again first (a fork
  counts a shared library page only once it touches it).

Protocol: one JSON request per line on stdin, one JSON reply per line on stdout; ends at end of input.
  request: {"argv": […], "cwd": …, "env": {…}, "stdout": path, "stderr": path, "kill_after": s, "memory_cap": bytes,
            "cpu_limit": s (optional: the kernel ends the process past that much CPU time, SIGXCPU)}
  reply:   {"status": wait status, "killed": bool, "wall": s, "cpu": s, "maxrss_kb": KB,
            "startup_cpu": s (CPU time of the start-up a forked child was spared; 0 for an exec'd one)}
Imports only the standard library's process tools (and, preloading, the modules it is given). Linux only
(/proc/self/pagemap), as the measures are."""
import ctypes
import json
import os
import resource
import signal
import subprocess
import sys
import time


def set_limits(memory_cap: int, cpu_limit) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_cap, memory_cap))
    if cpu_limit:
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_limit), int(cpu_limit) + 1))


def run_exec(request: dict) -> dict:
    with open(request["stdout"], "wb") as out, open(request["stderr"], "wb") as err:
        start = time.monotonic()
        process = subprocess.Popen(request["argv"], stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   cwd=request["cwd"], env=request["env"], start_new_session=True,
                                   preexec_fn=lambda: set_limits(request["memory_cap"], request.get("cpu_limit")))
        reply = reap(process.pid, start, request["kill_after"])
    process.returncode = os.waitstatus_to_exitcode(reply["status"])    # reaped here: Popen must not wait again
    return reply


def reap(pid: int, start: float, kill_after: float) -> dict:
    """Wait for the child `pid` started at `start` (time.monotonic()), killing it (and its process group)
    after `kill_after` seconds; its wait status, time and resource usage."""
    deadline, pause, killed = start + kill_after, 0.001, False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() >= deadline:
            os.killpg(pid, signal.SIGKILL)     # its own session: this process and its children
            _, status, usage = os.wait4(pid, 0)
            killed = True
            break
        time.sleep(pause)
        pause = min(pause * 2, 0.01)
    wall = time.monotonic() - start
    killed = killed or (os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL))
    return {"status": status, "killed": killed, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss, "startup_cpu": 0.0}


class Forker:
    """Forks children from this process once `modules` are imported (see the module's docstring)."""

    def __init__(self, modules: list[str], protocol_fds: tuple[int, int]):
        preload(modules)
        # what a start-up costs, measured in a fresh interpreter now that the modules' bytecode is cached (this
        # process may have compiled it, on a fresh clone, which no later start-up pays again)
        measured = subprocess.run([sys.executable, __file__, "--startup-cpu", *modules], check=True,
                                  stdout=subprocess.PIPE, text=True)
        self.startup_cpu = float(measured.stdout)
        self.resident_file_pages = _resident_file_pages()
        self.protocol_fds = protocol_fds

    def run(self, request: dict) -> dict:
        sys.stdout.flush()
        sys.stderr.flush()
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            self._child(request)               # never returns
        reply = reap(pid, start, request["kill_after"])
        reply["startup_cpu"] = self.startup_cpu
        return reply

    def _child(self, request: dict):
        status = 1
        try:
            os.setsid()
            _touch(self.resident_file_pages)
            for fd in self.protocol_fds:
                os.close(fd)
            set_limits(request["memory_cap"], request.get("cpu_limit"))
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                    (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                                    (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
                opened = os.open(path, flags, 0o644)
                os.dup2(opened, fd)
                os.close(opened)
            status = run_like_the_interpreter(request["argv"][1:])
        finally:
            os._exit(status)


def run_like_the_interpreter(args: list[str]) -> int:
    """`python ARGS…` for ARGS `-m MODULE …` or `-c CODE …` in this process: the exit status the interpreter
    would give (SystemExit's code; 1 and the traceback on stderr for any other exception)."""
    import runpy
    import traceback

    option, target, rest = args[0], args[1], args[2:]
    try:
        try:
            if option == "-m":
                sys.argv, sys.path[0] = [target, *rest], os.getcwd()      # run_module puts the file in argv[0]
                sys.modules.pop(target, None)        # run as __main__, not as the module preloaded under its name
                runpy.run_module(target, run_name="__main__", alter_sys=True)
            elif option == "-c":
                sys.argv, sys.path[0] = ["-c", *rest], ""
                exec(compile(target, "<string>", "exec"), {"__name__": "__main__"})
            else:
                raise ValueError(f"a forked child runs -m MODULE or -c CODE, not {option!r}")
        except SystemExit as done:
            code = done.code
            if code is None or isinstance(code, int):
                return code or 0
            print(code, file=sys.stderr)
            return 1
        except BaseException:      # noqa: BLE001 - what the interpreter does with it
            traceback.print_exc()
            return 1
        return 0
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass


def preload(modules: list[str]) -> None:
    """Import each MODULE, calling FUNCTION for a MODULE:FUNCTION."""
    import importlib

    for name in modules:
        module, _, function = name.partition(":")
        imported = importlib.import_module(module)
        if function:
            getattr(imported, function)()


def _resident_file_pages() -> list[int]:
    """The addresses of the pages of mapped files (the interpreter's and the modules' libraries) resident in
    this process: a fork shares them, but counts one in its resident size only once it touches it."""
    page = os.sysconf("SC_PAGE_SIZE")
    pages = []
    with open("/proc/self/maps") as maps, open("/proc/self/pagemap", "rb") as pagemap:
        for line in maps:
            fields = line.split()
            if len(fields) < 6 or not fields[5].startswith("/") or "r" not in fields[1]:
                continue
            start, end = (int(bound, 16) for bound in fields[0].split("-"))
            pagemap.seek(start // page * 8)
            entries = pagemap.read((end - start) // page * 8)
            pages += [start + i // 8 * page for i in range(0, len(entries), 8) if entries[i + 7] & 0x80]   # present
    return pages


def _touch(pages: list[int]) -> None:
    """Read a byte of each page, so this fork counts the pages a process that imported the same modules would
    have touched (~20 MB; it takes a few milliseconds)."""
    for address in pages:
        ctypes.string_at(address, 1)


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["--startup-cpu"]:
        sys.path[0] = os.getcwd()
        preload(argv[1:])
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(usage.ru_utime + usage.ru_stime)
        return
    if argv[:1] == ["--preload"]:
        requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)                       # a child's standard streams are its own files, never the protocol
        os.close(null)
        sys.path[0] = os.getcwd()              # as for `python -m`: the modules are found where a process finds them
        forker = Forker(argv[1:], (requests.fileno(), replies.fileno()))
        run = forker.run
    else:
        requests, replies, run = sys.stdin, sys.stdout, run_exec
    for line in requests:
        print(json.dumps(run(json.loads(line))), file=replies, flush=True)


if __name__ == "__main__":
    main()
