"""The PyTorch reader as an abstract interpreter of real model code: functions, loops, containers,
classes passed as arguments, inheritance, helper methods and script code around the model. The oracle:
each snippet (test-owned text) executed by torch, whose parameter count and output shape the analysis
of the parsed description must equal."""
from pathlib import Path

import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

torch = pytest.importorskip("torch")
from arch.snippets.torch_built import assert_matches_torch, built  # noqa: E402
from arch.documented import documented_snippet  # noqa: E402

HEADER = "import os\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" \
         "from collections import OrderedDict\n"

VGG_SCRIPT = HEADER + """
rows, cols = 32, 32
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
data_dir = os.path.join("data", "cifar")


def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(conv_arch):
    conv_blks = []
    in_channels = 3
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(*conv_blks, nn.Flatten(),
                         nn.Linear(out_channels * (rows // 2 ** len(conv_arch)) ** 2, 64), nn.ReLU(),
                         nn.Dropout(0.5), nn.Linear(64, 10))


def train(net, loader, epochs=10):
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05)
    for epoch in range(epochs):
        for X, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(net(X), y)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch}: {loss.item():.3f}")


conv_arch = ((1, 8), (2, 16), (2, 16))
model = vgg(conv_arch).to(device)
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

if __name__ == "__main__":
    train(model, None)
"""

RESNET = HEADER + """
def conv_bn(cin, cout, kernel, stride=1):
    pad = kernel // 2
    return [nn.Conv2d(cin, cout, kernel, stride, pad, bias=False), nn.BatchNorm2d(cout)]


class BasicBlock(nn.Module):
    expansion = 1          # output channels per planes

    def __init__(self, cin, planes, stride=1):
        super(BasicBlock, self).__init__()
        cout = planes * self.expansion
        self.conv1, self.bn1 = conv_bn(cin, planes, 3, stride)
        self.conv2, self.bn2 = conv_bn(planes, cout, 3)
        same = stride == 1 and cin == cout
        self.shortcut = nn.Sequential() if same else nn.Sequential(*conv_bn(cin, cout, 1, stride))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        y += self.shortcut(x)
        return F.relu(y)


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10):
        super(ResNet, self).__init__()
        self.width = 16
        self.conv1, self.bn1 = conv_bn(3, self.width, 3)
        self.layer1 = self._make_layer(block, 16, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 32, num_blocks[1], stride=2)
        self.linear = nn.Linear(self.width, num_classes)
        self.init_weights()

    def _make_layer(self, block, planes, count, stride):
        blocks = []
        for step in [stride] + [1] * (count - 1):
            blocks.append(block(self.width, planes, step))
            self.width = planes * block.expansion
        return nn.Sequential(*blocks)

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.layer2(self.layer1(y))
        y = F.adaptive_avg_pool2d(y, 1)
        return self.linear(y.view(y.size(0), -1))


def ResNetTiny():
    return ResNet(BasicBlock, [2, 2])


model = ResNetTiny()
"""

MLP_LIST = HEADER + """
class MLP(nn.Module):
    def __init__(self, sizes=(12, 32, 16, 4), dropout=None):
        super().__init__()
        assert len(sizes) >= 2, "need an input and an output size"
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])])
        self.heads = nn.ModuleDict({f"head_{i}": nn.Linear(sizes[-1], 2 ** (i + 1)) for i in range(2)})
        self.norms = nn.Sequential(OrderedDict([(f"norm{i}", nn.LayerNorm(n)) for i, n in enumerate(sizes[1:2])]))

    def encode(self, x, mask=None):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == 0:
                x = self.norms(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x

    def forward(self, x, mask=None):
        h = self.encode(x, mask)
        return torch.cat([self.heads[k](h) for k in sorted(self.heads.keys())], dim=1)


model = MLP()
"""

INHERITED = HEADER + """
class Base(nn.Module):
    def __init__(self, width, depth=2):
        super().__init__()
        self.blocks = nn.ModuleList()
        for _ in range(depth):
            self.blocks.append(nn.Sequential(nn.Linear(width, width), nn.GELU()))
        self.out = nn.Linear(width, self.n_out())

    def n_out(self):
        return 3

    def forward(self, x):
        for blk in self.blocks:
            x = x + blk(x)
        return self.out(x)


class Wide(Base):
    def __init__(self, width=24):
        super().__init__(width, depth=3)

    def n_out(self):
        return 5


model = Wide()
"""

RESHAPE = HEADER + """
class Reshaper(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(784, 32 * 7 * 7)
        self.conv = nn.Conv2d(32, 8, 3)

    def forward(self, x):
        x = x.reshape(-1, 784)
        x = F.relu(self.fc(x))
        x = x.view(x.size(0), 32, 7, 7)
        return self.conv(x)


model = Reshaper()
"""

VGG_CONFIG = """from dataclasses import dataclass
import torch
import torch.nn as nn
from torch.nn import functional as F

PLANS = {
    "small": [32, "pool", 64, "pool", 128, 128, "pool"],
    "wide": [64, 64, "pool", 128, "pool", 256, "pool"],
}


@dataclass
class Config:
    plan: str = "small"
    num_classes: int = 10


class VGG(nn.Module):
    def __init__(self, config):
        super(VGG, self).__init__()
        self.features = self._stack(PLANS[config.plan])
        self.classifier = nn.Linear(self.channels * 4 * 4, config.num_classes)

    def _stack(self, plan):
        parts, channels = [], 3
        for item in plan:
            if item == "pool":
                parts += [nn.MaxPool2d(2)]
                continue
            parts += [nn.Conv2d(channels, item, 3, padding=1), nn.BatchNorm2d(item), nn.ReLU(True)]
            channels = item
        self.channels = channels
        return nn.Sequential(*parts)

    def forward(self, x):
        y = self.features(x)
        return self.classifier(y.view(y.size(0), -1))


def smoke_test():
    net = VGG(Config("wide"))
    print(net(torch.randn(2, 3, 32, 32)).size())


model = VGG(Config())
"""

PARTIAL = """import functools
from functools import partial
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, c, norm_layer=None):
        super().__init__()
        norm_layer = norm_layer or partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = norm_layer(c)

    def forward(self, x):
        with torch.no_grad():
            scale = torch.ones(1)
        pos = torch.arange(0, 4)
        return self.bn(self.conv(x)) * scale


model = nn.Sequential(Block(4), Block(4, functools.partial(nn.GroupNorm if False else nn.BatchNorm2d)))
"""

LIBRARY_STYLE = (Path(__file__).parent / "bottleneck_resnet_snippet.py").read_text()

# (snippet, input shape without the batch axis)
CASES = {"vgg_functions_and_script": (VGG_SCRIPT, (3, 32, 32)), "resnet_block_class_argument": (RESNET, (3, 16, 16)),
         "module_list_dict_helper_method": (MLP_LIST, (12,)), "inheritance_and_loops_in_forward": (INHERITED, (24,)),
         "reshape_and_view": (RESHAPE, (28, 28)), "library_style_decorated_kwargs": (LIBRARY_STYLE, (3, 32, 32)),
         "vgg_from_a_config_dict_and_dataclass": (VGG_CONFIG, (3, 32, 32)),
         "partial_norm_layer_and_no_grad_in_forward": (PARTIAL, (4, 8, 8))}


@pytest.mark.parametrize("case", sorted(CASES))
def test_parameters_and_output_shape_match_torch(case):
    assert_matches_torch(*CASES[case])


def test_module_names_are_pytorchs():
    arch = parse_snippet(RESNET, input_shape=(3, 16, 16))
    names = {layer.name for layer in arch.layers}
    expected = {name for name, m in built(RESNET).named_modules() if not list(m.children())}
    assert expected <= names | {"layer1.0.shortcut", "layer1.1.shortcut", "layer2.1.shortcut"}
    assert "layer2.0.shortcut.0" in names and "layer1.1.conv2" in names


def test_script_code_is_passed_over_with_notes():
    arch = parse_snippet(VGG_SCRIPT, input_shape=(3, 32, 32))
    notes = "\n".join(arch.notes)
    assert "print(model)" in notes
    assert "if __name__ == '__main__'" in notes
    assert "torch.optim.Adam" in notes
    assert "train(" not in notes             # a function never called is passed over without a word


def test_an_optional_forward_argument_is_not_an_input():
    arch = parse_snippet(MLP_LIST, input_shape=(12,))
    assert [layer.name for layer in arch.layers if layer.kind == "input"] == ["input"]


def test_an_unknown_size_the_model_needs_is_refused_at_its_line():
    text = HEADER + "vocab = open('words.txt').read().split()\nmodel = nn.Sequential(nn.Embedding(len(vocab), 8))\n"
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(5,))
    message = str(e.value)
    assert "line 7: Embedding argument 'num_embeddings': len(vocab) is not known without running the code" in message


def test_only_classes_defined_give_the_candidates():
    text = HEADER + "class A(nn.Module):\n    def forward(self, x):\n        return x\n" \
                    "class B(nn.Module):\n    def forward(self, x):\n        return x\n"
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(4,))
    assert "the file defines the module classes A, B and builds none of them" in str(e.value)
    assert "--model B" in str(e.value)


def test_a_block_class_passed_as_the_model_spec():
    text = RESNET.replace("model = ResNetTiny()\n", "")
    arch = parse_snippet(text, input_shape=(3, 16, 16), model="ResNet(BasicBlock, [1, 1], num_classes=7)")
    model = built(RESNET.replace("ResNet(BasicBlock, [2, 2])", "ResNet(BasicBlock, [1, 1], num_classes=7)"))
    assert analyze(arch).totals["params"] == sum(p.numel() for p in model.parameters())


PERMUTED = HEADER + """
class TextCNN(nn.Module):
    def __init__(self, vocab=50, dim=16, kernels=(2, 3)):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.convs = nn.ModuleList([nn.Conv1d(dim, 8, k) for k in kernels])
        self.fc = nn.Linear(8 * len(kernels), 2)

    def forward(self, x):
        x = self.embed(x).permute(0, 2, 1)
        pooled = [F.adaptive_max_pool1d(F.relu(conv(x)), 1).squeeze(2) for conv in self.convs]
        return self.fc(torch.cat(pooled, dim=1))


model = TextCNN()
"""


@pytest.mark.skipif(not hasattr(__import__("nnsolve.arch.snippets.torch_modules", fromlist=["x"]), "tensor_method"),
                    reason="the rearranging layer kinds come with the layer table (h12-layers)")
def test_permute_squeeze_and_a_comprehension_in_forward_match_torch():
    arch = parse_snippet(PERMUTED, input_shape=(9,))
    analysis = analyze(arch)
    model = built(PERMUTED).double().eval()
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        y = model(torch.randint(0, 50, (2, 9)))
    assert tuple(y.shape[1:]) == tuple(analysis.layers[-1].shape)


def test_the_documented_model_file_matches_torch():
    snippet = documented_snippet("### Model files: what the snippet reader follows")
    arch = parse_snippet(snippet)
    analysis = analyze(arch)
    model = built(snippet)
    params = sum(p.numel() for p in model.parameters())
    assert analysis.totals["params"] == params == 175_258           # the number the text states
    assert tuple(model(torch.randn(2, 3, 32, 32)).shape[1:]) == tuple(analysis.layers[-1].shape) == (10,)
    notes = "\n".join(arch.notes)
    assert "torch.cuda.is_available()" in notes and "print(model)" in notes and "torch.optim.SGD" in notes


SEQUENTIAL_SUBCLASS = HEADER + """
class ConvBNReLU(nn.Sequential):
    def __init__(self, cin, cout, stride=1):
        padding = 1
        super().__init__(nn.Conv2d(cin, cout, 3, stride, padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(ConvBNReLU(3, 8, 2), ConvBNReLU(8, 16))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(16, 5))

    def forward(self, x):
        x = self.features(x)
        x = nn.functional.adaptive_avg_pool2d(x, 1).reshape(x.shape[0], -1)
        return self.classifier(x)


model = Tiny()
"""


def test_a_subclass_of_sequential_and_notes_in_line_order():
    arch = parse_snippet(SEQUENTIAL_SUBCLASS, input_shape=(3, 16, 16))
    model = built(SEQUENTIAL_SUBCLASS)
    assert analyze(arch).totals["params"] == sum(p.numel() for p in model.parameters())
    assert {"features.0.0", "features.1.1", "classifier.1"} <= {layer.name for layer in arch.layers}
    lines = [int(n.split(":")[0][5:]) for n in parse_snippet(VGG_SCRIPT, input_shape=(3, 32, 32)).notes]
    assert lines == sorted(lines)


REAL_FILE_HABITS = HEADER + """
class Policy(nn.Module):
    def __init__(self, levels=2, hidden=12):
        super().__init__()
        self.levels = levels
        for i in range(levels):
            self.__setattr__('level_%d' % i, nn.Linear(hidden if i else 6, hidden))
        self.rnn = nn.LSTM(hidden, hidden, batch_first=True)
        self.heads = nn.ModuleDict(dict(action=nn.Linear(hidden, 4), value=nn.Linear(hidden, 1)))
        n_params = sum(p.numel() for p in self.parameters())
        print("parameters: %.2fM" % (n_params / 1e6,))

    def forward(self, x, hidden):
        for i in range(self.levels):
            x = F.relu(self.__getattr__('level_%d' % i)(x))
        x, hidden = self.rnn(x, hidden)
        action = F.softmax(self.heads.action(x), dim=-1)
        value = self.heads.value(x)
        return action, value


model = Policy()
"""


def test_real_file_habits_match_torch():
    """self.__setattr__('level_%d' % i, …), a ModuleDict child by attribute, forward's `hidden` argument
    (not the input: an LSTM's initial state), and a forward returning (probabilities, value): the output is
    its first tensor."""
    arch = parse_snippet(REAL_FILE_HABITS, input_shape=(5, 6))
    analysis = analyze(arch)
    model = built(REAL_FILE_HABITS).double()
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        action, _ = model(torch.randn(2, 5, 6, dtype=torch.float64), None)
    assert tuple(action.shape[1:]) == tuple(analysis.layers[-1].shape) == (5, 4)
    assert "Policy.forward's argument 'hidden' is not the model's input" in "\n".join(arch.notes)
