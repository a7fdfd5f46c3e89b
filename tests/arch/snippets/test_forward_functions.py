"""Forward habits read as PyTorch runs them, each checked against the model torch builds from the same
text (parameters, output shape) and refused where PyTorch would fail or samples would mix: F.dropout with
its probability by position, F.pad, reductions over one axis, one position of an axis (x[:, 0]), weights
sliced and expanded to the batch, a registered torch.arange of positions, a class deriving a built-in
layer, nn.PReLU."""
from __future__ import annotations

import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

torch = pytest.importorskip("torch")
from arch.snippets.torch_built import built  # noqa: E402

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

ENCODER = HEADER + """
class Causal(nn.Conv1d):
    def __init__(self, cin, cout, k, dilation=1):
        super().__init__(cin, cout, k, dilation=dilation)
        self.left = (k - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left, 0)))


class Encoder(nn.Module):
    def __init__(self, words=20, width=8, length=6):
        super().__init__()
        self.embed = nn.Embedding(words, width)
        self.cls = nn.Parameter(torch.zeros(1, 1, width))
        self.pos = nn.Parameter(torch.zeros(1, length + 1, width))
        self.register_buffer("steps", torch.arange(length))
        self.where = nn.Embedding(length, width)
        self.conv = Causal(width, width, 3, dilation=2)
        self.act = nn.PReLU(width)
        self.head = nn.Linear(2 * width, 3)

    def forward(self, tokens):
        n, t = tokens.shape
        x = self.embed(tokens) + self.where(self.steps[:t])
        x = torch.cat([self.cls.expand(n, -1, -1), x], dim=1) + self.pos[:, :t + 1, :]
        y = self.act(self.conv(x.transpose(1, 2))).transpose(1, 2)
        pooled = torch.cat([y[:, 0], y.max(dim=1).values], dim=1)
        return self.head(F.dropout(pooled, 0.1, self.training))


model = Encoder()
"""


def test_the_habits_match_torch():
    model = built(ENCODER).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 6, dtype=torch.long))
    arch = parse_snippet(ENCODER, input_shape=(6,))
    analysis = analyze(arch)
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    assert analysis.layers[-1].shape == tuple(out.shape[1:]) == (3,)
    assert analysis.totals["buffers"] == sum(b.numel() for b in model.buffers()) == 6
    # the causal conv over 7 positions (the class token and 6 tokens), then the head
    assert analysis.totals["macs"] == 7 * 8 * 8 * 3 + 16 * 3
    names = [layer.name for layer in arch.layers]
    assert "conv" in names and "steps" in names        # the derived layer keeps its module's name


@pytest.mark.parametrize("change, message", [
    ("y[:, 0]", "y[:, 9]", ),
    ("y.max(dim=1).values", "y.max(dim=0).values"),
    ("F.pad(x, (self.left, 0))", "F.pad(x, (self.left, 0, 1))"),
    ("nn.PReLU(width)", "nn.PReLU(3)"),
])
def test_what_pytorch_refuses_is_refused(change, message):
    text = ENCODER.replace(change, message)
    with pytest.raises(Exception):
        built(text).eval()(torch.zeros(1, 6, dtype=torch.long))
    with pytest.raises((ProblemError, ArchitectureError)) as e:
        analyze(parse_snippet(text, input_shape=(6,)))
    assert "out of range" in str(e.value) or "batch axis" in str(e.value) or "pads" in str(e.value) \
        or "slopes" in str(e.value)


def test_expanding_weights_to_anything_but_the_batch_is_refused():
    text = ENCODER.replace("self.cls.expand(n, -1, -1)", "self.cls.expand(2, -1, -1)")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(6,))
    assert "weights expanded to the batch only" in str(e.value)


@pytest.mark.parametrize("expression, value", [("1 << 10", 1024), ("0xF0 >> 4", 15), ("6 & 3", 2), ("6 | 3", 7),
                                               ("6 ^ 3", 5)])
def test_bit_operations_on_sizes(expression, value):
    text = HEADER + f"model = nn.Linear(4, {expression})\n"
    assert analyze(parse_snippet(text, input_shape=(4,))).layers[-1].shape == (value,)


def test_a_shift_past_64_places_is_refused_before_it_is_made():
    with pytest.raises(ProblemError) as e:
        parse_snippet(HEADER + "model = nn.Linear(4, 1 << 10 ** 9)\n", input_shape=(4,))
    assert "a shift of 0 to 64 places" in str(e.value)


def test_a_vocabulary_of_string_constants():
    text = HEADER + "import string\nchars = string.ascii_lowercase + string.digits + ' '\n" \
                    "model = nn.Embedding(len(chars), 4)\n"
    assert analyze(parse_snippet(text, input_shape=(5,))).totals["params"] == 37 * 4
