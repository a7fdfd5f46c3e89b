"""The exam-paper corpus of dense networks, losses and optimizers (examples/<paper>/*.yaml).

1. every problem file under examples/ solves;
2. each encoded exam case reproduces the corpus's correct answer (tests/data/exam-cases.json, computed
   independently of nnsolve with exact fractions / 40-digit arithmetic and cross-checked with PyTorch);
3. `nnsolve check` on each file flags exactly the key answers the corpus calls wrong.
A file names its case in `source.case`; the tables below say, per case, where the corpus keeps the correct
value of each nnsolve quantity and which of the key's answers are wrong.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import nnsolve
from nnsolve.api import load
from nnsolve.engine.number import to_float

from corpus_files import case_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = {case["id"]: case for case in json.loads((ROOT / "tests/data/exam-cases.json").read_text())}
EXAMPLE_FILES = sorted(EXAMPLES.rglob("*.yaml")) + sorted(EXAMPLES.rglob("*.json"))

RELATIVE = 1e-8
ABSOLUTE = 1e-15          # for quantities that are exactly 0 (a dead ReLU, o1 = 0)


class Shape:
    """The corpus gives only the shape of this quantity (a symbolic answer's dimensions)."""

    def __init__(self, *path: str):
        self.path = path


# nnsolve id → path into the case's `correct_answer`; a list of paths is concatenated (the key names each
# unit separately); () is the whole `correct_answer`.
CORRECT_FIELDS: dict[str, dict[str, object]] = {
    "s000-q1b-i-linear-sq-error-gradients": {
        "dL/dh1": ("numeric_instance_autograd", "dJ/dy"),
        "dL/dW1": ("numeric_instance_autograd", "dJ/dW"),
        "dL/db1": ("numeric_instance_autograd", "dJ/db"),
    },
    "s000-q1b-ii-l2-regularised-gradients": {
        "dL/dW1": ("numeric_instance_autograd", "dJ1/dW"),
        "dL/db1": ("numeric_instance_autograd", "dJ1/db"),
    },
    "s000-q2b-mlp-forward-hidden": {"u1": ("u1",), "h1": ("h1",), "u2": ("u2",), "h2": ("h2",)},
    "s000-q2c-output-bce": {"u3": ("u3",), "h3": ("y",), "loss": ("cross_entropy",)},
    "s000-q2e-backprop-local-gradients": {
        "dL/du3": ("dJ/du3",), "dL/du2": ("dJ/du2",), "dL/du1": ("dJ/du1",)},
    "s000-q2f-grad-W3-b3": {"dL/dW3": ("grad_W3",), "dL/db3": ("grad_b3",)},
    "s000-q2f-grad-W2-b2": {"dL/dW2": ("grad_W2",), "dL/db2": ("grad_b2",)},
    "s000-q2f-grad-W1-b1": {"dL/dW1": ("grad_W1",), "dL/db1": ("grad_b1",)},
    "s002-q4c-softmax-cross-entropy-gradient": {"dL/du1": ("numeric_instance_autograd",)},
    # the key's h1, h2 are pre-activations (u1), its h3, h4 the ReLU outputs (h1), its o1, o2 the outputs
    "s002-q5b-relu-mlp-forward": {"u1": [("h1",), ("h2",)], "h1": [("h3",), ("h4",)], "h2": [("o1",), ("o2",)]},
    "s002-q5c-squared-error-loss": {"loss": ()},
    "s002-q2a-gaussian-negative-log-likelihood": {"loss": ("numeric_instance_value",)},
    "s002-q6-two-layer-gradients-and-shapes": {
        "dL/dW2": Shape("numeric_instance_shapes", "W2"), "dL/db2": Shape("numeric_instance_shapes", "b2"),
        "dL/dW1": Shape("numeric_instance_shapes", "W1"), "dL/db1": Shape("numeric_instance_shapes", "b1"),
        "dL/dx": Shape("numeric_instance_shapes", "x"),
    },
    "s003-q1a-perceptron-sigmoid-forward": {"u1": ("net_input",), "h1": ("y_hat",)},
    "s003-q1b-binary-cross-entropy": {"loss": ("reading_a", "E")},     # the file takes the natural log
    "s003-q5a-conv-net-grad-wf": {"dL/dW2": ("numeric_instance", "correct")},
    "s003-q5b-conv-net-grad-bf": {"dL/db2": ("numeric_instance", "correct")},
    "s003-q5c-conv-net-grad-wc": {"dL/dW1": ("numeric_instance", "correct")},
    "s003-q5d-conv-net-grad-bc": {"dL/db1": ("numeric_instance", "correct")},
    "s001-tum-p5b-bce-loss": {"loss": ("loss",)},
    "s001-bits-qb-q1-softmax-output-layer": {"u1": ("logits",), "h1": ("softmax",)},
    "s001-bits-es-4a-adam-one-step": {
        "h1": ("y_hat",), "loss": ("loss",), "dL/dW1": ("grad_w",), "dL/db1": ("grad_b",),
        "m.W1(1)": ("s_W",), "m.b1(1)": ("s_B",), "s.W1(1)": ("r_W",), "s.b1(1)": ("r_B",),
        "W1(1)": ("w",), "b1(1)": ("b",),
    },
    "s001-bits-es-4b-single-neuron-sse": {"u1": ("z",), "h1": ("y_hat",), "loss": ("sse_with_half",)},
    "s001-bits-ms23-q2-cce-softmax-gradient": {"dL/du1": ("example_grad",)},
    # the corpus's h1, h2 are the two hidden units (nnsolve's h1), its output is h2
    "s001-bits-mk-q2c-mlp-forward-mse": {
        "h1": [("h1",), ("h2",)], "h2": ("output",), "data_loss": ("loss_half_se",), "penalty": ("l2_sum_w_sq",)},
}

# The key's answers that are wrong (corpus `key_correct: false`, or for an ambiguous case under the reading
# the file takes); every other answer in the file must be accepted.
WRONG_ANSWERS: dict[str, set[str]] = {
    "s000-q1b-ii-l2-regularised-gradients": {"dL/db1"},
    "s000-q2c-output-bce": {"u3"},
    "s000-q2f-grad-W1-b1": {"dL/db1"},
    "s003-q1b-binary-cross-entropy": {"loss"},
    "s003-q5a-conv-net-grad-wf": {"dL/dW2"},
    "s003-q5b-conv-net-grad-bf": {"dL/db2"},
    "s003-q5c-conv-net-grad-wc": {"dL/dW1"},
    "s003-q5d-conv-net-grad-bc": {"dL/db1"},
    "s001-bits-es-4a-adam-one-step": {
        "h1", "loss", "dL/dW1", "dL/db1", "m.W1(1)", "m.b1(1)", "s.W1(1)", "s.b1(1)",
        "m_hat.W1(1)", "m_hat.b1(1)", "s_hat.W1(1)", "s_hat.b1(1)", "W1(1)", "b1(1)"},
    # the corpus blames the loss (1.5894² is 2.5262, not 2.5245); the key's ŷ = 0.9106 is off by one in its
    # last place too (σ(2.32) = 0.910520 → 0.9105), which the default rule (the key's own decimals) flags
    "s001-bits-es-4b-single-neuron-sse": {"h1", "loss"},
    "s001-bits-ms23-q2-cce-softmax-gradient": {"dL/du1"},
}

# Wrong answers that only hand-rounding explains. The checker forgives rounded intermediates, except where
# the key states its own rounding: 000 Q2(c)'s author "used 5 DP", so its u3 = 1.48 from the 2-dp h2 is
# flagged (`key_rounding: 5` in the file) and the report names the 2-dp rounding that produces it.
ROUNDED_INTERMEDIATES: dict[str, set[str]] = {}
EXPLAINED_BY_ROUNDING: dict[str, set[str]] = {"s000-q2c-output-bce": {"u3"}}

# Cases where nnsolve is stricter than the corpus's verdict, each with the reason, asserted explicitly.
# BITS 2(c): the corpus calls the key correct because its loss agrees, yet its own note says the hidden
# values and the output are off in the 4th decimal: σ(0.475) = 0.616567 (key 0.6168), σ(−0.65) = 0.342990
# (key 0.3427), and the output σ(0.457...) = 0.612351 (key 0.6125, not explained by carrying the key's own
# hidden values forward either: that gives 0.61244). nnsolve flags those three numbers.
STRICTER_THAN_CORPUS: dict[str, set[str]] = {"s001-bits-mk-q2c-mlp-forward-mse": {"h1", "h2"}}

# For an ambiguous case the checker should name the convention under which the key's answer holds.
KEY_READING = {"s003-q1b-binary-cross-entropy": ("loss", "base 2")}


CASE_FILES = case_files(CORRECT_FIELDS)


def _dig(data, path):
    for key in path:
        data = data[key]
    return data


def _corpus_value(case: dict, where) -> np.ndarray:
    answer = case["correct_answer"]
    if isinstance(where, list):
        return np.concatenate([np.ravel(_dig(answer, p)) for p in where]).astype(float)
    return np.asarray(_dig(answer, where), dtype=float)


def _squeezed(shape) -> tuple:
    # a key's column vector (n × 1) is nnsolve's vector (n,); a 1-element vector is a scalar
    return tuple(n for n in shape if n != 1)


def _floats(value: np.ndarray) -> np.ndarray:
    return np.vectorize(to_float, otypes=[float])(value)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_every_example_solves(path):
    solution = nnsolve.solve(path)
    assert solution.steps, f"{path} produced no steps"
    for quantity in solution.asked:
        assert solution.has(quantity)


def test_every_case_in_scope_is_encoded():
    missing = sorted(set(CORRECT_FIELDS) - set(CASE_FILES))
    assert not missing, f"no example file names these cases in source.case: {missing}"
    assert set(WRONG_ANSWERS) <= set(CORRECT_FIELDS)
    for case_id in CORRECT_FIELDS:
        assert case_id in CORPUS, f"{case_id} is not in the corpus"


@pytest.mark.parametrize("case_id", sorted(CORRECT_FIELDS))
def test_case_matches_the_corpus(case_id):
    path = CASE_FILES.get(case_id)
    if path is None:
        pytest.fail(f"{case_id} has no example file")
    case = CORPUS[case_id]
    solution = nnsolve.solve(path)
    for quantity, where in CORRECT_FIELDS[case_id].items():
        assert solution.has(quantity), f"{case_id}: nnsolve has no quantity {quantity!r}"
        ours = solution.value(quantity)
        if isinstance(where, Shape):
            expected_shape = tuple(_dig(case["correct_answer"], where.path))
            assert _squeezed(ours.shape) == _squeezed(expected_shape), (quantity, ours.shape, expected_shape)
            continue
        expected = _corpus_value(case, where)
        assert _squeezed(ours.shape) == _squeezed(expected.shape), (quantity, ours.shape, expected.shape)
        got = _floats(ours).ravel()
        for g, e in zip(got, expected.ravel()):
            assert math.isclose(g, e, rel_tol=RELATIVE, abs_tol=ABSOLUTE), f"{case_id}: {quantity} = {got}, " \
                                                                           f"corpus {expected.ravel()}"


def test_two_layer_gradients_match_torch():
    """The corpus gives only shapes for ITM 528 Q6; PyTorch float64 autograd gives the numbers."""
    torch = pytest.importorskip("torch")
    problem = load(CASE_FILES["s002-q6-two-layer-gradients-and-shapes"]).model
    first, second = problem.network.layers

    def tensor(rows, leaf=True):
        return torch.tensor(_floats(np.asarray(rows, dtype=object)), dtype=torch.float64, requires_grad=leaf)

    x, W1, b1, W2, b2 = (tensor(v) for v in (problem.data.x, first.W, first.b, second.W, second.b))
    target = tensor(problem.data.target, leaf=False)
    logits = W2 @ torch.sigmoid(W1 @ x + b1) + b2
    loss = -(target * torch.log_softmax(logits, dim=0)).sum()
    loss.backward()
    solution = nnsolve.solve(CASE_FILES["s002-q6-two-layer-gradients-and-shapes"])
    for quantity, leaf in (("dL/dW2", W2), ("dL/db2", b2), ("dL/dW1", W1), ("dL/db1", b1), ("dL/dx", x)):
        np.testing.assert_allclose(_floats(solution.value(quantity)), leaf.grad.numpy(), rtol=1e-10, atol=1e-14,
                                   err_msg=quantity)


def _check(path):
    from nnsolve.check import check_file
    return check_file(path)


def _check_cases():
    yield from sorted(CORRECT_FIELDS)


@pytest.mark.parametrize("case_id", list(_check_cases()))
def test_check_flags_exactly_the_wrong_key_answers(case_id):
    path = CASE_FILES.get(case_id)
    if path is None:
        pytest.fail(f"{case_id} has no example file")
    wrong = WRONG_ANSWERS.get(case_id, set())
    assert CORPUS[case_id]["key_correct"] in ((not wrong), "ambiguous")
    wrong = wrong | STRICTER_THAN_CORPUS.get(case_id, set())
    report = _check(path)
    verdicts = "\n".join(f"{r.name}: {r.verdict()}" for r in report.results)
    rounded = ROUNDED_INTERMEDIATES.get(case_id, set())
    flagged = {result.name for result in report.results if not result.ok}
    assert flagged == wrong - rounded, verdicts
    assert report.ok == (not wrong - rounded)
    for result in report.results:
        if result.name in rounded:
            assert "intermediates rounded" in result.rule, verdicts
        if result.name in EXPLAINED_BY_ROUNDING.get(case_id, set()):
            assert any("rounded to 2 dp" in a for a in result.alternatives), verdicts


@pytest.mark.parametrize("case_id", sorted(KEY_READING))
def test_check_names_the_convention_an_ambiguous_key_used(case_id):
    quantity, convention = KEY_READING[case_id]
    report = _check(CASE_FILES[case_id])
    result = next(r for r in report.results if r.name == quantity)
    assert any(convention in alternative for alternative in result.alternatives), result.verdict()
