"""Every Python operation the snippet interpreter evaluates is total: a value of the wrong sort, a missing
argument, an absurd size or a construct that would never end is a located refusal (its line), reached
fast — never a Python exception, a hang or a memory blow-up. A fuzz test feeds mutated snippets to the
readers and lets only ProblemError out."""
from __future__ import annotations

import io
import time
import tokenize

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cli_runner import invoke
from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.arch.rules import ArchitectureError
from nnsolve.limits import MAX_LAYERS as LAYERS, MAX_SNIPPET_NESTING as NESTING, MAX_SNIPPET_STEPS as STEPS
from nnsolve.problems.errors import ProblemError

# a hang guard, not a speed goal (benchmarks/bench_hostile_snippets.py prints the times, each well under a
# second): CPU seconds this process spends, so a busy machine does not trip it
SECONDS = 10
MAX_LAYERS, MAX_SNIPPET_NESTING, MAX_SNIPPET_STEPS = LAYERS.default, NESTING.default, STEPS.default
TORCH = "# input: 4\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
KERAS = "from tensorflow.keras import layers, Sequential, Input, Model\n"


def message(text: str, **kw) -> str:
    began = time.process_time()
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, **kw)
    assert time.process_time() - began < SECONDS
    return str(e.value)


def expo(depth: int) -> str:
    """Classes that each build two of the one before: 2^depth modules from a few lines."""
    lines = [TORCH, "class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                    "        self.l = nn.ReLU()\n    def forward(self, x):\n        return self.l(x)\n"]
    for i in range(1, depth):
        lines.append(f"class C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     f"        self.a = C{i - 1}()\n        self.b = C{i - 1}()\n    def forward(self, x):\n"
                     "        return self.b(self.a(x))\n")
    return "".join(lines) + f"model = C{depth - 1}()\n"


FORWARD = TORCH + """class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
    def forward(self, x):
        return {call}
"""


@pytest.mark.parametrize("text, expected", [
    # comparisons of mixed types, which Python itself refuses
    (TORCH + "n = 3 if 'a' < 1 else 4\nmodel = nn.Sequential(nn.Linear(4, n))\n",
     "line 4: 'a' < 1: cannot order 'a' and 1 (< compares two numbers or two texts)"),
    (TORCH + "n = 3 if (1,) < 1 else 4\nmodel = nn.Sequential(nn.Linear(4, n))\n", "line 4: (1,) < 1: cannot order"),
    (TORCH + "n = 3 if None < 1 else 4\nmodel = nn.Sequential(nn.Linear(4, n))\n", "line 4: None < 1: cannot order"),
    (TORCH + "n = 3 if 1 in 5 else 4\nmodel = nn.Sequential(nn.Linear(4, n))\n",
     "line 4: 1 in 5: `in` looks in a tuple, a list or a text"),
    (TORCH + "n = 3 if 2 is 1 else 4\nmodel = nn.Sequential(nn.Linear(4, n))\n", "line 4: 2 is 1: `is` compares with"),
    # arithmetic on what is not a number
    (TORCH + "n = (1,) - 2\n", "line 4: arithmetic on (1,) (not a number: (1,)) is not supported"),
    (TORCH + "n = 'a' + 1\n", "line 4: arithmetic on 'a' (not a number: 'a') is not supported"),
    (TORCH + "n = -None\n", "line 4: arithmetic on None"),
    (TORCH + "n = 2 ** 0.5\n", "line 4: 2 ** 0.5: only whole exponents up to 64 are supported"),
    (TORCH + "n = 10 ** 20\n", "line 4: 10 ** 20 is far beyond any layer size"),
    (TORCH + "n = 0 ** -1\n", "line 4: division by zero in 0 ** (-1)"),
    # functions and modules called without what they need
    (FORWARD.format(call="F.relu()"), "line 9: F.relu() needs the tensor it applies to"),
    (FORWARD.format(call="torch.flatten()"), "line 9: torch.flatten() needs the tensor it applies to"),
    (FORWARD.format(call="torch.add(x)"), "line 9: torch.add adds two or more tensors given by position"),
    (TORCH + "model = nn.Sequential(nn.Linear(4, -2))\n", "line 4: Linear argument 'out_features': expected an "
                                                           "integer ≥ 1, got -2"),
    (TORCH + "model = nn.Sequential(nn.Conv2d(3, 8, 0))\n", "line 4: Conv2d argument 'kernel_size': expected an "
                                                             "integer ≥ 1 or 2 of them, got 0"),
    (TORCH + "model = nn.Sequential(nn.Linear(4, 10000000000))\n",
     "line 4: Linear argument 'out_features': expected at most 1,000,000,000 (no layer comes near; raise it with "
     "NNSOLVE_MAX_SIZE), got 10000000000"),
    (TORCH + "model = nn.Sequential(nn.Dropout(2))\n", "line 4: Dropout argument 'p': expected a drop rate below 1"),
    (TORCH + "model = nn.Sequential(nn.BatchNorm1d(4, momentum=3))\n",
     "line 4: BatchNorm1d argument 'momentum': expected a number from 0 to 1, got 3"),
    (TORCH + "model = nn.Sequential(OrderedDict([(1, nn.ReLU())]))\n", "line 5: an OrderedDict's layer names are text, got 1"),
    # sizes and counts that would build millions of layers
    (TORCH + "model = nn.Sequential(nn.LSTM(4, 8, num_layers=1000000))\n",
     f"line 4: LSTM argument 'num_layers': expected at most {MAX_LAYERS:,} (the layers of an architecture; raise it "
     "with NNSOLVE_MAX_LAYERS), got 1000000"),
    (TORCH + "model = nn.Sequential(*[nn.Linear(4, 4)] * 10**6)\n", "line 4: [nn.Linear(4, 4)] * 10 ** 6 makes "
                                                                      "1,000,000 items, far beyond a model"),
    (TORCH + "layers = []\nfor i in range(10**9):\n    layers.append(nn.Linear(4, 4))\n",
     f"line 5: range(10 ** 9) has 1,000,000,000 items: more than the {MAX_SNIPPET_STEPS:,} evaluation steps"),
    (TORCH + "model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(10**9)])\n", "line 4: range(10 ** 9) has"),
    # a loop that never ends: refused at the step budget
    (TORCH + "n = 1\nwhile n > 0:\n    n = n + 1\n", f"line 5: reading the snippet takes more than "
                                                        f"{MAX_SNIPPET_STEPS:,} evaluation steps"),
    (TORCH + "def f(n):\n    return f(n + 1)\nm = f(1)\n", "nests too deeply"),
    (TORCH + "r = nn.ReLU()\n" + "".join(f"s{i} = nn.Sequential({', '.join([f's{i - 1}' if i else 'r'] * 2)})\n"
                                         for i in range(40)) + "model = s39\n",
     f"line 5: more than {MAX_LAYERS:,} layers: an architecture has at most {MAX_LAYERS:,} (raise it with "
     "NNSOLVE_MAX_LAYERS)"),
    (expo(40), f"line 6: reading the snippet takes more than {MAX_SNIPPET_STEPS:,} evaluation steps"),
    (TORCH + "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = A()\n"
             "    def forward(self, x):\n        return self.a(x)\nmodel = A()\n",
     "line 7: class A builds an instance of itself while it is being built, 16 deep (A → A → A"),
    # nesting, within Python's parser and beyond it
    (TORCH + "n = " + "- " * 900 + "2\n", f"line 4: the snippet nests too deeply: more than {MAX_SNIPPET_NESTING}"),
    (TORCH + "n = " + "- " * 3000 + "2\n", "line 4: the snippet nests too deeply for Python's parser"),
    (TORCH + "n = " + "- " * 20000 + "2\n", "line 4: the snippet nests too deeply for Python's parser"),
    (TORCH + "n = " + "1 + " * 5000 + "1\n", "line 4: the snippet nests too deeply for Python's parser"),
    (TORCH + "model = " + "nn.Sequential(" * 150 + "nn.ReLU()" + ")" * 150 + "\n",
     "line 4: the snippet nests too deeply"),
    # bytes and numbers Python cannot or should not build
    (TORCH + "model = nn.Sequential(nn.Linear(4, 2))\nx = 1\0\n", "line 5: a NUL byte (\\0) is not Python source"),
    (TORCH + "n = 1e-999999999\n", "line 4: the number 1e-999999999 is far beyond any layer size"),
    (TORCH + "n = 0x" + "f" * 5000 + "\n", "line 4: the number 0xffffffffff…(5002 characters) is far beyond"),
    (TORCH + "n = " + "9" * 5000 + "\n", "line 4: the number 999999999999…(5000 characters) is far beyond"),
    # input shapes
    ("# input: 0x0\nimport torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\n",
     "line 1: the input shape (0, 0): expected whole sizes ≥ 1"),
    ("# input: 99999999999999999999999999999999999999\nimport torch.nn as nn\nmodel = nn.Sequential(nn.ReLU())\n",
     "line 1: the input shape 999999999999…(38 characters) is far beyond any input"),
    ("# input: 3x10000000000\nimport torch.nn as nn\nmodel = nn.Sequential(nn.ReLU())\n",
     "line 1: the input shape (3, 10000000000): a size is beyond 1,000,000,000 (raise it with NNSOLVE_MAX_SIZE)"),
    ("# input: 100000x100000x1000\nimport torch.nn as nn\nmodel = nn.Sequential(nn.ReLU())\n",
     "line 1: the input shape (100000, 100000, 1000) holds 10,000,000,000,000 values; at most 1,000,000,000,000 "
     "(raise it with NNSOLVE_MAX_TENSOR_ELEMENTS)"),
    # Keras: every setting through the layer-list readers, input shapes checked where they are given
    (KERAS + "model = Sequential([layers.Dense(2.5, input_shape=(4,))])\n",
     "line 2: Dense argument 'units': expected an integer ≥ 1, got 2.5"),
    (KERAS + "model = Sequential([layers.Dense(4, input_shape=(4,)), layers.Dropout(5)])\n",
     "line 2: Dropout argument 'rate': expected a drop rate below 1, got 5"),
    (KERAS + "model = Sequential([layers.Dense(4, input_shape=(0,))])\n", "line 2: input shape (0,): expected"),
    (KERAS + "model = Sequential([layers.Conv2D(4, 3, input_shape=(8, 8, 3)), layers.ZeroPadding2D(-3)])\n",
     "line 2: ZeroPadding2D argument 'padding': expected a whole number ≥ 0"),
    (KERAS + "model = Sequential([layers.Dense(4, input_shape=(4,)), layers.Reshape((0, -1))])\n",
     "line 2: Reshape argument 'target_shape': expected a shape such as [7, 7, 64]"),
    (KERAS + "model = Sequential([layers.Dense(4, batch_input_shape=5)])\n",
     "line 2: batch_input_shape 5: expected the batch axis and the input's sizes"),
    (KERAS + "a = Input(shape=(None, 8))\nb = layers.LSTM(4)(a)\nmodel = Model(a, b)\n",
     "line 2: Input shape (None, 8): expected whole sizes ≥ 1 (an unknown size, None, cannot be counted"),
    (KERAS + "a = Input(shape=(4, 4, 3))\nb = layers.Conv2D(2, 1)(a)\nc = layers.Concatenate(axis='x')([a, b])\n"
             "model = Model(a, c)\n", "line 4: Concatenate argument 'axis': expected an axis number, got 'x'"),
    (KERAS + "a = Input((4,))\nb = layers.Dense(2)(a)\nmodel = Sequential([b, layers.Dense(3)])\n",
     "line 4: 'b' in a Sequential: only an Input, first, is a tensor it takes"),
    (KERAS + "a = Input((4,))\nb = layers.Dense(2)(a)\nmodel = Model(b, b)\n",
     "line 4: Model inputs: expected the model's Input tensors"),
    (KERAS + "a = Input((4,))\nc = Input((4,))\nb = layers.Dense(3)(a)\nm = Sequential([a, layers.Dense(2)])\n"
             "model = Model(c, b)\n", "line 6: the model's outputs depend on 'input_layer', which a Sequential took"),
    (KERAS + "a = Input((4,))\nmodel = Model(a, layers.add([a, a], name=5))\n",
     "line 3: Add argument 'name': expected a text, got 5"),
])
def test_each_hostile_snippet_is_refused_at_its_line(text, expected):
    assert expected in message(text.replace("import torch.nn as nn\n", "import torch.nn as nn\nfrom collections "
                                            "import OrderedDict\n") if "OrderedDict" in text else text)


def test_a_class_may_build_itself_when_the_recursion_ends():
    text = TORCH + """class Tree(nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        if depth > 1:
            self.child = Tree(depth - 1)
        else:
            self.child = nn.ReLU()
    def forward(self, x):
        return self.child(self.fc(x))
model = Tree(5)
"""
    arch = parse_snippet(text)
    assert [layer.kind for layer in arch.layers] == ["input"] + ["dense"] * 5 + ["activation"]


@pytest.mark.parametrize("expression, units", [
    ("None or 3", 3), ("0 or 5", 5), ("2 and 7", 7), ("0 and 7", 0), ("4 if 'a' < 'b' else 1", 4),
    ("4 if 3 in (1, 3) else 1", 4), ("4 if None is None else 1", 4), ("2 ** 5", 32), ("6 if (1, 2) == (1, 2) else 1", 6),
])
def test_operations_keep_python_meaning(expression, units):
    text = f"# input: 4\nimport torch.nn as nn\nn = {expression}\nmodel = nn.Sequential(nn.Linear(4, n or 1))\n"
    arch = parse_snippet(text)
    assert arch.layers[-1].settings["units"] == (units or 1)


def test_a_nul_byte_and_an_absurd_snippet_through_the_command(tmp_path):
    path = tmp_path / "model.py"
    path.write_bytes(b"# input: 4\nimport torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\n\x00\n")
    result = invoke("summary", path)
    assert result.exit_code == 2 and "it holds a NUL byte (line 4)" in result.stderr
    path.write_text(expo(40))
    began = time.process_time()
    result = invoke("summary", path)
    assert result.exit_code == 2 and "(raise it with NNSOLVE_MAX_SNIPPET_STEPS)" in result.stderr
    assert time.process_time() - began < SECONDS


# -- the fuzz test: mutated snippets from the snippet tests ---------------------------------------------
BASES = [
    TORCH + """class Block(nn.Module):
    def __init__(self, channels, stride=1):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out += x
        return torch.flatten(out, 1)
width = 4 if True else 8
model = Block(width)
""",
    TORCH + """model = nn.Sequential(
    nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
    nn.Conv2d(6, 16, kernel_size=5, stride=1, padding=2, bias=False),
    nn.Flatten(), nn.Linear(16 * 3 * 3, 10), nn.LSTM(10, 8, num_layers=2),
)
""",
    KERAS + """n = 32
model = Sequential([
    layers.Conv2D(n, 3, activation="relu", input_shape=(28, 28, 1)),
    layers.MaxPooling2D(), layers.Conv2D(2*n, (3, 3), strides=2, padding="same"),
    layers.BatchNormalization(), layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
])
""",
    KERAS + """inputs = Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, padding="same", name="stem")(inputs)
y = layers.Conv2D(16, 3, padding="same")(x)
x = layers.Add()([x, y])
x = layers.Concatenate()([x, y])
outputs = layers.Dense(10)(layers.GlobalAveragePooling2D()(x))
model = Model(inputs=inputs, outputs=outputs)
""",
]
POOL = ["-", "*", "/", "//", "**", "(", ")", "[", "]", ",", "0", "-1", "1e9", "10**9", "'a'", "None", "True",
        "x", "self", "nn.ReLU()", "<", "in", "is", "not", "and", "if", "else", "=", ":", ".", "input_shape", "F",
        "lambda", "*x", "**x", "[]", "()", "'same'", "0.5", "layers.Dense(2)"]


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)]


@st.composite
def mutated(draw) -> str:
    """A snippet with a few of its tokens deleted, duplicated, swapped or replaced."""
    tokens = _tokens(draw(st.sampled_from(BASES)))
    editable = [i for i, (kind, _) in enumerate(tokens) if kind in (tokenize.NAME, tokenize.OP, tokenize.NUMBER,
                                                                    tokenize.STRING)]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.sampled_from(editable))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        kind, text = tokens[i]
        if action == "delete":
            tokens[i] = (kind, "")
        elif action == "duplicate":
            tokens[i] = (kind, f"{text} {text}")
        elif action == "swap":
            j = draw(st.sampled_from(editable))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        else:
            tokens[i] = (tokenize.NAME, draw(st.sampled_from(POOL)))
    try:
        return tokenize.untokenize(tokens)
    except ValueError:             # a token list untokenize cannot lay out: the original then
        return tokenize.untokenize(_tokens(BASES[0]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_snippets_are_read_or_refused_with_a_located_problem(text):
    began = time.process_time()
    try:
        arch = parse_snippet(text, input_shape=None)
    except ProblemError:
        pass
    else:
        try:
            analyze(arch)
        except ArchitectureError as e:        # the summary locates these at the layer's line
            assert e.layer is None or e.layer.line is not None or e.layer.kind == "input", str(e)
    assert time.process_time() - began < SECONDS, text


@pytest.mark.parametrize("body, line", [
    ("n = 1\nwhile n > 0:\n    n = n + 1\n", 5),
    ("layers = []\nwhile True:\n    layers.append(nn.ReLU())\n", 6),
    ("x = [list(range(90000)) for i in range(90000)]\n", 4),
    ("layers = []\nfor i in range(10 ** 12):\n    layers += [nn.ReLU()]\n", 5),
    ("def f(n):\n    return f(n + 1) + 1\nm = f(0)\n", None),
    ("blocks = [nn.Linear(4, 4)]\nfor _ in range(40):\n    blocks = blocks + blocks\n", None),
])
def test_runaway_loops_lists_and_recursion_are_refused_by_the_budgets(body, line):
    began = time.process_time()
    text = message(TORCH + body)
    assert time.process_time() - began < SECONDS
    assert any(budget in text for budget in ("evaluation steps", "nests too deeply", "far beyond", "items"))
    assert line is None or f"line {line}:" in text
    assert "line " in text
