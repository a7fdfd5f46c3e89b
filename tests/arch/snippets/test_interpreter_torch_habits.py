"""More habits of real PyTorch model files read by the interpreter (issue 12): sizes of a tensor asked
in forward (x.size(), x.shape[i]), elementwise products and functions, parameters held outside a layer,
argparse defaults, splitting and slicing, padding layers. The oracle, as in test_interpreter_torch.py:
each snippet (test-owned text) executed by torch, whose parameter count and output shape the analysis of
the parsed description must equal."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

torch = pytest.importorskip("torch")
from arch.snippets.torch_built import assert_matches_torch, built  # noqa: E402
from arch.documented import documented_snippet  # noqa: E402

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

SIZES = HEADER + """
class Mixer(nn.Module):
    def __init__(self, parts):
        super().__init__()
        self.parts = parts

    def forward(self, x):
        batch, channels, rows, cols = x.size()
        x = x.view(batch, self.parts, channels // self.parts, rows, cols).transpose(1, 2)
        return x.reshape(batch, channels, rows, cols)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 12, 3, stride=2)
        self.mix = Mixer(3)
        self.head = nn.Linear(12, 5)

    def forward(self, x):
        y = self.mix(F.relu(self.stem(x)))
        y = F.avg_pool2d(y, y.size(2))
        y = F.max_pool2d(y, kernel_size=y.shape[-1])
        return self.head(y.view(y.size(0), -1))


model = Net()
"""

GATES = HEADER + """
def smooth(x):
    return x * x.sigmoid()


class Gate(nn.Module):
    def __init__(self, channels, squeezed):
        super().__init__()
        self.down = nn.Conv2d(channels, squeezed, 1)
        self.up = nn.Conv2d(squeezed, channels, 1)

    def forward(self, x):
        w = F.adaptive_avg_pool2d(x, 1)
        w = torch.sigmoid(self.up(smooth(self.down(w))))
        return x * w


class Coder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 6, 3, padding=1)
        self.gate = Gate(6, 3)
        self.mean = nn.Linear(6 * 5 * 5, 4)
        self.spread = nn.Linear(6 * 5 * 5, 4)
        self.out = nn.Linear(4, 7)

    def sample(self, mean, spread):
        scale = torch.exp(spread / 2)
        noise = torch.randn_like(scale)
        return mean + noise * scale

    def forward(self, x):
        h = torch.flatten(self.gate(smooth(self.conv(x))), 1)
        z = self.sample(self.mean(h), self.spread(h))
        return self.out(z).exp(), z


model = Coder()
"""

BORDERS = HEADER + """
class Up(nn.Module):
    def __init__(self, channels, factor=None):
        super().__init__()
        self.factor = factor
        self.pad = nn.ReflectionPad2d(1)
        self.conv = nn.Conv2d(channels, channels, 3)

    def forward(self, x):
        if self.factor:
            x = F.interpolate(x, mode="nearest", scale_factor=self.factor)
        return self.conv(self.pad(x))


model = nn.Sequential(nn.ReplicationPad2d((1, 2, 0, 3)), nn.Conv2d(2, 4, 3), Up(4), Up(4, factor=2),
                      nn.ZeroPad2d(2), nn.ReflectionPad2d((0, 1, 1, 0)))
"""

PIECES = HEADER + """
class Halves(nn.Module):
    def __init__(self, channels, keep):
        super().__init__()
        self.keep = keep
        self.conv = nn.Conv2d(channels - keep, channels - keep, 3, padding=1)

    def forward(self, x):
        a, b = x[:, :self.keep, :, :], x[:, self.keep:]
        return torch.cat([a, self.conv(b)], 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 10, 1)
        self.block = Halves(10, 4)
        self.head = nn.Linear(4 * 4 * 4, 6)

    def forward(self, x):
        x = self.block(self.stem(x))
        p, q, r = x.chunk(3, dim=1)                      # 10 channels: 4, 4 and 2
        s, t = torch.split(p + q, [1, 3], 1)
        u = x[:, 1:8:3, ::1, :]
        w = torch.cat([s * u[:, :1], t[:, :2], r[:, -2:-1]], dim=1)
        return self.head(w.flatten(1))


model = Net()
"""

# (snippet, input shape without the batch axis)
CASES = {"slices_split_and_chunk": (PIECES, (3, 4, 4)), "padding_layers_and_interpolate": (BORDERS, (2, 6, 7)), "sizes_asked_in_forward": (SIZES, (3, 17, 17)), "products_and_elementwise_functions": (GATES, (2, 5, 5))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_parameters_and_output_shape_match_torch(case):
    assert_matches_torch(*CASES[case])


def test_a_size_given_by_true_division_is_refused_as_pytorch_refuses_it():
    text = HEADER + "width = 64\nmodel = nn.Sequential(nn.Linear(8, width / 2))\n"
    with pytest.raises(TypeError):
        built(text)
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(8,))
    assert "line 5: Linear argument 'out_features': expected an integer (a true division `/`" in str(e.value)
    assert "got 32.0" in str(e.value)


def test_a_size_of_a_sequence_layers_output_stays_unknown():
    """PyTorch's recurrent layers put the sequence first; the analysis' shapes do not, so x.size(1) after
    one is not answered (refused where a layer needs it)."""
    text = HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 6)

    def forward(self, x):
        out, _ = self.rnn(x)
        return out.view(-1, out.size(2))


model = Net()
"""
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(5, 4))
    assert "line 12" in str(e.value)


def test_a_product_of_tensors_has_no_macs_like_a_sum():
    """x * w broadcasts w (6, 1, 1) over x (6, 5, 5): 150 products, no multiply-accumulates (the
    convention of add: an elementwise operation per output value)."""
    analysis = analyze(parse_snippet(GATES, input_shape=(2, 5, 5)))
    gate = [r for r in analysis.layers if r.layer.kind == "multiply" and r.name.startswith("gate")][-1]
    assert gate.shape == (6, 5, 5) and gate.params == 0 and gate.macs == 0
    assert gate.effect.work == {"elementwise": 6 * 5 * 5}


def test_a_product_of_shapes_that_do_not_broadcast_is_refused():
    text = HEADER + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(4, 2)

    def forward(self, x):
        return self.a(x) * self.b(x)


model = Net()
"""
    with pytest.raises(RuntimeError):
        built(text)(torch.randn(2, 4))
    with pytest.raises(ArchitectureError) as e:
        analyze(parse_snippet(text, input_shape=(4,)))
    assert "do not broadcast" in str(e.value)


OPTIONS = "import argparse\n" + HEADER + """
parser = argparse.ArgumentParser(description="a small generator")
parser.add_argument("--latent", type=int, default=16, help="size of the noise vector")
parser.add_argument("--width", type=int, default=8)
parser.add_argument("--data", required=True)
parser.add_argument("--dry-run", action="store_true")
parser.add_argument("--seed", type=int)
opt = parser.parse_args()
if opt.seed is None:
    opt.seed = 3
torch.manual_seed(opt.seed)

model = nn.Sequential(nn.Linear(opt.latent, opt.width * 2), nn.ReLU(), nn.Linear(opt.width * 2, 5))
"""


def test_argparse_options_take_their_defaults_stated_in_the_notes():
    arch = parse_snippet(OPTIONS, input_shape=(16,))
    import sys
    saved, sys.argv = sys.argv, ["script", "--data", "x"]        # the oracle runs the script with its one required option
    try:
        model = built(OPTIONS)
    finally:
        sys.argv = saved
    assert analyze(arch).totals["params"] == sum(p.numel() for p in model.parameters())
    notes = "\n".join(arch.assumed)
    assert "line 17: opt.latent = 16, argparse default (line 12)" in notes
    assert "line 17: opt.width = 8, argparse default (line 12)" in notes
    assert "line 15: opt.seed" not in notes             # set by the script (line 14), no longer a default


def test_an_option_without_a_default_is_refused_where_a_layer_needs_it():
    text = OPTIONS.replace('nn.Linear(opt.latent,', 'nn.Linear(opt.data,')
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(16,))
    assert "line 17" in str(e.value) and "--data" in str(e.value)


def test_a_split_that_does_not_add_up_is_refused():
    text = PIECES.replace("torch.split(p + q, [1, 3], 1)", "torch.split(p + q, [1, 2], 1)")
    with pytest.raises(RuntimeError):
        built(text)(torch.randn(1, 3, 4, 4))
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(3, 4, 4))
    assert "sizes adding up to 4" in str(e.value)


SKIPPED = HEADER + """
class Block(nn.Module):
    def __init__(self, channels, widen):
        super().__init__()
        self.widen = widen
        self.expand = nn.Conv2d(channels, channels, 1)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        out = self.expand(x) if self.widen else x
        out = self.conv(out)
        if self.training:
            out = self.drop(out)
        return out


model = nn.Sequential(Block(3, True), Block(3, False))
"""


def test_a_layer_forward_never_calls_is_counted_as_pytorch_counts_it():
    """PyTorch counts the second block's `expand` (built, never called): the summary counts its weights
    too, says so, and gives it no MACs — the forward pass's MACs are those of the layers it runs."""
    model = built(SKIPPED).double().eval()
    assert sum(p.numel() for p in model.parameters()) == 2 * (3 * 3 + 3) + 2 * (3 * 3 * 9 + 3)
    arch = parse_snippet(SKIPPED, input_shape=(3, 8, 8))
    totals = analyze(arch).totals
    assert totals["params"] == sum(p.numel() for p in model.parameters())
    assert totals["macs"] == 8 * 8 * 3 * 3 + 2 * 8 * 8 * 3 * 27      # one 1×1 conv, two 3×3 convs run
    assert any(note.startswith("line 9: 1.expand (Conv2d) is built but forward never calls it: its 12 parameters "
                               "are counted") for note in arch.assumed), arch.assumed


def test_a_lazy_layer_forward_never_calls_is_refused():
    """Its size comes from the input it never gets: PyTorch cannot count it either."""
    text = SKIPPED.replace("nn.Conv2d(channels, channels, 1)", "nn.LazyConv2d(channels, 1)")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(3, 8, 8))
    assert "line 9: module '1.expand' (LazyConv2d, line 9) is built but forward never calls it" in str(e.value)


def test_self_training_is_false_the_model_read_in_evaluation_mode():
    text = SKIPPED.replace("Block(3, False)", "Block(3, True)")
    arch = parse_snippet(text, input_shape=(3, 8, 8))
    model = built(text).double().eval()
    assert analyze(arch).totals["params"] == sum(p.numel() for p in model.parameters())
    assert "line 16: self.training is False: the model is read in evaluation mode (model.eval())" in arch.assumed
    assert not any(layer.kind == "dropout" for layer in arch.layers)


def test_the_documented_example_matches_torch():
    import sys
    snippet = documented_snippet("#### Sizes, products, slices and script options")
    arch = parse_snippet(snippet)
    analysis = analyze(arch)
    saved, sys.argv = sys.argv, ["gated.py"]
    try:
        model = built(snippet).eval()
    finally:
        sys.argv = saved
    params = sum(p.numel() for p in model.parameters())
    assert analysis.totals["params"] == params == 41_490                # the number the text states
    assert tuple(model(torch.randn(2, 3, 32, 32)).shape[1:]) == tuple(analysis.layers[-1].shape) == (10,)
    assert "line 43: opt.width = 16, argparse default (line 11)" in arch.assumed


HELD = HEADER + """
class Norm(nn.Module):
    def __init__(self, features, shift=True):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(features))
        self.shift = nn.Parameter(torch.zeros(features)) if shift else None
        self.steps = nn.Parameter(torch.zeros(1, features), requires_grad=False)

    def forward(self, x):
        x = x * self.scale
        return x + self.shift if self.shift is not None else x


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(5, 6)
        self.norm = Norm(6)
        self.out = nn.Sequential(nn.Linear(6, 3), Norm(3, shift=False))
        self.unused = nn.Parameter(torch.randn(2, 3))

    def forward(self, x):
        return self.out(self.norm(self.fc(x)))


model = Net()
"""


def test_parameters_held_by_modules_are_counted():
    """nn.Parameter weights (a hand-written norm's scale and shift, a frozen one, one forward never uses)
    are counted as PyTorch's model.parameters() has them: 36 + 21 for the linear layers, 6 + 6 + 3 + 6 held
    by modules and trained, 6 + 3 frozen."""
    arch = parse_snippet(HELD, input_shape=(5,))
    analysis = analyze(arch)
    model = built(HELD).double()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    assert (analysis.totals["trainable"], analysis.totals["non_trainable"]) == (trainable, frozen) == (78, 9)
    with torch.no_grad():
        y = model(torch.randn(2, 5, dtype=torch.float64))
    assert tuple(y.shape[1:]) == tuple(analysis.layers[-1].shape) == (3,)
    names = {layer.name for layer in arch.layers if layer.kind == "parameter"}
    assert names == {n for n, _ in model.named_parameters() if not n.endswith((".weight", ".bias"))}


def test_weights_that_would_change_the_tensors_shape_are_refused():
    text = HELD.replace("torch.zeros(1, features), requires_grad=False", "torch.zeros(4, 1, features), requires_grad=False")
    text = text.replace("x = x * self.scale", "x = x * self.steps")
    assert tuple(built(text)(torch.randn(2, 5)).shape) == (4, 2, 3)         # PyTorch broadcasts: a new axis
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(5,))
    assert "only weights that keep the tensor's shape are supported" in str(e.value)


TARGETS = HEADER + """
DEGREE = 3
target = torch.randn(DEGREE, 2) * 5
offset = torch.zeros(1)

model = nn.Sequential(nn.Linear(target.size(0), target.shape[1] * 4), nn.Linear(8, target.size()[-1]))
"""


def test_sizes_of_a_tensor_the_script_makes_are_known():
    arch = parse_snippet(TARGETS, input_shape=(3,))
    model = built(TARGETS)
    assert analyze(arch).totals["params"] == sum(p.numel() for p in model.parameters()) == 3 * 8 + 8 + 8 * 2 + 2
    assert tuple(analyze(arch).layers[-1].shape) == (2,)


def test_a_broadcast_of_two_such_tensors_is_not_followed():
    text = TARGETS.replace("target = torch.randn(DEGREE, 2) * 5", "target = torch.randn(DEGREE, 1) + torch.ones(1, 2)")
    assert tuple(built(text)[0].weight.shape) == (8, 3)                 # torch: target is 3×2 (3×1 would give 4)
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(3,))
    assert "is not known without running the code" in str(e.value)


TOKENS = HEADER + """
class Tagger(nn.Module):
    def __init__(self, words=50, width=8, hidden=12, tags=7):
        super().__init__()
        self.embed = nn.Embedding(words, width)
        self.rnn = nn.GRU(width, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tags)

    def forward(self, x):
        h, _ = self.rnn(self.embed(x))
        h = h.reshape(h.size(0) * h.size(1), h.size(2))
        return self.out(h)


model = Tagger()
"""


@pytest.mark.parametrize("first_size", ["h.size(0) * h.size(1)", "-1"])
def test_rows_of_every_step_go_into_the_batch_axis_as_pytorch_puts_them(first_size):
    """A language model's or tagger's `h.reshape(batch · steps, hidden)`: each sample gives one row per
    step, counted per sample as PyTorch runs it (its output for a batch of 1 has 9 rows)."""
    text = TOKENS.replace("h.size(0) * h.size(1)", first_size)
    model = built(text).eval()
    with torch.no_grad():
        assert tuple(model(torch.zeros(1, 9, dtype=torch.long)).shape) == (9, 7)
        assert tuple(model(torch.zeros(3, 9, dtype=torch.long)).shape) == (27, 7)
    arch = parse_snippet(text, input_shape=(9,))
    assert any("puts each sample's 9 rows of 12 into the batch axis (batch × 9 rows)" in n for n in arch.assumed)
    analysis = analyze(arch)
    assert analysis.layers[-1].shape == (9, 7)
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    gru = 9 * 3 * 12 * (8 + 12)
    assert analysis.totals["macs"] == gru + 9 * 12 * 7


def test_rows_that_would_mix_samples_are_refused():
    text = TOKENS.replace("h.size(0) * h.size(1), h.size(2)", "-1, 5")
    with pytest.raises(ArchitectureError) as e:
        analyze(parse_snippet(text, input_shape=(9,)))
    assert "rows of 5 values would mix samples" in str(e.value)


def test_sequence_first_output_viewed_as_rows():
    """(steps, batch, features) viewed as (-1, features): steps × batch rows, `steps` of them per sample."""
    text = HEADER + """
class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(4, 6, num_layers=2)
        self.head = nn.Linear(6, 3)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out).view(-1, 3)


model = Decoder()
"""
    model = built(text).eval()
    with torch.no_grad():
        assert tuple(model(torch.zeros(5, 1, 4)).shape) == (5, 3)
    analysis = analyze(parse_snippet(text, input_shape=(5, 4)))
    assert analysis.layers[-1].shape == (5, 3)
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
