"""`nnsolve summary` on the committed corpus of model files (issue 12): our own files under model_files/,
written in the habits of published model code, listed in model_files/manifest.yaml in the format of the
published corpus (tests/arch/test_real_models.py), with the helpers both share (arch/model_corpus.py).

1. PyTorch files: the manifest's parameters, output shape and MACs are those of the model PyTorch builds
   by running the file (our own code, so the oracle may run it: model_oracle.run_whole_file).
2. Keras files: the manifest's numbers are arithmetic written out from Keras' documented rules; the same
   layers built in PyTorch (test_keras_arithmetic_agrees_with_the_same_layers_in_pytorch) check it.
3. nnsolve reads each file to exactly those numbers. A file the reader cannot read yet is
   `pending: <the located message>`: it must be refused with a located message — never a wrong number.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from nnsolve.problems.errors import ProblemError

from arch.model_corpus import assert_located, expected, nnsolve_read, oracle, status, torch_twin_blocks

HERE = Path(__file__).parent / "model_files"
FILES: dict = yaml.safe_load((HERE / "manifest.yaml").read_text())["files"]
PYTORCH = sorted(n for n, e in FILES.items() if e["framework"] == "pytorch")
KERAS = sorted(n for n, e in FILES.items() if e["framework"] == "keras")


def test_manifest_lists_every_file_once():
    on_disk = {p.name for p in HERE.glob("*.py")}
    assert on_disk == set(FILES)
    assert 25 <= len(PYTORCH) <= 30 and 10 <= len(KERAS) <= 15
    for name, entry in FILES.items():
        first = (HERE / name).read_text().splitlines()[0]
        assert first.startswith("# nnsolve corpus: "), f"{name}: its first line says what it exercises"
        assert not {"source", "licence", "git_blob"} & set(entry), f"{name} is our own file"
        assert status(entry) in ("supported", "pending"), name
        assert str(entry["status"]).startswith("supported") or ": " in entry["status"], f"{name}: pending: <message>"
        expected(entry)                                    # every formula is plain arithmetic


@functools.lru_cache(maxsize=None)
def _pytorch_measures(name: str) -> dict:
    """The file's model as PyTorch builds it, measured once per test session."""
    return oracle().measure(HERE / name, FILES[name], whole_file=True)


@pytest.mark.parametrize("name", PYTORCH)
def test_expected_numbers_are_pytorchs(name):
    assert _pytorch_measures(name) == expected(FILES[name])


def _marks(name: str):
    defect = FILES[name].get("defect")
    return [pytest.mark.xfail(strict=True, reason=defect)] if defect else []


@pytest.mark.parametrize("name", [pytest.param(n, marks=_marks(n)) for n in sorted(FILES)])
def test_nnsolve_reads_the_file(name):
    entry = FILES[name]
    try:
        got = nnsolve_read(HERE / name, entry)
    except ProblemError as e:
        assert status(entry) != "supported", f"{name} is marked supported but is refused: {e}"
        assert_located(name, e)
        return
    assert got == expected(entry), f"{name}: a wrong number, not a refusal"


@pytest.mark.parametrize("name", sorted(n for n, e in FILES.items() if "pending_model" in e))
def test_pending_file_reads_with_its_model_chosen(name):
    """A file refused only because the reader does not find its model reads exactly once --model names it."""
    entry = dict(FILES[name], model=FILES[name]["pending_model"])
    assert nnsolve_read(HERE / name, entry) == expected(entry)


def test_count_of_files_read(capsys):
    read = sum(status(e) == "supported" for e in FILES.values())
    with capsys.disabled():
        print(f"\nown model files: {read} of {len(FILES)} read "
              f"({sum(status(FILES[n]) == 'supported' for n in PYTORCH)} of {len(PYTORCH)} PyTorch, "
              f"{sum(status(FILES[n]) == 'supported' for n in KERAS)} of {len(KERAS)} Keras)")
    assert read >= len(FILES) // 2


def _keras_files_in_torch():
    """Each Keras file's layers written again in PyTorch (channels first): (model, input shape, parameters
    Keras counts and PyTorch does not, MACs nnsolve counts and no PyTorch layer hook sees, input dtype).
    Keras counts batch norm's moving mean and variance (2 per channel) and one bias per LSTM gate (PyTorch
    has b_ih and b_hh: 4·units fewer per direction); a GRU with reset_after has PyTorch's two biases. Keras'
    attention of key_dim 8 on 3 heads is written as its four projections; the scores and weighted values
    (40·40·3·(8 + 8) MACs) are functional matmuls, which the hooks do not count."""
    import torch
    from torch import nn

    b = torch_twin_blocks()
    Chain, Residual, seq, last, lstm, channels_last = b.Chain, b.Residual, b.seq, b.last, b.lstm, b.channels_last

    def conv_bn(i, o, stride=1):
        return Chain(nn.Conv2d(i, o, 3, stride, 1), nn.BatchNorm2d(o))

    class PreNormAttention(nn.Module):          # Keras MultiHeadAttention(3, key_dim=8) on width 24
        def __init__(self, width=24, heads=3, head_dim=8):
            super().__init__()
            self.norm = nn.LayerNorm(width)
            self.q, self.k, self.v = (nn.Linear(width, heads * head_dim) for _ in range(3))
            self.out = nn.Linear(heads * head_dim, width)
            self.heads = heads

        def forward(self, x):
            h = self.norm(x)
            n, t, _ = h.shape
            q, k, v = (f(h).view(n, t, self.heads, -1).transpose(1, 2) for f in (self.q, self.k, self.v))
            w = torch.softmax(q @ k.transpose(-1, -2) / 8 ** 0.5, dim=-1)
            return x + self.out((w @ v).transpose(1, 2).reshape(n, t, -1))

    mlp = Chain(nn.LayerNorm(24), nn.Linear(24, 64), nn.GELU(), nn.Linear(64, 24))
    return {
        "keras_mnist_sequential_script.py": (
            Chain(nn.Conv2d(1, 12, 3, padding=1), nn.Conv2d(12, 12, 3), nn.MaxPool2d(2), nn.BatchNorm2d(12),
                  nn.Conv2d(12, 20, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(500, 48), nn.Linear(48, 10)),
            [1, 28, 28], 2 * 12, 0, None),
        "keras_cifar_functional_flag.py": (
            Chain(*(m for i, o in ((3, 16), (16, 32), (32, 64))
                    for m in (nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.MaxPool2d(2))),
                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)),
            [3, 32, 32], 2 * (16 + 32 + 64), 0, None),
        "keras_imdb_bilstm_embedding.py": (
            Chain(nn.Embedding(12000, 32), seq(lstm(32, 24, True)), last(lstm(48, 12, True)), nn.Linear(24, 1)),
            [80], -2 * 4 * 24 - 2 * 4 * 12, 0, "long"),
        "keras_text_conv1d_argparse.py": (
            Chain(nn.Embedding(6000, 24), channels_last, nn.Conv1d(24, 32, 5), nn.MaxPool1d(3), nn.Conv1d(32, 32, 5),
                  nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(32, 16), nn.Linear(16, 4)),
            [120], 0, 0, "long"),
        "keras_gru_forecast.py": (
            Chain(seq(nn.GRU(5, 20, batch_first=True)), last(nn.GRU(20, 10, batch_first=True)), nn.Linear(10, 6)),
            [24, 5], 0, 0, None),
        "keras_subclassed_model.py": (Chain(nn.Linear(40, 64), nn.Linear(64, 32), nn.Linear(32, 5)), [40], 0, 0, None),
        "keras_blocks_model_add.py": (
            Chain(*(m for i, o in ((3, 12), (12, 24), (24, 48))
                    for m in (nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.MaxPool2d(2))),
                  nn.Flatten(), nn.Linear(1728, 32), nn.Linear(32, 7)),
            [3, 48, 48], 2 * (12 + 24 + 48), 0, None),
        "keras_tabular_mlp.py": (Chain(nn.Linear(14, 48), nn.Linear(48, 24), nn.Linear(24, 12), nn.Linear(12, 1)),
                                 [14], 0, 0, None),
        "keras_conv_autoencoder.py": (
            Chain(nn.Conv2d(1, 16, 3, 2, 1), nn.Conv2d(16, 8, 3, 2, 1), nn.ConvTranspose2d(8, 8, 3, 2, 1, 1),
                  nn.ConvTranspose2d(8, 16, 3, 2, 1, 1), nn.Conv2d(16, 1, 3, padding=1), lambda x: x.permute(0, 2, 3, 1)),
            [1, 28, 28], 0, 0, None),
        "keras_seq2seq_repeat.py": (
            Chain(last(lstm(11, 40)), b.repeat(5), seq(lstm(40, 40)), nn.Linear(40, 11)), [10, 11], -4 * 40 - 4 * 40,
            0, None),
        "keras_residual_functional.py": (
            Chain(nn.Conv2d(3, 16, 3, padding=1), Residual(Chain(conv_bn(16, 16), conv_bn(16, 16)), nn.Identity()),
                  Residual(Chain(conv_bn(16, 32, 2), conv_bn(32, 32)), nn.Conv2d(16, 32, 1, 2)),
                  nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10)),
            [3, 32, 32], 2 * (16 + 16 + 32 + 32), 0, None),
        "keras_transformer_classifier.py": (
            Chain(nn.Embedding(3000, 24), PreNormAttention(), Residual(mlp, nn.Identity()),
                  lambda x: x.max(dim=1).values, nn.Linear(24, 3)),
            [40], 0, 0, "long"),                 # the oracle counts the two products q @ kᵀ and w @ v itself
        "keras_separable_cnn.py": (
            Chain(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.Conv2d(16, 16, 3, padding=1, groups=16,
                  bias=False), nn.BatchNorm2d(16), nn.Conv2d(16, 24, 1, bias=False), nn.ZeroPad2d(1),
                  nn.Conv2d(24, 24, 3, 2, groups=24, bias=False), nn.Conv2d(24, 32, 1), nn.AvgPool2d(2), nn.Flatten(),
                  nn.Linear(800, 6)),
            [3, 40, 40], 2 * (16 + 16), 0, None),
    }


def test_keras_arithmetic_agrees_with_the_same_layers_in_pytorch():
    """An independent check of the hand arithmetic: each Keras file's layers built in PyTorch give the same
    output shape, MACs and (with the frameworks' differences added) parameters."""
    run = oracle().run
    twins = _keras_files_in_torch()
    assert set(twins) == set(KERAS)
    for name, (model, shape, keras_params, unhooked_macs, dtype) in twins.items():
        got = run(model, {"input_shape": shape, "input_dtype": dtype})
        want = expected(FILES[name])
        assert got["params"] + keras_params == want["params"], name
        assert got["macs"] + unhooked_macs == want["macs"], name
        assert got["output_shape"] == want["output_shape"], name
