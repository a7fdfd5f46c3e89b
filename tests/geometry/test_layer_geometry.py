"""nnsolve.geometry against torch on every small case: output sizes of convolutions (padding, stride,
dilation), of pooling (floor and ceil, padding up to half the window) and of transposed convolutions
(output padding below the stride or the dilation); the sizes torch refuses are refused too. TensorFlow's
`same` and Keras's transposed sizes (no TensorFlow here) against the values their documentation gives."""
from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from nnsolve.geometry import GeometryError, keep_size_padding, same_padding, slide, transposed
from nnsolve.ops.conv import CONV

SMALL = range(1, 7)


def torch_size(run) -> int | None:
    try:
        return run().shape[-1]
    except RuntimeError:
        return None


def ours(compute) -> int | None:
    try:
        return compute()[0].output
    except GeometryError:
        return None


def test_convolution_sizes_match_torch():
    for n, k, s, d, p in itertools.product(SMALL, (1, 2, 3), (1, 2, 3), (1, 2), (0, 1, 2)):
        expected = torch_size(lambda: F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p,
                                               dilation=d))
        assert ours(lambda: slide((n,), k, s, p, d)) == expected, (n, k, s, d, p)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pooling_sizes_match_torch(ceil_mode):
    for n, k, s, p in itertools.product(SMALL, (1, 2, 3), (1, 2, 3), (0, 1)):
        expected = torch_size(lambda: F.max_pool1d(torch.zeros(1, 1, n), k, s, p, ceil_mode=ceil_mode))
        assert ours(lambda: slide((n,), k, s, p, ceil_mode=ceil_mode, setting="pool")) == expected, (n, k, s, p)


def test_transposed_sizes_match_torch():
    for n, k, s, d, p, op in itertools.product((1, 2, 4), (1, 2, 3), (1, 2, 3), (1, 2), (0, 1), (0, 1, 2)):
        expected = torch_size(lambda: F.conv_transpose1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s,
                                                         padding=p, output_padding=op, dilation=d))
        assert ours(lambda: transposed((n,), k, s, p, d, op)) == expected, (n, k, s, d, p, op)


@pytest.mark.parametrize("n, k, s, pads", [
    (5, 3, 2, (1, 1)),       # ⌈5/2⌉ = 3 outputs need 2·2 + 3 = 7 positions: one each side
    (6, 3, 2, (0, 1)),       # 3 outputs need 7 of 6: the odd one after (TensorFlow)
    (7, 4, 3, (1, 2)),       # 3 outputs need 2·3 + 4 = 10 of 7
    (4, 1, 2, (0, 0)),
    (28, 5, 1, (2, 2)),
])
def test_same_padding_is_tensorflows(n, k, s, pads):
    assert same_padding(n, k, s) == pads
    assert slide((n,), k, s, "same")[0].output == -(-n // s)


def test_same_at_stride_two_pads_after_in_the_explicit_numbers():
    """A 6×6 input, a 3×3 kernel, stride 2, `same`: TensorFlow pads 0 before and 1 after on each axis."""
    x = np.array([[[Fraction(i * 6 + j) for j in range(6)] for i in range(6)]], dtype=object)
    w = np.array([[[[Fraction(1), Fraction(-1), Fraction(2)], [Fraction(0), Fraction(1), Fraction(1)],
                    [Fraction(3), Fraction(0), Fraction(-2)]]]], dtype=object)
    z = CONV.forward(x, w, stride=2, padding="same")
    reference = F.conv2d(F.pad(torch.tensor(x.astype(float))[None], (0, 1, 0, 1)), torch.tensor(w.astype(float)),
                         stride=2)[0]
    assert z.shape == (1, 3, 3) and np.allclose(z.astype(float), reference.numpy())


@pytest.mark.parametrize("padding, output_padding, expected", [
    ("valid", None, 11),     # (5 − 1)·2 + max(3, 2)
    ("same", None, 10),      # 5·2
    ("valid", 1, 12),        # (5 − 1)·2 + 3 + 1
    ("same", 1, 10),         # (5 − 1)·2 + 3 − 2·⌊3/2⌋ + 1
])
def test_keras_transposed_sizes(padding, output_padding, expected):
    assert transposed((5,), 3, 2, padding, 1, output_padding)[0].output == expected


def test_keep_size_padding():
    assert keep_size_padding(28, 5) == 2
    assert keep_size_padding(28, 4) == Fraction(3, 2)
    assert keep_size_padding(10, 3, 1, 2) == 2


@pytest.mark.parametrize("call, setting", [
    (lambda: slide((5,), 3, 0), "stride"),
    (lambda: slide((5,), 0), "kernel"),
    (lambda: slide((5,), 3, 1, 0, 0), "dilation"),
    (lambda: slide((5,), 3, 1, -1), "padding"),
    (lambda: slide((5,), 0, setting="pool"), "pool"),
    (lambda: slide((5,), 2, padding=2, setting="pool"), "padding"),
    (lambda: transposed((5,), 3, 2, 0, 1, 2), "output_padding"),
    (lambda: slide((5,), 3, 1.5), "stride"),
    (lambda: slide((5, 5), (3, 3, 3)), "kernel"),
])
def test_sizes_out_of_range_name_their_setting(call, setting):
    with pytest.raises(GeometryError) as error:
        call()
    assert error.value.setting == setting


def test_a_window_that_does_not_fit_shows_the_count():
    with pytest.raises(GeometryError) as error:
        slide((4,), 5)
    assert error.value.setting is None and "does not fit" in str(error.value) and "= 0 outputs" in str(error.value)
