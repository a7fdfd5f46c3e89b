"""The classics softmax, training-pass, dropout and output-layer items: against PyTorch float64 (softmax,
cross-entropy, DataLoader passes, nn.Dropout) and hand values justified where they are stated."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.engine.number import to_float

from problems.bad_input import cli_rejects, line_of


def solve(*items, **extra):
    return nnsolve.solve({"problem": "classics", "compute": list(items), **extra})


def floats(values):
    return [to_float(v) for v in values.tolist()]


logits = st.lists(st.integers(-40, 40).map(lambda n: Fraction(n, 10)), min_size=2, max_size=6)
temperatures = st.sampled_from([Fraction(1), Fraction(1, 2), Fraction(3), Fraction(7, 4)])
LN = {"e": 1.0, "2": math.log(2), "10": math.log(10)}


@settings(max_examples=30, deadline=None)
@given(logits, temperatures, st.data(), st.sampled_from(["e", "2", "10"]))
def test_softmax_and_cross_entropy_match_torch(z, temperature, data, base):
    k = data.draw(st.integers(0, len(z) - 1))
    s = solve({"softmax": {"z": [str(v) for v in z], "temperature": str(temperature), "target": k, "base": base}})
    scaled = torch.tensor([float(v / temperature) for v in z], dtype=torch.float64)
    expected = torch.softmax(scaled, dim=0).tolist()
    assert all(math.isclose(a, b, rel_tol=1e-12) for a, b in zip(floats(s.value("softmax")), expected))
    assert all(math.isclose(a, math.exp(b), rel_tol=1e-12) for a, b in zip(floats(s.value("exp_z")), scaled.tolist()))
    assert math.isclose(to_float(s.value("sum_exp")[()]), math.fsum(math.exp(v) for v in scaled.tolist()), rel_tol=1e-12)
    nats = torch.nn.functional.cross_entropy(scaled.unsqueeze(0), torch.tensor([k])).item()
    assert math.isclose(to_float(s.value("cross_entropy")[()]), nats / LN[base], rel_tol=1e-9, abs_tol=1e-12)


@settings(max_examples=25, deadline=None)
@given(logits, st.data())
def test_a_probability_target_matches_torch_soft_labels(z, data):
    weights = data.draw(st.lists(st.integers(0, 5), min_size=len(z), max_size=len(z)).filter(lambda w: sum(w) > 0))
    target = [Fraction(w, sum(weights)) for w in weights]
    s = solve({"softmax": {"z": [str(v) for v in z], "target": [str(t) for t in target]}})
    zt = torch.tensor([[float(v) for v in z]], dtype=torch.float64)
    tt = torch.tensor([[float(t) for t in target]], dtype=torch.float64)
    expected = torch.nn.functional.cross_entropy(zt, tt).item()
    assert math.isclose(to_float(s.value("cross_entropy")[()]), expected, rel_tol=1e-9, abs_tol=1e-12)


def test_equal_logits_give_exactly_uniform_probabilities_and_index_from_one():
    s = solve({"softmax": {"z": [3, 3, 3, 3], "target": 4, "index_from": 1, "base": 2}})
    assert s.value("softmax").tolist() == [Fraction(1, 4)] * 4
    assert s.value("cross_entropy")[()] == 2          # −log2(1/4), exactly
    assert "classes counted from 1" in s.step("cross_entropy").note


@pytest.mark.parametrize("samples, batch, epochs, drop_last", [
    (1000, 64, 3, False), (1000, 64, 3, True), (96, 32, 2, False), (50, 7, 1, False), (50, 7, 2, True)])
def test_training_passes_match_a_training_loop(samples, batch, epochs, drop_last):
    s = solve({"training": {"samples": samples, "batch": batch, "epochs": epochs, "drop_last": drop_last}})
    loader = torch.utils.data.DataLoader(torch.zeros(samples, 1, dtype=torch.float64), batch_size=batch,
                                         drop_last=drop_last)
    model = torch.nn.Linear(1, 1, dtype=torch.float64)
    forward = backward = sample_count = 0
    last = None

    def count_forward(*_):
        nonlocal forward
        forward += 1

    def count_backward(*_):
        nonlocal backward
        backward += 1
    model.register_forward_hook(count_forward)
    model.register_full_backward_hook(count_backward)
    for _ in range(epochs):
        for x in loader:
            x.requires_grad_(True)        # the full backward hook fires only when the input needs a gradient
            model(x).sum().backward()
            sample_count += len(x)
            last = len(x)
    assert s.value("forward_passes")[()] == forward and s.value("backward_passes")[()] == backward
    assert s.value("forward_passes_per_epoch")[()] == s.value("backward_passes_per_epoch")[()] == forward // epochs
    assert s.value("iterations")[()] == forward
    assert s.value("sample_passes")[()] == sample_count
    assert s.value("last_batch")[()] == last


@pytest.mark.parametrize("p_drop", [Fraction(1, 5), Fraction(1, 2), Fraction(3, 5)])
def test_inverted_dropout_scale_matches_torch_dropout(p_drop):
    s = solve({"dropout": {"units": [200], "p_drop": str(p_drop)}})
    torch.manual_seed(0)
    out = torch.nn.Dropout(float(p_drop)).train()(torch.ones(400, 200, dtype=torch.float64))
    kept = out[out != 0]
    assert torch.allclose(kept, torch.full_like(kept, to_float(s.value("train_scale")[()])))
    assert s.value("test_scale")[()] == 1
    # the mean number of kept units over 400 masks: standard error √(200 q p / 400) < 0.36, so 5 errors < 1.8
    assert abs(to_float(s.value("active_units")[0]) - (out != 0).sum(dim=1).double().mean().item()) < 1.8
    assert s.value("active_units")[0] == 200 * (1 - p_drop)


def test_dropout_counts_by_hand():
    s = solve({"dropout": {"units": [3, 5, 2], "keep": [0.5, 1, 0.25], "inverted": False}})
    # E[active] = 3·½, 5·1, 2·¼; the middle layer (keep 1) never loses a unit, so N = 3 + 2 = 5 and 2⁵ masks
    assert s.value("active_units").tolist() == [Fraction(3, 2), 5, Fraction(1, 2)]
    assert s.value("active_units_total")[()] == 7
    assert s.value("droppable_units")[()] == 5 and s.value("subnetworks")[()] == 32
    # plain dropout: nothing scaled in training, each layer's weights times its keep probability at test time
    assert s.value("train_scale").tolist() == [1, 1, 1]
    assert s.value("test_scale").tolist() == [Fraction(1, 2), 1, Fraction(1, 4)]


@pytest.mark.parametrize("task, activation, loss, verdicts, advice", [
    ("multiclass", "sigmoid", "mse", (0, 0, 0), "use softmax with cross-entropy"),
    ("multiclass", "softmax", "cross_entropy", (1, 1, 1), "the standard pair"),
    ("multiclass", "softmax", "bce", (1, 0, 0), "use softmax with cross-entropy"),
    ("binary", "sigmoid", "bce", (1, 1, 1), "the standard pair"),
    ("binary", "softmax", "cross_entropy", (1, 1, 1), "the standard pair"),
    ("multilabel", "softmax", "cross_entropy", (0, 0, 0), "use sigmoid with binary cross-entropy"),
    ("regression", "linear", "mae", (1, 1, 1), "the standard pair"),
    ("regression", "sigmoid", "mse", (0, 1, 0), "use identity (linear) with MSE"),
])
def test_output_layer_verdicts(task, activation, loss, verdicts, advice):
    s = solve({"output_layer": {"task": task, "activation": activation, "loss": loss}})
    assert tuple(s.value(i)[()] for i in ("activation_ok", "loss_ok", "output_ok")) == verdicts
    assert advice in s.step("output_ok").note


def test_output_layer_with_only_a_loss_has_no_pair_verdict():
    s = solve({"output_layer": {"task": "binary", "loss": "mse"}})
    assert s.value("loss_ok")[()] == 0 and not s.has("activation_ok") and not s.has("output_ok")
    assert "binary cross-entropy" in s.step("loss_ok").note


def test_check_flags_a_wrong_verdict_and_a_wrong_count(tmp_path):
    from nnsolve.check import check_file
    path = tmp_path / "p.yaml"
    path.write_text("problem: classics\ncompute:\n  - output_layer: {task: multiclass, activation: sigmoid}\n"
                    "  - dropout: {units: [10], p_drop: 0.5}\n"
                    "answers: {activation_ok: 1, subnetworks: 1024, train_scale: 2}\n")
    wrong = {r.name for r in check_file(path).results if not r.ok}
    assert wrong == {"activation_ok"}


@pytest.mark.parametrize("item, message", [
    ("softmax: {z: [1, 2], target: 2}", "class 2 does not exist"),
    ("softmax: {z: [1, 2], target: 0.5}", "expected a class index"),
    ("dropout: {units: [3, 4], p_drop: [0.5]}", "1 rates for 2 layers"),
    ("dropout: {units: [3], p_drop: 0.5, keep: 0.5}", "give exactly one of p_drop and keep"),
    ("output_layer: {task: multiclass, activation: swish}", "expected one of sigmoid"),
    ("training: {samples: 10, batch: 64, drop_last: true}", "never full"),
])
def test_bad_items_are_rejected_with_their_line(tmp_path, item, message):
    text = f"problem: classics\ntitle: bad\ncompute:\n  - {{entropy: {{p: [1]}}}}\n  - {item}\n"
    cli_rejects(tmp_path, text, message, line_of(text, item))
