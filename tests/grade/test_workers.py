"""A large class's distinct rows marked in worker processes (nnsolve/grading/workers.py): the gradebook is the one
marked in one process, mark for mark; MAX_GRADE_WORKERS is honoured; a worker that dies is an internal error."""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.grading import marker as marking
from nnsolve.grading import workers as working

from test_fast_marking import SAMPLE_CELLS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _class(n: int = 90) -> dict:
    rng = random.Random(7)
    students = {f"s{i:03d}": {answer: rng.choice(cells) for answer, cells in SAMPLE_CELLS.items()} for i in range(n)}
    students.update({f"copy{i:02d}": dict(students[f"s{i * 5:03d}"]) for i in range(12)})
    students["blank"] = {answer: "" for answer in SAMPLE_CELLS}
    return students


@pytest.fixture
def two_cpus(monkeypatch):
    """Two CPUs to use, whatever the machine has; the forks counted."""
    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(working.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(working.os, "fork", fork)
    return forks


def _graded(monkeypatch, workers: int, students: dict):
    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", str(workers))
    return nnsolve.grade(load(EXAMPLES / "grading" / "problem.yaml"), students)


def test_two_workers_give_the_gradebook_of_one_process(monkeypatch, two_cpus):
    students = _class()
    alone = _graded(monkeypatch, 1, students)
    assert two_cpus == []                          # the limit honoured: no worker
    shared = _graded(monkeypatch, 2, students)
    assert len(two_cpus) == 2                      # two workers forked
    assert [s.student for s in shared.students] == list(students)
    assert len({tuple(sorted(s.items())) for s in students.values()}) >= working.MIN_ROWS
    for one, other in zip(shared.students, alone.students):
        assert one == other, one.student
    assert shared.summary() == alone.summary()
    verdicts = {m.verdict for s in shared.students for m in s.answers}
    assert verdicts == {"right", "carried forward", "wrong", "format error"}


def test_workers_are_at_most_the_cpus_and_only_for_many_rows(monkeypatch, two_cpus):
    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", "16")
    assert working.worker_count(working.MIN_ROWS) == 2
    assert working.worker_count(working.MIN_ROWS - 1) == 1
    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", "1")
    assert working.worker_count(10_000) == 1


def test_a_process_running_other_threads_is_not_forked(monkeypatch, two_cpus):
    import threading

    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", "2")
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert working.worker_count(10_000) == 1
    finally:
        release.set()
        other.join()
    assert working.worker_count(10_000) == 2


def test_a_small_class_is_marked_without_workers(monkeypatch, two_cpus):
    small = dict(list(_class().items())[:20])
    _graded(monkeypatch, 2, small)
    assert two_cpus == []


def test_a_worker_that_dies_is_an_internal_error_not_a_missing_student(monkeypatch, two_cpus):
    mark = marking._mark

    def dying(marker, submission):
        if submission.student == "s040":
            os._exit(9)                             # in the worker: it ends without sending its rows
        return mark(marker, submission)

    monkeypatch.setattr(marking, "_mark", dying)
    with pytest.raises(working.WorkerFailed, match="exit status 9"):
        _graded(monkeypatch, 2, _class())


def test_an_error_in_a_worker_is_raised_as_marking_in_one_process_raises_it(monkeypatch, two_cpus):
    mark = marking._mark

    def failing(marker, submission):
        if submission.student == "s041":
            raise ZeroDivisionError("a bug")
        return mark(marker, submission)

    monkeypatch.setattr(marking, "_mark", failing)
    with pytest.raises(ZeroDivisionError, match="a bug"):
        _graded(monkeypatch, 2, _class())


def test_the_timeout_holds_per_student_in_the_workers(monkeypatch, two_cpus):
    mark = marking._mark

    def slow(marker, submission):
        if submission.student == "s042" and not submission.malformed:    # (its row saying it was not marked: not)
            import time
            time.sleep(60)             # stopped by the timeout
        return mark(marker, submission)

    monkeypatch.setattr(marking, "_mark", slow)
    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", "2")
    book = nnsolve.grade(load(EXAMPLES / "grading" / "problem.yaml"), _class(), timeout=0.5)
    late = next(s for s in book.students if s.student == "s042")
    assert late.malformed.startswith("not marked: stopped after 0.5 s")
    assert all(not s.malformed.startswith("not marked") for s in book.students if s.student != "s042")
    assert len(two_cpus) == 2


def test_the_command_says_a_dead_worker_is_an_internal_error(monkeypatch, two_cpus, tmp_path):
    import csv

    from typer.testing import CliRunner

    from nnsolve.cli import app

    students = _class()
    submissions = tmp_path / "class.csv"
    with submissions.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["student", *SAMPLE_CELLS])
        writer.writerows([student, *(row[a] for a in SAMPLE_CELLS)] for student, row in students.items())
    mark = marking._mark

    def dying(marker, submission):
        if submission.student == "s040":
            os._exit(9)
        return mark(marker, submission)

    monkeypatch.setattr(marking, "_mark", dying)
    monkeypatch.setenv("NNSOLVE_MAX_GRADE_WORKERS", "2")
    result = CliRunner().invoke(app, ["grade", str(EXAMPLES / "grading" / "problem.yaml"), str(submissions)])
    assert result.exit_code == 3, result.output
    assert "internal error" in result.output and "marking worker" in result.output
