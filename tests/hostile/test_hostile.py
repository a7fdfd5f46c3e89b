"""Hostile and extreme inputs (issue 10: every hostile or extreme input gets a located answer in bounded time
and memory), as data: tests/hostile/manifest.yaml lists each case with its expected exit code and message,
the files are under tests/hostile/cases/.

The manifest's `processes` run as `python -m nnsolve.cli` processes of their own, because what they test is
the process: its exit code through `main()`, its wall-clock time from start to end and its peak resident
memory (tests/hostile/limited_run.py: each is a fork of a helper that has done the start-up imports once,
its time charged with that start-up; a test below checks that a fresh interpreter gives the same answers). Its `in_process` cases, about the answer to malformed input, run in-process
(tests/fuzz/inprocess.py). Every case must keep the same promises: the expected exit code (3 is a bug, and
a case that is killed or times out has none), the expected message, no traceback, no raw terminal control
characters in the output, at most 2 s and at most 200 MB (in-process: 120 MB of growth, what is left of
200 MB above a process's start). Time is wall-clock time for a process (its CPU time only when a busy machine
slowed it twice while it kept working) and CPU time in-process (with five times as long on the clock for a
command that waits), so that other work on the cores does not fail a case. A bare `solve` process takes ~0.5 s and ~50 MB, a calculus one ~0.9 s and
~80 MB (SymPy).

A process is killed after HOSTILE_KILL_AFTER seconds of CPU time (default 5; 30 lets a slow process run on to
show how long it takes), or six times as long on the clock."""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

import pytest

from fuzz.inprocess import address_space_cap, hard_limit, run_guarded
from hostile_corpus import CASES, MANIFEST, load_cases
from limited_run import run_cli, run_python

TIME_LIMIT = 2.0                  # seconds of wall-clock time, start-up included
MEMORY_LIMIT_MB = 200             # peak resident set size of a process
GROWTH_LIMIT_MB = 120             # in-process: peak above the start
BUSY_SHARE = 0.1                  # a process working less than this share of its wall-clock time was waiting
KILL_AFTER = float(os.environ.get("HOSTILE_KILL_AFTER", "5"))
# C0 controls but tab and newline, DEL, and the C1 controls (U+009B is a one-character CSI on some terminals)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

ALL = load_cases()
PROCESSES = [case for case in ALL if not case.in_process]
IN_PROCESS = [case for case in ALL if case.in_process]


@dataclass(frozen=True)
class Answer:
    """What a case's run gave, a real process's or an in-process one's."""
    exit_code: int | None         # None: no answer (killed, timed out, an exception escaped)
    failure: str                  # why there is no answer
    stdout: str
    stderr: str
    seconds: float
    memory_mb: float
    memory_limit_mb: float
    valid_utf8: bool = True
    summary: str = ""


def run_process_case(case, folder, fresh_interpreter: bool = False) -> Answer:
    args = case.command(folder)
    limits = dict(kill_after=6 * KILL_AFTER, cpu_limit=math.ceil(KILL_AFTER), fresh_interpreter=fresh_interpreter)
    outcome = run_cli(args, folder, **limits)
    if outcome.exit_code is not None and outcome.wall >= TIME_LIMIT > outcome.cpu:
        # the process waited for the machine (other processes on its cores), not the other way round: once more
        outcome = run_cli(args, folder, **limits)
    seconds = outcome.wall
    if outcome.exit_code is not None and outcome.wall >= TIME_LIMIT > outcome.cpu >= BUSY_SHARE * outcome.wall:
        # twice slowed by a busy machine, yet it worked all along (a process that blocks on a read works no
        # tenth of its time): its own CPU time is what it took
        seconds = outcome.cpu
    return Answer(outcome.exit_code, f"no answer within {KILL_AFTER:g} s of CPU time or {6 * KILL_AFTER:g} s (killed)", outcome.stdout, outcome.stderr,
                  seconds, outcome.peak_rss_mb, MEMORY_LIMIT_MB, outcome.valid_utf8, outcome.describe())


def run_in_process_case(case, folder) -> Answer:
    # the last resorts, should a case run away in one C call or allocate without bound: end the process with
    # its stacks printed after 60 s, a MemoryError past 2 GB more address space
    with hard_limit(60), address_space_cap(2048):
        outcome = run_guarded(case.command(folder), seconds=TIME_LIMIT, memory_mb=GROWTH_LIMIT_MB)
    return Answer(outcome.exit_code, f"{outcome.kind}: {outcome.detail}", outcome.stdout, outcome.stderr, outcome.seconds,
                  outcome.grown_mb, GROWTH_LIMIT_MB,
                  summary=f"{outcome.kind}, {outcome.seconds:.2f} s, {outcome.grown_mb:.0f} MB grown; "
                          f"{outcome.detail} stderr: {outcome.stderr[:400]!r}")


def broken_promises(case, answer: Answer) -> list[str]:
    broken = []
    code = answer.exit_code
    if code is None:
        broken.append(answer.failure)
    elif code not in case.exits:
        broken.append(f"exit code {code}, expected {' or '.join(map(str, case.exits))}"
                      + (" (3 is an internal error)" if code == 3 else ""))
    stream = answer.stderr if code == 2 else answer.stdout
    for fragment in case.fragments(code):
        if fragment not in stream:
            broken.append(f"{'stderr' if code == 2 else 'stdout'} lacks {fragment!r}")
    if "Traceback" in answer.stdout + answer.stderr:
        broken.append("a traceback")
    found = CONTROL.findall(answer.stdout + answer.stderr)
    if found:
        broken.append(f"raw control characters in the output: {''.join(sorted(set(found)))!r}")
    if not answer.valid_utf8:
        broken.append("output that is not UTF-8")
    if answer.seconds >= TIME_LIMIT:
        broken.append(f"took {answer.seconds:.2f} s (limit {TIME_LIMIT:g} s)")
    if answer.memory_mb >= answer.memory_limit_mb:
        broken.append(f"{answer.memory_mb:.0f} MB of memory (limit {answer.memory_limit_mb:g} MB)")
    return broken


def run_case(case, folder, fresh_interpreter: bool = False) -> tuple[Answer, list[str]]:
    answer = (run_in_process_case(case, folder) if case.in_process
              else run_process_case(case, folder, fresh_interpreter))
    return answer, broken_promises(case, answer)


@pytest.mark.parametrize("case", PROCESSES, ids=lambda case: case.name)
def test_a_hostile_input_gets_a_located_answer_from_a_bounded_process(case, tmp_path):
    _judge(case, tmp_path)


@pytest.mark.parametrize("case", IN_PROCESS, ids=lambda case: case.name)
def test_a_malformed_input_gets_a_located_answer_in_bounded_time(case, tmp_path):
    _judge(case, tmp_path)


def _judge(case, folder):
    answer, broken = run_case(case, folder)
    if broken:
        pytest.fail(f"{case.name}: " + "; ".join(broken) + f"\n  {answer.summary}", pytrace=False)


def test_every_case_file_is_in_the_manifest():
    used = {case.file for case in ALL if case.file is not None}
    assert {path for path in CASES.rglob("*") if path.is_file()} - used == set(), "files no case reads"


def test_case_names_are_unique():
    names = [line.split(":", 1)[0].strip() for line in MANIFEST.read_text(encoding="utf-8").splitlines()
             if line.startswith("  ") and not line.startswith("   ") and not line.strip().startswith("#")]
    assert len(names) == len(ALL)
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def test_a_process_is_measured_alone(tmp_path):
    """The peak memory measured is the nnsolve process's own, not that of the (possibly large) test process
    it was started from; a bare `solve` peaks around 50 MB."""
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"x" * len(ballast[::4096])            # resident, not only reserved
    outcome = run_cli(["solve", "examples/demo-two-layer-tanh.yaml"], tmp_path)
    del ballast
    assert outcome.exit_code == 0, outcome.describe()
    assert 20 < outcome.peak_rss_mb < 150, outcome.describe()


@pytest.mark.parametrize("name", ["billion-laughs-layers", "answer-1e400", "title-with-escapes"])
def test_a_forked_process_answers_as_a_fresh_interpreter_does(name, tmp_path):
    """The cases' processes are forks of a helper that has imported nnsolve (limited_run.py): one case of
    each exit code gives the same exit code and output as `python -m nnsolve.cli` started afresh, and the
    same peak memory to a few MB (~187 MB here, most of it the case's own)."""
    case = next(case for case in PROCESSES if case.name == name)
    forked = run_cli(case.command(tmp_path), tmp_path)
    fresh = run_cli(case.command(tmp_path), tmp_path, fresh_interpreter=True)
    assert (forked.exit_code, forked.stdout, forked.stderr) == (fresh.exit_code, fresh.stdout, fresh.stderr)
    assert abs(forked.peak_rss_mb - fresh.peak_rss_mb) < 10, (forked.describe(), fresh.describe())


def test_a_forked_process_is_still_killed_by_its_limits(tmp_path):
    """What the cases' processes are there for: a run that never ends or allocates without bound is stopped
    by the kernel (RLIMIT_CPU, RLIMIT_AS set in the fork before it runs), not by the test's patience."""
    spinning = run_python(["-c", "while True: pass"], tmp_path, cpu_limit=1, kill_after=60)
    assert spinning.exit_code is None, spinning.describe()
    hoarding = run_python(["-c", "blocks = [bytearray(2**26) for _ in range(64)]"], tmp_path, memory_cap=1024 * 2**20)
    assert hoarding.exit_code == 1 and "MemoryError" in hoarding.stderr, hoarding.describe()
