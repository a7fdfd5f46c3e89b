"""The LaTeX printer's output compiled by real TeX engines: pdflatex and xelatex, one document holding an
example of each kind of family, the same examples' exam-class fragments inside one `\\documentclass[answers]{exam}`,
a 300-entry vector, and every character the prose table knows. Each compiles with no error and with no line
running off the page (no overfull box wider than a point). `--format pdf` is tested through the command line.

A missing engine or LaTeX package skips, naming what to install (`make test` installs them where it can).
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import nnsolve
from nnsolve.render import render
from nnsolve.render.latex import FIT_MACRO, PREAMBLE, join_latex
from nnsolve.render.latex_prose import _MATH, _TEXT, prose
from nnsolve.render.pdf import LatexFailed, compile_latex, first_error

from cli_runner import invoke
from latex_cases import CASES, COMPILED, EXAM_WRAPPER, printed
from test_latex import long_vector_problem

ENGINES = ("pdflatex", "xelatex")
PACKAGES = {"exam.cls": "texlive-latex-extra", "lmodern.sty": "lmodern", "iftex.sty": "texlive-base",
            "amsmath.sty": "texlive-latex-base", "geometry.sty": "texlive-latex-base",
            "framed.sty": "texlive-latex-extra"}
OVERFULL = re.compile(r"Overfull \\hbox \(([\d.]+)pt too wide\)")


def need(engine: str) -> None:
    if shutil.which(engine) is None:
        pytest.skip(f"{engine} is not installed (Debian: apt-get install texlive-latex-base texlive-xetex)")
    if shutil.which("kpsewhich") is not None:
        for file, package in PACKAGES.items():
            found = subprocess.run(["kpsewhich", file], capture_output=True, text=True, check=False).stdout.strip()
            if not found:
                pytest.skip(f"LaTeX package {file} is not installed (Debian: apt-get install {package})")


def compiled(tex: str, engine: str) -> str:
    """The engine's log, once the document compiled; the test fails on an error or an overfull line."""
    need(engine)
    pdf, log = compile_latex(tex, engine)
    assert pdf.startswith(b"%PDF")
    overfull = [float(width) for width in OVERFULL.findall(log)]
    assert all(width < 1 for width in overfull), f"lines wider than the page by {overfull} pt"
    return log


@pytest.mark.parametrize("engine", ENGINES)
def test_documents_compile(engine):
    """The examples as one document, as `nnsolve solve A B … -f latex` writes it: one engine run, not seven."""
    log = compiled(join_latex([(case, printed(case)) for case in COMPILED]), engine)
    assert re.search(r"Output written on solution\.pdf \((\d+) pages", log)


@pytest.mark.parametrize("engine", ENGINES)
def test_fragments_compile_in_the_exam_class(engine):
    log = compiled(EXAM_WRAPPER % "\n".join(printed(case, True) for case in COMPILED), engine)
    assert "exam.cls" in log


@pytest.mark.parametrize("engine", ENGINES)
def test_a_300_entry_vector_stays_on_the_page(engine, tmp_path):
    compiled(render(nnsolve.solve(long_vector_problem(tmp_path)), "latex"), engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_character_of_the_prose_table_compiles(engine):
    """The table's every entry, an accented word, a combining hat and a character nobody mapped, in text."""
    text = " ".join(list(_TEXT) + list(_MATH)) + " Réseau Ĉ ç ı m̂ x̄ αβγΔΣΩ ₁₂ᵀ⁽¹⁾ 中 \u0007"
    body = rf"\section*{{{prose(text)}}}" + "\n" + prose(text) + "\n\n\\emph{" + prose(text) + "}\n"
    compiled(PREAMBLE + FIT_MACRO + "\n\\begin{document}\n" + body + "\\end{document}\n", engine)


# -- --format pdf ----------------------------------------------------------------------------------------
def test_cli_writes_a_pdf(tmp_path):
    need("pdflatex")
    out = tmp_path / "demo.pdf"
    run = invoke("solve", CASES["demo-two-layer-tanh"], "--format", "pdf", "-o", out)
    assert run.exit_code == 0, run.stderr
    assert out.read_bytes().startswith(b"%PDF") and run.stdout == "" and f"PDF written to {out}" in run.stderr


def test_cli_writes_one_pdf_of_several_files(tmp_path):
    need("pdflatex")
    out = tmp_path / "set.pdf"
    missing = tmp_path / "missing.yaml"
    run = invoke("solve", CASES["demo-two-layer-tanh"], missing, CASES["conv-relu-maxpool"], "-f", "pdf", "-o", out)
    assert run.exit_code == 2 and "missing.yaml" in run.stderr      # every file is done; the worst code is the exit
    assert out.read_bytes().startswith(b"%PDF") and f"PDF written to {out}" in run.stderr


def test_a_latex_error_is_an_internal_error_with_its_first_line(tmp_path, monkeypatch):
    """nnsolve wrote the LaTeX, so TeX refusing it is nnsolve's bug: exit 3, with the log's first error."""
    need("pdflatex")
    import nnsolve.render.latex as latex
    monkeypatch.setattr(latex, "render_latex", lambda *a, **k: "\\documentclass{article}\n\\begin{document}\n"
                                                                   "\\nosuchcommand\n\\end{document}\n")
    out = tmp_path / "demo.pdf"
    run = invoke("solve", CASES["demo-two-layer-tanh"], "-f", "pdf", "-o", out)
    assert run.exit_code == 3 and not out.exists()
    assert "internal error" in run.stderr and "Undefined control sequence" in run.stderr and "l.3" in run.stderr


def test_an_engine_past_its_time_limit_is_stopped():
    need("pdflatex")
    with pytest.raises(Exception, match="took longer than 0.5 s"):
        compile_latex("\\def\\loop{\\loop}\\loop", "pdflatex", seconds=0.5)


def test_the_engine_writes_nothing_outside_its_folder(tmp_path):
    """-no-shell-escape and openout_any=p: \\write18 runs nothing, a file outside the temp folder is not written."""
    need("pdflatex")
    target = tmp_path / "escaped.txt"
    tex = ("\\documentclass{article}\n\\begin{document}\n\\immediate\\write18{touch " + str(target) + "}\n"
           "\\newwrite\\out\\immediate\\openout\\out=" + str(tmp_path / "written.txt") + "\n"
           "\\immediate\\write\\out{x}\\immediate\\closeout\\out\nx\n\\end{document}\n")
    try:
        compile_latex(tex, "pdflatex")
    except LatexFailed:
        pass                        # refusing the \openout is as good as not writing
    assert not target.exists() and not (tmp_path / "written.txt").exists()


def test_first_error():
    log = "This is pdfTeX\n(./solution.tex\n! Undefined control sequence.\nl.12 \\nosuch\n                \n"
    assert first_error(log) == "! Undefined control sequence. (l.12 \\nosuch)"
    assert first_error("./solution.tex:7: LaTeX Error: File `x.sty' not found.\n") == \
        "./solution.tex:7: LaTeX Error: File `x.sty' not found."
    assert first_error("nothing") == "no error line in its log"


from test_html import STATED          # a statement with prose, math, & % and placeholders
PERCEPTRON = "examples/perceptron/bits-mk-q3a-xnor-perceptron-epoch.yaml"


@pytest.mark.parametrize("engine", ENGINES)
def test_statements_and_handouts_compile(engine, tmp_path):
    """A statement's prose (& % _ < in it) and math, its handout, and a handout without a statement (the givens
    and conventions), as documents and as exam questions."""
    from pathlib import Path
    path = tmp_path / "stated.yaml"
    path.write_text(STATED, encoding="utf-8")
    stated, perceptron = nnsolve.solve(path), nnsolve.solve(Path(__file__).resolve().parents[2] / PERCEPTRON)
    documents = [("stated", render(stated, "latex")), ("handout", render(stated, "latex", handout=True)),
                 ("perceptron", render(perceptron, "latex", handout=True))]
    compiled(join_latex(documents), engine)
    fragments = [render(s, "latex", fragment=True, handout=h) for s in (stated, perceptron) for h in (False, True)]
    compiled(EXAM_WRAPPER % "\n".join(fragments), engine)
    handout = render(stated, "latex", handout=True)
    assert r"\&" in handout and r"50\%" in handout and r"\textbf{no}" in handout
    # no answer: L = ½(0.125 − 1)² = 0.3828125 (y = 2·0.5 − 4·0.25 + 0.125) is nowhere, nor a solution
    assert "0.3828125" not in handout and "0.3828" not in handout and "solution" not in handout
