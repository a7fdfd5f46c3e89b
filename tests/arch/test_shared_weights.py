"""Weights used more than once: a module called twice, a recurrent cell called once per time step by the
model's own loop, a Keras layer applied to two inputs, a layer list's `shares`. Each call's work counts;
the weights count once — as PyTorch's model.parameters() and Keras' count_params() have them."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

import nnsolve
from nnsolve.arch.analyze import analyze
from nnsolve.arch.snippets import parse_snippet
from nnsolve.cli import app

HEADER = "import torch\nimport torch.nn as nn\n"

CELL_LOOP = HEADER + """
class Forecaster(nn.Module):
    def __init__(self, width=7):
        super().__init__()
        self.first = nn.CELL(2, width)
        self.second = nn.CELL(width, width)
        self.read_out = nn.Linear(width, 2)

    def forward(self, series, ahead=0):
        h = torch.zeros(series.size(0), 7)
        c = torch.zeros(series.size(0), 7)
        h2 = torch.zeros(series.size(0), 7)
        c2 = torch.zeros(series.size(0), 7)
        steps = []
        for x_t in series.chunk(6, dim=1):
            STEP
            steps.append(self.read_out(h2))
        return torch.cat(steps, dim=1)


model = Forecaster()
"""
STEPS = {"LSTMCell": "h, c = self.first(x_t, (h, c))\n            h2, c2 = self.second(h, (h2, c2))",
         "GRUCell": "h = self.first(x_t, h)\n            h2 = self.second(h, h2)",
         "RNNCell": "h = self.first(x_t, h)\n            h2 = self.second(h, h2)"}
GATES = {"LSTMCell": 4, "GRUCell": 3, "RNNCell": 1}


@pytest.mark.parametrize("cell", sorted(STEPS))
def test_a_cell_called_every_step_counts_its_weights_once_and_its_work_every_step(cell):
    torch = pytest.importorskip("torch")
    from arch.snippets.torch_built import built
    text = CELL_LOOP.replace("CELL", cell).replace("STEP", STEPS[cell])
    model = built(text).eval()
    with torch.no_grad():
        out = model(torch.zeros(1, 12))
    analysis = analyze(parse_snippet(text, input_shape=(12,)))
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    assert analysis.layers[-1].shape == tuple(out.shape[1:]) == (12,)
    g = GATES[cell]
    per_step = g * 7 * (2 + 7) + g * 7 * (7 + 7) + 7 * 2          # two cells and the read-out, one step
    assert analysis.totals["macs"] == 6 * per_step
    second_call = [r for r in analysis.layers if r.name == "first_1"][0]
    assert second_call.params == 0 and second_call.macs == g * 7 * (2 + 7)


def test_a_module_called_on_two_inputs_shares_its_weights():
    pytest.importorskip("torch")
    from arch.snippets.torch_built import built
    text = HEADER + """
class Twins(nn.Module):
    def __init__(self):
        super().__init__()
        self.encode = nn.Linear(5, 3)
        self.compare = nn.Linear(6, 1)

    def forward(self, pair):
        left, right = pair.split(5, dim=1)
        return self.compare(torch.cat([self.encode(left), self.encode(right)], dim=1))


model = Twins()
"""
    model = built(text)
    analysis = analyze(parse_snippet(text, input_shape=(10,)))
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters()) == 5 * 3 + 3 + 6 + 1
    assert analysis.totals["macs"] == 2 * 5 * 3 + 6


def test_a_stacked_recurrent_layer_called_twice_counts_its_weights_once():
    pytest.importorskip("torch")
    from arch.snippets.torch_built import built
    text = HEADER + """
class Twice(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(4, 4, num_layers=2, batch_first=True)

    def forward(self, x):
        x, _ = self.rnn(x)
        x, _ = self.rnn(x)
        return x


model = Twice()
"""
    model = built(text)
    analysis = analyze(parse_snippet(text, input_shape=(3, 4)))
    assert analysis.totals["params"] == sum(p.numel() for p in model.parameters())
    assert analysis.totals["macs"] == 2 * 3 * 2 * 3 * 4 * (4 + 4)     # two calls, 3 steps, 2 layers, 3 gates


def test_a_keras_layer_applied_to_two_inputs_counts_once():
    text = """from tensorflow import keras
from tensorflow.keras import layers
a = keras.Input(shape=(6,))
b = keras.Input(shape=(6,))
embed = layers.Dense(4)
out = layers.Dense(1)(layers.concatenate([embed(a), embed(b)]))
model = keras.Model([a, b], out)
"""
    analysis = analyze(parse_snippet(text))
    assert analysis.totals["params"] == (6 + 1) * 4 + (8 + 1) * 1        # Keras: the shared Dense once
    assert analysis.totals["macs"] == 2 * 6 * 4 + 8


def test_a_layer_list_says_which_layer_shares_weights(tmp_path):
    path = tmp_path / "tied.yaml"
    path.write_text("problem: architecture\ninput: {shape: [8]}\nlayers:\n"
                    "  - {name: enc, kind: dense, units: 8}\n"
                    "  - {name: again, kind: dense, units: 8, shares: enc}\n")
    solution = nnsolve.solve(str(path))
    assert int(solution.value("enc.params")[()]) == 8 * 8 + 8
    assert int(solution.value("again.params")[()]) == 0
    assert int(solution.value("again.macs")[()]) == 64
    path.write_text(path.read_text().replace("shares: enc", "shares: encoder"))
    result = CliRunner().invoke(app, ["summary", str(path)])
    assert result.exit_code == 2
    assert "shares the weights of 'encoder', which is not a layer before it" in result.output
