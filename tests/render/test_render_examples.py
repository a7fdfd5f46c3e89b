"""Every example problem prints in every format, with valid LaTeX and consistent formulas.

The examples come from several parts of the project (optimizers, exam cases); a printer must cope
with whatever steps they produce. An example that does not solve is the solver's test to fail,
so it is skipped here with the reason.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from nnsolve.render import render

from corpus_expectations import problem_files, solved as solve_example
from render_latex_lint import latex_problems, math_spans

EXAMPLES = problem_files()
PLACEHOLDER = re.compile(r"\{(\d+)\}")


@lru_cache(maxsize=None)
def solved(path: Path):
    try:
        return solve_example(path)     # the solution tests/test_corpus.py checks, solved once per session
    except Exception as error:     # noqa: BLE001 — reported as the skip reason
        return error


def _solution(path: Path):
    result = solved(path)
    if isinstance(result, Exception):
        pytest.skip(f"does not solve: {type(result).__name__}: {result}")
    return result


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_prints_in_every_format(path):
    solution = _solution(path)
    text = render(solution, "text")
    markdown = render(solution, "markdown")
    data = json.loads(render(solution, "json"))
    assert [s["id"] for s in data["steps"]] == solution.ids
    for step in solution.steps:
        assert f"{step.text_symbol} = " in text, step.id
    for span in math_spans(markdown):
        assert latex_problems(span) == [], span


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_latex_and_text_formulas_name_the_same_quantities(path):
    """A LaTeX template that writes `\\tfrac{1}{2}` or `x^{2}` has, unknowingly, placeholders {1} and
    {2}: the printer would put quantities there. The text template never has that ambiguity."""
    for step in _solution(path).steps:
        if step.formula is not None:
            latex = set(PLACEHOLDER.findall(step.formula.latex))
            text = set(PLACEHOLDER.findall(step.formula.text))
            assert latex == text, (step.id, step.formula.latex, step.formula.text)
