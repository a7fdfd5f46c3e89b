"""The parts of `vary` on their own: the YAML writer reads back to the same data, ranges and sets give exactly the
values they say, expressions are read by nnsolve's parser and evaluated exactly, the stress report says what
rejected most."""
from __future__ import annotations

import random
from fractions import Fraction

import pytest

import nnsolve
from nnsolve.problems import load_text
from nnsolve.problems.loader import Literal
from nnsolve.variants.expression import ExpressionError, compile_comparison
from nnsolve.variants.report import stress_report
from nnsolve.variants.schema import Vary
from nnsolve.variants.writer import problem_text

from test_variants_cli import SMALL as PROBLEM      # one ReLU layer, two outputs, one SGD step


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Literal):
        return ("number", Fraction(value), value.text)
    return value


def test_the_writer_reads_back_to_the_same_data():
    data = {"problem": "dense_network",
            "title": 'A "quoted": title — with ü, a # and: a colon',
            "source": {"note": "yes", "case": "true", "paper": "2024", "lines": "null", "question": "1e3"},
            "network": {"layers": [{"W": [[Literal("0.50"), Literal("-1/3")], [Literal("1e-9"), Literal("−2")]],
                                    "activation": "relu"}, {"flatten": {}}], "layout": "in_out"},
            "ask": ["y", "dL/dW1", "W1(1)", "no"],
            "answers": {"y": [Literal("0.8135")], "dL/dW1": [[Literal("1.83e-6")]], "yes": Literal("1")},
            "flags": [True, False, None], "empty": [], "long": [Literal(str(i)) for i in range(60)]}
    text = problem_text(data, ["a header", ""])
    assert text.startswith("# a header\n#\n")
    assert _plain(load_text(text).data) == _plain(data)


@pytest.mark.parametrize("spec, values", [
    ({"from": -1, "to": 1, "step": "0.5"}, ["-1", "-0.5", "0", "0.5", "1"]),
    ({"from": -1, "to": 1, "step": "0.5", "nonzero": True}, ["-1", "-0.5", "0.5", "1"]),
    ({"from": "0.1", "to": "0.35", "step": "0.1"}, ["0.1", "0.2", "0.3"]),
    ({"from": -2, "to": 2, "nonzero": True}, ["-2", "-1", "1", "2"]),
    ({"values": [2, 0, 2, "1/3"], "nonzero": True}, ["2", "1/3"]),
])
def test_ranges_and_sets_give_exactly_their_values(spec, values):
    how = Vary.model_validate(spec)
    assert [how.candidate(i) for i in range(how.candidates_count())] == [Fraction(v) for v in values]


def test_a_draw_is_uniform_over_the_values_and_never_zero_under_nonzero():
    run = nnsolve.vary(PROBLEM + "variants:\n  vary:\n    network.layers[0].W: {from: -1, to: 1, step: 0.5, "
                                 "nonzero: true}\n", n=200, keys_only=True)
    drawn = [value for v in run.variants for _, value in v.givens]
    assert 0 not in drawn
    counts = {x: drawn.count(x) for x in set(drawn)}
    assert set(counts) == {Fraction(-1), Fraction(-1, 2), Fraction(1, 2), Fraction(1)}
    assert run.complete and min(counts.values()) > 150          # 800 draws over 4 values


def _solution():
    return nnsolve.solve(PROBLEM.replace("ask: [h1, loss]", "ask: [h1, loss, loss(1)]"))


@pytest.mark.parametrize("text, holds", [
    ("loss(1) < loss", True),
    ("loss >= 2", False),
    ("h1[1] == 1", True),
    ("dL/dW1[0][1] != 0", True),
    ("abs(u1[0] - 2) <= 1/2", True),
    ("abs(u1[0] - 2) < 1/2", False),
    ("2 * loss ≥ loss + loss", True),
    ("exp(loss) > 1 + loss", True),
    ("log(loss) > 0", True),
    ("loss == 1.625", True),
    ("max(h1[0], h1[1]) - min(h1[0], h1[1]) > 1", True),
    ("W1[0][0]^2 + b1[1]^-1 == 2.25", True),
])
def test_expressions_are_evaluated_exactly(text, holds):
    assert compile_comparison(text, _solution()).holds(_solution()) is holds


@pytest.mark.parametrize("text, message", [
    ("loss", "expected one comparison"),
    ("0 < loss < 1", "got 2"),
    ("h1 > 0", "h1 is not one number (shape (2,)): name one entry, e.g. h1[0]"),
    ("h1[2] > 0", "h1[2]: h1 has the shape (2,)"),
    ("los > 0", "no quantity 'los'; did you mean 'loss'?"),
    ("cosh(loss) > 0", "no quantity or function cosh(…)"),
    ("sin(loss) > 0", "the function sin is not available in a constraint"),
    ("loss > __import__", "no quantity '__import__'"),
    ("loss > (1", "expected ')'"),
])
def test_expressions_that_cannot_be_read_are_refused(text, message):
    with pytest.raises(ExpressionError, match=".*" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]").replace("^", r"\^")):
        compile_comparison(text, _solution())


def test_the_stress_report_names_what_rejected_most():
    block = ("variants:\n  seed: 4\n  vary:\n    network.layers[0].W: {from: -1, to: 1, step: 0.5}\n"
             "  constraints:\n    - no_kink_at_zero\n    - {within: [0.5, 3], answers: loss}\n")
    run = nnsolve.vary(PROBLEM + block, n=20, keys_only=True)
    report = stress_report(run)
    assert f"accepted: 20 of {run.tries:,} tries" in report
    worst = max(run.rejected, key=run.rejected.get)
    assert f"rejected most: {worst}" in report
    assert "loss: " in report and "h1[0]: " in report
    assert report == stress_report(nnsolve.vary(PROBLEM + block, n=20, keys_only=True))


def test_the_seed_of_the_block_and_of_the_call():
    block = "variants:\n  seed: 4\n  vary:\n    data.x: {from: -50, to: 50}\n"
    keys = lambda run: [v.key for v in run.variants]   # noqa: E731
    assert keys(nnsolve.vary(PROBLEM + block, n=5)) == keys(nnsolve.vary(PROBLEM + block, n=5, seed=4))
    assert keys(nnsolve.vary(PROBLEM + block, n=5)) != keys(nnsolve.vary(PROBLEM + block, n=5, seed=5))
    assert random.Random(4).random() == random.Random(4).random()
