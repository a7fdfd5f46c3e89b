"""`nnsolve summary model.py --model SPEC`: the SPEC is read by its syntax only (never evaluated), refused
with a located message when it is not a class or a call of one, refused for a source that is not a
snippet, and handed to the snippet reader as written."""
from __future__ import annotations

import pytest

from nnsolve.arch import snippets
from nnsolve.arch.summary import model_spec
from nnsolve.problems.errors import ProblemError
from tests.cli_runner import invoke

SNIPPET = ("import torch.nn as nn\n\n"
           "class Net(nn.Module):\n"
           "    def __init__(self, width=4):\n"
           "        super().__init__()\n"
           "        self.fc = nn.Linear(8, width)\n\n"
           "    def forward(self, x):\n"
           "        return self.fc(x)\n")


@pytest.mark.parametrize("spec", ["Net", "  Net ", "ResNet(BasicBlock, [2, 2, 2, 2])", "models.ResNet",
                                  "Net(width=2 * 64, drop=0.5, name='a', sizes=(3, -1), extra={'k': None})",
                                  "Net(nn.ReLU())", "Net(2 ** 3 // 2)"])
def test_specs_read(spec):
    assert model_spec(spec) == spec.strip()


@pytest.mark.parametrize("spec, words", [
    ("", "it is empty"),
    ("Net(", "(column"),
    ("Net; import os", "(column"),
    ("3", "'3' is neither a class name nor a call"),
    ("Net(*sizes)", "star-arguments are not read (column 5)"),
    ("Net(**kw)", "keyword unpacking (**) is not read (column 7)"),
    ("Net(lambda: 1)", "is not an argument a model is built from"),
    ("Net([i for i in range(9)])", "call of one) (column 5)"),
    ("Net(x[0])", "'x[0]' is not an argument"),
    ("__import__('os').system('ls')", "is not a class name (column 1)"),
    ("Net(__import__('os'))", "'__import__' is not a class name (column 5)"),
    ("Net(__builtins__)", "the name __builtins__ is not a class of the file (column 5)"),
    ("Net(os.__dict__)", "is not an argument a model is built from"),
    ("Net.__class__", "neither a class name nor a call"),
    ("Net(" + "1, " * 400 + "1)", "characters long, at most 1,000"),
])
def test_malformed_specs_are_refused_at_the_option(spec, words):
    with pytest.raises(ProblemError) as raised:
        model_spec(spec)
    (issue,) = raised.value.issues
    assert issue.path == "--model" and words in issue.message, issue.message
    assert "expected a class of the file or a call of one" in issue.message


def test_the_command_line_refuses_a_bad_spec_before_reading(tmp_path):
    run = invoke("summary", tmp_path / "absent.py", "--model", "Net(*a)")
    assert run.exit_code == 2 and "--model: expected a class" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("source", ["resnet18", "tests/arch/one_conv.yaml"])
def test_model_is_refused_where_the_source_is_one_architecture(source):
    run = invoke("summary", source, "--model", "Net")
    assert run.exit_code == 2 and "--model: chooses the model of a Keras/PyTorch snippet (.py)" in run.stderr


def test_the_spec_reaches_the_snippet_reader(tmp_path, monkeypatch):
    path = tmp_path / "net.py"
    path.write_text(SNIPPET)
    seen = {}
    real = snippets.load_snippet

    def spy(file, input_shape=None, model=None, given=None):
        seen["model"] = model
        return real(file, input_shape)
    monkeypatch.setattr(snippets, "load_snippet", spy)
    run = invoke("summary", path, "--input-shape", "8", "--model", " ResNet(BasicBlock, [2, 2, 2, 2]) ")
    assert seen["model"] == "ResNet(BasicBlock, [2, 2, 2, 2])"
    assert run.exit_code == 0 and f"{8 * 4 + 4:,}" in run.stdout
    seen.clear()
    invoke("summary", path, "--input-shape", "8")
    assert seen["model"] is None


def test_without_model_the_summary_is_unchanged(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(SNIPPET)
    run = invoke("summary", path, "--input-shape", "8")
    assert run.exit_code == 0 and "fc" in run.stdout and f"Total params: {8 * 4 + 4:,}" in run.stdout
