"""Choosing the model of a PyTorch snippet: `parse_snippet(text, model=SPEC)` (the CLI's --model), a class
name built with its defaults or an expression over the snippet's names. Expected counts by hand:
Linear(n, m) holds n·m + m parameters."""
import pytest

from nnsolve.arch.analyze import analyze
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
