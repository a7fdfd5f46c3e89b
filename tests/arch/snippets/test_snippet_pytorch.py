"""PyTorch snippets: the parsed Architecture has the expected layers, and — the oracle — the same
snippet built for real by torch has the parameter count and output shape the analyzer derives from
the parsed description alone."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet

torch = pytest.importorskip("torch")

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom collections import OrderedDict\n"

SEQUENTIAL = HEADER + """
model = nn.Sequential(
    nn.Conv2d(3, 6, 5),
    nn.ReLU(),
    nn.MaxPool2d(2, 2),
    nn.Conv2d(6, 16, kernel_size=5, stride=1, padding=2, bias=False),
    nn.BatchNorm2d(16),
    nn.AvgPool2d(2),
    nn.Flatten(),
    nn.Linear(16 * 3 * 3, 10),
)
"""

ORDERED = HEADER + """
width = 8
model = nn.Sequential(OrderedDict([
    ("conv", nn.Conv2d(1, width, 3, stride=2, padding=1, dilation=1)),
    ("dw", nn.Conv2d(width, width, 3, padding=1, groups=width)),
    ("up", nn.ConvTranspose2d(width, 4, 2, stride=2)),
    ("pool", nn.AdaptiveAvgPool2d(1)),
    ("flat", nn.Flatten()),
    ("drop", nn.Dropout(0.25)),
    ("fc", nn.Linear(4, 2)),
]))
"""

RESIDUAL = HEADER + """
class Block(nn.Module):
    def __init__(self, channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        identity = x
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return F.relu(out)


class Net(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.block = Block(8)
        self.branch = nn.Conv2d(8, 4, 1)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(12, num_classes)

    def forward(self, x):
        x = self.stem(x)
        x = self.block(x)
        x = torch.cat([x, self.branch(x)], dim=1)
        x = self.pool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)
"""

LENET_CLASS = HEADER + """
# input: 1x32x32
class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)
"""

RECURRENT = HEADER + """
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 16)
        self.lstm = nn.LSTM(16, 32, num_layers=2, batch_first=True)
        self.gru = nn.GRU(32, 8, batch_first=True, bias=False)
        self.norm = nn.LayerNorm(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.embed(x)
        out, (h, c) = self.lstm(x)
        out, _ = self.gru(out)
        return self.fc(self.norm(out))
"""

ATTENTION = HEADER + """
class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(16, 4, batch_first=True)
        self.norm = nn.LayerNorm(16)

    def forward(self, x):
        a, _ = self.attn(x, x, x)
        return self.norm(x + a)
"""

# (snippet, input shape without batch, an integer-token input for embeddings)
CASES = {
    "sequential": (SEQUENTIAL, (3, 16, 16), False),
    "ordered_dict": (ORDERED, (1, 12, 12), False),
    "residual_module": (RESIDUAL, (3, 10, 10), False),
    "lenet_comment_shape": (LENET_CLASS, None, False),
    "recurrent": (RECURRENT, (7,), True),
    "attention": (ATTENTION, (5, 16), False),
}


def build_for_real(snippet: str):
    """The oracle side only: the test's own snippet text, executed by torch to get a live module."""
    namespace: dict = {}
    exec(compile(snippet, "<snippet>", "exec"), namespace)      # noqa: S102 — test-owned text, never user input
    model = namespace.get("model")
    if model is None:               # the last module class the snippet defines, as the parser picks it
        model = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, torch.nn.Module)][-1]()
    return model


@pytest.mark.parametrize("case", sorted(CASES))
def test_parameter_count_and_output_shape_match_torch(case):
    snippet, shape, tokens = CASES[case]
    arch = parse_snippet(snippet, input_shape=shape)
    analysis = analyze(arch)
    model = build_for_real(snippet).double().eval()
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    batch = 2
    if tokens:
        x = torch.randint(0, 100, (batch, *arch.input_shape))
    else:
        x = torch.randn(batch, *arch.input_shape, dtype=torch.float64)
    with torch.no_grad():
        y = model(x)
    assert tuple(y.shape[1:]) == tuple(analysis.layers[-1].shape)


def test_sequential_layers_and_settings():
    arch = parse_snippet(SEQUENTIAL, input_shape=(3, 16, 16))
    assert arch.layout == "channels_first" and arch.framework == "pytorch"
    assert [(l.name, l.kind) for l in arch.layers] == [
        ("input", "input"), ("0", "conv2d"), ("1", "activation"), ("2", "max_pool2d"), ("3", "conv2d"),
        ("4", "batch_norm"), ("5", "avg_pool2d"), ("6", "flatten"), ("7", "dense")]
    conv = arch.layer("3")
    assert conv.settings == {"filters": 16, "kernel": (5, 5), "stride": (1, 1), "padding": (2, 2),
                             "dilation": (1, 1), "groups": 1, "bias": False, "in_channels": 6}
    assert arch.layer("2").settings["stride"] == (2, 2)
    assert arch.layer("7").settings["units"] == 10 and arch.layer("7").settings["in_features"] == 144
    assert conv.line == 10          # 4 header lines, a blank, `model = …`, then the layers


def test_module_graph_wires_residual_and_concat():
    arch = parse_snippet(RESIDUAL, input_shape=(3, 10, 10))
    add = next(l for l in arch.layers if l.kind == "add")
    assert add.name == "block.add" and set(add.inputs) == {"block.bn2", "stem.1"}    # identity = the block's input
    cat = arch.layer("cat")
    assert cat.kind == "concat" and cat.settings["axis"] == 1 and cat.inputs == ("block.relu_1", "branch")
    assert arch.layer("flatten").inputs == ("pool",)
    assert arch.layer("pool").settings == {"keepdims": True}


def test_input_shape_from_comment_and_recurrent_stack():
    assert parse_snippet(LENET_CLASS).input_shape == (1, 32, 32)
    arch = parse_snippet(RECURRENT, input_shape=(7,))
    lstm_layers = [l for l in arch.layers if l.kind == "lstm"]
    # num_layers=2 is one layer (as PyTorch's module), its kind counting the second's 32 inputs
    assert [(l.settings["input_size"], l.settings["num_layers"]) for l in lstm_layers] == [(16, 2)]
    assert arch.layer("gru").settings["reset_after"] is True and arch.layer("gru").settings["bias"] is False
