"""Golden files of the exporters: each family's golden example (the registry names them, as for the printers)
written as Moodle XML and as the assessment of a Canvas QTI package, compared with a reviewed copy.

Regenerate after an intended change with `NNSOLVE_REGENERATE_GOLDEN=1 pytest tests/publish`, then read the diff
before committing it: the golden files are what a course system imports."""
from __future__ import annotations

import os
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest

from nnsolve.problems import families
from nnsolve.publish.export import collect
from nnsolve.publish.moodle import moodle_xml
from nnsolve.publish.qti import qti_zip

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GOLDEN = HERE / "golden"
CASES = {Path(path).stem: ROOT / path for family in families().values() for path in family.golden}
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1"
# a QTI package repeats the question's text for every number asked (Canvas has no multi-part numerical question):
# its golden copies are kept for the golden examples asking at most QTI_BLANKS numbers (eight families and more)
QTI_BLANKS = 30
QTI_CASES = ['bits-mk-q3-decision-boundary-rectangle', 'bits-mk-q3a-xnor-perceptron-epoch', 'calculus-gradient-descent', 'es-1a-cnn-output-shapes', 'es-1e-solve-filter-entries', 'out-in-sigmoid', 'positional-encoding', 'qb-js-divergence', 'relu-batch-mse', 'relu-computation-graph', 'relu-rnn-bptt', 'softmax-ce-l2']


@lru_cache(maxsize=None)
def _questions(case: str):
    return collect([CASES[case]]).questions


def _assessment(case: str, tmp_path: Path) -> str:
    path = tmp_path / "q.zip"
    path.write_bytes(qti_zip(_questions(case), case))
    with zipfile.ZipFile(path) as z:
        return z.read(next(n for n in z.namelist() if n != "imsmanifest.xml")).decode("utf-8")


def _small(case: str) -> bool:
    return sum(len(q.blanks) for q in _questions(case)) <= QTI_BLANKS


def test_at_least_five_families_have_golden_exports_of_each_kind():
    kinds = {name: {Path(p).stem for p in family.golden} for name, family in families().items()}
    assert len([name for name, cases in kinds.items() if cases]) >= 5
    assert len([name for name, cases in kinds.items() if set(cases) & set(QTI_CASES)]) >= 5


def test_the_qti_cases_are_the_small_golden_examples():
    assert sorted(c for c in CASES if _small(c)) == QTI_CASES


@pytest.mark.parametrize("target, case", [("moodle", c) for c in sorted(CASES)] + [("qti", c) for c in QTI_CASES])
def test_matches_golden(case, target, tmp_path):
    out = moodle_xml(_questions(case)) if target == "moodle" else _assessment(case, tmp_path)
    golden = GOLDEN / f"{case}.{target}.xml"
    if REGENERATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with NNSOLVE_REGENERATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")
