"""A small decoder-only transformer written as people write one — functional attention, products of
tensors, positions from torch.arange, a hand-written layer norm and GELU, weight tying, the last position's
logits — read without running it, and checked against the model torch builds from the same text (params,
output shape) and against MACs written out by hand under nnsolve's conventions (a product a @ b: T·E·S per
head; scaled dot-product attention: T·S·(E + Ev) per head)."""
from __future__ import annotations

import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

torch = pytest.importorskip("torch")
from arch.snippets.torch_built import built  # noqa: E402
from arch.documented import documented_snippet  # noqa: E402

TINY = """import math
import torch
import torch.nn as nn
import torch.nn.functional as F
from dataclasses import dataclass


@dataclass
class Settings:
    words: int = 11
    context: int = 5
    width: int = 12
    heads: int = 3


class Norm(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gain = nn.Parameter(torch.ones(n))
        self.shift = nn.Parameter(torch.zeros(n))

    def forward(self, x):
        return F.layer_norm(x, self.gain.shape, self.gain, self.shift, 1e-5)


class SmoothStep(nn.Module):
    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Mixer(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.qkv = nn.Linear(s.width, 3 * s.width)
        self.out = nn.Linear(s.width, s.width)
        self.heads, self.width = s.heads, s.width
        self.fused = hasattr(torch.nn.functional, 'scaled_dot_product_attention')

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.qkv(x).split(self.width, dim=2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        if FUSED:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            scores = scores.masked_fill(torch.ones(T, T) == 0, float('-inf'))
            y = F.softmax(scores, dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.out(y)


class Tiny(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.tokens = nn.Embedding(s.words, s.width)
        self.places = nn.Embedding(s.context, s.width)
        self.norm1 = Norm(s.width)
        self.mix = Mixer(s)
        self.norm2 = Norm(s.width)
        self.grow = nn.Linear(s.width, 2 * s.width)
        self.act = SmoothStep()
        self.shrink = nn.Linear(2 * s.width, s.width)
        self.head = nn.Linear(s.width, s.words, bias=False)
        self.tokens.weight = self.head.weight

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
        x = self.tokens(idx) + self.places(pos)
        x = x + self.mix(self.norm1(x))
        x = x + self.shrink(self.act(self.grow(self.norm2(x))))
        if targets is None:
            return self.head(x[:, [-1], :])
        return self.head(x)


model = Tiny(Settings())
"""


@pytest.mark.parametrize("fused", ["self.fused", "not self.fused"])
def test_a_tiny_gpt_matches_torch(fused):
    text = TINY.replace("FUSED", fused)
    model = built(text).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 5, dtype=torch.long))
    arch = parse_snippet(text, input_shape=(5,))
    analysis = analyze(arch)
    # weight tying: the one tensor counted once, as model.parameters() does
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    assert analysis.layers[-1].shape == tuple(out.shape[1:]) == (1, 11)
    w, t, h = 12, 5, 3
    linear = t * w * 3 * w + t * w * w + t * w * 2 * w + t * 2 * w * w + 1 * w * 11
    attention = h * t * t * (w // h) * 2                  # scores and weighted values, either way
    assert analysis.totals["macs"] == linear + attention
    assert any("self.tokens.weight = self.head.weight: one weight tensor for both layers" in n for n in arch.assumed)
    assert any("is True: PyTorch 2 has torch.nn.functional.scaled_dot_product_attention" in n for n in arch.assumed)


def test_tying_a_layer_that_also_has_a_bias_is_refused():
    text = TINY.replace("FUSED", "self.fused").replace("nn.Linear(s.width, s.words, bias=False)",
                                                       "nn.Linear(s.width, s.words)")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(5,))
    assert "line 67: self.tokens.weight = self.head.weight: Linear holds more than the tied weight" in str(e.value)


def test_replacing_a_layers_weight_otherwise_is_refused():
    text = TINY.replace("FUSED", "self.fused").replace("self.tokens.weight = self.head.weight",
                                                       "self.tokens.weight = nn.Parameter(torch.zeros(11, 12))")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(5,))
    assert "line 67" in str(e.value) and "replacing a layer's weight is not followed" in str(e.value)


def test_the_documented_example_matches_torch_and_the_text():
    snippet = documented_snippet("#### Weights used again, cells in a loop, and a transformer's functions")
    model = built(snippet).eval()
    analysis = analyze(parse_snippet(snippet, input_shape=(16,)))
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters()) == 8_000
    with torch.no_grad():
        assert tuple(model(torch.zeros(1, 16, dtype=torch.long)).shape[1:]) == analysis.layers[-1].shape == (16, 100)
    assert analysis.totals["macs"] == 16 * 32 * 96 + 16 * 32 * 32 + 16 * 32 * 100 + 4 * 16 * 16 * (8 + 8) == 133_120
    tagger = analyze(parse_snippet(snippet, input_shape=(40,), model="Tagger"))
    namespace: dict = {}
    exec(compile(snippet, "<doc>", "exec"), namespace)          # noqa: S102 — the docs' own example
    cells = namespace["Tagger"]()
    assert tagger.totals["params"] == sum(p.numel() for p in cells.parameters()) == 1_299
    assert tagger.totals["macs"] == 5 * (3 * 16 * (8 + 16) + 16 * 3) == 6_000
    assert tuple(cells(torch.zeros(1, 40)).shape[1:]) == tagger.layers[-1].shape == (15,)
