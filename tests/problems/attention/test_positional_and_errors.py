"""Sinusoidal positional encoding against a float64 numpy reference and mpmath at 40 digits; located
errors of both families; parameter counts of an attention and an encoder block, counted by hand."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nnsolve
from nnsolve.api import load
from nnsolve.engine.number import to_float
from nnsolve.problems import ProblemError


def numpy_encoding(pos: int, d: int) -> np.ndarray:
    """The tensor2tensor/Annotated-Transformer table: even columns sin, odd columns cos of one angle."""
    i = np.arange(0, d, 2)
    angles = pos / np.power(10000.0, i / d)
    pe = np.zeros(d)
    pe[0::2] = np.sin(angles)
    pe[1::2] = np.cos(angles[: d // 2])
    return pe


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 200), st.integers(1, 64))
def test_encoding_matches_numpy(pos, d):
    solution = nnsolve.solve(load({"problem": "positional_encoding", "pos": pos, "d_model": d}))
    got = np.array([to_float(v) for v in solution.value("PE")])
    assert np.allclose(got, numpy_encoding(pos, d), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pos,dim,d", [(5, 3, 512), (7, 10, 16), (123, 63, 64), (1, 0, 8)])
def test_encoding_has_thirty_correct_digits(pos, dim, d):
    with mpmath.workdps(40):
        theta = mpmath.mpf(pos) / mpmath.power(10000, mpmath.mpf(2 * (dim // 2)) / d)
        ref = mpmath.sin(theta) if dim % 2 == 0 else mpmath.cos(theta)
        solution = nnsolve.solve(load({"problem": "positional_encoding", "pos": pos, "d_model": d,
                                       "dimensions": [dim, dim]}))
        got = mpmath.mpf(str(solution.value(f"dim{dim}")[()]))
        assert abs(got - ref) < mpmath.mpf(10) ** -30


def test_degrees_only_when_asked_and_stated():
    solution = nnsolve.solve(load({"problem": "positional_encoding", "pos": 5, "d_model": 512,
                                   "dimensions": [0, 1], "angle_unit": "degrees"}))
    assert math.isclose(to_float(solution.value("dim0")[()]), math.sin(math.radians(5)), rel_tol=1e-14)
    assert ("angles", "degrees (as a calculator in degree mode reads them)") in solution.conventions


def test_several_positions_have_their_own_ids():
    solution = nnsolve.solve(load({"problem": "positional_encoding", "pos": [0, 2], "d_model": 4}))
    assert [to_float(v) for v in solution.value("PE2")] == pytest.approx(list(numpy_encoding(2, 4)), rel=1e-14)
    assert to_float(solution.value("pos0.dim1")[()]) == 1.0


def _issues(text: str) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        load(text)
    return [str(issue) for issue in caught.value.issues]


def test_x_width_not_matching_w_q_rows_is_located():
    issues = _issues("problem: attention\nlayout: in_out\nX: [[1, 2, 3]]\nW_Q: [[1, 0], [0, 1]]\n"
                     "W_K: [[1, 0], [0, 1], [1, 1]]\nW_V: [[1, 0], [0, 1], [1, 1]]\n")
    assert any("W_Q" in i and "2 rows" in i and "3 features" in i and "line 4" in i for i in issues), issues


def test_heads_not_dividing_the_width_is_located():
    issues = _issues("problem: attention\nlayout: in_out\nX: [[1, 2]]\nW_Q: [[1, 0, 1], [0, 1, 1]]\n"
                     "W_K: [[1, 0, 1], [0, 1, 1]]\nW_V: [[1, 0, 1], [0, 1, 1]]\nheads: 2\n")
    assert any("heads" in i and "not divisible by 2 heads" in i and "line 7" in i for i in issues), issues


def test_a_dimension_beyond_d_model_is_located():
    issues = _issues("problem: positional_encoding\npos: 1\nd_model: 4\ndimensions: [0, 4]\n")
    assert any("dimensions" in i and "beyond d_model" in i and "line 4" in i for i in issues), issues


def test_parameter_counts_by_hand():
    # d_model 4, 2 heads of width 2: Q, K, V, O are 4×4 (+4 biases each) = 4·20 = 80, 64 without biases;
    # encoder block with d_ff 16: 80 + (4·16 + 16) + (16·4 + 4) + 2·(2·4) = 80 + 80 + 68 + 16 = 244
    solution = nnsolve.solve("examples/attention/self-attention-two-heads.yaml")
    assert solution.value("attention.params")[()] == 80
    assert solution.value("attention.params_no_bias")[()] == 64
    assert solution.value("encoder.params")[()] == 244
