"""What the LaTeX tests share: the examples kept as golden files, one per family kind, and their printed LaTeX.

Regenerate the golden files after an intended change with `NNSOLVE_UPDATE_GOLDEN=1 pytest tests/render/test_latex.py`
(NNSOLVE_REGENERATE_GOLDEN=1, the other golden tests' switch, does it too), then read the diff, and compile one
(`nnsolve solve FILE -f pdf -o out.pdf`) before committing: the golden files are what a student is handed.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import nnsolve
from nnsolve.problems import families
from nnsolve.render import render

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden" / "latex"
UPDATE = "1" in (os.environ.get("NNSOLVE_UPDATE_GOLDEN"), os.environ.get("NNSOLVE_REGENERATE_GOLDEN"))

# every family's golden examples (the registry names them), as the other printers' golden files
CASES = {Path(path).stem: ROOT / path for family in families().values() for path in family.golden}
# the cases a TeX engine compiles, one of each kind (dense, convolutional, recurrent, gated, attention,
# calculus, perceptron): each run costs a quarter to half a second
COMPILED = ("demo-two-layer-tanh", "conv-relu-maxpool", "relu-rnn-bptt", "lstm-two-steps", "attention-two-heads",
            "calculus-gradient-descent", "bits-mk-q3a-xnor-perceptron-epoch")

EXAM_WRAPPER = ("\\documentclass[answers]{exam}\n\\usepackage{amsmath,amssymb,graphicx}\n\\begin{document}\n"
                "\\begin{questions}\n%s\\end{questions}\n\\end{document}\n")


@lru_cache(maxsize=None)
def solution(case: str):
    return nnsolve.solve(CASES[case])


@lru_cache(maxsize=None)
def printed(case: str, fragment: bool = False) -> str:
    return render(solution(case), "latex", fragment=fragment)
