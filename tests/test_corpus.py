"""The exam-paper corpus (tests/data/exam-cases.json: each case's correct answer computed independently of
nnsolve, with exact fractions or 40-digit arithmetic and cross-checked with PyTorch) against the problem
files under examples/ that encode it, as data: each file's expectations sit beside it in
`<file>.expect.yaml` (the format: tests/corpus_expectations.py).

1. every problem file under examples/ solves;
2. every corpus case is encoded (or excused, with the reason) and every file names a corpus case;
3. each quantity an expectation file lists reproduces the corpus's correct answer;
4. `nnsolve check` on each file flags exactly the key answers the corpus calls wrong.
Cases whose answer is a structure rather than numbers (a network that must compute XOR, …) are
checked by the named tests of tests/test_corpus_oracles.py, which the expectation file lists as `oracle`.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

import test_corpus_oracles
from cli_runner import invoke
from corpus_expectations import (CORPUS, agrees, case_of, corpus_files, dig, expect_path, expectation_files, expected,
                                 expectations, problem_files, problem_path, problem_text, solved, spec_of, squeezed,
                                 value_of)

NOT_ENCODED = {"s001-tum-p5f-black-cross-filter": "asks for a drawing of a filter, not a number"}

PROBLEMS = problem_files()
CORPUS_FILES = corpus_files()


def _name(path) -> str:
    return str(path.relative_to(path.parents[1]))


@pytest.mark.parametrize("path", PROBLEMS, ids=_name)
def test_every_example_solves(path):
    solution = solved(path)
    assert solution.steps, f"{path} produced no steps"
    for quantity in solution.asked:
        assert solution.has(quantity)


def test_every_corpus_case_is_encoded_or_excused():
    encoded = {case_of(p) for p in CORPUS_FILES}
    assert set(CORPUS) - encoded == set(NOT_ENCODED)
    assert not encoded & set(NOT_ENCODED)


def test_every_case_a_file_names_is_in_the_corpus():
    assert {case_of(p) for p in CORPUS_FILES} <= set(CORPUS)


def test_expectation_files_are_exactly_those_of_the_corpus_files():
    assert {problem_path(e) for e in expectation_files()} == set(CORPUS_FILES)
    assert all(expect_path(p).exists() for p in CORPUS_FILES)


def test_a_case_encoded_twice_is_encoded_in_parts():
    """A case in several files (TUM P7(e) asks two graphs) names a different part in each; any other
    second file naming a case is a mistake."""
    by_case: dict[str, list] = {}
    for path in CORPUS_FILES:
        by_case.setdefault(case_of(path), []).append(path)
    for case, paths in by_case.items():
        if len(paths) > 1:
            parts = [expectations(p).part for p in paths]
            assert None not in parts and len(set(parts)) == len(parts), f"{case} is encoded twice: {paths}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_name)
def test_each_file_is_checked_against_the_corpus(path):
    """Every expectation file lists corpus values, or names the oracle tests that check its structure."""
    found = expectations(path)
    assert found.values or found.oracle, f"{expect_path(path)} expects nothing"
    for name in found.oracle:
        assert callable(getattr(test_corpus_oracles, name, None)), f"no oracle test {name}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_name)
def test_values_match_the_corpus(path):
    found = expectations(path)
    solution = solved(path)
    answer = found.case["correct_answer"]
    values = problem_text(path).get("values") or {}
    for quantity, raw in found.values.items():
        spec = spec_of(raw)
        ours = value_of(solution, quantity)
        if "shape" in spec:
            assert squeezed(ours.shape) == squeezed(tuple(dig(answer, spec["shape"]))), (quantity, ours.shape)
            continue
        want = np.asarray(expected(spec, answer), dtype=object)
        assert squeezed(ours.shape) == squeezed(want.shape), (quantity, ours.shape, want.shape)
        for got, entry in zip(ours.ravel(), want.ravel()):
            assert agrees(got, entry, spec, found.tolerance, values), f"{quantity} = {ours.ravel()}, corpus {want}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=_name)
def test_check_flags_exactly_the_wrong_key_answers(path):
    """`nnsolve check --format json`, in-process: the flagged answers are the corpus's wrong ones (plus
    those where nnsolve is stricter than the corpus, each with its reason), the exit code says so, every
    answer of the file is judged, and a flagged answer's report names the convention under which it holds."""
    found = expectations(path)
    key_correct = found.case["key_correct"]
    if key_correct != "ambiguous":
        assert key_correct is (not found.wrong and not found.none_flagged_because), \
            f"the corpus says key_correct={key_correct}"
    run = invoke("check", path, "--format", "json")
    assert run.exit_code in (0, 1), run.stderr
    report = json.loads(run.stdout)
    results = {r["id"]: r for r in report["results"]}
    verdicts = "\n".join(f"{r['id']}: {r['verdict']}" for r in report["results"])
    flagged = {name for name, r in results.items() if not r["ok"]}
    assert flagged == set(found.wrong) | set(found.stricter), verdicts
    assert report["ok"] is (not flagged) and run.exit_code == (1 if flagged else 0)
    assert set(results) == set(problem_text(path).get("answers") or {}), verdicts
    if found.every_key_answer:
        assert set(results) == set(found.case["key_answer"])
    for name, convention in found.matches_if.items():
        assert any(convention in alternative for alternative in results[name]["matches_if"]), verdicts
