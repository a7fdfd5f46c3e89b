"""Stacked, bidirectional and projected recurrent layers and the transformer encoder against float64
torch modules (parameters by sum(p.numel()), output shapes by a forward on zeros, MACs by hand here), and
Keras's Bidirectional by its documented rule (the wrapped layer twice; concat doubles the width)."""
import pytest
import torch
from torch import nn

from nnsolve.arch.analyze import analyze
from nnsolve.arch.ir import Architecture, Layer
from nnsolve.arch.layer_list import read_layers
from nnsolve.arch.rules import ArchitectureError
from nnsolve.arch.snippets import parse_snippet

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}
MODULES = {"lstm": nn.LSTM, "gru": nn.GRU, "simple_rnn": nn.RNN}


def one_layer(shape, kind, settings, framework="pytorch", layout="channels_first"):
    arch = Architecture("r", shape, layout, [Layer("r", kind, settings)], framework=framework)
    return analyze(arch).layers[0]


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple_rnn"])
@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_stacked_and_bidirectional_match_torch(kind, layers, bidirectional):
    steps, d, h = 7, 10, 6
    report = one_layer((steps, d), kind, {"units": h, "return_sequences": True, "num_layers": layers,
                                          "bidirectional": bidirectional, "batch_first": True})
    module = MODULES[kind](d, h, num_layers=layers, bidirectional=bidirectional, batch_first=True).double()
    assert report.params == sum(p.numel() for p in module.parameters())
    assert report.shape == tuple(module(torch.zeros(2, steps, d, dtype=torch.float64))[0].shape[1:])
    dirs, g = 2 if bidirectional else 1, GATES[kind]
    by_hand = sum(dirs * steps * g * h * ((d if k == 0 else dirs * h) + h) for k in range(layers))
    assert report.macs == by_hand


def test_lstm_projection_matches_torch():
    steps, d, h, p = 5, 8, 6, 3
    report = one_layer((steps, d), "lstm", {"units": h, "return_sequences": True, "num_layers": 2,
                                            "bidirectional": True, "proj_size": p})
    module = nn.LSTM(d, h, num_layers=2, bidirectional=True, proj_size=p, batch_first=True).double()
    assert report.params == sum(p_.numel() for p_ in module.parameters())
    assert report.shape == tuple(module(torch.zeros(1, steps, d, dtype=torch.float64))[0].shape[1:])
    # per direction: 4 blocks of h·(input + p) weights, then the p×h projection
    assert report.macs == steps * 2 * ((4 * h * (d + p) + p * h) + (4 * h * (2 * p + p) + p * h))


def test_the_last_step_of_a_bidirectional_stack_is_twice_as_wide():
    report = one_layer((7, 10), "gru", {"units": 6, "num_layers": 2, "bidirectional": True})
    out, _ = nn.GRU(10, 6, num_layers=2, bidirectional=True, batch_first=True)(torch.zeros(1, 7, 10))
    assert report.shape == tuple(out[:, -1, :].shape[1:])


@pytest.mark.parametrize("merge, width", [("concat", 2 * 5), ("sum", 5), ("ave", 5), ("mul", 5)])
def test_keras_bidirectional_merge_modes(merge, width):
    steps, d, u = 9, 4, 5
    report = one_layer((steps, d), "lstm", {"units": u, "bidirectional": True, "merge_mode": merge,
                                            "return_sequences": True}, framework="keras", layout="channels_last")
    # Keras: Bidirectional holds a forward and a backward copy of LSTM(u): 2·4·(u·(d + u) + u)
    assert report.params == 2 * 4 * (u * (d + u) + u)
    assert report.shape == (steps, width)


def test_keras_bidirectional_snippet():
    arch = parse_snippet("""
from tensorflow import keras
from tensorflow.keras import layers
lstm = layers.LSTM(16, return_sequences=True)
gru = layers.GRU(8)
model = keras.Sequential([
    keras.Input(shape=(20,)),
    layers.Embedding(1000, 32),
    layers.Bidirectional(lstm),
    layers.Bidirectional(gru, merge_mode="sum"),
    layers.Dense(1),
])
""")
    a = analyze(arch)
    lstm, gru = a.layers[2], a.layers[3]
    assert lstm.shape == (20, 32) and lstm.params == 2 * 4 * (16 * (32 + 16) + 16)
    # Keras GRU (reset_after): two bias vectors per block
    assert gru.shape == (8,) and gru.params == 2 * 3 * (8 * (32 + 8) + 2 * 8)


def test_pytorch_snippet_with_a_bidirectional_stack():
    arch = parse_snippet("""
import torch.nn as nn
class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(100, 12)
        self.lstm = nn.LSTM(12, 8, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(16, 5)
    def forward(self, x):
        out, _ = self.lstm(self.emb(x))
        return self.fc(out)
""", input_shape=(9,))
    model = nn.Sequential(nn.Embedding(100, 12))
    lstm, fc = nn.LSTM(12, 8, num_layers=2, bidirectional=True, batch_first=True), nn.Linear(16, 5)
    a = analyze(arch)
    assert a.totals["params"] == sum(p.numel() for m in (model, lstm, fc) for p in m.parameters())
    out, _ = lstm(model(torch.zeros(1, 9, dtype=torch.long)))
    assert a.layers[-1].shape == tuple(fc(out).shape[1:])


@pytest.mark.parametrize("settings, message, setting", [
    ({"units": 6, "proj_size": 6}, "smaller than the 6 units", "proj_size"),
    ({"units": 6, "merge_mode": "sum"}, "not bidirectional", "merge_mode"),
])
def test_recurrent_refusals(settings, message, setting):
    with pytest.raises(ArchitectureError, match=message) as e:
        one_layer((7, 10), "lstm", settings)
    assert e.value.setting == setting


def test_projection_is_an_lstm_setting():
    with pytest.raises(ArchitectureError, match="LSTM"):
        one_layer((7, 10), "gru", {"units": 6, "proj_size": 2})


@pytest.mark.parametrize("layers, final_norm", [(1, False), (3, False), (2, True)])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder_matches_torch(layers, final_norm, norm_first):
    steps, d, heads, f = 6, 16, 4, 40
    report = one_layer((steps, d), "transformer_encoder",
                       {"heads": heads, "dim_feedforward": f, "num_layers": layers, "final_norm": final_norm,
                        "norm_first": norm_first, "batch_first": True, "d_model": d})
    layer = nn.TransformerEncoderLayer(d, heads, f, batch_first=True, norm_first=norm_first)
    module = nn.TransformerEncoder(layer, layers, norm=nn.LayerNorm(d) if final_norm else None,
                                   enable_nested_tensor=False).double().eval()
    assert report.params == sum(p.numel() for p in module.parameters())
    assert report.shape == tuple(module(torch.zeros(1, steps, d, dtype=torch.float64)).shape[1:])
    # per layer: q, k, v and output projections 4·S·d², scores and weighted values 2·S²·d, feed-forward 2·S·d·f
    assert report.macs == layers * (4 * steps * d * d + 2 * steps * steps * d + 2 * steps * d * f)


def test_transformer_encoder_without_biases_matches_torch():
    report = one_layer((6, 16), "transformer_encoder", {"heads": 4, "dim_feedforward": 32, "bias": False})
    layer = nn.TransformerEncoderLayer(16, 4, 32, bias=False)
    assert report.params == sum(p.numel() for p in layer.parameters())


def test_transformer_encoder_snippet():
    arch = parse_snippet("""
import torch.nn as nn
class Encoder(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=d, nhead=4, dim_feedforward=64, batch_first=True)
        norm = nn.LayerNorm(d)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, norm=norm)
        self.head = nn.Linear(d, 3)
    def forward(self, x):
        return self.head(self.encoder(x))
""", input_shape=(10, 32))
    layer = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64, batch_first=True)
    model = nn.Sequential(nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(32),
                                                enable_nested_tensor=False), nn.Linear(32, 3))
    a = analyze(arch)
    assert a.totals["params"] == sum(p.numel() for p in model.parameters())
    assert a.layers[-1].shape == tuple(model(torch.zeros(1, 10, 32)).shape[1:])


def test_layer_list_spellings():
    data = {"input": {"shape": [7, 10]}, "framework": "pytorch", "layers": [
        {"kind": "lstm", "hidden_size": 6, "num_layers": 2, "bidirectional": True, "return_sequences": True},
        {"kind": "transformer_encoder", "nhead": 3, "dim_feedforward": 20, "d_model": 12}]}
    arch, issues = read_layers(data)
    assert issues == []
    lstm = nn.LSTM(10, 6, num_layers=2, bidirectional=True)
    encoder = nn.TransformerEncoderLayer(12, 3, 20)
    assert analyze(arch).totals["params"] == sum(p.numel() for m in (lstm, encoder) for p in m.parameters())
    _, issues = read_layers({**data, "layers": [{"kind": "lstm", "units": 4, "merge_mode": "max"}]})
    assert any(at == ("layers", 0, "merge_mode") and "concat, sum, ave or mul" in m for at, m in issues)


def test_the_family_counts_a_bidirectional_stack_under_both_conventions():
    import nnsolve
    from nnsolve.engine.number import to_float
    solution = nnsolve.solve({"problem": "architecture", "framework": "pytorch",
                              "input": {"shape": [7, 10], "layout": "channels_first"},
                              "layers": [{"kind": "gru", "name": "rec", "units": 6, "num_layers": 2,
                                          "bidirectional": True}],
                              "ask": ["rec.params_keras", "rec.params_pytorch", "rec.macs_per_step"]})
    value = lambda q: int(to_float(solution.value(q)))          # noqa: E731
    torch_count = sum(p.numel() for p in nn.GRU(10, 6, num_layers=2, bidirectional=True).parameters())
    assert value("rec.params_pytorch") == torch_count
    # Keras (reset_after): two bias vectors too; the second layer reads the 12 outputs of both directions
    assert value("rec.params_keras") == 2 * (3 * (6 * (10 + 6) + 2 * 6) + 3 * (6 * (12 + 6) + 2 * 6))
    assert value("rec.macs_per_step") == 2 * (3 * 6 * (10 + 6) + 3 * 6 * (12 + 6))


def test_the_documented_example_matches_torch():
    """docs/problem-format.md §10's stacked/bidirectional example: its answers against the torch modules."""
    import nnsolve
    from nnsolve.engine.number import to_float
    from tests.problems.test_format_doc import problems
    solution = nnsolve.solve(problems()[
        "A bidirectional LSTM, a transformer encoder and a pooled head, counted as PyTorch does (yaml)"])
    lstm = nn.LSTM(16, 8, 2, bidirectional=True, batch_first=True)
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2,
                                enable_nested_tensor=False)
    pool, fc = nn.AdaptiveAvgPool1d(6), nn.Linear(96, 3)
    x, _ = lstm(torch.zeros(1, 20, 16))
    swapped = enc(x).transpose(1, 2)
    count = lambda m: sum(p.numel() for p in m.parameters())          # noqa: E731
    value = lambda q: int(to_float(solution.value(q)))                 # noqa: E731
    shape = lambda q: [int(to_float(v)) for v in solution.value(q).ravel()]   # noqa: E731
    assert value("lstm.params") == count(lstm) and shape("lstm.output_shape") == list(x.shape[1:])
    assert value("enc.params") == count(enc) and value("enc.macs") == 2 * (4 * 20 * 16 ** 2 + 2 * 20 ** 2 * 16
                                                                           + 2 * 20 * 16 * 32)
    assert shape("swap.output_shape") == list(swapped.shape[1:])
    assert shape("pool.output_shape") == list(pool(swapped).shape[1:])
    assert value("fc.params") == count(fc)
    assert value("total.params") == count(lstm) + count(enc) + count(fc)


def test_rnn_positional_arguments_follow_torch():
    # nn.RNN(input_size, hidden_size, num_layers, nonlinearity, bias): the fifth is the bias
    arch = parse_snippet("import torch.nn as nn\nmodel = nn.Sequential(nn.RNN(10, 6, 2, 'relu', False))\n",
                         input_shape=(7, 10))
    module = nn.RNN(10, 6, 2, 'relu', False)
    assert analyze(arch).totals["params"] == sum(p.numel() for p in module.parameters())
