"""nnsolve: exact, explained answers to the hand-calculation problems of deep-learning exams."""
from __future__ import annotations

__version__ = "0.1.0"


def solve(problem, round_intermediates=None, pins=None, timeout=None):
    """Solve a problem file, YAML/JSON text or dict; returns a Solution. With `timeout` (seconds), work
    still going after that long stops with `nnsolve.limits.DeadlineExceeded` (in the main thread)."""
    from .api import solve as _solve
    from .limits import deadline
    with deadline(timeout):
        return _solve(problem, round_intermediates=round_intermediates, pins=pins)


def picture(solution, path=None):
    """A solution drawn as Graphviz DOT source (forward values blue, gradients red), for the families that
    have a picture; with `path` also written as .dot/.gv, or .svg/.png/.pdf through Graphviz."""
    from .api import picture as _picture
    return _picture(solution, path)


def load(problem):
    from .api import load as _load
    return _load(problem)


def grade(problem, submissions, timeout=None, columns=None):
    """Mark a class: `submissions` (a CSV of a student id column and one column per answer id, a Moodle or Canvas
    quiz responses export with `columns` mapping its response columns to answer ids, a folder of per-student
    YAML/JSON answer files, or a dict student → {answer id: value}) checked against `problem` with error carried
    forward and marked by its `marking:` scheme. Returns a Gradebook (plain data). With `timeout` (seconds), the
    solve and each student's check are bounded (a student past it is not marked, and says so)."""
    from .grading import grade as _grade
    return _grade(problem, submissions, timeout, columns)


def vary(problem, n=10, seed=None, students=None, keys_only=False, max_tries=None):
    """Draw `n` randomised variants of a problem file with a `variants:` block (or one per id of `students`, each
    drawn from the seed and the id): each variant's drawn givens, its key (the exact answers as the worked solution
    shows them) and, unless `keys_only`, its solution and problem data. Returns a Run: `.variants`, `.tries`,
    `.rejected` (reason → count), `.stopped` (why it stopped short, if it did); `nnsolve.variants.report` writes
    the files and the stress report."""
    from .variants.generate import vary as _vary
    return _vary(problem, n, seed, students, "keys" if keys_only else "files", max_tries)


def summarize(source, flops=None, input_shape=None):
    """Analyse an architecture from its description alone: a bundled name ("resnet50"), an
    `architecture` problem file, or a Keras/PyTorch snippet file (.py, parsed, never run). Returns an
    Analysis: per-layer output shapes, parameters, MACs, FLOPs and receptive fields, and totals."""
    from .arch.summary import analysis_of
    return analysis_of(str(source), flops, tuple(input_shape) if input_shape else None)


def parse_snippet(text, input_shape=None):
    """A Keras or PyTorch model-building snippet → Architecture, with `ast` only (the code is never run)."""
    from .arch.snippets import parse_snippet as _parse
    return _parse(text, input_shape=tuple(input_shape) if input_shape else None)


__all__ = ["solve", "load", "picture", "grade", "vary", "summarize", "parse_snippet", "__version__"]
