"""Compare a key's or a student's answers with the computed solution.

`check(problem, answers=None, tolerance=None)` returns a Report: per answer whether it agrees and
under which rule, where the key first parts from the solution, which later misses carry an earlier
one forward, and which alternative convention would explain a miss. `render_report` prints it.
"""
from __future__ import annotations

from .checker import check, check_file
from .report import AnswerResult, Report, render_report

__all__ = ["check", "check_file", "render_report", "Report", "AnswerResult"]
