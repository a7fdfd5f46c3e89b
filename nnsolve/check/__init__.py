"""Compare a key's or a student's answers with the computed solution."""
from __future__ import annotations


def check_file(path, tolerance=None):
    raise NotImplementedError


def render_report(report, fmt="text", color=False) -> str:
    raise NotImplementedError
