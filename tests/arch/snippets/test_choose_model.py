"""Choosing the model of a PyTorch snippet: `parse_snippet(text, model=SPEC)` (the CLI's --model), a class
name built with its defaults or an expression over the snippet's names. Expected counts by hand:
Linear(n, m) holds n·m + m parameters."""
import pytest

from nnsolve.arch.analyze import analyze
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet
from nnsolve.problems.errors import ProblemError

NET = """import torch.nn as nn
class Net(nn.Module):
    def __init__(self, n=4, m=3):
        super().__init__()
        self.fc = nn.Linear(n, m)
    def forward(self, x):
        return self.fc(x)
"""


def params(text, shape, **kw):
    return analyze(parse_snippet(text, input_shape=shape, **kw)).totals["params"]


def test_a_class_name_is_built_with_its_defaults():
    assert params(NET, (4,), model="Net") == 4 * 3 + 3


def test_an_expression_gives_the_arguments():
    assert params(NET, (5,), model="Net(5, m=2)") == 5 * 2 + 2


def test_a_model_that_is_not_python_is_refused():
    with pytest.raises(ProblemError) as e:
        parse_snippet(NET, input_shape=(4,), model="Net(")
    assert "--model: the model 'Net(' is not a Python expression" in str(e.value)


def test_a_class_with_required_arguments_and_no_model_says_how_to_choose():
    text = NET.replace("n=4, m=3", "n, m")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(4,))
    assert "line 2: Net needs the argument 'n': the file builds no model, so choose it with its arguments " \
           "(--model 'Net(…)')" in str(e.value)
    from nnsolve.arch.snippets import choose_model
    assert analyze(choose_model(text, "Net(4, 6)", input_shape=(4,))).totals["params"] == 4 * 6 + 6


def test_the_last_model_built_is_the_model_and_a_part_of_it_is_not():
    text = NET + "head = nn.Linear(3, 2)\nmodel = Net()\nlast = model.fc\n"
    assert params(text, (4,)) == 4 * 3 + 3


BLOCKS = """import torch
import torch.nn as nn


class Unit(nn.Module):
    def __init__(self, width):
        super(Unit, self).__init__()
        self.fc = nn.Linear(width, width)

    def forward(self, x):
        return x + self.fc(x)


class Stack(nn.Module):
    def __init__(self, unit, depth, width=6):
        super(Stack, self).__init__()
        self.units = nn.Sequential(*[unit(width) for _ in range(depth)])
        self.head = nn.Linear(width, 2)

    def forward(self, x):
        return self.head(self.units(x))


def StackOfTwo():
    return Stack(Unit, 2)


def StackOfFive():
    return Stack(Unit, 5)


def check():
    net = StackOfTwo()
    sample = torch.randn(1, 6)
    print(net(sample).shape)
"""


def test_the_model_the_files_own_test_builds_with_its_example_input():
    """kuangliu-style files: classes, factories and an uncalled test(): its model and its input are the
    author's choice, taken with notes (no --model, no --input-shape)."""
    arch = parse_snippet(BLOCKS)
    assert arch.input_shape == (6,)
    assert analyze(arch).totals["params"] == 2 * (6 * 6 + 6) + 6 * 2 + 2
    assert "line 33: the model is StackOfTwo(), as check() builds it (the file builds none at its top level; " \
           "another one: --model)" in arch.assumed
    assert "line 35: the input is 6, the file's own example net(sample) without its batch axis (another one: " \
           "--input-shape)" in arch.assumed


def test_a_given_input_shape_and_model_win_over_the_files_example():
    assert params(BLOCKS, (6,), model="StackOfFive()") == 5 * (6 * 6 + 6) + 6 * 2 + 2
    with pytest.raises(ArchitectureError) as e:           # the given shape is read, not the file's example
        analyze(parse_snippet(BLOCKS, input_shape=(7,)))
    assert "Linear declares 6 inputs, 7 arrive" in str(e.value)


def test_a_model_built_from_a_functions_own_values_is_passed_over():
    """`Net(args.width)` inside main(): the width is main's, not known at the top level — no guess; the
    one module class is then built with its defaults, or the refusal says how to choose."""
    text = NET.replace("n=4, m=3", "n, m") + """

def main(args):
    model = Net(args.width, 3).to('cpu')
    return model
"""
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(4,))
    assert "Net needs the argument 'n': the file builds no model, so choose it with its arguments " \
           "(--model 'Net(…)')" in str(e.value)


def test_the_main_block_builds_the_model():
    text = NET + """
if __name__ == '__main__':
    model = Net(8, 2).cuda()
    print(model)
"""
    arch = parse_snippet(text, input_shape=(8,))
    assert analyze(arch).totals["params"] == 8 * 2 + 2
    assert "line 10: the model is Net(8, 2), as the file's main block builds it (the file builds none at its " \
           "top level; another one: --model)" in arch.assumed


def test_the_one_class_no_other_class_uses_is_the_model_even_if_it_names_itself():
    """`super(Outer, self)` inside Outer is no use by another class."""
    text = BLOCKS[:BLOCKS.index("def StackOfTwo")].replace("unit, depth, width=6", "unit=Unit, depth=3, width=6")
    arch = parse_snippet(text, input_shape=(6,))
    assert analyze(arch).totals["params"] == 3 * (6 * 6 + 6) + 6 * 2 + 2
    assert any("the model is Stack() with its defaults, the one module class no other class uses" in n
               for n in arch.assumed), arch.assumed


CONFIGURED = """import torch.nn as nn
from dataclasses import dataclass


@dataclass
class TinyConfig:
    width: int = 6
    depth: int = 2


class Tiny(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.blocks = nn.Sequential(*[nn.Linear(config.width, config.width) for _ in range(config.depth)])

    def forward(self, x):
        return self.blocks(x)
"""


def test_a_model_that_needs_a_config_is_built_from_the_files_one_configuration():
    arch = parse_snippet(CONFIGURED, input_shape=(6,))
    assert analyze(arch).totals["params"] == 2 * (6 * 6 + 6)
    assert any("the model is Tiny(TinyConfig()): Tiny needs a config" in n for n in arch.assumed), arch.assumed


def test_a_configuration_without_defaults_is_the_users_to_give():
    text = CONFIGURED.replace("depth: int = 2", "depth: int")
    with pytest.raises(ProblemError) as e:
        parse_snippet(text, input_shape=(6,))
    assert "Tiny needs the argument 'config': the file builds no model, so choose it with its arguments" \
           in str(e.value)
