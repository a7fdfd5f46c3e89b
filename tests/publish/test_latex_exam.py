"""`nnsolve export --to latex-exam`: one document of the `exam` class, a `\\question` per problem, its answers as
`\\part`s worth the marking scheme's marks, `\\printanswers` on (the key); compiled with pdflatex where TeX is
installed."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]


def test_the_exam_document_carries_the_schemes_marks(tmp_path):
    out = tmp_path / "quiz3.tex"
    run = invoke("export", ROOT / "examples" / "grading", ROOT / "examples" / "recurrent", "--to", "latex-exam",
                 "-o", out)
    assert run.exit_code == 0, run.stderr
    tex = out.read_text(encoding="ascii")
    assert tex.startswith(r"\documentclass[11pt,addpoints]{exam}") and "\n\\printanswers\n" in tex
    assert tex.count(r"\question") == 1 + len(list((ROOT / "examples" / "recurrent").glob("*.yaml")))
    # examples/grading's marking: h1 2, y 1, loss 1, dL/dW2 2 (1 an element), dL/dW1 1, W2(1) 2
    first = tex.split(r"\question")[1]
    assert re.findall(r"\\part\[([\d.]+)\]", first) == ["2", "1", "1", "2", "1", "2"]
    if shutil.which("pdflatex") is None or not subprocess.run(["kpsewhich", "exam.cls"], capture_output=True,
                                                              text=True).stdout.strip():
        pytest.skip("pdflatex or the exam class is not installed (Debian: texlive-latex-base texlive-latex-extra)")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", out.name],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "quiz3.pdf").read_bytes().startswith(b"%PDF")
