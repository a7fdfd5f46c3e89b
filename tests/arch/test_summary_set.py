"""`nnsolve summary model.py --set NAME=VALUE`: a value for a name the file's top level sets from what is
known only when run (its data, a command-line option). Expected counts by hand: Linear(n, m) holds
n·m + m parameters; Keras Dense(u) on d inputs (d + 1)·u."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.arch.summary import given_values
from nnsolve.cli import app
from nnsolve.problems.errors import ProblemError

TORCH = """import sys
import torch.nn as nn

words = open(sys.argv[1]).read().split()
vocab_size = len(set(words))
if sys.argv[2] == 'small':
    hidden = 8
else:
    hidden = 32

model = nn.Sequential(nn.Embedding(vocab_size, hidden), nn.Flatten(), nn.Linear(4 * hidden, 2))
"""

KERAS = """import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

y_train = np.load('labels.npy')
num_classes = len(np.unique(y_train))
model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(num_classes, activation='softmax')])
print(model.summary())
"""


def test_a_size_from_the_data_is_refused_with_the_flag_that_gives_it():
    with pytest.raises(ProblemError) as e:
        parse_snippet(TORCH, input_shape=(4,))
    assert "line 11: Embedding argument 'num_embeddings': vocab_size is not known without running the code " \
           "(len(set(words)) (line 5); give it with --set vocab_size=…)" in str(e.value)


def test_given_values_replace_what_the_file_computes_and_are_noted():
    arch = parse_snippet(TORCH, input_shape=(4,), given={"vocab_size": 50, "hidden": 8})
    assert analyze(arch).totals["params"] == 50 * 8 + (4 * 8) * 2 + 2
    assert "line 5: vocab_size = 50, given with --set (the file sets it from len(set(words)))" in arch.assumed
    assert any(n.startswith("line 6: hidden = 8, given with --set (the file sets it under `if sys.argv[2]")
               for n in arch.assumed), arch.assumed


def test_keras_takes_given_values_too():
    arch = parse_snippet(KERAS, given={"num_classes": 4})
    assert analyze(arch).totals["params"] == (6 + 1) * 4
    assert "line 6: num_classes = 4, given with --set (the file sets it from len(np.unique(y_train)))" in arch.assumed


def test_the_command_line(tmp_path):
    path = tmp_path / "lm.py"
    path.write_text(TORCH)
    run = CliRunner().invoke(app, ["summary", str(path), "--input-shape", "4", "--set", "vocab_size=50",
                                   "--set", "hidden=8"])
    assert run.exit_code == 0, run.output
    assert "Total params: 466" in run.output
    run = CliRunner().invoke(app, ["summary", str(path), "--input-shape", "4", "--set", "vocab=50"])
    assert run.exit_code == 2
    assert "--set: the file's top level sets no name 'vocab'" in run.output


@pytest.mark.parametrize("text, message", [
    ("vocab_size", "expected NAME=VALUE with NAME a Python name"),
    ("class=3", "expected NAME=VALUE with NAME a Python name"),
    ("n=__import__('os')", "n: expected a literal value"),
    ("n=lambda: 1", "n: expected a literal value"),
    ("n={1: 2}", "n: a dict is no value a model file sets its sizes from"),
    ("n=" + "9" * 400, "n: a number far beyond any model's size"),
    ("n=1e999", "n: a number far beyond any model's size"),
    ("n={1}", "n: a set is no value a model file sets its sizes from"),
])
def test_values_are_literals_only(text, message):
    with pytest.raises(ProblemError) as e:
        given_values([text])
    assert message in str(e.value)


def test_a_name_given_twice_is_refused():
    with pytest.raises(ProblemError) as e:
        given_values(["n=1", "n=2"])
    assert "n is given twice" in str(e.value)


def test_set_is_for_snippets_and_not_with_trace(tmp_path):
    run = CliRunner().invoke(app, ["summary", "resnet18", "--set", "n=1"])
    assert run.exit_code == 2 and "--set: gives values to names a Keras/PyTorch snippet (.py) sets" in run.output


def test_values_are_read_as_typed_as_the_snippets_own_numbers_are():
    """0.1 is 1/10 (not the binary float), as everywhere in nnsolve; lists and signs as written."""
    from fractions import Fraction
    assert given_values(["rate=0.1", "sizes=[2, -2.5]", "name='x'"]) == \
        {"rate": Fraction(1, 10), "sizes": [2, Fraction(-5, 2)], "name": "x"}
