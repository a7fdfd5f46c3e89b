"""`make fuzz`: thousands of mutants of the examples through `nnsolve` in-process, tallied.

    python tests/fuzz/run.py --count 5000 --seed 1        # make fuzz N=5000 SEED=1
    python tests/fuzz/run.py --seed 1 --only 1234 --keep /tmp/m   # one mutant again, its file kept

Prints the count of commands by outcome (exit 0, 1, 2; failures: exit 3, an escaping exception, a timeout,
a memory blow-up, a crash) and every failure grouped by cause, each with the line that reproduces it.
Exits 1 on any failure.

The mutants run in a worker process that this one supervises: a mutant that never hands control back to
the interpreter (a C call of minutes) is ended by the worker's faulthandler, or the kernel ends a worker
out of memory; either way this process reports a crash against the mutant that was running and starts a
new worker at the next one."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from fuzz.campaign import Failure, Tally, run_mutant, warm_up  # noqa: E402
from fuzz.inprocess import Outcome, address_space_cap, hard_limit  # noqa: E402
from fuzz.mutations import make_mutant  # noqa: E402

HARD_SECONDS = 30          # per mutant, all its commands: past it the worker is ended (see the docstring)
ADDRESS_SPACE_MB = 3072    # the worker's address space beyond its size after warming up


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="mutants to run (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="the campaign's seed (default 0)")
    parser.add_argument("--first", type=int, default=0, help="the first mutant's index (default 0)")
    parser.add_argument("--only", type=int, help="run only the mutant with this index")
    parser.add_argument("--keep", type=Path, help="write each failing mutant's file into this folder")
    parser.add_argument("--show", type=int, default=None, help="failures shown per cause (default: all)")
    parser.add_argument("--worker", nargs=3, type=int, metavar=("FIRST", "END", "FD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        first, end, fd = args.worker
        return _work(args.seed, range(first, end), fd)
    indices = [args.only] if args.only is not None else list(range(args.first, args.first + args.count))
    return _supervise(args.seed, indices, args.keep, args.show)


def _supervise(seed: int, indices: list[int], keep: Path | None, show: int | None) -> int:
    tally, started = Tally(), time.monotonic()
    position = 0
    while position < len(indices):
        first, end = indices[position], indices[-1] + 1
        reports, report_end = os.pipe()        # the worker's reports: its stdout and stderr are left to nnsolve
        with tempfile.TemporaryFile("w+") as errors:
            worker = subprocess.Popen([sys.executable, __file__, "--seed", str(seed), "--worker", str(first),
                                       str(end), str(report_end)], stdout=subprocess.DEVNULL, stderr=errors,
                                      pass_fds=(report_end,), cwd=TESTS.parent)
            os.close(report_end)
            with os.fdopen(reports) as lines:
                running = _collect(seed, lines, tally, started)
            code = worker.wait()
            errors.seek(0)
            error = errors.read()
        if running is None:
            if code != 0:
                print(error[-3000:], file=sys.stderr)
                raise SystemExit(f"the fuzz worker failed outside a mutant (exit {code})")
            position = len(indices)
            continue
        mutant = make_mutant(seed, running)          # the worker died on it: a crash, counted once per mutant
        frames = [line.strip() for line in error.splitlines() if line.strip().startswith("File ")]
        where = " | ".join(frames[:3]) or " | ".join(error.strip().splitlines()[-3:])   # faulthandler: innermost first
        outcome = Outcome("crash", f"worker ended (exit {code}): {where}"[:400])
        tally.add(mutant, [(mutant.commands[0], outcome)])
        position = indices.index(running) + 1
    if keep is not None:
        _keep(tally.failures, keep)
    print(tally.report(show))
    print(f"({time.monotonic() - started:.0f} s)")
    return 1 if tally.failures else 0


def _collect(seed: int, lines, tally: Tally, started: float) -> int | None:
    """Read a worker's reports into the tally; the index of the mutant it was running when it ended."""
    running = None
    for line in lines:
        message = json.loads(line)
        if "start" in message:
            running = message["start"]
            continue
        mutant = make_mutant(seed, message["done"])
        tally.add(mutant, [(tuple(c), Outcome(**o)) for c, o in message["results"]])
        running = None
        if tally.mutants % 500 == 0:
            print(f"… {tally.mutants} mutants, {len(tally.failures)} failures, "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return running


def _work(seed: int, indices: range, fd: int) -> int:
    warm_up()
    with os.fdopen(fd, "w") as report, tempfile.TemporaryDirectory() as folder, \
            address_space_cap(ADDRESS_SPACE_MB):
        for index in indices:
            print(json.dumps({"start": index}), file=report, flush=True)
            mutant = make_mutant(seed, index)
            with hard_limit(HARD_SECONDS):
                results = run_mutant(mutant, Path(folder))
            print(json.dumps({"done": index, "results": [(c, _plain(o)) for c, o in results]}), file=report,
                  flush=True)
    return 0


def _plain(outcome: Outcome) -> dict:
    return {"kind": outcome.kind, "detail": outcome.detail, "seconds": outcome.seconds,
            "grown_mb": outcome.grown_mb}


def _keep(failures: list[Failure], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for failure in failures:
        path = folder / f"mutant-{failure.mutant.seed}-{failure.mutant.index}{failure.mutant.suffix}"
        path.write_bytes(failure.mutant.data)
        print(f"kept {path}: nnsolve {failure.command[0]} {path}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.pop("NNSOLVE_DEBUG", None)
    sys.exit(main())
