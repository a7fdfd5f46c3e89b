"""Every printer handles every kind of step, refuses what it does not know, and formats exactly."""
from __future__ import annotations

import json
import math
import re
from fractions import Fraction as F

import mpmath
import numpy as np
import pytest

from nnsolve.engine.formula import Formula
from nnsolve.engine.number import mp, to_mpf
from nnsolve.engine.tensor import as_tensor, emap
from nnsolve.render import render
from nnsolve.render.json import JsonPrinter, render_json
from nnsolve.render.markdown import MarkdownPrinter, escape, render_markdown
from nnsolve.render.text import TextPrinter, render_text
from nnsolve.render.tree import Derivation, Section
from nnsolve.engine.notation import latex_symbol
from nnsolve.render.values import latex_value, text_rows
from nnsolve.solution import Solution, Step
from render_latex_lint import latex_problems, math_spans

LAYOUT = "W is [in][out]: u = Wᵀx + b"
TANH_NOTE = "tanh'(u) = 1 − tanh²(u)"
HOSTILE_NOTE = "plain SGD *without* momentum_ [a|b] $5"


def _tanh(values):
    return emap(lambda v: mp.tanh(to_mpf(v)), values)


def one_of_each_kind() -> Solution:
    """A tiny net u = Wᵀx, h = tanh(u), L = ½Σh², its gradients, one SGD step and the forward pass
    after it: a step of every section, with and without notes, scalar/vector/matrix values, exact,
    irrational, non-terminating and tiny numbers, and a symbol with a superscript put before ᵀ."""
    x = as_tensor([1, -2])
    W = as_tensor([[F(1, 2), -1], [F(3, 10), 1]])
    eta, c, eps = as_tensor(F(1, 10)), as_tensor(F(1, 3)), as_tensor(F(1, 10 ** 8))
    u = W.T.dot(x)
    h = _tanh(u)
    loss = as_tensor(sum(h * h, F(0)) / 2)
    dh = h
    du = dh * (1 - h * h)
    dW = np.outer(x, du).astype(object)
    W_new = W - eta[()] * dW
    u_new = W_new.T.dot(x)
    affine = Formula(r"{1}^\top {0}", "{1}ᵀ{0}", ("x", "W1"))
    steps = [
        Step("x", "x", "x", x, "Given"),
        Step("W1", "W_{1}", "W₁", W, "Given", note="as printed in the exam's table"),
        Step("eta", "η", "η", eta, "Given"),
        Step("c", "c", "c", c, "Given"),
        Step("eps", r"\epsilon", "ε", eps, "Given"),
        Step("shift", "s", "s", as_tensor(-eps[()]), "Given", Formula("-{0}", "−{0}", ("eps",))),
        Step("u1", "u_{1}", "u₁", u, "Forward pass", affine, note=LAYOUT),
        Step("h1", "h_{1}", "h₁", h, "Forward pass", Formula(r"\tanh({0})", "tanh({0})", ("u1",)),
             note=TANH_NOTE),
        Step("loss", "L", "L", loss, "Loss", Formula(r"\tfrac{ 1 }{ 2 } \sum {0}^2", "½ Σ {0}²", ("h1",))),
        Step("dL/dh1", r"\frac{\partial L}{\partial h_{1}}", "∂L/∂h₁", dh, "Backward pass",
             Formula("{0}", "{0}", ("h1",))),
        Step("dL/du1", r"\frac{\partial L}{\partial u_{1}}", "∂L/∂u₁", du, "Backward pass",
             Formula(r"{0} \odot (1 - {1}^2)", "{0} ⊙ (1 − {1}²)", ("dL/dh1", "h1")), note=TANH_NOTE),
        Step("dL/dW1", r"\frac{\partial L}{\partial W_{1}}", "∂L/∂W₁", dW, "Backward pass",
             Formula(r"{0} {1}^\top", "{0}{1}ᵀ", ("x", "dL/du1"))),
        Step("W1(1)", "W_{1}^{[1]}", "W₁[1]", W_new, "Update 1: SGD",
             Formula("{0} - {1} {2}", "{0} − {1}·{2}", ("W1", "eta", "dL/dW1")), note=HOSTILE_NOTE),
        Step("u1(1)", "u_{1}^{[1]}", "u₁[1]", u_new, "Forward pass (after update 1)",
             Formula(r"{1}^\top {0}", "{1}ᵀ{0}", ("x", "W1(1)")), note=LAYOUT),
    ]
    return Solution("Every kind of step", "dense_network", [("weight layout", LAYOUT), ("loss", "½ Σ h²")],
                    steps, ["u1", "loss", "dL/dW1", "W1(1)", "c"], digits=4,
                    source={"paper": "unit test", "question": "1"})


PRINTERS = [TextPrinter, MarkdownPrinter, JsonPrinter]


@pytest.fixture(scope="module")
def solution() -> Solution:
    return one_of_each_kind()


def test_text_shows_every_step_with_its_value(solution):
    out = render_text(solution)
    for step in solution.steps:
        assert f"{step.text_symbol} = " in out, step.id
        assert text_rows(step.value, 4)[0] in out, step.id
    assert out.count(TANH_NOTE) == 1                   # a repeated note is shown once
    assert out.count(LAYOUT) == 1                      # only in the header: it is a stated convention
    assert "(as printed in the exam's table)" in out   # a given's note
    assert out.count(HOSTILE_NOTE) == 1
    for section, _ in solution.sections():
        assert f"\n{section}\n{'-' * len(section)}\n" in out


def test_markdown_shows_every_step_with_its_value(solution):
    out = render_markdown(solution)
    for step in solution.steps:
        symbol = latex_symbol(step.latex_symbol)
        assert f"\n{symbol} = " in out or f"\n{symbol} &= " in out, step.id
        assert latex_value(step.value, 4) in out, step.id
    assert out.count(escape(TANH_NOTE)) == 1
    assert escape(HOSTILE_NOTE) in out and HOSTILE_NOTE not in out
    assert out.count("$$") == 2 * len(solution.steps)      # one display block per step
    for section, _ in solution.sections():
        assert f"\n## {escape(section)}\n" in out


def test_json_lists_every_step_in_order_with_its_full_note(solution):
    data = json.loads(render_json(solution))
    assert [s["id"] for s in data["steps"]] == solution.ids
    for entry, step in zip(data["steps"], solution.steps):
        assert entry["section"] == step.section
        assert entry["note"] == step.note                  # JSON keeps even the repeated notes
        assert (entry["formula"] is None) == (step.formula is None)
        assert entry["value"]["shape"] == list(step.value.shape)
    assert list(data["answers"]) == solution.asked


@pytest.mark.parametrize("printer", PRINTERS, ids=lambda p: p.__name__)
def test_an_unknown_block_is_refused(solution, printer):
    class Mystery:
        def __str__(self):
            return "should never be printed"

    with pytest.raises(TypeError, match="cannot print a Mystery"):
        printer(solution).doprint(Mystery())
    with pytest.raises(TypeError, match="cannot print a Mystery"):     # also when nested in a section
        printer(solution).doprint(Section("Forward pass", (Mystery(),)))


@pytest.mark.parametrize("printer", PRINTERS, ids=lambda p: p.__name__)
def test_a_specialised_block_prints_as_its_base(solution, printer):
    class Highlighted(Derivation):
        pass

    step = solution.step("h1")
    assert printer(solution).doprint(Highlighted(step)) == printer(solution).doprint(Derivation(step))


def test_unknown_format_is_refused(solution):
    with pytest.raises(ValueError, match="unknown format 'rtf'"):
        render(solution, "rtf")


def test_colour_changes_only_the_colours(solution):
    plain = render(solution, "text")
    coloured = render(solution, "text", color=True)
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_long_lines_are_wrapped(solution):
    out = render_text(solution, width=60)
    assert all(len(line) <= 60 for line in out.splitlines()), out
    # one `=` a line once the equation does not fit, and a long part breaks before an operator
    assert "  W₁[1] = W₁ − η·(∂L/∂W₁)\n        = [[0.5, -1], [0.3, 1]]\n            − 0.1·[[" in out


def test_matrices_are_shown_as_aligned_rows(solution):
    out = render_text(solution)
    assert "  W₁ = [[0.5, -1],\n        [0.3,  1]]\n" in out


def test_digits_change_only_the_display(solution):
    h = mpmath.tanh(mpmath.mpf("-0.1"))            # independent of the engine's own tanh
    assert f"{float(h):.6f}" in render_text(solution, digits=6)
    assert f"{float(h):.2f}" in render_text(solution, digits=2)
    solution.digits = 2
    try:
        markdown = render_markdown(solution)
        assert f"{float(h):.2f}" in markdown and f"{float(h):.4f}" not in markdown
    finally:
        solution.digits = 4
    assert json.loads(render_json(solution)) == json.loads(render_json(one_of_each_kind()))


def test_json_exact_values(solution):
    data = json.loads(render_json(solution))
    steps = {s["id"]: s["value"] for s in data["steps"]}
    assert steps["c"] == {"exact": "1/3", "float": 1 / 3, "shape": []}
    assert steps["eps"]["exact"] == "0.00000001"
    assert steps["u1"]["exact"] == ["-0.1", "-3"]        # Wᵀx = [0.5·1 + 0.3·(−2), −1·1 + 1·(−2)]
    exact_h = steps["h1"]["exact"][0]
    with mpmath.workdps(40):
        reference = mpmath.tanh(mpmath.mpf(-1) / 10)
        assert abs(mpmath.mpf(exact_h) - reference) < mpmath.mpf(10) ** -32
    assert len(exact_h.lstrip("-0.").replace(".", "")) >= 30
    assert steps["h1"]["float"][0] == float(reference)
    assert steps["W1(1)"]["shape"] == [2, 2]
    loss = sum(math.tanh(v) ** 2 for v in (-0.1, -3)) / 2
    assert data["answers"]["loss"]["float"] == pytest.approx(loss, rel=1e-15)


def test_json_key_order_is_fixed(solution):
    data = json.loads(render_json(solution))
    assert list(data) == ["title", "kind", "source", "conventions", "meta", "groups", "steps", "answers"]
    assert list(data["steps"][0]) == ["id", "symbol", "section", "formula", "note", "value"]
    assert list(data["steps"][0]["value"]) == ["exact", "float", "shape"]
    assert data["conventions"][0] == {"name": "weight layout", "statement": LAYOUT}
    assert render_json(solution) == render_json(one_of_each_kind())


def test_markdown_math_is_valid_latex(solution):
    spans = math_spans(render_markdown(solution))
    assert len(spans) >= len(solution.steps)
    for span in spans:
        assert latex_problems(span) == [], span
    formulas = [s["formula"]["latex"] for s in json.loads(render_json(solution))["steps"] if s["formula"]]
    for formula in formulas:
        assert latex_problems(formula) == [], formula


def test_a_superscripted_symbol_is_grouped_before_a_transpose(solution):
    out = render_markdown(solution)
    assert r"{W_{1}^{[1]}}^\top x" in out
    assert r"W_{1}^\top x" in out               # no needless braces where nothing clashes


def test_jupyter_reprs(solution):
    assert solution._repr_markdown_() == render_markdown(solution)
    latex = solution.step("W1")._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$")
    assert latex_problems(latex.strip("$")) == []
    assert r"\begin{bmatrix} 0.5 & -1 \\ 0.3 & 1 \end{bmatrix}" in latex


def test_a_formula_naming_a_missing_quantity_is_refused(solution):
    broken = Solution("broken", "dense_network", [], solution.steps[:1] + [
        Step("y", "y", "y", as_tensor(1), "Forward pass", Formula("{0}", "{0}", ("nowhere",)))], [])
    for fmt in ("text", "markdown", "json"):
        with pytest.raises(ValueError, match="'nowhere'"):
            render(broken, fmt)
