"""Marking a class: each student's answers checked as `nnsolve check` checks a key, with error carried forward,
and the verdicts turned into marks by the problem's `marking:` scheme.

`grade(problem, submissions)` (also `nnsolve.grade`) returns a Gradebook (plain data); the writers in
`nnsolve.grading.outputs` print it. Only the scheme's schema is imported with this package (the problem loader
needs it); the marker loads when used.
"""
from __future__ import annotations


def grade(problem, submissions, timeout=None, columns=None, progress=None, source="<submissions>"):
    """Mark every student of `submissions` (a CSV file, a Moodle or Canvas quiz responses export, a folder of
    per-student YAML/JSON files, or a dict of student id → {answer id: value}) against `problem`; returns a
    Gradebook. `timeout` (seconds) bounds the solve and each student's check (a student past it is not marked, and
    the gradebook says so). `columns` maps an export's response columns to answer ids: a dict
    {"Response 1": "h1", …} ("-" leaves a column out), a list of answer ids in the columns' order, or "marking"
    for the answers of the problem's `marking:` scheme in order. A Moodle Cloze question's column is mapped to its
    blanks joined by "+" ("h1[0]+h1[1]+y"), or to "cloze": the blanks of the question `nnsolve export` writes of
    this problem. `progress`, if given, wraps the students as they are marked (an iterable in, the same items out:
    a progress bar). `submissions` may also be a CSV's bytes (an upload), named `source` in messages."""
    from .marker import grade as _grade
    if columns is not None:
        from .submissions import read_submissions
        if columns == "marking":
            columns = _marking_order(problem)
        elif isinstance(columns, dict) and "cloze" in columns.values():
            blanks = "+".join(_blank_order(problem))
            columns = {key: blanks if answer == "cloze" else answer for key, answer in columns.items()}
        if not isinstance(submissions, bytes):
            submissions = read_submissions(submissions, columns)
    if isinstance(submissions, bytes):      # bounded by whoever took the upload (the web server's upload limit)
        from .submissions import read_csv
        submissions = read_csv(submissions, source, columns)
    return _grade(problem, submissions, timeout, progress)


def _blank_order(problem) -> list[str]:
    """The blanks of the question `nnsolve export` writes of the problem, in order."""
    from ..api import load, solve
    from ..publish.questions import blank_labels
    loaded = load(problem)
    return blank_labels(loaded, solve(loaded))


def _marking_order(problem) -> list[str]:
    from ..api import load
    from ..problems.errors import Issue, ProblemError

    loaded = load(problem)
    if not loaded.model.marking:
        raise ProblemError([Issue("--columns marking", "takes the answers of the problem's marking: scheme in "
                                                       "order, and the problem has no marking:")],
                           loaded.document.source)
    return list(loaded.model.marking)


__all__ = ["grade"]
