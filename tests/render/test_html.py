"""The HTML printer: every example prints as one well-formed, self-contained page whose math is MathML; golden
pages for seven families; the family's picture inline (or a line saying why not); the command line.

Golden pages are printed without the picture (its SVG depends on the Graphviz version). Regenerate them after an
intended change with `NNSOLVE_REGENERATE_GOLDEN=1 pytest tests/render/test_html.py`, then open a changed page
in a browser (or run tests/render/test_html_browser.py and look at its screenshots) before committing it.
"""
from __future__ import annotations

import os
import re
import shutil
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

import pytest

import nnsolve
from nnsolve.render import render
from nnsolve.render.html import NO_DOT, render_html
from nnsolve.render.mathml import mathml

from cli_runner import invoke
from corpus_expectations import problem_files, solved as solve_example

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GOLDEN = HERE / "golden" / "html"
REGENERATE = os.environ.get("NNSOLVE_REGENERATE_GOLDEN") == "1"
DEMO = ROOT / "examples" / "demo-two-layer-tanh.yaml"
# a family each: dense, conv, recurrent, attention, calculus, perceptron, computation graph
GOLDEN_CASES = {Path(p).stem: ROOT / p for p in (
    "examples/demo-two-layer-tanh.yaml", "examples/conv/conv-relu-maxpool.yaml",
    "tests/render/cases/relu-rnn-bptt.yaml", "tests/render/cases/attention-two-heads.yaml",
    "tests/render/cases/calculus-gradient-descent.yaml",
    "examples/perceptron/bits-mk-q3a-xnor-perceptron-epoch.yaml", "tests/render/cases/relu-computation-graph.yaml")}
M = "{http://www.w3.org/1998/Math/MathML}"
# MathML elements whose children are positional: base and script(s), numerator and denominator
ARITY = {"msup": 2, "msub": 2, "mfrac": 2, "munder": 2, "mover": 2, "mroot": 2, "msubsup": 3, "munderover": 3}
LATEX_LEFT = re.compile(r"\$|\\[A-Za-z]+|\\[{}]")


@lru_cache(maxsize=None)
def page(path: Path) -> str:
    try:
        solution = solve_example(path)
    except Exception as error:      # noqa: BLE001 — a file that does not solve is the solver tests' to fail
        pytest.skip(f"does not solve: {type(error).__name__}: {error}")
    return render_html(solution, picture=False)


def visible_text(root: ElementTree.Element) -> str:
    """The text a reader sees: everything but the style sheet and MathML annotations (which keep source)."""
    def walk(element):
        if element.tag in ("style", "title", f"{M}annotation", f"{M}annotation-xml"):
            return
        yield element.text or ""
        for child in element:
            yield from walk(child)
            yield child.tail or ""
    return "".join(walk(root))


def problems_of(html: str) -> list[str]:
    """What is wrong with a page: not XML, no math, LaTeX left as text, a malformed MathML element, anything
    that would run or fetch."""
    root = ElementTree.fromstring(html)        # raises on a page that is not well-formed
    found = []
    if root.find(f".//{M}math") is None:
        found.append("no <math> element")
    leftover = sorted(set(LATEX_LEFT.findall(visible_text(root))))
    if leftover:
        found.append(f"LaTeX left as text: {leftover}")
    for element in root.iter():
        tag = element.tag.removeprefix(M)
        if tag in ARITY and len(element) != ARITY[tag]:
            found.append(f"<{tag}> with {len(element)} children")
        if tag in ("script", "iframe", "object", "embed", "link", "img"):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            if name.startswith("on") or name.endswith("href") or name == "src":
                found.append(f"{name}={value!r}")
    return found


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_example_prints_a_sound_page(path):
    html = page(path)
    assert html.startswith("<!DOCTYPE html>\n")
    assert problems_of(html) == []


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_matches_golden(case):
    golden = GOLDEN / f"{case}.html"
    out = page(GOLDEN_CASES[case])
    if REGENERATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with NNSOLVE_REGENERATE_GOLDEN=1"
    assert out == golden.read_text(encoding="utf-8")


def _steps(root) -> list:
    return [div for div in root.iter("div") if "step" in (div.get("class") or "").split()]


def test_page_has_every_step_and_the_answers_table():
    solution = nnsolve.solve(DEMO)
    root = ElementTree.fromstring(page(DEMO))
    steps = _steps(root)
    assert len(steps) == len(solution.steps)
    # the givens are marked as such (a page revealing the steps one by one shows them at once), and only they are
    given = [s.id for s in solution.steps if s.section == "Given"]
    assert [d.get("class") for d in steps] == ["step given"] * len(given) + ["step"] * (len(steps) - len(given))
    assert [h.text for h in root.iter("h2")] == ["Conventions"] + [t for t, _ in solution.sections()] + ["Answers"]
    rows = root.findall(".//section[@class='answers']/table/tbody/tr")
    assert [r.find("td/code").text for r in rows] == solution.asked


def test_matrix_is_an_array_and_numbers_are_the_printers():
    """W₁ = [[3.2, −2.4, −2.1], [−1.2, −1.4, 2.6]] is a 2×3 <mtable>, with a true minus sign."""
    root = ElementTree.fromstring(page(DEMO))
    w1 = _steps(root)[2].find(f".//{M}mtable")     # given: x, t, W₁, …
    rows = [["".join(cell.itertext()) for cell in row] for row in w1]
    assert rows == [["3.2", "−2.4", "−2.1"], ["−1.2", "−1.4", "2.6"]]


def test_a_tensor_is_a_grid_per_channel():
    html = page(ROOT / "examples/conv/conv-relu-maxpool.yaml")
    root = ElementTree.fromstring(html)
    captions = [f.findtext("figcaption") for f in root.iter("figure") if f.get("class") == "grid"]
    assert "channel 0" in captions
    for figure in (f for f in root.iter("figure") if f.get("class") == "grid"):
        assert figure.find(f"{M}math//{M}mtable") is not None


def test_prose_is_escaped(tmp_path):
    problem = tmp_path / "p.yaml"
    problem.write_text(DEMO.read_text().replace('"Demo: forward', '"<script>alert(1)</script> & Demo: forward'))
    html = render_html(nnsolve.solve(problem), picture=False)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Demo" in html
    assert problems_of(html) == []


def test_text_in_math_is_escaped():
    """latex2mathml copies \\text{…} as it is; a `<` or `&` there must not break the page."""
    out = mathml(r"\text{a < b \& c} + x")
    assert "a&#x000A0;&lt;&#x000A0;b&#x000A0;&amp;&#x000A0;c" in out
    ElementTree.fromstring(out)


def test_a_transposed_matrix_is_the_base_of_its_script():
    out = ElementTree.fromstring(mathml(r"\begin{bmatrix} 1 & 2 \end{bmatrix}^\top x"))
    (sup,) = out.iter(f"{M}msup")
    assert len(sup) == 2 and sup[0].find(f"{M}mtable") is not None


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_picture_is_inline_svg():
    html = render(nnsolve.solve(DEMO), "html")
    root = ElementTree.fromstring(html)
    figure = root.find(".//figure[@class='picture']")
    assert figure is not None and figure.find("{http://www.w3.org/2000/svg}svg") is not None
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html and "<!--" not in html
    assert NO_DOT not in html


def test_without_dot_the_page_says_so(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    html = render(nnsolve.solve(DEMO), "html")
    assert html.count(NO_DOT) == 1 and "<svg" not in html
    assert problems_of(html) == []


def test_no_picture_line_for_a_family_without_one():
    html = render(nnsolve.solve(ROOT / "tests/render/cases/calculus-gradient-descent.yaml"), "html")
    assert NO_DOT not in html and "<svg" not in html


def test_cli_writes_one_page(tmp_path):
    out = tmp_path / "page.html"
    run = invoke("solve", DEMO, "--format", "html", "-o", out, "--digits", "2")
    assert run.exit_code == 0, run.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<mn>0.86</mn>" in html      # h₁[1] = tanh(1.3) to 2 decimals


def test_cli_refuses_html_where_it_has_no_meaning():
    several = invoke("solve", DEMO, DEMO, "-f", "html")
    assert several.exit_code == 2 and "html writes one page: give one file" in several.stderr
    for command in ("check", "summary"):
        run = invoke(command, DEMO, "-f", "html")
        assert run.exit_code == 2 and "'html' is not one of 'text', 'markdown', 'json'" in run.stderr, run.stderr


def test_a_minus_after_an_operator_is_a_sign_and_after_a_bracket_is_binary():
    out = mathml(r"{} = -3 + (-2) - 1")
    assert out.count('<mo form="prefix">&#x02212;</mo>') == 2          # −3 and the −2 in brackets
    assert '&#x00029;</mo><mo>&#x02212;</mo><mn>1</mn>' in out           # (−2) − 1: subtraction


# -- a problem's statement and the handout ------------------------------------------------------------------------
STATED = """problem: dense_network
title: A 2-1 neuron
statement: |
  A neuron has weights $W = {W1}$ and **no** bias beyond `b1` = {b1}.

  Its input is {x}; the target is 1. Find $y$ & the loss (a < b), 50% of the marks_total.
network:
  layout: out_in
  layers:
    - {W: [[0.5, -0.25]], b: [0.125], activation: identity}
data: {x: [2, 4], target: [1]}
loss: {type: half_sse}
ask: [y, loss]
"""


def _stated(tmp_path):
    path = tmp_path / "stated.yaml"
    path.write_text(STATED, encoding="utf-8")
    return nnsolve.solve(path)


def test_the_statement_is_paragraphs_with_its_placeholders_as_mathml(tmp_path):
    page = render_html(_stated(tmp_path), picture=False)
    root = ElementTree.fromstring(page.split("\n", 1)[1])
    statement = root.find(".//section[@class='statement']")
    paragraphs = statement.findall("p")
    assert len(paragraphs) == 2
    assert paragraphs[0].find("strong").text == "no" and paragraphs[0].find("code").text == "b1"
    math = "{http://www.w3.org/1998/Math/MathML}"
    assert len(paragraphs[0].findall(f".//{math}math")) == 2 and len(paragraphs[1].findall(f".//{math}math")) == 2
    text = "".join(statement.itertext())
    assert "(a < b)" in text and "&" in text and "$" not in text and "{W1}" not in text
    # the values are the givens as the printer writes them
    numbers = [n.text for n in paragraphs[0].iter(f"{math}mn")]
    assert numbers[:2] == ["0.5", "0.25"]


def test_the_handout_page_asks_without_answering(tmp_path):
    solution = _stated(tmp_path)
    page = render_html(solution, handout=True)
    root = ElementTree.fromstring(page.split("\n", 1)[1])
    # the ids the solution names them by (a one-layer network's output is h1)
    assert [li.find("code").text for li in root.findall(".//section[@class='questions']/ol/li")] == ["h1", "loss"]
    assert root.find(".//section[@class='answers']") is None and "Conventions" not in page
    y = solution.value("y")[()]
    assert str(y) not in "".join(root.itertext())          # 2·0.5 − 4·0.25 + 0.125 = 0.125 is nowhere
