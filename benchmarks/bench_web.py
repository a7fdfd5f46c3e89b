"""A bounded load test of `nnsolve serve` on 127.0.0.1: 50 concurrent clients solving and checking for 30 s.

Starts `nnsolve serve --port 0 --data TMP` itself as a subprocess (its own workers, its default limits), reads the
port from the "nnsolve serving http://…" line it prints, and waits until GET /api/health answers. Then `--clients`
clients (asyncio, one httpx.AsyncClient and one connection each) loop for `--seconds`, each in turn:

- POST /api/solve          a bundled example (the demo, a conv, an Elman RNN, an LSTM, attention) as YAML;
- POST /api/check          an example with an `answers:` key (two keys that agree, two that do not: 200 either way);
- POST /api/check-answers  a student's answers as JSON (right ones, a slip carried forward, a forgotten kernel
                           rotation), with and without `hide_solution`.

Every payload is first sent once, alone: its reply is the reference. Under load, a reply that is not 200, a reply
whose body differs from the reference (the answers must not change with the load), and any exception (a timeout,
a refused connection) is an error; the first few are printed. Printed figures: requests done, requests/s and the
latency p50/p95/p99/max per endpoint and overall (the latency is the client's, from sending the request to the
whole reply read, of the requests answered: the time waiting in the server's queue for a worker included), the
CPU time the client, the server's own process and its workers used meanwhile, then the server's health (workers
replaced) and anything it printed on stderr. The goal (issue 15): no error, and the p95 reported.

The server is always stopped at the end (SIGINT, as Ctrl-C; killed if it does not stop, with whatever of its
process group is left, and that said), also on an error and on Ctrl-C; the whole script never runs longer than
`--seconds` + 60 s (past that it stops the server and exits 3). Exit status: 0 no error, 1 errors under load, 2 the
server could not be started or the references could not be had, 3 the hard bound.

    .venv/bin/python benchmarks/bench_web.py                       # 50 clients, 30 s
    .venv/bin/python benchmarks/bench_web.py --clients 10 --seconds 5 --json /tmp/web.json

The client runs on the same machine as the server and shares its CPUs: the figures are of the machine as it is
at the time, client included.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
HARD_EXTRA = 60.0             # the script's hard bound: --seconds + this
STARTUP_SECONDS = 30.0        # the longest wait for the server's first health answer, and for a reference reply
STOP_SECONDS = 10.0           # the longest wait for the server to stop after SIGINT before it is killed

SOLVE = ["demo-two-layer-tanh.yaml", "conv/conv-relu-maxpool.yaml", "recurrent/elman-sgd-two-steps.yaml",
         "gated_rnn/lstm-two-steps.yaml", "attention/self-attention-two-heads.yaml"]
CHECK = ["conv/depthwise-stride-avgpool.yaml", "ntu-000/q2b-mlp-forward-hidden.yaml",
         "ntu-000/q2f-grad-W1-b1.yaml", "paper-003/q5a-conv-net-grad-wf.yaml"]
# (problem, a student's answers, hide_solution): the grading example's 2-2-1 network, right to 4–6 dp, rounded,
# a slip in h1 carried through; the depthwise convolution with the kernel's rotation forgotten in the second row
STUDENTS = [
    ("grading/problem.yaml", {"h1": [0.99, 0.21], "y": 1.341, "loss": 0.0581405, "dL/dW2": [[0.33759], [0.07161]],
                              "W2(1)": [[1.166241], [-0.707161]]}, False),
    ("grading/problem.yaml", {"h1": "[0.99, 0.21]", "y": "1.34", "loss": "0.06", "dL/dW2": [[0.34], [0.07]],
                              "W2(1)": [[1.17], [-0.71]]}, True),
    ("grading/problem.yaml", {"h1": [0.99, 0.31], "y": 1.271, "loss": 0.0367205, "dL/dW2": [[0.26829], [0.08401]],
                              "W2(1)": [[1.173171], [-0.708401]]}, True),
    ("conv/depthwise-stride-avgpool.yaml", {"z1": [[[4, 16, 22], [8, 20, 14]], [[-1, 0, 1], [0, 0, 0]]]}, False),
]
ENDPOINTS = ("solve", "check", "check-answers")


class Request:
    """One payload of one endpoint, and the reply it had when sent alone."""

    def __init__(self, endpoint: str, name: str, content: bytes, content_type: str):
        self.endpoint, self.name, self.content, self.content_type = endpoint, name, content, content_type
        self.reference: bytes | None = None


def payloads() -> dict[str, list[Request]]:
    yaml = "application/yaml"
    found = {"solve": [Request("solve", n, (EXAMPLES / n).read_bytes(), yaml) for n in SOLVE],
             "check": [Request("check", n, (EXAMPLES / n).read_bytes(), yaml) for n in CHECK],
             "check-answers": []}
    for i, (name, answers, hide) in enumerate(STUDENTS):
        body = {"problem": (EXAMPLES / name).read_text(encoding="utf-8"), "answers": answers, "hide_solution": hide}
        found["check-answers"].append(Request("check-answers", f"{name} (student {i + 1})",
                                              json.dumps(body).encode(), "application/json"))
    return found


# -- the server ----------------------------------------------------------------------------------------
class Server:
    """`nnsolve serve` as a subprocess in its own process group (its worker processes with it), its stderr kept."""

    def __init__(self, data: Path, workers: int | None):
        path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        command = [sys.executable, "-m", "nnsolve", "serve", "--host", "127.0.0.1", "--port", "0", "--data", str(data)]
        if workers is not None:
            command += ["--workers", str(workers)]
        self.lines: list[str] = []
        self.url: str | None = None
        self._ready = threading.Event()
        # a session of its own: Ctrl-C in the terminal reaches this script, which stops the server in order
        self.process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": path},
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8", errors="replace", start_new_session=True)
        self.group = self.process.pid
        self._reader = threading.Thread(target=self._read, name="server-stderr", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            found = re.search(r"nnsolve serving (http://\S+?)/? ", line)
            if found and self.url is None:
                self.url = found.group(1).rstrip("/")
                self._ready.set()
        self._ready.set()          # stderr closed: the server has ended

    def wait_serving(self, seconds: float) -> str:
        """The server's base URL once it answers GET /api/health; RuntimeError when it does not within `seconds`."""
        end = time.monotonic() + seconds
        self._ready.wait(seconds)
        if self.url is None:
            raise RuntimeError("the server did not say where it serves" + self._ended())
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("the server stopped" + self._ended())
            try:
                if httpx.get(self.url + "/api/health", timeout=2.0).status_code == 200:
                    return self.url
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"GET {self.url}/api/health did not answer within {seconds:g} s")

    def _ended(self) -> str:
        code = self.process.poll()          # what it said on stderr is printed when it has been stopped
        return f" (exit status {code})" if code is not None else ""

    def stop(self) -> list[str]:
        """Stop the server as Ctrl-C does, kill it when it does not stop, and kill whatever of its process group
        is left after it (a worker, the fork server); what had to be done is returned, to be said."""
        notes = []
        if self.process.poll() is None:
            try:
                os.killpg(self.group, signal.SIGINT)       # the whole group, as a terminal's Ctrl-C would
            except ProcessLookupError:
                pass
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                notes.append(f"the server did not stop within {STOP_SECONDS:g} s of SIGINT: killed")
                self.process.kill()
                self.process.wait(5)
        deadline = time.monotonic() + 3.0
        while _group_alive(self.group):
            if time.monotonic() > deadline:
                notes.append("processes of the server's group were left running after it stopped: killed")
                try:
                    os.killpg(self.group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                break
            time.sleep(0.05)
        self._reader.join(2.0)
        return notes

    def kill_now(self) -> None:
        """The hard bound: everything of the server's group killed at once."""
        try:
            os.killpg(self.group, signal.SIGKILL)
        except ProcessLookupError:
            pass


def group_cpu(group: int) -> dict[int, float] | None:
    """CPU seconds (user + system) used so far by each process of the process group (Linux's /proc; None
    elsewhere): the server's own process and its workers."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").is_file():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    used = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue                    # ended meanwhile
        if int(fields[2]) == group:     # after the name: state, ppid, pgrp, …, utime (14th field), stime (15th)
            used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- the clients ---------------------------------------------------------------------------------------
class Results:
    def __init__(self):
        self.latencies: dict[str, list[float]] = {e: [] for e in ENDPOINTS}
        self.errors: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)      # every error: no reply, not 200, not alike
        self.unanswered: dict[str, int] = dict.fromkeys(ENDPOINTS, 0)  # of them, those without a reply
        self.first_errors: list[str] = []
        self.unfinished = 0

    def error(self, request: Request, what: str, keep: int, answered: bool = True) -> None:
        self.errors[request.endpoint] += 1
        self.unanswered[request.endpoint] += not answered
        if len(self.first_errors) < keep:
            self.first_errors.append(f"POST /api/{request.endpoint} {request.name}: {what}")


def _said(status: int, body: bytes) -> str:
    try:
        return f"{status} {json.loads(body)['error']}"[:500]
    except (ValueError, KeyError, TypeError):
        return f"{status} {body[:300]!r}"


async def send(client, base: str, request: Request):
    return await client.post(f"{base}/api/{request.endpoint}", content=request.content,
                             headers={"content-type": request.content_type})


async def references(base: str, found: dict[str, list[Request]], timeout: float) -> None:
    """Each payload once, alone: its reply becomes the one every reply under load must equal."""
    async with httpx.AsyncClient(timeout=timeout) as client:
        for requests in found.values():
            for request in requests:
                reply = await send(client, base, request)
                if reply.status_code != 200:
                    raise RuntimeError(f"POST /api/{request.endpoint} {request.name}, alone: "
                                       f"{_said(reply.status_code, reply.content)}")
                request.reference = reply.content


async def client_loop(number: int, base: str, found: dict[str, list[Request]], end: float, timeout: float,
                      results: Results, keep: int) -> None:
    """One client: solve, check, check-answers in turn (each time the next payload), until `end`."""
    turn = number            # clients start at different places in the mix
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        while time.monotonic() < end:
            endpoint = ENDPOINTS[turn % len(ENDPOINTS)]
            request = found[endpoint][(turn // len(ENDPOINTS)) % len(found[endpoint])]
            turn += 1
            start = time.perf_counter()
            try:
                reply = await send(client, base, request)
            except asyncio.CancelledError:
                results.unfinished += 1
                results.error(request, "unfinished when the run ended", keep, answered=False)
                raise
            except Exception as e:                      # a timeout, a refused or dropped connection: all errors
                results.error(request, f"{type(e).__name__}: {str(e) or 'no detail'}"[:500], keep, answered=False)
                continue
            elapsed = time.perf_counter() - start
            results.latencies[endpoint].append(elapsed)
            if reply.status_code != 200:
                results.error(request, _said(reply.status_code, reply.content), keep)
            elif reply.content != request.reference:
                results.error(request, f"200, but the reply differs from the one it had alone ({len(reply.content)} "
                                       f"bytes, alone {len(request.reference)})", keep)


async def load(base: str, found: dict[str, list[Request]], clients: int, seconds: float, timeout: float,
               grace: float, keep: int) -> tuple[Results, float]:
    results = Results()
    start = time.monotonic()
    end = start + seconds
    tasks = [asyncio.create_task(client_loop(i, base, found, end, timeout, results, keep)) for i in range(clients)]
    done, pending = await asyncio.wait(tasks, timeout=seconds + grace)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if task.exception() is not None:             # a bug of this script: said, never hidden
            raise task.exception()
    return results, time.monotonic() - start


# -- the figures ---------------------------------------------------------------------------------------
def percentile(ordered: list[float], p: float) -> float | None:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def figures(latencies: list[float], errors: int, unanswered: int, elapsed: float) -> dict:
    """A row of figures: requests sent, answered (any status; the latencies are theirs), errors, replies/s."""
    ordered = sorted(latencies)
    done = len(ordered)

    def ms(value):
        return None if value is None else value * 1e3          # None, not NaN: the JSON stays JSON
    return {"requests": done + unanswered, "answered": done, "errors": errors,
            "requests_per_s": done / elapsed if elapsed else 0.0,
            "p50_ms": ms(percentile(ordered, 50)), "p95_ms": ms(percentile(ordered, 95)),
            "p99_ms": ms(percentile(ordered, 99)), "max_ms": ms(ordered[-1] if ordered else None),
            "mean_ms": ms(sum(ordered) / done if done else None)}


def _shown(value) -> str:
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def report(results: Results, elapsed: float) -> dict:
    rows = {e: figures(results.latencies[e], results.errors[e], results.unanswered[e], elapsed) for e in ENDPOINTS}
    everything = [t for e in ENDPOINTS for t in results.latencies[e]]
    rows["overall"] = figures(everything, sum(results.errors.values()), sum(results.unanswered.values()), elapsed)
    print(f"{'endpoint':<15} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8}")
    for name, row in rows.items():
        print(f"{name:<15} {row['requests']:>8} {row['errors']:>6} {row['requests_per_s']:>7.1f} "
              f"{_shown(row['p50_ms'])} {_shown(row['p95_ms'])} {_shown(row['p99_ms'])} {_shown(row['max_ms'])}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients send requests (default 30)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="a request's timeout in seconds, an error past it (default 30)")
    parser.add_argument("--workers", type=int, default=None, help="the server's --workers (default: its own)")
    parser.add_argument("--show-errors", type=int, default=10, metavar="N", help="print the first N errors")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH", help="also write the figures to PATH")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.timeout <= 0:
        parser.error("--clients, --seconds and --timeout must be positive")

    began = time.monotonic()
    bound = args.seconds + HARD_EXTRA
    found = payloads()
    stopped = threading.Event()

    with tempfile.TemporaryDirectory(prefix="nnsolve-bench-web-") as data:
        server = Server(Path(data), args.workers)

        def hard_bound():
            if not stopped.is_set():
                print(f"\nthe hard bound of {bound:g} s was reached: the server is killed", file=sys.stderr,
                      flush=True)
                server.kill_now()
                os._exit(3)

        watchdog = threading.Timer(bound, hard_bound)
        watchdog.daemon = True
        watchdog.start()

        def terminated(signum, frame):               # kill PID: stop the server as on Ctrl-C
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, terminated)
        signal.signal(signal.SIGINT, signal.default_int_handler)    # Ctrl-C, even when started where it is ignored

        code = 0
        summary: dict = {}
        try:
            try:
                base = server.wait_serving(STARTUP_SECONDS)
                started = time.monotonic() - began
                asyncio.run(references(base, found, STARTUP_SECONDS))
            except (RuntimeError, OSError, httpx.HTTPError) as e:
                said = f"{type(e).__name__}: {e}" if isinstance(e, httpx.HTTPError) else str(e)
                print(f"cannot run the load test: {said}", file=sys.stderr)
                return 2
            health = httpx.get(base + "/api/health", timeout=5.0).json()
            print(f"nnsolve serve at {base}: {health['workers']} workers, {health['cpu_seconds']} s CPU per request; "
                  f"up and answering in {started:.1f} s; this machine: {os.cpu_count()} CPUs, client included, load "
                  f"average {os.getloadavg()[0]:.2f} before the run")
            print(f"{args.clients} clients for {args.seconds:g} s: solve ({len(found['solve'])} examples), check "
                  f"({len(found['check'])} keys), check-answers ({len(found['check-answers'])} students) in turn")
            # what is left of the bound after the run, less the time to stop, for the last requests to end
            grace = max(1.0, min(args.timeout, bound - (time.monotonic() - began) - args.seconds - STOP_SECONDS - 5))
            cpu, before = time.process_time(), group_cpu(server.group)
            results, elapsed = asyncio.run(load(base, found, args.clients, args.seconds, args.timeout, grace,
                                                args.show_errors))
            cpu, after_cpu = time.process_time() - cpu, group_cpu(server.group)
            server_cpu = worker_cpu = None
            if before is not None and after_cpu is not None:
                spent = {pid: t - before.get(pid, 0.0) for pid, t in after_cpu.items()}
                server_cpu = spent.get(server.group, 0.0)
                worker_cpu = sum(t for pid, t in spent.items() if pid != server.group)
            print(f"ran {elapsed:.1f} s (the last requests included); CPU used meanwhile: the client {cpu:.1f} s"
                  + (f", the server's own process {server_cpu:.1f} s, its workers {worker_cpu:.1f} s"
                     if server_cpu is not None else ""))
            rows = report(results, elapsed)
            try:
                after = httpx.get(base + "/api/health", timeout=5.0).json()
            except httpx.HTTPError as e:
                after = {"error": f"{type(e).__name__}: {e}"}
            replaced = after.get("workers_replaced")
            print(f"server afterwards: workers replaced {replaced}"
                  + (f"; {after['error']}" if "error" in after else ""))
            errors = rows["overall"]["errors"]
            if not rows["overall"]["answered"]:
                print("\nno request was answered")
                code = 1
            elif errors:
                print(f"\n{errors} errors ({results.unfinished} unfinished when the run ended); the first "
                      f"{len(results.first_errors)}:")
                for line in results.first_errors:
                    print(f"  {line}")
                code = 1
            else:
                print(f"\nno error; overall {rows['overall']['requests_per_s']:.1f} requests/s, "
                      f"p95 {rows['overall']['p95_ms']:.0f} ms")
            summary = {"clients": args.clients, "seconds": args.seconds, "elapsed": elapsed,
                       "workers": health["workers"], "cpus": os.cpu_count(), "client_cpu_s": cpu,
                       "server_cpu_s": server_cpu, "workers_cpu_s": worker_cpu, "endpoints": rows,
                       "workers_replaced": replaced, "unfinished": results.unfinished,
                       "first_errors": results.first_errors}
        except KeyboardInterrupt:
            print("\ninterrupted: stopping the server", file=sys.stderr)
            code = 130
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)       # a second Ctrl-C must not leave the server running
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            notes = server.stop()
            stopped.set()
            watchdog.cancel()
            said = [line for line in server.lines if "nnsolve serving" not in line]
            if said:
                print("the server said on stderr:\n  " + "\n  ".join(said[-40:]))
            for note in notes:
                print(note)
            if notes and code == 0:
                code = 1
            print(f"server stopped (exit status {server.process.returncode}); {time.monotonic() - began:.1f} s "
                  f"in all")
        if args.json is not None and summary:
            summary["server_stop_notes"] = notes
            args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
            print(f"figures written to {args.json}")
        return code


if __name__ == "__main__":
    sys.exit(main())
