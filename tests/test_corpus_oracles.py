"""Corpus cases whose answer is checked by an oracle rather than against the corpus's numbers: PyTorch
where the corpus gives only shapes, the question as posed where the key solved a different one, and
structures (a unit, a network) that must compute a Boolean function. Each case's expectation file names
its test here under `oracle` (tests/test_corpus.py asserts that the test exists)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnsolve.api import load
from nnsolve.engine.number import to_float

from corpus_expectations import CORPUS, corpus_files, case_of, solved


def file_of(case_id: str):
    (path,) = [p for p in corpus_files() if case_of(p) == case_id]
    return path


def _floats(value) -> list[float]:
    return [to_float(v) for v in np.ravel(value)]


def test_two_layer_gradients_match_torch():
    """The corpus gives only shapes for ITM 528 Q6; PyTorch float64 autograd gives the numbers."""
    torch = pytest.importorskip("torch")
    path = file_of("s002-q6-two-layer-gradients-and-shapes")
    problem = load(path).model
    first, second = problem.network.layers

    def tensor(rows, leaf=True):
        values = np.vectorize(to_float, otypes=[float])(np.asarray(rows, dtype=object))
        return torch.tensor(values, dtype=torch.float64, requires_grad=leaf)

    x, W1, b1, W2, b2 = (tensor(v) for v in (problem.data.x, first.W, first.b, second.W, second.b))
    target = tensor(problem.data.target, leaf=False)
    logits = W2 @ torch.sigmoid(W1 @ x + b1) + b2
    loss = -(target * torch.log_softmax(logits, dim=0)).sum()
    loss.backward()
    solution = solved(path)
    for quantity, leaf in (("dL/dW2", W2), ("dL/db2", b2), ("dL/dW1", W1), ("dL/db1", b1), ("dL/dx", x)):
        ours = np.vectorize(to_float, otypes=[float])(solution.value(quantity))
        np.testing.assert_allclose(ours, leaf.grad.numpy(), rtol=1e-10, atol=1e-14, err_msg=quantity)


def test_unknown_filter_entries_solve_the_question_as_posed():
    """Independently of the corpus: the solved x, y, z put back into the filter give the three outputs
    the question states, by PyTorch; the key's (3, 1, 14/3) does not."""
    torch = pytest.importorskip("torch")
    path = file_of("s001-bits-es-1e-solve-filter-entries")
    problem = load(path).model
    solution = solved(path)
    image = torch.tensor([[[float(v) for v in row] for row in problem.input[0]]], dtype=torch.float64)[None]

    def outputs(x, y, z):
        kernel = [[x, y, z]] + [[float(v) for v in row] for row in problem.kernel[0][1:]]
        k = torch.tensor(kernel, dtype=torch.float64)[None, None]
        return torch.nn.functional.conv2d(image, k)[0, 0, 0].tolist()

    stated = [float(o.value) for o in problem.outputs]
    solved_xyz = [to_float(solution.value(n)[()]) for n in "xyz"]
    assert outputs(*solved_xyz) == pytest.approx(stated, abs=1e-12)
    assert outputs(3.0, 1.0, 14 / 3) != pytest.approx(stated, abs=1e-6)


def test_tanh_derivative_is_shown_through_its_output():
    """The corpus writes f'(u) = 1 − tanh(u)² = 1 − y² (its expectation file checks both forms by meaning);
    the worked solution shows the last one, in the output y, as the key does."""
    assert solved(file_of("s000-q2d-tanh-derivative")).value("df/du")[()].text == "1 - y^2"


def test_not_x_unit_satisfies_the_key_inequalities():
    solution = solved(file_of("s001-bits-qb-perceptron-weights"))
    b, c = _floats(solution.value("w"))
    (a,) = _floats(solution.value("b"))
    # the corpus's constraints, with a = bias, b = weight of X, c = weight of Y
    assert CORPUS["s001-bits-qb-perceptron-weights"]["correct_answer"]["constraints"] == [
        "a > 0", "a + c > 0", "a + b < 0", "a + b + c < 0"]
    assert a > 0 and a + c > 0 and a + b < 0 and a + b + c < 0
    # the key's own answer also realises NOT X under step(net > 0)
    key = CORPUS["s001-bits-qb-perceptron-weights"]["correct_answer"]["example"]
    for x, y in itertools.product((0, 1), repeat=2):
        assert (key["a"] + key["b"] * x + key["c"] * y > 0) == (x == 0)


def test_xor_network_from_minus_one_zero_one_computes_xor():
    solution = solved(file_of("s001-tum-ws21-p9c-xor-threshold-network"))
    W1 = [[to_float(v) for v in row] for row in solution.value("W1")]
    b1, w2, (b2,) = _floats(solution.value("b1")), _floats(solution.value("w2")), _floats(solution.value("b2"))
    assert all(v in (-1, 0, 1) for v in sum(W1, []) + b1 + w2 + [b2])
    assert len(W1) == 2
    table = CORPUS["s001-tum-ws21-p9c-xor-threshold-network"]["correct_answer"]["truth_table"]
    for x1, x2, y in table:
        hidden = [int(w[0] * x1 + w[1] * x2 + b > 0) for w, b in zip(W1, b1)]
        assert int(sum(v * h for v, h in zip(w2, hidden)) + b2 > 0) == y
