"""Reading problem files: numbers exactly as typed, strings as strings, a line for every value, JSON
as well as YAML; and no input at all, however mangled, gets past validation as anything but a
located ProblemError."""
from __future__ import annotations

import json
from fractions import Fraction

import pytest
import yaml
from bad_input import CLEAN_PATH, FULL, VALID, line_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nnsolve
from nnsolve.problems import ProblemError
from nnsolve.problems.loader import Literal, load_file, load_text, read_number


def test_decimals_are_read_exactly():
    doc = load_text("a: 0.1\nb: 0.2\nc: 0.3\n")
    assert doc.data["a"] == Fraction(1, 10)
    assert doc.data["a"] + doc.data["b"] == doc.data["c"]       # 0.1 + 0.2 == 0.3, unlike floats


def test_scientific_and_fractions_are_numbers():
    # YAML 1.1 reads 1e-9 (no dot) and 3/4 as strings; an exam author means numbers
    doc = load_text("small: 1e-9\nquarter: 3/4\nnegative: -2.5E+3\nminus_sign: −0.5\n")
    assert doc.data["small"] == Fraction(1, 10 ** 9)
    assert doc.data["quarter"] == Fraction(3, 4)
    assert doc.data["negative"] == -2500
    assert doc.data["minus_sign"] == Fraction(-1, 2)


@pytest.mark.parametrize("typed, places", [("0.80", 2), ("3", 0), ("-1.250", 3), ("1/3", None), ("1e-9", None)])
def test_literal_keeps_the_decimals_as_written(typed, places):
    value = load_text(f"v: {typed}\n").data["v"]
    assert isinstance(value, Literal) and value.text == typed and value.decimals == places


def test_literal_reads_as_typed_in_messages():
    assert repr(Literal("0.80")) == "0.80" and f"{Literal('3/4')!r}" == "3/4"


def test_quoted_strings_stay_strings():
    doc = load_text("a: '0.5'\nb: \"3/4\"\nc: relu\nd: yes\ne: ~\n")
    assert doc.data == {"a": "0.5", "b": "3/4", "c": "relu", "d": True, "e": None}
    assert all(type(doc.data[k]) is str for k in "abc")


def test_a_number_where_text_goes_is_taken_as_its_text():
    assert nnsolve.load(VALID.replace("title: the problem the bad inputs are made from", "title: 2024")).model.title \
        == "2024"


def test_every_value_has_its_line():
    doc = load_text(VALID)
    assert doc.line_of(("network", "layers", 1, "W")) == line_of(VALID, "W: [[1], [2]]")
    assert doc.line_of(("network", "layers", 1)) == line_of(VALID, "- W: [[1], [2]]")
    assert doc.line_of(("data", "x", 2)) == line_of(VALID, "x: [1, 2, 3]")
    assert doc.line_of(("data",)) == line_of(VALID, "data:")          # the key, not the value below it
    assert doc.line_of(("data", "nothing", "here")) == line_of(VALID, "data:")   # deepest known prefix


def test_json_files_load_with_line_numbers(tmp_path):
    data = yaml.safe_load(VALID)
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data, indent="\t"))      # tabs: legal in JSON, not in YAML
    doc = load_file(path)
    text = path.read_text()
    assert doc.data["network"]["layers"][0]["b"] == [Fraction(1, 10), Fraction(1, 5)]
    assert doc.line_of(("loss", "type")) == line_of(text, '"type": "bce"')
    solution = nnsolve.solve(path)
    assert solution.value("u1").tolist() == nnsolve.solve(VALID).value("u1").tolist()


def test_json_errors_are_located(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text('{\n  "problem": "dense_network",\n  "network": {"layout": "in_out", "layerz": []},\n'
                    '  "data": {"x": [1]}\n}\n')
    with pytest.raises(ProblemError) as caught:
        nnsolve.solve(path)
    [issue] = [i for i in caught.value.issues if i.path == "network.layerz"]
    assert issue.line == 3 and "did you mean 'layers'" in issue.message


def test_a_byte_order_mark_is_ignored():
    assert load_text("\ufeffproblem: dense_network\n").data == {"problem": "dense_network"}


@pytest.mark.parametrize("typed", ["1" * 1001, "1e1001", "1e-1001", "1/1e2000"])
def test_numbers_too_big_to_build_are_refused(typed):
    with pytest.raises(ValueError):
        read_number(typed)


def test_numbers_at_the_limits_are_read():
    assert read_number("1e-1000") == Fraction(1, 10 ** 1000)
    assert read_number("-1e9") == -10 ** 9


# -- whatever is written, the answer is a solution or a located ProblemError ----------------------------

def _paths(value, loc=()):
    yield loc
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, loc + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, loc + (i,))


BASE = yaml.safe_load(FULL)
PLACES = [p for p in _paths(BASE) if p]
junk = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 6, 10 ** 6) | st.floats() | st.text(max_size=6)
    | st.sampled_from(["relu", "softmax", "in_out", "out_in", "bce", "mse", "sgd", ".inf", "1/0", "3/4", "e"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["W", "b", "x", "type", "zz"]),
                                                                 inner, max_size=3),
    max_leaves=12)


def _replaced(data, loc, value):
    if not loc:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[loc[0]] = _replaced(copy[loc[0]], loc[1:], value)
    return copy


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=junk)
def test_any_value_anywhere_gives_a_solution_or_located_issues(place, value):
    text = yaml.safe_dump(_replaced(BASE, place, value), sort_keys=False, allow_unicode=True)
    try:
        nnsolve.solve(text)
    except ProblemError as e:
        assert e.issues
        for issue in e.issues:
            assert CLEAN_PATH.match(issue.path), issue
            assert issue.line is None or 1 <= issue.line <= text.count("\n") + 1, issue
            assert "Literal(" not in issue.message and "function-" not in issue.message, issue
