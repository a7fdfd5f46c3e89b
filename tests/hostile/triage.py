"""Every hostile case at once, as a table: `python tests/hostile/triage.py [NAME-FRAGMENT…] [--all] [--fresh]`.

Runs the cases of tests/hostile/manifest.yaml exactly as tests/hostile/test_hostile.py does (the
processes two at a time) and prints one line per failing case (every case with --all): the promises it
broke, its exit code, time and memory, and the first line of its message. --fresh starts each process as
a fresh interpreter instead of a fork of one that has done the start-up imports (tests/hostile/limited_run.py).
HOSTILE_KILL_AFTER sets how long a process may run before it is killed (default 5 s here too). Exits 1
when a case fails."""
from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent)]

from hostile_corpus import load_cases  # noqa: E402
from test_hostile import run_case  # noqa: E402


def run(case, fresh_interpreter: bool = False):
    with tempfile.TemporaryDirectory() as folder:
        answer, broken = run_case(case, Path(folder), fresh_interpreter)
    return case, answer, broken


def main(argv: list[str]) -> int:
    show_all, fresh = "--all" in argv, "--fresh" in argv
    wanted = [a for a in argv if a not in ("--all", "--fresh")]
    cases = [c for c in load_cases() if not wanted or any(w in c.name for w in wanted)]
    failed = 0
    processes = [c for c in cases if not c.in_process]
    with ThreadPoolExecutor(2) as pool:           # real processes two at a time, then the in-process ones
        results = list(pool.map(lambda case: run(case, fresh), processes)) + [run(c) for c in cases if c.in_process]
    for case, answer, broken in results:
        failed += bool(broken)
        if broken or show_all:
            code = "none" if answer.exit_code is None else f"exit {answer.exit_code}"
            message = next((line.strip() for line in answer.stderr.splitlines()[1:2] or
                            answer.stderr.splitlines()[:1]), "")
            where = "in-process" if case.in_process else "process"
            print(f"{'FAIL' if broken else 'ok  '} {case.name:46} {where:10} {code:6} {answer.seconds:5.2f} s "
                  f"{answer.memory_mb:4.0f} MB | {'; '.join(broken)}{' | ' + message[:160] if message else ''}")
    print(f"{failed} of {len(cases)} cases fail")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
