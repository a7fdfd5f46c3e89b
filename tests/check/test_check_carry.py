"""Error carried forward inside a key, and decimals judged number by number. The network is correct-key.yaml's
2-2-1 sigmoid network (½·SSE, target 0), whose exact values PyTorch float64 gives (conftest.sigmoid_net); what
follows from a key's own numbers is computed here by hand."""
from __future__ import annotations

from nnsolve.check import check

from conftest import CASES, within

NET = CASES / "sigmoid-net.yaml"


def test_a_key_built_from_its_own_rounded_intermediates_agrees(sigmoid_net):
    u2 = sigmoid_net["u2"][0]
    assert within(-0.58, u2, 2)                       # the key's u2 is right to its 2 decimals …
    from_key = 0.5 * 0.58 ** 2                        # … and its loss is ½·u2² of that u2: 0.1682
    assert abs(from_key - 0.1682) < 1e-12
    assert not within(0.1682, sigmoid_net["loss"], 4)  # which is not the loss to 4 decimals (0.1658)

    report = check(NET, answers={"u2": "-0.58", "loss": "0.1682"})

    assert report.ok, [r.verdict() for r in report.results]
    loss = report.result("loss")
    assert loss.rule == "follows from the key's u2 as written"
    assert loss.follows == ["u2"]
    assert "agree: follows from the key's u2 as written" in loss.verdict()


def test_a_downstream_answer_wrong_even_given_the_keys_upstream_is_still_wrong():
    # ½·0.58² = 0.1682, so 0.1750 follows neither from the exact u2 (0.1658) nor from the key's, however rounded
    report = check(NET, answers={"u2": "-0.58", "loss": "0.1750"})
    assert report.result("u2").ok
    loss = report.result("loss")
    assert not loss.ok and loss.first_divergence and loss.follows == []


def test_only_the_first_divergence_is_an_error(sigmoid_net):
    # the key slips at h1[1] (writes 0.60 for 0.5250) and carries it through u2, the loss and δ2 = u2
    h1 = [0.75, 0.60]
    u2 = -3 * h1[0] + 3 * h1[1] + 0.1               # −0.35
    loss = 0.5 * u2 ** 2                             # 0.06125
    assert not within(u2, sigmoid_net["u2"][0], 2)
    answers = {"h1": ["0.75", "0.60"], "u2": [f"{u2:.2f}"], "loss": f"{loss:.5f}", "delta2": [f"{u2:.2f}"]}

    report = check(NET, answers=answers)

    assert [r.name for r in report.results if not r.ok] == ["h1"]
    assert report.first_divergence == "h1"
    assert report.result("u2").follows == ["h1"]
    assert report.result("loss").follows == ["u2"]
    assert report.result("delta2").follows == ["u2"]
    assert report.summary() == "4 answers: 3 agree, 1 wrong"


def test_carrying_forward_goes_through_rounded_intermediates_of_its_own(sigmoid_net):
    # from the key's wrong h1 = [0.75, 0.60], a key that also rounds u2 to 2 dp before squaring it
    u2 = round(-3 * 0.75 + 3 * 0.60 + 0.1, 2)
    report = check(NET, answers={"h1": ["0.75", "0.60"], "loss": f"{0.5 * u2 ** 2:.4f}"})
    assert report.result("loss").ok, report.result("loss").verdict()
    assert report.result("loss").follows == ["h1"]


def test_an_explicit_tolerance_carries_nothing_forward():
    report = check(NET, answers={"u2": "-0.58", "loss": "0.1682"}, tolerance="0.001")
    assert not report.result("loss").ok


def test_uneven_decimals_are_judged_number_by_number(sigmoid_net):
    h1 = sigmoid_net["h1"]                            # [0.750260…, 0.524979…]
    assert within(0.75, h1[0], 2) and within(0.5250, h1[1], 4)
    assert not within(0.75, h1[0], 4)                 # 0.75 is not h1[0] to 4 decimals

    report = check(NET, answers={"h1": ["0.75", "0.5250"]})

    assert report.ok, report.result("h1").verdict()
    assert report.result("h1").rule == "exact to 2–4 dp, each number to its own"


def test_one_rounding_rule_per_answer(sigmoid_net):
    h1 = sigmoid_net["h1"]
    rounded = [f"{v:.4f}" for v in h1]                               # 0.7503, 0.5250
    cut = [f"{int(v * 10 ** 4) / 10 ** 4:.4f}" for v in h1]          # 0.7502, 0.5249
    assert rounded[0] != cut[0] and rounded[1] != cut[1]
    assert check(NET, answers={"h1": rounded}).result("h1").rule == "exact to 4 dp"
    assert check(NET, answers={"h1": cut}).result("h1").rule == "exact to 4 dp (truncated)"
    # rounding one element and truncating the other is no one rule
    mixed = check(NET, answers={"h1": [rounded[0], cut[1]]})
    assert not mixed.ok
    assert "rounded at [0] but truncated at [1]" in mixed.result("h1").reason


def test_the_wrong_entry_of_a_matrix_is_named(sigmoid_net):
    dW1 = [[round(v, 4) for v in row] for row in sigmoid_net["dL/dW1"]]
    slipped = [row[:] for row in dW1]
    slipped[1][0] = round(-dW1[1][0], 4)              # one sign slip at [1][0]
    report = check(NET, answers={"dL/dW1": slipped})
    reason = report.result("dL/dW1").reason
    assert f"[1][0]: {slipped[1][0]:.4f} vs {dW1[1][0]:.4f}" in reason
    assert "[0][0]" not in reason and "[0][1]" not in reason and "[1][1]" not in reason


def test_the_documented_example(sigmoid_net, tmp_path):
    """docs/problem-format.md §6, "How check judges a key": every verdict it shows, each number checked here by hand."""
    import re
    doc = (CASES.parents[2] / "docs" / "problem-format.md").read_text(encoding="utf-8")
    block = next(body for body in re.findall(r"```yaml\n(.*?)```", doc, re.S)
                 if "A key that carries its own numbers forward" in body)
    path = tmp_path / "key.yaml"
    path.write_text(block, encoding="utf-8")
    h1, u2 = [0.75, 0.5250], -0.58
    assert within(h1[0], sigmoid_net["h1"][0], 2) and within(h1[1], sigmoid_net["h1"][1], 4)
    assert within(u2, sigmoid_net["u2"][0], 2)
    assert abs(0.5 * u2 ** 2 - 0.1682) < 1e-12 and not within(0.1682, sigmoid_net["loss"], 4)
    assert abs(h1[0] * u2 - -0.435) < 1e-12 and abs(h1[1] * u2 - -0.3045) < 1e-12
    assert not within(-0.3045, sigmoid_net["dL/dW2"][1][0], 4)

    report = check(path)

    assert [r.name for r in report.results if not r.ok] == ["dL/db2"] and report.first_divergence == "dL/db2"
    assert report.result("h1").rule == "exact to 2–4 dp, each number to its own"
    assert report.result("loss").rule == "follows from the key's u2 as written"
    assert report.result("dL/dW2").rule == "follows from the key's delta2 as written"


def test_a_later_number_that_cannot_be_carried_on_does_not_stop_the_earlier_ones():
    # the 2-2-1 network with a sigmoid output and cross-entropy (target 1); the key slips at h1 (0.60 for
    # 0.5250), carries it into u2 = −3·0.75 + 3·0.60 + 0.1 = −0.35, then writes ŷ = 0, whose log is impossible
    problem = {"problem": "dense_network",
               "network": {"layout": "in_out",
                           "layers": [{"W": [[0.5, -1], [0.25, 0.5]], "b": [0.1, 0.1], "activation": "sigmoid"},
                                      {"W": [[-3], [3]], "b": [0.1], "activation": "sigmoid"}]},
               "data": {"x": [1, 2], "target": [1]}, "loss": {"type": "bce"}}
    report = check(problem, answers={"h1": ["0.75", "0.60"], "u2": ["-0.35"], "y": ["0"], "loss": "1"})
    assert report.first_divergence == "h1"
    assert report.result("u2").ok and report.result("u2").follows == ["h1"]
    assert not report.result("y").ok
