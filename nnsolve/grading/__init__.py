"""Marking a class: each student's answers checked as `nnsolve check` checks a key, with error carried forward,
and the verdicts turned into marks by the problem's `marking:` scheme.

`grade(problem, submissions)` (also `nnsolve.grade`) returns a Gradebook (plain data); the writers in
`nnsolve.grading.outputs` print it. Only the scheme's schema is imported with this package (the problem loader
needs it); the marker loads when used.
"""
from __future__ import annotations


def grade(problem, submissions, timeout=None):
    """Mark every student of `submissions` (a CSV file, a folder of per-student YAML/JSON files, or a dict of
    student id → {answer id: value}) against `problem`; returns a Gradebook. `timeout` (seconds) bounds the
    solve and each student's check (a student past it is not marked, and the gradebook says so)."""
    from .marker import grade as _grade
    return _grade(problem, submissions, timeout)


__all__ = ["grade"]
