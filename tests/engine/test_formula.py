"""Formulas are templates over quantity ids: filling, shifting and joining keep each placeholder
pointing at its own quantity."""
from __future__ import annotations

from nnsolve.engine.formula import Formula, join, wrap

SYMBOLS = {"u1": "u₁", "h1": "h₁", "W2": "W₂", "g": "∂L/∂h₁", "x": "x"}


def test_fill_with_symbols_and_with_numbers():
    f = Formula(r"\tanh({0})", "tanh({0})", ("u1",))
    assert f.fill(False, SYMBOLS.get) == "tanh(u₁)"
    assert f.fill(True, lambda i: "[1.3, -4.7]") == r"\tanh([1.3, -4.7])"


def test_a_placeholder_may_repeat():
    f = Formula("{0} ⊙ (1 − {0}²)", "{0} ⊙ (1 − {0}²)", ("h1",))
    assert f.fill(False, SYMBOLS.get) == "h₁ ⊙ (1 − h₁²)"


def test_shifted_renumbers_placeholders_only():
    f = Formula("{1}ᵀ{0} + 2", "{1}ᵀ{0} + 2", ("x", "W2")).shifted(3)
    assert f.text == "{4}ᵀ{3} + 2"
    assert f.args == ("x", "W2")


def test_join_keeps_each_part_on_its_own_quantities():
    """Two contributions to a gradient: W₂·g and h₁; placeholders of the second part move past the first's."""
    first = Formula("{1}{0}", "{1}{0}", ("g", "W2"))
    second = Formula("{0}", "{0}", ("h1",))
    joined = join([first, second])
    assert joined.args == ("g", "W2", "h1")
    assert joined.text == "{1}{0} + {2}"
    assert joined.fill(False, SYMBOLS.get) == "W₂∂L/∂h₁ + h₁"
    assert join([first, second], " \\; + \\; ", " ⊕ ").fill(False, SYMBOLS.get) == "W₂∂L/∂h₁ ⊕ h₁"


def test_join_of_one_part_is_that_part():
    f = Formula("σ({0})", "σ({0})", ("u1",))
    assert join([f]).fill(False, SYMBOLS.get) == "σ(u₁)"


def test_wrap_puts_the_inner_formula_inside_and_shifts_extra_args():
    inner = Formula("{0} − {1}", "{0} − {1}", ("h1", "x"))
    outer = wrap(inner, r"\left({inner}\right) / {0}", "({inner}) / {0}", ("u1",))
    assert outer.args == ("h1", "x", "u1")
    assert outer.fill(False, SYMBOLS.get) == "(h₁ − x) / u₁"
    assert outer.fill(True, SYMBOLS.get) == r"\left(h₁ − x\right) / u₁"
