"""Snippets are parsed, never run: unsupported constructs give a located message naming them."""
import pytest

from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError


def message(text, **kw) -> str:
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, **kw)
    return str(e.value)


@pytest.mark.parametrize("text, expected", [
    ("from tensorflow.keras import layers, Sequential\nmodel = Sequential([\n  layers.Dense(3, input_shape=(4,)),\n"
     "  layers.Cropping2D(1),\n])\n", "line 4: unsupported layer 'Cropping2D'"),
    ("import torch.nn as nn\nlayers = []\nmatch layers:\n    case []:\n        layers.append(nn.ReLU())\n",
     "line 3: unsupported statement: match layers:"),
    ("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2), helper(3))\n",
     "line 2: name 'helper' is not defined earlier in the snippet"),
    ("import torch.nn as nn\nsizes = 4\nmodel = nn.Sequential(nn.Linear(*sizes))\n",
     "line 3: *sizes (4) cannot be iterated"),
    ("from tensorflow.keras import layers\nx = layers.Dense(3, input_shape=(4,), widht=2)\n",
     "line 2: unknown argument 'widht' to Dense"),
    ("import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, 0, 3))\n",
     "line 2: Conv2d argument 'out_channels': expected an integer ≥ 1, got 0"),
    ("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2)\n", "not valid Python"),
    ("model = Model(a, b)\n", "cannot tell whether this is a Keras or a PyTorch snippet"),
])
def test_unsupported_constructs_are_named_with_their_line(text, expected):
    assert expected in message(text, input_shape=(3, 8, 8))


def test_pytorch_without_input_shape_says_how_to_give_it():
    text = message("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\n")
    assert "pass it (e.g. --input-shape 4) or add a comment '# input: 4' (Linear at line 2 reads 4 features)" in text
    text = message("import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(1, 2, 3))\n")
    assert "'# input: 1x32x32' (Conv2d at line 2 reads 1 channel of some height and width)" in text


@pytest.mark.parametrize("payload", [
    "__import__('os').system('touch {marker}')",
    "open('{marker}', 'w').write('ran')",
    "nn.Sequential(nn.Linear(4, 2), __import__('os').system('touch {marker}'))",
])
def test_a_snippet_is_never_run(tmp_path, payload):
    marker = tmp_path / "ran"
    text = "import torch.nn as nn\nmodel = " + payload.format(marker=marker) + "\n"
    with pytest.raises(ProblemError):
        parse_snippet(text, input_shape=(4,))
    assert not marker.exists()


def test_huge_arithmetic_is_refused_not_computed():
    text = "import torch.nn as nn\nn = 10 ** 20\nmodel = nn.Sequential(nn.Linear(4, 2))\n"
    assert "line 2: 10 ** 20 is far beyond any layer size" in message(text, input_shape=(4,))
    text = "import torch.nn as nn\nn = 100000000\nm = n * n * n\nmodel = nn.Sequential(nn.Linear(4, 2))\n"
    assert "far beyond" in message(text, input_shape=(4,))


@pytest.mark.parametrize("code", [
    "def test():\n    __import__('os').system('touch {marker}')\n    net = nn.Linear(4, 2)\n",
    "if __name__ == '__main__':\n    open('{marker}', 'w').write('ran')\n    model = nn.Linear(4, 2)\n",
])
def test_the_code_that_chooses_the_model_is_read_not_run(tmp_path, code):
    """An uncalled test() and the main block are read to choose the model; their side effects never run."""
    marker = tmp_path / "ran"
    text = "import torch.nn as nn\n" + code.format(marker=marker)
    try:
        parse_snippet(text, input_shape=(4,))
    except ProblemError:
        pass
    assert not marker.exists()
