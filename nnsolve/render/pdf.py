"""A PDF of the LaTeX printer's document, through the LaTeX engine installed: pdflatex, else xelatex.

The engine runs as a plain subprocess (no shell), in a fresh temporary directory, with `-no-shell-escape`
and `-halt-on-error`, standard input closed and a time limit. No engine installed is the user's to fix
(exit 2, saying what to install); an engine that fails on nnsolve's own LaTeX is nnsolve's bug (exit 3,
with the first error line of the log).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ENGINES = ("pdflatex", "xelatex")
SECONDS = 120                   # an exam question's solution takes about a second
MISSING = ("no LaTeX engine: install texlive-latex-base (pdflatex) or texlive-xetex (xelatex), "
           "or use --format latex")


class LatexFailed(RuntimeError):
    """The engine rejected a document nnsolve wrote: a bug in the LaTeX printer."""


def find_engine(engines: tuple[str, ...] = ENGINES) -> str | None:
    for engine in engines:
        path = shutil.which(engine)
        if path is not None:
            return path
    return None


def compile_latex(tex: str, engine: str | None = None, seconds: float = SECONDS) -> tuple[bytes, str]:
    """(the PDF, the engine's log) of the document `tex`; `engine` is a name or path (default: the first
    of ENGINES installed)."""
    path = find_engine() if engine is None else shutil.which(engine)
    if path is None:
        from ..problems.errors import Issue, ProblemError
        raise ProblemError([Issue("--format pdf", MISSING if engine is None else f"{engine} is not installed")])
    with tempfile.TemporaryDirectory(prefix="nnsolve-latex-") as folder:
        source = Path(folder) / "solution.tex"
        source.write_text(tex, encoding="utf-8")
        command = [path, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "-file-line-error",
                   source.name]
        env = dict(os.environ, TEXMFOUTPUT=folder, openout_any="p", openin_any="p")    # no reads or writes outside
        try:
            done = subprocess.run(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=seconds, env=env, check=False)
        except subprocess.TimeoutExpired:
            from ..problems.errors import Issue, ProblemError
            raise ProblemError([Issue("--format pdf", f"{Path(path).name} took longer than {seconds:g} s; "
                                                      "use --format latex and run it yourself")]) from None
        log_file = source.with_suffix(".log")
        log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else \
            done.stdout.decode("utf-8", "replace")
        pdf = source.with_suffix(".pdf")
        if done.returncode != 0 or not pdf.exists():
            raise LatexFailed(f"{Path(path).name} failed on the LaTeX nnsolve wrote: {first_error(log)}")
        return pdf.read_bytes(), log


def first_error(log: str) -> str:
    """The first error line of a TeX log (`! Undefined control sequence.`, or with -file-line-error
    `./solution.tex:12: …`), with the line of the source it points at."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!") or line.startswith("./solution.tex:"):
            context = next((later.strip() for later in lines[i + 1:i + 12] if later.startswith("l.")), "")
            return line.strip() + (f" ({context})" if context else "")
    return "no error line in its log"


def write_pdf(tex: str, out: Path) -> None:
    pdf, _ = compile_latex(tex)
    Path(out).write_bytes(pdf)
