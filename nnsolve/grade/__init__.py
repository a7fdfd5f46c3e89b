"""Marking a class: each student's answers checked as `nnsolve check` checks a key, with error carried forward,
and the verdicts turned into marks by the problem's `marking:` scheme.

`grade(problem, submissions)` returns a Gradebook (plain data); the writers in `nnsolve.grade.outputs` print it.
Only the scheme's schema is imported with this package (the problem loader needs it); the marker loads when used.
"""
from __future__ import annotations

import sys
import types


def grade(problem, submissions, timeout=None):
    """Mark every student of `submissions` (a CSV file, a folder of per-student YAML/JSON files, or a dict of
    student id → {answer id: value}) against `problem`; returns a Gradebook. `timeout` (seconds) bounds the
    solve and each student's check (a student past it is not marked, and the gradebook says so)."""
    from .marker import grade as _grade
    return _grade(problem, submissions, timeout)


class _CallablePackage(types.ModuleType):
    """Importing this package makes it the attribute `nnsolve.grade`, in place of the function `nnsolve.grade`
    the API promises: so the package itself grades when called."""

    def __call__(self, problem, submissions, timeout=None):
        return grade(problem, submissions, timeout)


sys.modules[__name__].__class__ = _CallablePackage

__all__ = ["grade"]
