"""Filling formula templates: brackets where a value or symbol would misread, valid LaTeX always."""
from __future__ import annotations

from fractions import Fraction as F

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsolve.engine.formula import Formula
from nnsolve.engine.number import mp
from nnsolve.engine.tensor import as_tensor
from nnsolve.render.formulas import fill, substituted, symbolic
from nnsolve.engine.notation import latex_symbol
from nnsolve.render.values import needs_grouping
from nnsolve.solution import Solution, Step
from render_latex_lint import latex_problems


def _text(template: str, piece: str) -> str:
    return fill(Formula("", template, ("a",)), False, lambda _: piece, needs_grouping)


def test_a_negative_number_is_bracketed_against_operators_only():
    assert _text("1 − {0}", "-0.5") == "1 − (-0.5)"
    assert _text("{0}²", "-0.5") == "(-0.5)²"
    assert _text("0.1·{0}", "-0.5") == "0.1·(-0.5)"
    assert _text("tanh({0})", "-0.5") == "tanh(-0.5)"
    assert _text("{0} + 1", "-0.5") == "-0.5 + 1"
    assert _text("[{0}, 2]", "-0.5") == "[-0.5, 2]"


def test_scientific_notation_is_bracketed_only_before_a_power():
    assert _text("x + {0}", "1.0e-8") == "x + 1.0e-8"
    assert _text("{0}²", "1.0e-8") == "(1.0e-8)²"
    assert _text("{0}²", "[1.0e-8, 2]") == "[1.0e-8, 2]²"        # a vector is bracketed already


def test_latex_symbols_are_grouped_only_where_scripts_clash():
    def latex(template, symbol):
        return fill(Formula(template, "", ("a",)), True, lambda _: symbol, lambda _: None)

    assert latex(r"{0}^\top x", "W_{1}") == r"W_{1}^\top x"
    assert latex(r"{0}^\top x", "W_{1}^{[1]}") == r"{W_{1}^{[1]}}^\top x"
    assert latex(r"{0}^\top", r"\frac{\partial L}{\partial u}") == r"\left(\frac{\partial L}{\partial u}\right)^\top"
    assert latex("{0}x", r"{\eta}") == r"{\eta}x"
    assert latex("{0}x", r"\eta") == r"{\eta}x"


def test_a_literal_brace_number_in_a_template_is_reported():
    bad = Formula(r"\tfrac{1}{2} {0}", "½ {0}", ("a",))
    try:
        fill(bad, True, lambda _: "x", lambda _: None)
    except ValueError as error:
        assert "{2}" in str(error)
    else:
        raise AssertionError("a placeholder beyond the arguments must be refused")


NUMBERS = st.one_of(
    st.fractions(min_value=-1000, max_value=1000, max_denominator=10 ** 9),
    st.integers(-30, 30).map(lambda k: mp.tanh(mp.mpf(k) / 7)),
    st.integers(1, 12).map(lambda k: F(-1, 10 ** k)),
)
SHAPES = st.sampled_from([(), (1,), (3,), (2, 2), (1, 3), (3, 1)])
SYMBOLS = st.sampled_from(["x", "W_{1}", "W_{1}^{[1]}", r"\frac{\partial L}{\partial u_{1}}", "η", "ŷ",
                           r"\hat{m}_{W_{1}}^{[2]}", "m̂_W₁", r"\Omega", "L_{\text{data}}"])
TEMPLATES = st.sampled_from([
    (r"{0}^\top {1}", "{0}ᵀ{1}"), ("{0}^2", "{0}²"), ("1 - {0}", "1 − {0}"), (r"{0} {1}^\top", "{0}{1}ᵀ"),
    (r"\frac{{0}}{{1}}", "{0}/{1}"), ("{0}{1}", "{0}{1}"), (r"\ln {0}", "ln {0}"), (r"\sqrt{{0}} + {1}", "√{0} + {1}"),
    (r"{0}_{i} - {1}", "{0}ᵢ − {1}"), (r"\left({0} - {1}\right)^2", "({0} − {1})²"), (r"{0} \odot {1}", "{0} ⊙ {1}"),
])


@st.composite
def values(draw):
    shape = draw(SHAPES)
    flat = draw(st.lists(NUMBERS, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    array = np.empty(shape, dtype=object)
    array.reshape(-1)[:] = flat
    return as_tensor(array)


@settings(max_examples=40, deadline=None)
@given(a=values(), b=values(), symbols=st.tuples(SYMBOLS, SYMBOLS), template=TEMPLATES, digits=st.integers(0, 8))
def test_any_value_or_symbol_in_any_place_reads_correctly(a, b, symbols, template, digits):
    steps = [Step("a", symbols[0], "a", a, "Given"), Step("b", symbols[1], "b", b, "Given"),
             Step("c", "c", "c", a, "Forward pass", Formula(template[0], template[1], ("a", "b")))]
    solution = Solution("", "dense_network", [], steps, [])
    for latex in (symbolic(solution, steps[2], True), substituted(solution, steps[2], True, digits)):
        assert latex_problems(latex) == [], latex
    assert latex_problems(latex_symbol(symbols[0])) == []
    text = substituted(solution, steps[2], False, digits)
    assert text.count("(") == text.count(")") and text.count("[") == text.count("]"), text


def test_two_numbers_side_by_side_get_a_product_sign():
    """`W x` with W = 1 and x = 2 must not print `1 2` (twelve); symbols and a matrix stay juxtaposed."""
    def latex(template, *pieces):
        values = dict(zip("abc", pieces))
        return fill(Formula(template, "", tuple("abc"[:len(pieces)])), True, values.get, needs_grouping)
    assert latex("{0} {1} + {2}", "1", "2", "3") == r"1 \cdot 2 + 3"
    assert latex("{0} {1}", "-2", "1.5") == r"(-2) \cdot 1.5"
    assert latex("{0} {1}", "0.1", "-2") == r"0.1 \cdot (-2)"
    assert latex("{0} {1}", "W", "x") == "W x"
    assert latex("{0} {1}", r"\begin{bmatrix} 1 \end{bmatrix}", "2") == r"\begin{bmatrix} 1 \end{bmatrix} 2"
    assert latex("{0} - {1}", "1", "2") == "1 - 2"
