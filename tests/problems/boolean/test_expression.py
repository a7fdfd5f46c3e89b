"""Boolean expressions: the truth table built from a typed expression agrees with a plain-Python evaluation
of the same random expression, and both networks (the main one and the per-term OR of ANDs) are verified
on every row by the independent evaluator."""
from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve
from nnsolve.problems import ProblemError

from boolean_support import layers_of, run, scalar

NAMES = ["a", "b", "c"]
# (spelling, plain-Python meaning) of each two-input operator, every spelling the parser accepts
BINARY = [("AND", lambda p, q: p and q), ("&", lambda p, q: p and q), ("∧", lambda p, q: p and q),
          ("OR", lambda p, q: p or q), ("|", lambda p, q: p or q), ("∨", lambda p, q: p or q),
          ("XOR", lambda p, q: p != q), ("⊕", lambda p, q: p != q), ("XNOR", lambda p, q: p == q),
          ("NAND", lambda p, q: not (p and q)), ("nor", lambda p, q: not (p or q))]
NEGATIONS = ["NOT ", "~", "!", "¬"]


def _leaf():
    return st.sampled_from(NAMES).map(lambda v: (v, lambda env, v=v: bool(env[v])))


def _grow(children):
    binary = st.tuples(children, st.sampled_from(BINARY), children).map(
        lambda t: (f"({t[0][0]} {t[1][0]} {t[2][0]})",
                   lambda env, t=t: t[1][1](t[0][1](env), t[2][1](env))))
    negated = st.tuples(st.sampled_from(NEGATIONS), children).map(
        lambda t: (f"{t[0]}({t[1][0]})", lambda env, t=t: not t[1][1](env)))
    return binary | negated


EXPRESSIONS = st.recursive(_leaf(), _grow, max_leaves=6)


def _table(solution):
    return [int(v) for v in solution.value("t").ravel()]


@settings(max_examples=30, deadline=None)
@given(EXPRESSIONS)
def test_random_expression_table_and_networks(expression):
    text, meaning = expression
    solution = solve(f"problem: boolean_network\nexpression: '{text}'\ninputs_named: [a, b, c]\n")
    rows = list(itertools.product((0, 1), repeat=3))
    expected = [int(meaning(dict(zip(NAMES, x)))) for x in rows]
    assert _table(solution) == expected
    assert [run(layers_of(solution), x) for x in rows] == expected
    if solution.has("terms.W1"):            # absent only for a function that is never 1
        assert [run(layers_of(solution, "terms."), x) for x in rows] == expected
        assert scalar(solution, "terms.errors") == 0
    else:
        assert expected == [0] * 8


@pytest.mark.parametrize("text, meaning", [
    # NOT > AND > XOR > OR, each checked against the explicitly parenthesised reading
    ("a OR b AND c", lambda a, b, c: a or (b and c)),
    ("a XOR b AND c", lambda a, b, c: a != (b and c)),
    ("a OR b XOR c", lambda a, b, c: a or (b != c)),
    ("NOT a AND b", lambda a, b, c: (not a) and b),
    ("a NAND b NAND c", lambda a, b, c: not ((not (a and b)) and c)),      # left to right
    ("!a || b && ~c", lambda a, b, c: (not a) or (b and not c)),
    ("a + b · c", lambda a, b, c: a or (b and c)),
    ("(a ⊕ b) ∨ 0 ∧ c", lambda a, b, c: a != b),
])
def test_precedence_and_spellings(text, meaning):
    solution = solve(f"problem: boolean_network\nexpression: '{text}'\ninputs_named: [a, b, c]\n")
    rows = itertools.product((0, 1), repeat=3)
    assert _table(solution) == [int(bool(meaning(*x))) for x in rows]


def test_variables_in_order_of_appearance():
    solution = solve("problem: boolean_network\nexpression: 'x3 AND NOT x1'\n")
    # inputs (x3, x1): true only on x3 = 1, x1 = 0, the third row of (00, 01, 10, 11)
    assert _table(solution) == [0, 0, 1, 0]
    assert "inputs x3, x1" in dict(solution.conventions)["expression"]


def test_sum_of_products_gets_one_and_unit_per_term():
    solution = solve("problem: boolean_network\nexpression: 'x1 AND NOT x2 OR x3 AND x2'\n")
    assert scalar(solution, "terms.hidden_units") == 2
    W1 = [[int(v) for v in row] for row in solution.value("terms.W1")]
    assert W1 == [[1, -1, 0], [0, 1, 1]]           # +1 plain literal, −1 negated, 0 absent
    # not a sum of products: one unit per true row of (a OR b) AND c, which is true on 3 rows
    other = solve("problem: boolean_network\nexpression: '(a OR b) AND c'\n")
    assert scalar(other, "terms.hidden_units") == 3
    assert "minterms" in dict(other.conventions)["per-term network"]


@pytest.mark.parametrize("text, column, words", [
    ("x1 AND", 7, "end of the expression"),
    ("x1 AND (x2 OR x3", 17, "expected ')'"),
    ("x1 x2", 4, "juxtaposition"),
    ("x1 AND 2", 8, "a constant is 0 or 1"),
    ("x1 = x2", 4, "unexpected character '='"),
])
def test_unparsable_expression_names_the_column(text, column, words):
    with pytest.raises(ProblemError) as error:
        solve(f"problem: boolean_network\nexpression: '{text}'\n")
    message = str(error.value)
    assert f"column {column}" in message and words in message and "line 2" in message


def test_unknown_variable_gets_a_suggestion():
    with pytest.raises(ProblemError) as error:
        solve("problem: boolean_network\nexpression: 'x1 AND x22'\ninputs_named: [x1, x2]\n")
    assert "'x22'" in str(error.value) and "did you mean 'x2'" in str(error.value)


def test_expression_text_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ProblemError):
        solve(f"problem: boolean_network\nexpression: \"__import__('os').mkdir('{marker}')\"\n")
    assert not marker.exists()
