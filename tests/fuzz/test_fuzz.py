"""The mutation fuzzer in CI: a fixed set of mutants of the examples (derandomized: the same mutants every run),
each command of which must give an answer: exit 0, 1 or 2 within 2 s and 120 MB of growth (exit 3, an
escaping exception, a timeout or a memory blow-up fails). `make fuzz` runs thousands more (tests/fuzz/run.py).

SEEDS and MUTANTS_PER_SEED are the knobs to raise; the mutants are split in chunks so the workers share them."""
from __future__ import annotations

import random

import pytest

from fuzz.campaign import campaign, warm_up
from fuzz.inprocess import address_space_cap, hard_limit, run_guarded
from fuzz.mutations import example_files, make_mutant, mutant_source

SEEDS = (0,)
MUTANTS_PER_SEED = 300
CHUNK = 50
CHUNKS = [(seed, first) for seed in SEEDS for first in range(0, MUTANTS_PER_SEED, CHUNK)]


@pytest.fixture(scope="module")
def warmed():
    warm_up()


@pytest.mark.parametrize("seed, first", CHUNKS, ids=[f"seed{s}-{f}" for s, f in CHUNKS])
def test_every_mutant_gets_an_answer(seed, first, warmed, tmp_path):
    with address_space_cap(2048), hard_limit(120):
        tally = campaign(seed, range(first, min(first + CHUNK, MUTANTS_PER_SEED)), tmp_path)
    if tally.failures:
        pytest.fail("\n" + tally.report(), pytrace=False)


def test_a_mutant_is_the_same_from_its_seed_and_index_alone():
    state = random.getstate()
    first = [make_mutant(3, i) for i in range(40)]
    assert [make_mutant(3, i) for i in reversed(range(40))][::-1] == first
    assert random.getstate() == state, "the global random state was touched"
    assert [m.data for m in first] != [make_mutant(4, i).data for i in range(40)]
    assert {m.source for m in first} <= set(example_files())


def test_mutations_reach_every_kind_of_example():
    assert all(mutant_source(3, i) == make_mutant(3, i).source for i in range(40))
    sources = {mutant_source(seed, i).suffix for seed in SEEDS for i in range(MUTANTS_PER_SEED)}
    assert {".yaml", ".py"} <= sources


# ---- the guard itself: each kind of failure is classified as such ------------------------------------------

def _patched(monkeypatch, command):
    from fuzz import inprocess

    monkeypatch.setattr(inprocess, "invoke", command)


def test_the_guard_stops_a_run_at_its_time_limit(monkeypatch):
    def spin(*args):
        while True:
            pass

    _patched(monkeypatch, spin)
    outcome = run_guarded(["solve", "x.yaml"], seconds=0.2)
    # CPU seconds, as the kernel's profiling timer counts them (to the tick: a few ms either side)
    assert outcome.kind == "timeout" and outcome.failed and 0.1 <= outcome.seconds < 1


def test_the_guard_stops_a_run_that_waits_on_the_clock(monkeypatch):
    import time

    def wait(*args):
        time.sleep(30)

    _patched(monkeypatch, wait)
    started = time.monotonic()
    outcome = run_guarded(["solve", "x.yaml"], seconds=0.1)
    assert outcome.kind == "timeout" and outcome.failed and 0.5 <= time.monotonic() - started < 5


def test_the_guard_reports_an_escaping_exception(monkeypatch):
    def fail(*args):
        raise KeyError("layers")

    _patched(monkeypatch, fail)
    outcome = run_guarded(["solve", "x.yaml"])
    assert outcome.kind == "exception" and outcome.cause == "exception: KeyError"


def test_the_guard_measures_a_run_s_own_memory(monkeypatch):
    from cli_runner import Run

    def hog(*args):
        block = bytearray(150 * 1024 * 1024)
        block[::4096] = b"x" * len(block[::4096])        # touch every page: resident, not only reserved
        return Run(0, "", "")

    _patched(monkeypatch, hog)
    outcome = run_guarded(["solve", "x.yaml"], memory_mb=100)
    assert outcome.kind == "memory" and outcome.grown_mb >= 140
    _patched(monkeypatch, lambda *args: Run(0, "ok", ""))
    assert run_guarded(["solve", "x.yaml"], memory_mb=100).kind == "exit 0"     # the peak was reset


def test_the_guard_names_the_exception_behind_exit_3(monkeypatch):
    from cli_runner import Run

    _patched(monkeypatch, lambda *args: Run(3, "", "internal error, please report: ZeroDivisionError: "
                                                   "division by zero (rerun with NNSOLVE_DEBUG=1 …)\n"))
    outcome = run_guarded(["solve", "x.yaml"])
    assert outcome.failed and outcome.cause == "exit 3: ZeroDivisionError"
