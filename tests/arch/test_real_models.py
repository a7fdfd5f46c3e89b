"""`nnsolve summary` on real model files (issue 12): each file of the corpus listed in
real_models/manifest.yaml, read by the snippet reader, gives the parameters, output shape and MACs of the
model PyTorch builds from the same file (real_models/model_oracle.py, hooks under nnsolve's MAC
conventions) or that Keras' documented rules give (the arithmetic written out in the manifest).

The files themselves are public code and are not committed here (the workplace keeps fetched code out of
commits): the manifest names each one by repository, path and commit, and the tests read them from the
directory NNSOLVE_REAL_MODELS names (no default: the corpus is read only when asked for), each file verbatim
after one first line
`# Source: <url> (<licence>)`. Without that directory the tests that need the files are skipped.

A file marked `status: supported` must read and match exactly. A `pending` one must either match or be
refused with a located ProblemError (its line, or the flag it needs) — never a wrong number. `refused`
files are ones PyTorch itself cannot build: they must be refused.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

from nnsolve.problems.errors import ProblemError

from arch.model_corpus import assert_located, expected, flags, oracle, status, torch_twin_blocks
from arch.model_corpus import nnsolve_read as read_file

HERE = Path(__file__).parent / "real_models"
MANIFEST = yaml.safe_load((HERE / "manifest.yaml").read_text())
FILES: dict = MANIFEST["files"]
CORPUS = Path(os.environ["NNSOLVE_REAL_MODELS"]) if os.environ.get("NNSOLVE_REAL_MODELS") else None

needs_corpus = pytest.mark.skipif(CORPUS is None or not CORPUS.is_dir(),
                                  reason=f"the corpus of real model files is not here "
                                         f"({CORPUS or 'NNSOLVE_REAL_MODELS unset'}: set NNSOLVE_REAL_MODELS to its "
                                         "directory; see real_models/manifest.yaml)")


def nnsolve_read(name: str, entry: dict) -> dict:
    return read_file(CORPUS / name, entry)


def test_manifest_is_complete():
    assert len(FILES) >= 45
    for name, entry in FILES.items():
        assert entry["framework"] in ("pytorch", "keras"), name
        assert entry["source"].startswith("https://github.com/") and "/blob/" in entry["source"], name
        assert entry["licence"], name
        assert status(entry) in ("supported", "pending", "refused"), name
        assert len(entry["git_blob"]) == 40, name
        if status(entry) != "refused":
            expected(entry)                       # every formula is plain arithmetic


@needs_corpus
@pytest.mark.parametrize("name", sorted(FILES))
def test_file_is_the_cited_source(name):
    path = CORPUS / name
    text = path.read_text()
    assert len(text.encode()) < 100_000
    first = text.splitlines()[0]
    assert first == f"# Source: {FILES[name]['source']} ({FILES[name]['licence']})"
    assert_verbatim(name)


def assert_verbatim(name: str) -> None:
    """The file after its source line is the published file, byte for byte (its git object id), so no test
    reads, let alone runs, anything else that was put in the corpus directory."""
    data = (CORPUS / name).read_bytes()
    published = data.split(b"\n", 1)[1]
    blob = hashlib.sha1(b"blob %d\0" % len(published) + published).hexdigest()
    assert blob == FILES[name]["git_blob"], f"{name} is not the published file"


PYTORCH = sorted(n for n, e in FILES.items() if e["framework"] == "pytorch")


@needs_corpus
@pytest.mark.parametrize("name", PYTORCH)
def test_expected_numbers_are_pytorchs(name):
    """The manifest's numbers are those of the model PyTorch builds from the file (a batch of 1)."""
    measure = oracle().measure
    entry = FILES[name]
    assert_verbatim(name)
    if status(entry) == "refused":
        with pytest.raises(Exception):
            measure(CORPUS / name, entry)
        return
    assert measure(CORPUS / name, entry) == expected(entry)


@needs_corpus
@pytest.mark.parametrize("name", sorted(FILES))
def test_nnsolve_reads_the_real_file(name):
    entry = FILES[name]
    assert_verbatim(name)
    try:
        got = nnsolve_read(name, entry)
    except ProblemError as e:
        assert status(entry) != "supported", f"{name} is marked supported but is refused: {e}"
        assert_located(name, e)
        return
    assert status(entry) != "refused", f"{name}: PyTorch cannot build this file, nnsolve read {got}"
    assert got == expected(entry), f"{name}: a wrong number, not a refusal"


@needs_corpus
def test_count_of_real_files_read(capsys):
    """The figure the issue's first bullet asks for: files read and matching, verbatim and with their flag."""
    verbatim = with_flag = refused = 0
    for name, entry in FILES.items():
        if status(entry) == "refused":
            continue
        try:
            ok = nnsolve_read(name, entry) == expected(entry)
        except (ProblemError, pytest.skip.Exception):
            refused += 1
            continue
        if ok and not flags(entry):
            verbatim += 1
        elif ok:
            with_flag += 1
    total = sum(1 for e in FILES.values() if status(e) != "refused")
    with capsys.disabled():
        print(f"\nreal model files: {verbatim} of {total} verbatim, {with_flag} more with their one flag, "
              f"{refused} refused")
    supported = sum(1 for e in FILES.values() if status(e) == "supported")
    assert verbatim + with_flag >= supported


def _keras_layers_in_torch():
    """Each Keras file's layers written again in PyTorch (channels first), with what Keras counts and
    PyTorch does not (or the other way): an LSTM's second bias vector (PyTorch has b_ih and b_hh, Keras
    one bias per gate) and batch norm's moving mean and variance (Keras: non-trainable parameters)."""
    from torch import nn

    blocks = torch_twin_blocks()
    Chain, seq, last, channels_last, lstm = blocks.Chain, blocks.seq, blocks.last, blocks.channels_last, blocks.lstm

    repeat = blocks.repeat(4)             # RepeatVector(DIGITS + 1)

    def conv_t(i, o, s, op):
        return nn.ConvTranspose1d(i, o, 7, stride=s, padding=3, output_padding=op)

    l1, l2, l3, l4, l6, l7 = lstm(128, 64, True), lstm(128, 64, True), lstm(128, 64, True), lstm(64, 70), \
        lstm(12, 128), lstm(128, 128)
    return {
        "keras_io_mnist_convnet.py": (Chain(nn.Conv2d(1, 32, 3), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.MaxPool2d(2),
                                            nn.Flatten(), nn.Linear(1600, 10)), [1, 28, 28], 0, None),
        "keras_mnist_cnn.py": (Chain(nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3), nn.MaxPool2d(2), nn.Flatten(),
                                     nn.Linear(9216, 128), nn.Linear(128, 10)), [1, 28, 28], 0, None),
        "keras_mnist_mlp.py": (Chain(nn.Linear(784, 512), nn.Linear(512, 512), nn.Linear(512, 10)), [784], 0, None),
        "keras_cifar10_cnn.py": (Chain(nn.Conv2d(3, 32, 3, padding=1), nn.Conv2d(32, 32, 3), nn.MaxPool2d(2),
                                       nn.Conv2d(32, 64, 3, padding=1), nn.Conv2d(64, 64, 3), nn.MaxPool2d(2),
                                       nn.Flatten(), nn.Linear(2304, 512), nn.Linear(512, 10)), [3, 32, 32], 0, None),
        "keras_io_autoencoder.py": (Chain(nn.Conv2d(1, 32, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(32, 32, 3, padding=1),
                                          nn.MaxPool2d(2), nn.Conv2d(32, 32, 3, padding=1), nn.Upsample(scale_factor=2),
                                          nn.Conv2d(32, 32, 3, padding=1), nn.Upsample(scale_factor=2),
                                          nn.Conv2d(32, 1, 3, padding=1), lambda x: x.permute(0, 2, 3, 1)),
                                    [1, 28, 28], 0, None),
        "keras_io_timeseries_anomaly_detection.py": (
            Chain(nn.Conv1d(1, 32, 7, stride=2, padding=3), nn.Conv1d(32, 16, 7, stride=2, padding=3),
                  conv_t(16, 16, 2, 1), conv_t(16, 32, 2, 1), conv_t(32, 1, 1, 0), channels_last), [1, 288], 0, None),
        "keras_io_timeseries_classification.py": (
            Chain(nn.Conv1d(1, 64, 3, padding=1), nn.BatchNorm1d(64), nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64),
                  nn.Conv1d(64, 64, 3, padding=1), nn.BatchNorm1d(64), nn.AdaptiveAvgPool1d(1), nn.Flatten(),
                  nn.Linear(64, 2)), [1, 500], 3 * 2 * 64, None),
        "keras_io_bidirectional_lstm_imdb.py": (
            Chain(nn.Embedding(20000, 128), seq(l1), last(l2), nn.Linear(128, 1)), [200], -2 * 2 * 4 * 64, "long"),
        "keras_imdb_bidirectional_lstm.py": (Chain(nn.Embedding(20000, 128), last(l3), nn.Linear(128, 1)), [100],
                                             -2 * 4 * 64, "long"),
        "keras_imdb_cnn_lstm.py": (Chain(nn.Embedding(20000, 128), channels_last, nn.Conv1d(128, 64, 5), nn.MaxPool1d(4),
                                         channels_last, last(l4), nn.Linear(70, 1)), [100], -4 * 70, "long"),
        "keras_io_addition_rnn.py": (Chain(last(l6), repeat, seq(l7), nn.Linear(128, 12)), [7, 12], -2 * 4 * 128, None),
    }


def test_keras_arithmetic_agrees_with_the_same_layers_in_pytorch():
    """An independent check of the hand arithmetic: the Keras files' layers built in PyTorch give the same
    MACs and output shape, and the same parameters once the frameworks' differences are added."""
    run = oracle().run
    chains = _keras_layers_in_torch()
    keras = {n for n, e in FILES.items() if e["framework"] == "keras"}
    assert set(chains) == keras
    for name, (model, shape, keras_extra, dtype) in chains.items():
        got = run(model, {"input_shape": shape, "input_dtype": dtype})
        want = expected(FILES[name])
        assert got["params"] + keras_extra == want["params"], name
        assert got["macs"] == want["macs"], name
        assert got["output_shape"] == want["output_shape"], name
