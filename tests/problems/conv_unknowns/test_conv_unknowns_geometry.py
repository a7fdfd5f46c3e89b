"""conv_unknowns takes its sizes from nnsolve.geometry: `same` at stride 2 pads like TensorFlow (the odd
zero after, ⌈n/s⌉ outputs), and sizes out of range are located by the setting at fault."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnsolve
from nnsolve.api import load
from nnsolve.problems import ProblemError

IMAGE = [[1, 2, 0, 1, 3, 1], [0, 1, 3, 1, 0, 2], [2, 1, 0, 0, 1, 1], [1, 0, 1, 2, 1, 0], [0, 2, 1, 0, 1, 3],
         [1, 1, 0, 2, 0, 1]]
TRUTH = [[1, -1, 0], [2, 0, 1], [0, 1, 1]]


def test_same_at_stride_two_pads_like_tensorflow():
    """6×6, a 3×3 kernel, stride 2: TensorFlow pads 0 before and 1 after (PyTorch's stride-1 split,
    one each side, would read other positions)."""
    x = torch.tensor(np.asarray(IMAGE, dtype=float))[None, None]
    full = F.conv2d(F.pad(x, (0, 1, 0, 1)), torch.tensor(np.asarray(TRUTH, dtype=float))[None, None], stride=2)[0, 0]
    kernel = [["p", -1, 0], [2, "q", 1], [0, 1, "r"]]
    outputs = [{"at": [i, j], "value": int(full[i, j])} for i, j in ((0, 0), (1, 1), (2, 2), (0, 2))]
    solution = nnsolve.solve({"problem": "conv_unknowns", "input": IMAGE, "kernel": kernel, "stride": 2,
                              "padding": "same", "outputs": outputs, "ask": ["p", "q", "r"]})
    assert [solution.value(n)[()] for n in "pqr"] == [1, 0, 1]
    assert dict(solution.conventions)["output size"] == "3×3"


@pytest.mark.parametrize("setting, value, message", [
    ("stride", 0, "stride must be at least 1, got 0"),
    ("dilation", [1, 0], "dilation must be at least 1, got 0"),
    ("padding", [-1, 0], "padding must be at least 0, got -1"),
])
def test_sizes_out_of_range_are_located(setting, value, message):
    problem = {"problem": "conv_unknowns", "input": IMAGE, "kernel": [["a", 1], [0, "b"]],
               "outputs": [{"at": [0, 0], "value": 1}], setting: value}
    with pytest.raises(ProblemError) as caught:
        load(problem)
    assert [(i.path, i.message) for i in caught.value.issues] == [(setting, message)]
