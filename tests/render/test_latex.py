"""The LaTeX printer without a TeX engine: golden files, the layout of large values, the prose table, the exam
fragment, and the command line (`--format latex`, `--latex-fragment`, `--format pdf`'s refusals). Compiling is
test_latex_compile.py's."""
from __future__ import annotations

import json
import re
import unicodedata
from fractions import Fraction

import numpy as np
import pytest
import yaml

import nnsolve
from nnsolve.engine.notation import latex_symbol
from nnsolve.render import render
from nnsolve.render.latex import (COLUMNS, LONG, PARTS, WIDEST, _lines, ascii_only, fits, join_latex, value_lines,
                                  width)
from nnsolve.render.latex_prose import prose

from cli_runner import invoke
from latex_cases import CASES, GOLDEN, UPDATE, printed
from render_latex_lint import latex_problems

ALIGN = re.compile(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", re.S)


@pytest.mark.parametrize("fragment", [False, True], ids=["document", "fragment"])
@pytest.mark.parametrize("case", CASES)
def test_matches_golden(case, fragment):
    golden = GOLDEN / f"{case}{'.fragment' if fragment else ''}.tex"
    out = printed(case, fragment)
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with NNSOLVE_UPDATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")


def structure_problems(tex: str) -> list[str]:
    """What would stop TeX that a reader can see without one: non-ASCII text, unbalanced braces or
    environments, and in each display the math linter's findings (double scripts, unknown control words)."""
    problems = [] if tex.isascii() else [f"non-ASCII {sorted({c for c in tex if not c.isascii()})}"]
    body = re.sub(r"\\[{}$%&#_]", "", tex)
    if body.count("{") != body.count("}"):
        problems.append(f"{body.count('{')} {{ but {body.count('}')} }}")
    opened = re.findall(r"\\begin\{(\w+\*?)\}", tex)
    closed = re.findall(r"\\end\{(\w+\*?)\}", tex)
    if sorted(opened) != sorted(closed):
        problems.append(f"environments {opened} closed as {closed}")
    for display in ALIGN.findall(tex):
        # the printer's own commands around the Markdown printer's math: \nnsolvefit{lhs}{piece}, a tag, a phantom
        math = re.sub(r"\\nnsolvefit\{", "{", display)
        math = re.sub(r"\\tag\*\{\\texttt\{[^}]*\}\}|\\phantom\{\{\}=\{\}\}|\\text\{[^}]*\}", "", math)
        problems += [f"{p} in {display[:80]!r}" for p in latex_problems(math.replace("&", " "))
                     if "runs into" not in p]
    return problems


@pytest.mark.parametrize("fragment", [False, True], ids=["document", "fragment"])
@pytest.mark.parametrize("case", CASES)
def test_golden_cases_are_well_formed(case, fragment):
    assert structure_problems(printed(case, fragment)) == []


def test_every_example_renders(every_example_solution):
    """Every example in examples/ prints as a document and as a fragment, ASCII and well formed (a few of
    them are compiled by test_latex_compile.py)."""
    path, solution = every_example_solution
    for fragment in (False, True):
        tex = render(solution, "latex", fragment=fragment)
        assert structure_problems(tex) == [], path
        heads = {row.split(" &= ")[0] for display in ALIGN.findall(tex) for row in display.split(" \\\\\n")}
        shown = {re.sub(r"^&\\nnsolvefit\{\}\{(.*)\}$", r"\1", head) for head in heads}   # a wide symbol, shrunk
        for step in solution.steps:          # every step is shown (a fragment's stated quantities in the question)
            assert latex_symbol(step.latex_symbol) in shown, (path, step.id)


@pytest.fixture(params=sorted(__import__("corpus_expectations").problem_files()),
                ids=lambda p: str(p.relative_to(p.parents[1])))
def every_example_solution(request):
    from corpus_expectations import solved
    try:
        return request.param, solved(request.param)
    except Exception as error:      # noqa: BLE001 — the solver's tests fail on it; here it is a skip
        pytest.skip(f"does not solve: {type(error).__name__}: {error}")


# -- layout of large values ----------------------------------------------------------------------------
def long_vector_problem(tmp_path, n=300):
    doc = {"problem": "dense_network", "title": "A 300-input neuron",
           "network": {"layout": "in_out", "layers": [{"W": [[(i % 7 - 3) / 10] for i in range(n)], "b": [0],
                                                       "activation": "identity"}]},
           "data": {"x": [(i % 5) / 4 for i in range(n)], "target": [1]}, "loss": {"type": "mse"}}
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_a_300_entry_vector_is_broken_into_lines_of_ten(tmp_path):
    tex = render(nnsolve.solve(long_vector_problem(tmp_path)), "latex")
    given = ALIGN.findall(tex[tex.index(r"\subsection*{Given}"):])[0].split(" \\\\\n")
    x_lines, w_lines = given[:300 // COLUMNS], given[300 // COLUMNS + 1:2 * (300 // COLUMNS) + 1]
    assert x_lines[0].startswith(r"x &= \left[\begin{matrix} 0 & 0.25 & 0.5 & 0.75 & 1 & 0 &")
    assert x_lines[-1].endswith(r"\right]^\top")               # a column vector, written as a transposed row
    assert all(line.count("&") == COLUMNS for line in x_lines)             # 10 numbers and the alignment's &
    assert given[300 // COLUMNS] == r"t &= \begin{bmatrix} 1 \end{bmatrix}"
    # W (300 × 1), one column: laid out as the vector is, 30 lines of 10; a wider matrix in blocks of 16 rows
    assert w_lines[0].startswith(r"W_{1} &= \left[\begin{matrix} -0.3 & -0.2 & -0.1 & 0 & 0.1 & 0.2 & 0.3 & -0.3")
    assert w_lines[-1].endswith(r"\right]^\top") and given[-1] == r"b_{1} &= \begin{bmatrix} 0 \end{bmatrix}"
    # u = Wᵀx + b: the formula with 600 numbers is not written; its symbols and its value are
    forward = ALIGN.findall(tex[tex.index(r"\subsection*{Forward pass}"):])[0]
    assert forward == "u_{1} &= W_{1}^\\top x + b_{1} \\\\\n&= \\begin{bmatrix} -0.025 \\end{bmatrix}"


@pytest.mark.parametrize("shape, column, whole", [
    ((16,), True, True), ((17,), True, False), ((10,), False, True), ((11,), False, False),
    ((16, 10), True, True), ((17, 2), True, False), ((2, 11), True, False), ((17, 1), True, False),
    ((2, 3, 3), True, True), ((4, 3, 3), True, False), ((0,), True, True), ((), True, True)])
def test_what_fits_on_a_line(shape, column, whole):
    value = np.full(shape, Fraction(1), dtype=object)
    assert fits(value, column) is whole
    lines = value_lines(value, 4, column)
    assert (len(lines) == 1) is whole or value.size <= 1


def test_a_wide_matrix_is_cut_into_labelled_column_blocks():
    value = np.array([Fraction(i) for i in range(2 * 25)], dtype=object).reshape(2, 25)
    lines = value_lines(value, 4)
    assert [re.search(r"\\text\{(.*?): \}", line).group(1) for line in lines] == \
        ["columns 0--9", "columns 10--19", "columns 20--24"]
    assert lines[-1].endswith(r"20 & 21 & 22 & 23 & 24 \\ 45 & 46 & 47 & 48 & 49 \end{bmatrix}")
    tall = value_lines(np.array([Fraction(i) for i in range(40 * 2)], dtype=object).reshape(40, 2), 4)
    assert [re.search(r"\\text\{(.*?): \}", line).group(1) for line in tall] == ["rows 0--15", "rows 16--31",
                                                                                  "rows 32--39"]


def test_a_tensor_of_many_channels_is_one_grid_a_line():
    value = np.array([Fraction(i) for i in range(6 * 2 * 2)], dtype=object).reshape(6, 2, 2)
    assert len(value_lines(value[:5], 4, axes=("channel",))) == 1            # 5 grids of 2 columns: side by side
    lines = value_lines(value, 4, axes=("channel",))
    assert [line[:len(r"\text{channel 0: }")] for line in lines] == [rf"\text{{channel {i}: }}" for i in range(6)]


# -- prose ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, latex", [
    ("u = Wᵀx + b", r"u = W\ensuremath{^\top}x + b"),
    ("w ← w − η·∂L/∂w", r"w \ensuremath{\leftarrow} w \ensuremath{-} \ensuremath{\eta}\ensuremath{\cdot}"
                        r"\ensuremath{\partial}L/\ensuremath{\partial}w"),
    ("½ Σ (ŷ − t)²", r"\ensuremath{\tfrac{1}{2}} \ensuremath{\Sigma} (\ensuremath{\hat{y}} \ensuremath{-} t)"
                     r"\textsuperscript{2}"),
    ("m̂ₜ", r"\ensuremath{\hat{m}}\textsubscript{t}"),
    ("W is [in][out]: 100% of a_b {x} $5 #1 & ~ ^ \\", r"W is [in][out]: 100\% of a\_b \{x\} \$5 \#1 \& \~{} \^{} "
                                                       r"\ensuremath{\backslash}"),
    ("Réseau, Ω, Α", r"R\'{e}seau, \ensuremath{\Omega}, A"),
    ("⌊(n + 2p − k)/s⌋ + 1", r"\ensuremath{\lfloor}(n + 2p \ensuremath{-} k)/s\ensuremath{\rfloor} + 1"),
    ("中", r"\texttt{U+4E2D}"),
])
def test_prose(text, latex):
    assert prose(text) == latex


def test_prose_is_ascii_for_any_character():
    """Every character of the Basic Multilingual Plane (and a combining accent after each letter): ASCII out,
    braces balanced, nothing dropped silently (an unknown character is written as its code point)."""
    for code in range(0x20, 0x10000, 7):
        ch = chr(code)
        if unicodedata.category(ch) in ("Cs", "Co", "Cn"):
            continue
        out = prose(ch + "\u0302")
        assert out.isascii(), (hex(code), out)
        plain = re.sub(r"\\[{}$%&#_]", "", out)
        assert plain.count("{") == plain.count("}"), (hex(code), out)
        assert out.strip(), hex(code)


# -- the exam fragment -----------------------------------------------------------------------------------
def test_fragment_is_a_question_with_its_answers_as_parts():
    tex = printed("demo-two-layer-tanh", True)
    assert not re.search(r"^\\documentclass", tex, re.M) and r"\begin{document}" not in tex
    question = tex.index(r"\question{} Demo: forward, loss, backprop and one SGD step")
    assert tex.index(r"W_{1} &= \begin{bmatrix} 3.2 & -2.4 & -2.1") > question      # the givens, in the question
    solution = nnsolve.solve(CASES["demo-two-layer-tanh"])
    assert tex.count(r"\part{}") == len(solution.asked) > 1
    assert tex.count(r"\begin{solution}") == len(solution.asked) + 1                 # each part's, the worked one
    worked = tex[tex.rindex(r"\begin{solution}"):]
    assert r"\paragraph*{Forward pass}" in worked and r"\paragraph*{Given}" not in worked
    assert r"\tag*{\texttt{u1}}" in tex


def test_fragment_with_more_answers_than_letters_lists_them_in_one_solution(tmp_path):
    solution = nnsolve.solve(CASES["demo-two-layer-tanh"])
    solution.asked = list(solution.ids)[:PARTS + 1]
    tex = render(solution, "latex", fragment=True)
    assert r"\part{}" not in tex and tex.count(r"\begin{solution}") == 1 and r"\paragraph*{Answers}" in tex


def test_join_latex_makes_one_document():
    document = printed("demo-two-layer-tanh")
    joined = join_latex([("a.yaml", document), ("b.yaml", printed("conv-relu-maxpool"))])
    assert joined.count(r"\documentclass") == 1 and joined.count(r"\end{document}") == 1
    assert joined.count(r"\clearpage") == 1 and "% ==> a.yaml <==" in joined and "% ==> b.yaml <==" in joined
    assert structure_problems(joined) == []


# -- the command line ----------------------------------------------------------------------------------
def test_cli_latex_and_fragment():
    demo = CASES["demo-two-layer-tanh"]
    run = invoke("solve", demo, "--format", "latex")
    assert run.exit_code == 0 and run.stdout == printed("demo-two-layer-tanh")
    run = invoke("solve", demo, "-f", "latex", "--latex-fragment")
    assert run.exit_code == 0 and run.stdout == printed("demo-two-layer-tanh", True)
    run = invoke("solve", demo, CASES["conv-relu-maxpool"], "-f", "latex", "--latex-fragment")
    assert run.exit_code == 0 and run.stdout.count(r"\question{}") == 2


@pytest.mark.parametrize("args, message", [
    (["--latex-fragment"], "--latex-fragment: is a form of --format latex"),
    (["-f", "pdf"], "--format pdf: writes a PDF file: give -o OUT.pdf"),
    (["-f", "pdf", "-o", "-"], "--format pdf: writes a PDF file: give -o OUT.pdf"),
])
def test_cli_refusals(args, message):
    run = invoke("solve", CASES["demo-two-layer-tanh"], *args)
    assert run.exit_code == 2 and message in run.stderr and run.stdout == ""


def test_cli_pdf_without_an_engine(tmp_path, monkeypatch):
    import nnsolve.render.pdf as pdf
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    out = tmp_path / "out.pdf"
    run = invoke("solve", CASES["demo-two-layer-tanh"], "-f", "pdf", "-o", out)
    assert run.exit_code == 2 and not out.exists()
    assert "no LaTeX engine: install texlive-latex-base (pdflatex) or texlive-xetex (xelatex), or use --format " \
           "latex" in run.stderr


def test_check_and_summary_keep_their_formats():
    run = invoke("check", CASES["demo-two-layer-tanh"], "-f", "latex")
    assert run.exit_code == 2 and "latex" in run.stderr


@pytest.mark.parametrize("symbol", ["W#", "中", "{W", "W%"])
def test_a_notation_tex_cannot_typeset_is_refused_by_its_key(symbol, tmp_path):
    text = CASES["demo-two-layer-tanh"].read_text(encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(text.replace("\nnetwork:", f"\nnotation: {{weight: {json.dumps(symbol)}}}\nnetwork:", 1),
                    encoding="utf-8")
    run = invoke("solve", path, "-f", "latex")
    assert run.exit_code == 2 and run.stdout == ""
    assert f"notation: the symbol '{symbol}₁' of 'W1' cannot be written in LaTeX" in run.stderr
    assert invoke("solve", path, "-f", "markdown").exit_code == 0       # the other printers are not concerned


# -- formulas too long for a line ----------------------------------------------------------------------
def nested(depth: int) -> str:
    inner = "x"
    for _ in range(depth):
        inner = rf"\sigma\left({inner}\right)"
    return inner


def test_a_long_formula_is_cut_at_its_outermost_spaces():
    formula = " ".join(rf"\left(1 - {nested(k)}\right)" for k in range(1, 30))
    lines = _lines("f", formula)
    assert len(lines) > 5
    assert " ".join(line.removeprefix(r"\nnsolvefit{f}{").removesuffix("}") if line.startswith(r"\nnsolvefit")
                    else line for line in lines) == formula
    for line in lines:                   # every line a whole formula: its \left and \right in pairs
        assert line.count(r"\left(") == line.count(r"\right)") and width(line) < 3 * LONG


def test_a_formula_too_wide_for_tex_is_said_not_typeset():
    (line,) = _lines("H", nested(WIDEST))            # one factor, no space outside its brackets to cut at
    assert line == r"\nnsolvefit{H}{\text{[a formula of %d characters, too long to typeset; the text and JSON " \
                   r"formats print it]}}" % len(nested(WIDEST))


def test_every_character_that_reaches_the_math_is_ascii():
    assert ascii_only(r"x = \text{⋮} − 1") == r"x = \text{\text{\ensuremath{\vdots}}} \text{\ensuremath{-}} 1"
    assert ascii_only("plain") == "plain"
