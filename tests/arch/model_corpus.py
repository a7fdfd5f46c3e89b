"""What the two corpora of model files share (tests/arch/test_real_models.py: published files kept out of
commits; tests/arch/test_model_files.py: our own committed files): a manifest's expected numbers (plain
integer arithmetic), an entry's status, what `nnsolve summary` reads from a file, the PyTorch oracle
(real_models/model_oracle.py), the check that a refusal is located, and the PyTorch building blocks in which
the tests write a Keras file's layers again (torch_twin_blocks)."""
from __future__ import annotations

import ast
import operator
from pathlib import Path

import pytest

ORACLE = Path(__file__).parent / "real_models" / "model_oracle.py"

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
             ast.Pow: operator.pow}


def arithmetic(text) -> int:
    """An integer expression of the manifest (`3*3*1*32 + 32`): numbers, + − · // ** and brackets only."""
    if isinstance(text, int):
        return text

    def value(node):
        if isinstance(node, ast.Expression):
            return value(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](value(node.left), value(node.right))
        raise ValueError(f"not plain integer arithmetic: {ast.dump(node)}")
    return value(ast.parse(str(text), mode="eval"))


def expected(entry: dict) -> dict:
    e = entry["expected"]
    return {"params": arithmetic(e["params"]), "macs": arithmetic(e["macs"]), "output_shape": list(e["output_shape"])}


def status(entry: dict) -> str:
    return str(entry.get("status", "pending")).split(":")[0].strip()


def flags(entry: dict) -> list[str]:
    """The flags a file needs beyond its path and, for PyTorch, the input shape a PyTorch file needs when
    it has no example call of its own (a module does not state its input): the issue's 'one flag' — a model
    choice, a Keras input size the file leaves open, or a --set for a size the file computes from its data."""
    out = []
    if "model" in entry:
        out.append(f"--model {entry['model']!r}")
    if entry["framework"] == "keras" and entry.get("input_shape_flag"):
        out.append("--input-shape " + "x".join(str(v) for v in entry["input_shape"]))
    out.extend(f"--set {name}={value!r}" for name, value in entry.get("set", {}).items())
    return out


def nnsolve_read(path: Path, entry: dict) -> dict:
    """What `nnsolve summary` reads from the file with the entry's flags: totals and the output shape;
    ProblemError if refused. A PyTorch file is read first without an input shape (its own example call may
    give it) and, if it says it needs one, with the entry's."""
    from nnsolve.arch.summary import analysis_of
    from nnsolve.problems.errors import ProblemError

    kwargs = {}
    if entry.get("input_shape_flag"):
        kwargs["input_shape"] = tuple(entry["input_shape"])
    if "model" in entry:
        kwargs["model"] = entry["model"]
    if "set" in entry:
        kwargs["given"] = dict(entry["set"])
    try:
        analysis = analysis_of(str(path), **kwargs)
    except ProblemError as e:
        if entry["framework"] != "pytorch" or "does not state its input shape" not in str(e):
            raise
        analysis = analysis_of(str(path), **{**kwargs, "input_shape": tuple(entry["input_shape"])})
    totals = analysis.totals
    return {"params": totals["params"], "macs": totals["macs"], "output_shape": list(analysis.layers[-1].shape)}


def assert_located(name: str, error) -> None:
    """A refusal names its place: a line of the file, or the flag it needs."""
    for issue in error.issues:
        assert issue.line is not None or issue.path, f"{name}: refused without a place: {issue}"


def oracle():
    """real_models/model_oracle.py, loaded by its path (tests/ops has a torch_reference module of its own)."""
    pytest.importorskip("torch", reason="the PyTorch oracle builds the models with torch, which is not installed")
    import importlib.util
    import sys

    name = "nnsolve_tests_real_model_oracle"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ORACLE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def torch_twin_blocks():
    """What a Keras model written again in PyTorch needs beyond torch.nn: a chain of modules and plain
    functions (a transpose to channels last), a recurrent layer's whole sequence (`seq`) or last step
    (`last`), a batch-first LSTM, `repeat(n)` (RepeatVector) and a residual sum (`Residual(body, shortcut)`)."""
    import types

    from torch import nn

    class Chain(nn.Module):
        def __init__(self, *steps):
            super().__init__()
            self.steps = steps
            self.layers = nn.ModuleList(s for s in steps if isinstance(s, nn.Module))

        def forward(self, x):
            for step in self.steps:
                x = step(x)
            return x

    class Outputs(nn.Module):              # a recurrent layer's sequence, or its last step
        def __init__(self, rnn, last):
            super().__init__()
            self.lstm, self.last = rnn, last

        def forward(self, x):
            out = self.lstm(x)[0]
            return out[:, -1] if self.last else out

    class Residual(nn.Module):
        def __init__(self, body, shortcut):
            super().__init__()
            self.body, self.shortcut = body, shortcut

        def forward(self, x):
            return self.body(x) + self.shortcut(x)

    def repeat(n):
        return lambda x: x.unsqueeze(1).repeat(1, n, 1)

    return types.SimpleNamespace(
        Chain=Chain, Residual=Residual, repeat=repeat,
        seq=lambda rnn: Outputs(rnn, False), last=lambda rnn: Outputs(rnn, True),
        channels_last=lambda x: x.transpose(1, 2),
        lstm=lambda i, h, bidirectional=False: nn.LSTM(i, h, batch_first=True, bidirectional=bidirectional))
