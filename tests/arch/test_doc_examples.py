"""The architecture and conv_unknowns examples of docs/problem-format.md (sections 10 and 11) give the
numbers the text states; tests/problems/test_format_doc.py already checks that every example solves."""
import re
from fractions import Fraction
from pathlib import Path

import pytest

import nnsolve

DOC = Path(__file__).resolve().parents[2] / "docs" / "problem-format.md"


def doc_problem(title: str) -> str:
    for body in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        if f'title: "{title}"' in body:
            return body
    raise LookupError(title)


def value(solution, id_):
    v = solution.value(id_)
    return v.tolist() if hasattr(v, "tolist") else v


def test_small_keras_cnn_counts():
    s = nnsolve.solve(doc_problem("A small Keras CNN: shapes, parameters, MACs and receptive fields"))
    # by hand: (3·3·3 + 1)·16; 32·32·16 outputs × 27; Keras' 2·16 moving statistics; ⌊(16 − 3)/2⌋ + 1 = 7;
    # field 3 → 4 (2×2 pool) → 4 + 2·2 = 8; 448 + 64 + 4640 + (32 + 1)·10
    assert value(s, "conv1.params") == 448
    assert value(s, "conv1.macs") == 32 * 32 * 16 * 27
    assert value(s, "bn1.non_trainable_params") == 32
    assert value(s, "conv2.output_shape") == [7, 7, 32]
    assert value(s, "conv2.receptive_field") == [8, 8]
    assert value(s, "total.params") == 5482
    macs = 32 * 32 * 16 * 27 + 7 * 7 * 32 * 144 + 32 * 10
    bias_adds = 32 * 32 * 16 + 7 * 7 * 32 + 10
    assert value(s, "total.flops") == 2 * macs + bias_adds == 1_354_922


def test_small_keras_cnn_parameters_match_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    with torch.device("meta"):
        model = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.MaxPool2d(2),
                              nn.Conv2d(16, 32, 3, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
    trainable = sum(p.numel() for p in model.parameters())
    running = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    s = nnsolve.solve(doc_problem("A small Keras CNN: shapes, parameters, MACs and receptive fields"))
    assert (value(s, "total.trainable_params"), value(s, "total.non_trainable_params")) == (trainable, running)


def test_unknown_kernel_entries():
    s = nnsolve.solve(doc_problem("Two unknown kernel entries from two outputs"))
    a, b = value(s, "a"), value(s, "b")
    # substituted back into both windows: a + 2 + b = 5 and 2a + 3b = 8
    assert (a, b) == (Fraction(1), Fraction(2))
    assert a + 2 + b == 5 and 2 * a + 3 * b == 8
