"""Truth tables given by their 1-rows (`ones`, `minterms`), the ±1 encoding, θ = −b as a quantity, the
canonical one-AND-unit-per-minterm network, the hidden-layer search from allowed weights and biases, and
non-separability shown by an argument. Every network is run by the test's own evaluator; minimal sizes come
from a brute force over all networks written here; the argument's rows are checked against the function."""
from __future__ import annotations

import itertools
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from nnsolve.api import solve

from boolean_support import layers_of, scalar
from problems.bad_input import cli_rejects


def run_levels(layers, x, compare=">", low=0):
    """The network on input x, a unit giving 1 when it fires and `low` (0, or −1 for ±1) when not."""
    signal = [Fraction(v) for v in x]
    for W, b in layers:
        nets = [sum((wi * si for wi, si in zip(w, signal)), Fraction(0)) + bi for w, bi in zip(W, b)]
        signal = [1 if (v > 0 if compare == ">" else v >= 0) else low for v in nets]
    return signal[0]


def problem(body: str) -> str:
    return "problem: boolean_network\n" + body


# -- 4. only the 1-rows -----------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, 2 ** n - 1)))))
def test_ones_and_minterms_give_the_whole_table(case):
    n, chosen = case
    rows = list(itertools.product((0, 1), repeat=n))
    # minterm m is row m: its inputs are m's n binary digits, x1 the most significant
    ones = [[int(d) for d in format(m, f"0{n}b")] for m in sorted(chosen)]
    expected = [int(list(x) in ones) for x in rows]
    by_rows = solve(problem(f"ones: {ones}\ninputs: {n}\n"))
    by_index = solve(problem(f"minterms: {sorted(chosen)}\ninputs: {n}\n"))
    for s in (by_rows, by_index):
        assert [int(v) for v in s.value("t")] == expected
        assert [run_levels(layers_of(s), x) for x in rows] == expected


def test_ones_infers_the_number_of_inputs():
    s = solve(problem("ones: [[0, 1], [1, 0]]\n"))                      # XOR
    assert [int(v) for v in s.value("t")] == [0, 1, 1, 0] and scalar(s, "separable") == 0


@pytest.mark.parametrize("text, message, line", [
    (problem("ones: [[0, 1], [1, 0, 1]]\n"), "3 entries, the first row has 2", 2),
    (problem("ones: [[0, 1], [0, 1]]\n"), "listed twice", 2),
    (problem("ones: [[0, 2]]\n"), "entries are 0 or 1, got 2", 2),
    (problem("ones: []\n"), "give inputs", 2),
    (problem("ones: [[0, 1]]\ninputs: 3\n"), "inputs: 3, but the rows of ones have 2 entries", 3),
    (problem("minterms: [1, 4]\ninputs: 2\n"), "2 inputs have rows 0…3, got 4", 2),
    (problem("minterms: [1, 2]\n"), "minterms are row numbers: give inputs", None),
    (problem("truth_table: [[0, 0], [1, 1]]\ninputs: 1\n"), "the truth table fixes its own", 3),
    (problem("ones: [[0, 1]]\nencoding: bipolar\n"), "entries are -1 or 1 (encoding: bipolar), got 0", 2),
    (problem("region: {polygons: [[[0, 0], [1, 0], [0, 1]]]}\nencoding: bipolar\n"), "encoding: bipolar is for", 3),
    (problem("function: OR\ninputs: 2\nallowed_biases: [0]\n"), "give allowed_weights too", 4),
    (problem("function: OR\ninputs: 2\nnetwork: {w: [1, 1], b: 0}\nallowed_weights: [1]\n"),
     "a proposed network is only verified", 5),
])
def test_bad_rows_and_options_are_located(tmp_path, text, message, line):
    cli_rejects(tmp_path, text, message, line)


# -- 5. the ±1 encoding ------------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, 1), min_size=2 ** n,
                                                                         max_size=2 ** n))),
       st.sampled_from([">", ">="]))
def test_bipolar_networks_work_on_plus_minus_one(table, compare):
    n, bits = table
    rows = list(itertools.product((-1, 1), repeat=n))                  # −1 for false, in the usual row order
    outputs = [2 * y - 1 for y in bits]
    body = "\n".join(f"  - [{', '.join(map(str, x + (y,)))}]" for x, y in zip(rows, outputs))
    s = solve(problem(f"encoding: bipolar\ncompare: '{compare}'\ntruth_table:\n{body}\n"))
    assert [int(v) for v in s.value("t")] == outputs
    for prefix in ("", "minterms."):
        if prefix and not any(bits):
            continue
        assert [run_levels(layers_of(s, prefix), x, compare, -1) for x in rows] == outputs, prefix
        assert scalar(s, prefix + "errors") == 0


def test_a_proposed_bipolar_network_is_run_with_plus_minus_one():
    # XOR in ±1: h1 = x1 AND NOT x2 is sign(x1 − x2 − 1), h2 = sign(x2 − x1 − 1), y = OR = sign(h1 + h2 + 1)
    s = solve(problem("function: XOR\ninputs: 2\nencoding: bipolar\n"
                      "network: {W1: [[1, -1], [-1, 1]], b1: [-1, -1], w2: [1, 1], b2: 1}\n"))
    assert scalar(s, "errors") == 0 and [int(v) for v in s.value("y")] == [-1, 1, 1, -1]
    s = solve(problem("function: XOR\ninputs: 2\nencoding: bipolar\n"        # the 0/1 biases: wrong on ±1
                      "network: {W1: [[1, -1], [-1, 1]], b1: [0, 0], w2: [1, 1], b2: 0}\n"))
    assert scalar(s, "errors") > 0


# -- 6. θ = −b ---------------------------------------------------------------------------------------------
def test_theta_is_minus_the_bias_and_askable():
    s = solve(problem("function: AND\ninputs: 2\nask: [theta]\n"))
    assert s.asked == ["theta"] and scalar(s, "theta") == -scalar(s, "b")
    s = solve(problem("function: XOR\ninputs: 2\nask: [theta1, theta2]\n"))
    assert [-v for v in s.value("b1")] == list(s.value("theta1")) and scalar(s, "theta2") == -scalar(s, "b2")


def test_theta_is_checked_as_an_answer(tmp_path):
    from nnsolve.check import check_file
    path = tmp_path / "and.yaml"
    s = solve(problem("function: AND\ninputs: 2\n"))
    theta = scalar(s, "theta")
    path.write_text(problem(f"function: AND\ninputs: 2\nanswers: {{theta: {theta}}}\n"))
    assert all(r.ok for r in check_file(path).results)
    path.write_text(problem(f"function: AND\ninputs: 2\nanswers: {{theta: {-theta}}}\n"))
    assert not check_file(path).result("theta").ok


# -- 7. the canonical network ------------------------------------------------------------------------------
@pytest.mark.parametrize("body, minterms", [("function: XOR\ninputs: 3\n", 4), ("function: AND\ninputs: 3\n", 1),
                                            ("ones: [[0, 0], [0, 1], [1, 1]]\n", 3)])
def test_canonical_network_has_one_and_unit_per_minterm(body, minterms):
    s = solve(problem(body))
    rows = [tuple(int(v) for v in x) for x in s.value("x")]
    outputs = [int(v) for v in s.value("t")]
    assert sum(outputs) == minterms
    layers = layers_of(s, "minterms.")
    assert [run_levels(layers, x) for x in rows] == outputs
    assert len(layers[0][0]) == minterms
    # each AND unit fires on exactly one row: its minterm
    for w, b in zip(*layers[0]):
        assert sum(run_levels([([w], [b])], x) for x in rows) == 1
    assert (scalar(s, "minterms.hidden_units"), scalar(s, "minterms.layers"), scalar(s, "minterms.width")) == \
        (minterms, 2, minterms)


def test_a_constant_zero_has_no_canonical_network():
    s = solve(problem("ones: []\ninputs: 2\n"))
    assert not s.has("minterms.W1") and scalar(s, "separable") == 1


# -- 8, 9. searching a hidden layer in the allowed sets ----------------------------------------------------
def brute_smallest(rows, outputs, weights, biases, most=4, low=0):
    """The fewest hidden units of a one-hidden-layer network, every weight and bias from the sets (0 for one
    unit alone), or None: every network tried, nothing shared with nnsolve's search."""
    n = len(rows[0])
    units = [(list(w), b) for w in itertools.product(weights, repeat=n) for b in biases]
    if any(all(run_levels([([w], [b])], x, ">", low) == y for x, y in zip(rows, outputs)) for w, b in units):
        return 0
    for k in range(1, most + 1):
        for hidden in itertools.product(units, repeat=k):
            H = [[u[0] for u in hidden], [u[1] for u in hidden]]
            for w2 in itertools.product(weights, repeat=k):
                for b2 in biases:
                    net = [(H[0], H[1]), ([list(w2)], [b2])]
                    if all(run_levels(net, x, ">", low) == y for x, y in zip(rows, outputs)):
                        return k
    return None


@pytest.mark.parametrize("gate, weights, biases", [
    ("XOR", [-1, 0, 1], None), ("AND", [-1, 1], [0]), ("XOR", [1], [0, -1]), ("OR", [-1, 1], [0]),
    ("XNOR", [-1, 1], [-1, 1]), ("NAND", [1], [-1, 0]),
])
def test_hidden_layer_search_finds_the_fewest_units_or_says_none(gate, weights, biases):
    body = f"function: {gate}\ninputs: 2\nallowed_weights: {weights}\n"
    if biases is not None:
        body += f"allowed_biases: {biases}\n"
    s = solve(problem(body))
    rows = list(itertools.product((0, 1), repeat=2))
    outputs = [int(v) for v in s.value("t")]
    smallest = brute_smallest(rows, outputs, weights, biases if biases is not None else weights)
    if smallest is None:
        assert scalar(s, "found") == 0 and not s.has("hidden_units")
        assert "no single unit nor any network of one hidden layer of 1 to 4 units" in s.step("found").note
        return
    layers = layers_of(s)
    assert [run_levels(layers, x) for x in rows] == outputs
    values = [v for W, _ in layers for row in W for v in row]
    assert set(values) <= set(weights)
    assert {v for _, b in layers for v in b} <= set(biases if biases is not None else weights)
    assert (0 if len(layers) == 1 else len(layers[0][0])) == smallest
    if smallest >= 2:
        assert "searched exhaustively" in s.step("hidden_units").note or "at least 2" in s.step("hidden_units").note


def test_the_size_asked_is_searched_alone():
    s = solve(problem("function: XOR\ninputs: 2\nallowed_weights: [-1, 0, 1]\nhidden_units: 3\n"))
    assert scalar(s, "hidden_units") == 3 and "hidden_units: 3" in s.step("hidden_units").note


# -- 10. non-separability by argument ----------------------------------------------------------------------
ROWS = re.compile(r"Rows ((?:\((?:-?\d, )*-?\d\)(?:, )?)+) have t = (−1|1|0)")


@pytest.mark.parametrize("n", [2, 3, 4, 5])
@pytest.mark.parametrize("encoding", ["binary", "bipolar"])
def test_parity_is_shown_not_separable_by_an_argument(n, encoding):
    s = solve(problem(f"function: parity\ninputs: {n}\nencoding: {encoding}\n"))
    assert scalar(s, "separable") == 0
    note = s.step("contradiction").note
    sides = {t: [tuple(int(v) for v in re.findall(r"-?\d", row)) for row in re.findall(r"\([^)]*\)", rows)]
             for rows, t in ROWS.findall(note)}
    false = "0" if encoding == "binary" else "−1"
    ones, others = sides["1"], sides[false]
    odd = (lambda x: sum(v == 1 for v in x) % 2 == 1)
    assert ones and len(ones) == len(others)
    assert all(odd(x) for x in ones) and not any(odd(x) for x in others)
    total = [sum(c) for c in zip(*ones)]
    assert total == [sum(c) for c in zip(*others)] == [int(v) for v in s.value("contradiction")]
    assert "cannot be both > 0 and ≤ 0" in note


def test_xor_argument_reads_as_the_opposite_corners():
    note = solve(problem("function: XOR\ninputs: 2\n")).step("contradiction").note
    assert "Rows (0, 1), (1, 0) have t = 1: w2 + b > 0, w1 + b > 0; added: w1 + w2 + 2b > 0" in note
    assert "Rows (0, 0), (1, 1) have t = 0: b ≤ 0, w1 + w2 + b ≤ 0; added: w1 + w2 + 2b ≤ 0" in note


def test_a_separable_function_has_no_argument():
    assert not solve(problem("function: OR\ninputs: 3\n")).has("contradiction")


def test_the_documented_examples_state_true_values():
    from problems.test_format_doc import problems as documented
    s = solve(documented()["XOR from its 1-rows, why one unit cannot do it, and the minterm network (yaml)"])
    assert scalar(s, "separable") == 0 and [int(v) for v in s.value("contradiction")] == [1, 1]
    assert (scalar(s, "minterms.hidden_units"), scalar(s, "minterms.layers"), scalar(s, "minterms.width")) == (2, 2, 2)
    s = solve(documented()["XNOR in the ±1 encoding, weights and biases searched (yaml)"])
    rows = list(itertools.product((-1, 1), repeat=2))
    layers = layers_of(s)
    assert [run_levels(layers, x, ">", -1) for x in rows] == [1, -1, -1, 1]
    assert {v for W, _ in layers for row in W for v in row} <= {-1, 1} and {v for _, b in layers for v in b} <= {-1, 1}
    assert len(layers[0][0]) == 2 == brute_smallest(rows, [1, -1, -1, 1], [-1, 1], [-1, 1], low=-1)


def test_a_pin_is_refused_not_ignored():
    # a pinned b would not reach θ, the nets or the errors: refused, never shown beside values that ignore it
    from nnsolve.problems import ProblemError
    with pytest.raises(ProblemError) as error:
        solve(problem("function: AND\ninputs: 2\n"), pins={"b": 5})
    assert "cannot pin" in str(error.value)


def test_a_search_stopped_by_its_limit_claims_only_what_it_ruled_out(monkeypatch):
    monkeypatch.setenv("NNSOLVE_MAX_WEIGHT_SEARCH", "10")       # 3^4 = 81 candidate units × 8 rows: not one search
    s = solve(problem("function: OR\ninputs: 3\nallowed_weights: [-1, 0, 1]\n"))
    assert scalar(s, "found") == 0 and not s.has("hidden_units")
    note = s.step("found").note
    assert note.startswith("nothing found or ruled out") and "while trying a single unit" in note
    s = solve(problem("function: XOR\ninputs: 2\nallowed_weights: [-1, 0, 1]\n"))  # not separable: no unit
    assert s.step("found").note.startswith("no single unit with weights and biases from [-1, 0, 1]")


def test_a_hidden_size_not_needed_is_said_so():
    s = solve(problem("function: OR\ninputs: 2\nallowed_weights: [-1, 0, 1]\nhidden_units: 2\n"))
    assert s.has("w") and "hidden_units: 2 not searched" in s.step("hidden_units").note
