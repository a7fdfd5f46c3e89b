"""`nnsolve summary` on the committed corpus of model files (issue 12): our own files under model_files/,
written in the habits of published model code, listed in model_files/manifest.yaml in the format of the
published corpus (tests/arch/test_real_models.py), with the helpers both share (arch/model_corpus.py).

1. PyTorch files: the manifest's parameters, output shape and MACs are those of the model PyTorch builds
   by running the file (our own code, so the oracle may run it: model_oracle.run_whole_file).
2. Keras files: the manifest's numbers are arithmetic written out from Keras' documented rules; the same
   layers built in PyTorch (test_keras_arithmetic_agrees_with_the_same_layers_in_pytorch) check it.
3. nnsolve reads each file to exactly those numbers. A file the reader cannot read yet is
   `pending: <the located message>`: it must be refused with a located message — never a wrong number.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from nnsolve.problems.errors import ProblemError

from arch.model_corpus import assert_located, expected, nnsolve_read, oracle, status

HERE = Path(__file__).parent / "model_files"
FILES: dict = yaml.safe_load((HERE / "manifest.yaml").read_text())["files"]
PYTORCH = sorted(n for n, e in FILES.items() if e["framework"] == "pytorch")
KERAS = sorted(n for n, e in FILES.items() if e["framework"] == "keras")


def test_manifest_lists_every_file_once():
    on_disk = {p.name for p in HERE.glob("*.py")}
    assert on_disk == set(FILES)
    assert 25 <= len(PYTORCH) <= 30 and 10 <= len(KERAS) <= 15
    for name, entry in FILES.items():
        first = (HERE / name).read_text().splitlines()[0]
        assert first.startswith("# nnsolve corpus: "), f"{name}: its first line says what it exercises"
        assert not {"source", "licence", "git_blob"} & set(entry), f"{name} is our own file"
        assert status(entry) in ("supported", "pending"), name
        assert str(entry["status"]).startswith("supported") or ": " in entry["status"], f"{name}: pending: <message>"
        expected(entry)                                    # every formula is plain arithmetic


@functools.lru_cache(maxsize=None)
def _pytorch_measures(name: str) -> dict:
    """The file's model as PyTorch builds it, measured once per test session."""
    return oracle().measure(HERE / name, FILES[name], whole_file=True)


@pytest.mark.parametrize("name", PYTORCH)
def test_expected_numbers_are_pytorchs(name):
    assert _pytorch_measures(name) == expected(FILES[name])


def _marks(name: str):
    defect = FILES[name].get("defect")
    return [pytest.mark.xfail(strict=True, reason=defect)] if defect else []


@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in sorted(FILES)])
def test_nnsolve_reads_the_file(name):
    entry = FILES[name]
    try:
        got = nnsolve_read(HERE / name, entry)
    except ProblemError as e:
        assert status(entry) != "supported", f"{name} is marked supported but is refused: {e}"
        assert_located(name, e)
        return
    assert got == expected(entry), f"{name}: a wrong number, not a refusal"


@pytest.mark.parametrize("name", sorted(n for n, e in FILES.items() if "pending_model" in e))
def test_pending_file_reads_with_its_model_chosen(name):
    """A file refused only because the reader does not find its model reads exactly once --model names it."""
    entry = dict(FILES[name], model=FILES[name]["pending_model"])
    assert nnsolve_read(HERE / name, entry) == expected(entry)


def test_count_of_files_read(capsys):
    read = sum(status(e) == "supported" for e in FILES.values())
    with capsys.disabled():
        print(f"\nown model files: {read} of {len(FILES)} read "
              f"({sum(status(FILES[n]) == 'supported' for n in PYTORCH)} of {len(PYTORCH)} PyTorch, "
              f"{sum(status(FILES[n]) == 'supported' for n in KERAS)} of {len(KERAS)} Keras)")
    assert read >= len(FILES) // 2
