"""`nnsolve summary model.py --trace`: the model built by PyTorch on the meta device, read through forward
hooks into nnsolve's layer list. Expected values come from torch itself: the parameter count of the model
built on the CPU and the output shape of a real forward pass. Without torch, --trace is refused; and no
summary without --trace ever imports torch."""
from __future__ import annotations

import builtins
import re
import subprocess
import sys

import pytest

from nnsolve.arch.summary import analysis_of, summary
from nnsolve.problems.errors import ProblemError
from tests.cli_runner import invoke

RESIDUAL = '''# input: 3x32x32
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class Net(nn.Module):
    def __init__(self, blocks, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.layers = nn.Sequential(*[Block(16 if i == 0 else 32, 32, 2 if i == 0 else 1) for i in range(blocks)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.layers(F.relu(self.stem(x)))
        return self.fc(torch.flatten(self.pool(x), 1))


if __name__ == "__main__":
    raise SystemExit("never run when traced")
'''


@pytest.fixture
def residual(tmp_path):
    path = tmp_path / "residual.py"
    path.write_text(RESIDUAL)
    return path


def test_trace_matches_torch(residual):
    torch = pytest.importorskip("torch")
    scope: dict = {"__name__": "reference"}
    exec(compile(RESIDUAL, "residual.py", "exec"), scope)
    model = scope["Net"](3, num_classes=7)
    params = sum(p.numel() for p in model.parameters())
    with torch.no_grad():
        out = model(torch.zeros(1, 3, 32, 32))
    a = analysis_of(str(residual), model="Net(3, num_classes=7)", trace=True)
    assert a.totals["params"] == params and a.totals["non_trainable"] == 0
    assert a.layers[-1].shape == tuple(out.shape[1:])
    assert a.architecture.name == "Net" and a.architecture.framework == "pytorch"
    names = [r.name for r in a.layers]
    assert "layers.0.shortcut.0" in names and "layers.1.conv2" in names    # torch's module names
    conv = a.report("layers.0.conv1")
    assert conv.layer.written == "Conv2d" and conv.shape == (32, 16, 16)
    assert conv.macs == 3 * 3 * 16 * 32 * 16 * 16                          # by hand: k²·C_in per output


def test_trace_on_the_command_line_says_it_runs_the_file(residual):
    pytest.importorskip("torch")
    run = invoke("summary", residual, "--trace", "--model", "Net(2)", "--style", "torchinfo")
    assert run.exit_code == 0, run.stderr
    assert f"--trace runs {residual} with PyTorch" in run.stderr and "executed" in run.stderr
    rows = [re.split(r"\s{2,}", line) for line in run.stdout.splitlines() if line.startswith("├─")]
    # torch.flatten is no module: its reshape is a layer of the trace, between the pool and fc
    assert rows[-2:] == [["├─view (view): 1-4", "[1, 32]", "--"],
                         ["├─Linear (fc): 1-5", "[1, 10]", f"{32 * 10 + 10:,}"]]
    assert "RUNS the file" in invoke("summary", "--help").stdout


def test_trace_refuses_what_it_cannot_follow(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "lstm.py"
    path.write_text("import torch.nn as nn\n\nclass M(nn.Module):\n    def __init__(self):\n"
                    "        super().__init__()\n        self.rnn = nn.LSTM(4, 8)\n\n"
                    "    def forward(self, x):\n        return self.rnn(x)[0]\n")
    with pytest.raises(ProblemError, match=r"--trace: cannot follow the module rnn \(LSTM\)"):
        analysis_of(str(path), input_shape=(5, 4), trace=True)
    with pytest.raises(ProblemError, match="M2\\(\\) cannot be built with its defaults"):
        path.write_text("import torch.nn as nn\n\nclass M2(nn.Module):\n    def __init__(self, n):\n"
                        "        super().__init__()\n        self.fc = nn.Linear(n, 2)\n")
        analysis_of(str(path), input_shape=(4,), trace=True)
    path.write_text("import torch.nn as nn\nraise ValueError('no data here')\n")
    with pytest.raises(ProblemError, match="running the file failed: ValueError: no data here"):
        analysis_of(str(path), input_shape=(4,), trace=True)


def test_trace_is_only_for_python_files():
    run = invoke("summary", "resnet18", "--trace")
    assert run.exit_code == 2 and "--trace: builds the model of a PyTorch file (.py)" in run.stderr


def test_without_torch_trace_is_refused(residual, monkeypatch):
    real = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(name)
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_torch)
    run = invoke("summary", residual, "--trace", "--model", "Net(2)")
    assert run.exit_code == 2 and "--trace: needs PyTorch (pip install torch)" in run.stderr


def test_summary_without_trace_never_imports_torch(residual, tmp_path):
    snippet = tmp_path / "seq.py"
    snippet.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\n")
    code = ("import sys\nfrom nnsolve.cli import app\n"
            "for args in ([sys.argv[1], '--input-shape', '4', '--style', 'torchinfo'], ['resnet18', '--style', "
            "'keras'], [sys.argv[1], '--input-shape', '4', '--model', 'Net(2)']):\n"
            "    try:\n        app(args=['summary', *args], standalone_mode=False)\n"
            "    except BaseException:\n        pass\n"
            "print('TORCH' if any(m == 'torch' or m.startswith('torch.') for m in sys.modules) else 'NO TORCH')\n")
    done = subprocess.run([sys.executable, "-c", code, str(snippet)], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "NO TORCH", done.stderr


def test_summary_text_of_a_traced_model(residual):
    pytest.importorskip("torch")
    text = summary(str(residual), model="Net(1)", trace=True)
    assert text.startswith("Net: input (3, 32, 32) (channels-first)")


PLAIN = '''import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, (3, 5), stride=(1, 2)), nn.ReLU6(), nn.AvgPool2d(3, stride=2, ceil_mode=True),
    nn.Dropout(0.2), nn.Flatten(), nn.Linear(16 * 6 * 2, 50), nn.LayerNorm(50), nn.GELU(),
    nn.Linear(50, 10, bias=False),
)
'''


def test_trace_of_a_plain_network_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "plain.py"
    path.write_text(PLAIN)
    scope: dict = {}
    exec(compile(PLAIN, "plain.py", "exec"), scope)
    model = scope["model"]
    shapes = []
    hooks = [m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:]))) for m in model]
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    a = analysis_of(str(path), input_shape=(1, 28, 28), trace=True)
    assert [r.shape for r in a.layers] == shapes
    assert a.totals["params"] == sum(p.numel() for p in model.parameters())
    assert [r.layer.written for r in a.layers] == [type(m).__name__ for m in model]
