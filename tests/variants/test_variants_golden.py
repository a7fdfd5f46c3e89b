"""Golden files: the variants and the stress report `nnsolve vary` writes for each example of examples/variants/
(2 variants, seed 7), byte for byte. They pin the draws (Python's `random.Random` from the seed), the YAML writer and
the report; read them by eye when they change. Regenerate with NNSOLVE_REGENERATE_GOLDEN=1 (as the printers'
golden files are)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = sorted((ROOT / "examples" / "variants").glob("*.yaml"))
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_variants_and_report_match_their_golden_files(example, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)            # the files name their source as given: examples/variants/…
    source = example.relative_to(ROOT)
    done = invoke("vary", source, "-n", "2", "--seed", "7", "-o", tmp_path)
    assert done.exit_code == 0, done.stderr
    written = {p.name: p.read_text(encoding="utf-8") for p in sorted(tmp_path.iterdir())}
    written[f"{example.stem}.report.txt"] = done.stdout
    folder = GOLDEN / example.stem
    if REGENERATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, text in written.items():
            (folder / name).write_text(text, encoding="utf-8")
    expected = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}
    assert written == expected
