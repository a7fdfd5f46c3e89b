"""nnsolve: exact, explained answers to the hand-calculation problems of deep-learning exams."""
from __future__ import annotations

__version__ = "0.1.0"


def solve(problem, round_intermediates=None, pins=None):
    """Solve a problem file, YAML/JSON text or dict; returns a Solution."""
    from .api import solve as _solve
    return _solve(problem, round_intermediates=round_intermediates, pins=pins)


def load(problem):
    from .api import load as _load
    return _load(problem)


__all__ = ["solve", "load", "__version__"]
