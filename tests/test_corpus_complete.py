"""Every numeric case of the exam-paper corpus is encoded under examples/ (each family's corpus test checks
its values and that `check` flags exactly the wrong keys); the one exception is said here, with why."""
from __future__ import annotations

import json
from pathlib import Path

from corpus_files import encodings

ROOT = Path(__file__).resolve().parent.parent
CASES = [c["id"] for c in json.loads((ROOT / "tests/data/exam-cases.json").read_text())]
NOT_ENCODED = {"s001-tum-p5f-black-cross-filter": "asks for a drawing of a filter, not a number"}


def test_every_corpus_case_is_encoded_or_excused():
    assert {c for c in CASES if c not in encodings()} == set(NOT_ENCODED)


def test_no_file_names_a_case_the_corpus_lacks():
    assert set(encodings()) <= set(CASES)
