"""`nnsolve summary --style keras|torchinfo|nnsolve` on bundled ResNet-18: each layout's header, one row
and its totals, against counts built here by hand from torchvision's ResNet-18 definition (BasicBlock:
two 3×3 convs and two batch norms, a 1×1 conv + batch norm shortcut where the stride or width changes)."""
from __future__ import annotations

import re
from fractions import Fraction

import pytest

from nnsolve.arch.summary import summary
from nnsolve.arch.table import rounded, with_unit
from tests.cli_runner import invoke

STAGES = [(64, 64, 1), (64, 128, 2), (128, 256, 2), (256, 512, 2)]      # in, out, stride of the first block


def resnet18_counts() -> tuple[int, int]:
    """(parameters, multiply-accumulates) of torchvision's resnet18 at 3×224×224."""
    params = 7 * 7 * 3 * 64 + 2 * 64                  # conv1 (no bias), bn1 (weight, bias)
    macs = 7 * 7 * 3 * 64 * 112 * 112
    side = 56                                         # after the stride-2 conv1 and the stride-2 max pool
    for cin, cout, stride in STAGES:
        side //= stride
        for block in range(2):
            first_in = cin if block == 0 else cout
            params += 3 * 3 * first_in * cout + 3 * 3 * cout * cout + 2 * 2 * cout
            macs += (3 * 3 * first_in * cout + 3 * 3 * cout * cout) * side * side
            if block == 0 and (stride != 1 or cin != cout):
                params += first_in * cout + 2 * cout
                macs += first_in * cout * side * side
    params += 512 * 1000 + 1000                       # fc
    macs += 512 * 1000
    return params, macs


PARAMS, MACS = resnet18_counts()


def test_the_hand_count_is_torchvisions():
    assert PARAMS == 11_689_512


def _cells(line: str, separator: str) -> list[str]:
    return [c.strip() for c in line.strip().strip(separator).split(separator)]


def test_keras_style():
    text = summary("resnet18", style="keras")
    lines = text.splitlines()
    assert lines[0] == 'Model: "resnet18"'
    assert _cells(lines[2], "┃") == ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    assert _cells(lines[4], "│") == ["conv1 (Conv2d)", "(None, 64, 112, 112)", f"{7 * 7 * 3 * 64:,}", "input[0][0]"]
    add = next(line for line in lines if "layer1.0.add" in line)
    assert _cells(add, "│")[3] == "layer1.0.bn2[0][0], maxpool[0][0]"
    assert _cells(next(line for line in lines if "layer2.0.downsample.0" in line), "│")[:3] == \
        ["layer2.0.downsample.0 (Conv2d)", "(None, 128, 28, 28)", f"{64 * 128:,}"]
    megabytes = f"{PARAMS * 4 / 2 ** 20:.2f}"                    # Keras: float32 bytes, powers of 1024
    assert megabytes == "44.59"
    assert f" Total params: 11,689,512 ({megabytes} MB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines
    assert "  parameter memory: 4 bytes (float32) per parameter, in KB/MB of 1024 bytes as Keras prints it" in lines


def test_keras_style_of_a_chain_has_no_connections_and_keras_class_names():
    lines = summary("lenet5", style="keras").splitlines()
    assert _cells(lines[2], "┃") == ["Layer (type)", "Output Shape", "Param #"]
    assert _cells(lines[4], "│") == ["c1 (Conv2D)", "(None, 28, 28, 6)", f"{(5 * 5 * 1 + 1) * 6:,}"]
    assert _cells(lines[6], "│")[0] == "s2 (AveragePooling2D)"
    params = (5 * 5 + 1) * 6 + (5 * 5 * 6 + 1) * 16 + (5 * 5 * 16 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * 10
    assert f" Total params: {params:,} ({params * 4 / 1024:.2f} KB)" in lines


def test_torchinfo_style():
    lines = summary("resnet18", style="torchinfo").splitlines()
    assert set(lines[0]) == {"="} and lines[1].split()[:3] == ["Layer", "(type", "(var_name):depth-idx)"]
    assert re.split(r"\s{2,}", lines[1]) == ["Layer (type (var_name):depth-idx)", "Output Shape", "Param #"]
    assert re.split(r"\s{2,}", lines[3]) == ["resnet18", "[1, 1000]", "--"]
    assert re.split(r"\s{2,}", lines[4]) == ["├─Conv2d (conv1): 1-1", "[1, 64, 112, 112]", "9,408"]
    stage = lines.index(next(line for line in lines if line.startswith("├─layer1:")))
    assert re.split(r"\s{2,}", lines[stage]) == ["├─layer1: 1-5", "[1, 64, 56, 56]", "--"]
    assert re.split(r"\s{2,}", lines[stage + 1].split("└─")[1]) == ["0: 2-1", "[1, 64, 56, 56]", "--"]
    tree, row = lines[stage + 2].split("└─")               # layer1.0.conv1, torchvision's module name
    assert tree == "│    │    " and re.split(r"\s{2,}", row) == ["Conv2d (conv1): 3-1", "[1, 64, 56, 56]",
                                                                   f"{3 * 3 * 64 * 64:,}"]
    assert "Total params: 11,689,512" in lines and "Non-trainable params: 0" in lines
    assert f"Total mult-adds (G): {MACS / 1e9:.2f}" in lines                   # 1.81
    assert f"Params size (MB): {PARAMS * 4 / 1e6:.2f}" in lines               # torchinfo: 10⁶ bytes, 46.76


def test_nnsolve_style_totals_have_units():
    text = summary("resnet18")
    assert f"Total params: 11,689,512 ({PARAMS / 1e6:.2f} M)" in text.splitlines()
    assert f"Multiply-accumulates: {MACS:,} ({MACS / 1e9:.2f} G)" in text.splitlines()
    assert summary("resnet18", style="nnsolve") == text


@pytest.mark.parametrize("value, text", [(Fraction(1168951, 100000), "11.69"), (Fraction(5, 1000), "0.00"),
                                         (Fraction(15, 1000), "0.02"), (Fraction(-1, 3), "-0.33")])
def test_rounding_is_exact(value, text):
    assert rounded(value) == text


@pytest.mark.parametrize("count, text", [(999, "999"), (1000, "1.00 K"), (61_706, "61.71 K"),
                                         (2 * 10 ** 12, "2.00 T")])
def test_units(count, text):
    assert with_unit(count) == text


def test_styles_are_text_and_named_on_the_command_line():
    run = invoke("summary", "resnet18", "--style", "keras", "--format", "json")
    assert run.exit_code == 2 and "--style: the keras table is text" in run.stderr
    run = invoke("summary", "resnet18", "--style", "torchinfo")
    assert run.exit_code == 0 and "├─Conv2d (conv1): 1-1" in run.stdout
    assert invoke("summary", "resnet18", "--style", "pytorch").exit_code == 2


def test_snippet_names_and_written_classes_are_kept(tmp_path):
    snippet = tmp_path / "net.py"
    snippet.write_text("import torch.nn as nn\n"
                       "model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 10))\n")
    lines = summary(str(snippet), input_shape=(3, 8, 8), style="torchinfo").splitlines()
    rows = [re.split(r"\s{2,}", line) for line in lines if line.startswith("├─")]
    assert rows[0] == ["├─Conv2d (0): 1-1", "[1, 8, 6, 6]", f"{(3 * 3 * 3 + 1) * 8:,}"]
    assert rows[-1] == ["├─Linear (3): 1-4", "[1, 10]", f"{(8 * 6 * 6 + 1) * 10:,}"]


NESTED = """import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
                                      nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 4 * 4, 10))

    def forward(self, x):
        return self.head(self.features(x))
"""


def test_torchinfo_rows_are_torchinfos(tmp_path):
    """The leaf rows (tree, type, attribute, depth-index, output shape, parameters) as torchinfo itself
    prints them for the same model built in torch."""
    torch = pytest.importorskip("torch")
    torchinfo = pytest.importorskip("torchinfo")
    path = tmp_path / "net.py"
    path.write_text(NESTED)
    scope: dict = {}
    exec(compile(NESTED, str(path), "exec"), scope)          # the test's own snippet, built in torch
    with torch.no_grad():
        theirs = str(torchinfo.summary(scope["Net"]().float(), input_size=(1, 3, 8, 8), depth=10, verbose=0,
                                       row_settings=("depth", "var_names")))
    ours = summary(str(path), input_shape=(3, 8, 8), style="torchinfo")

    def leaves(text):
        return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()
                if "└─" in line and "Sequential" not in line]
    assert leaves(ours) == leaves(theirs) and len(leaves(ours)) == 6
    total = f"Total params: {(3 * 3 * 3 + 1) * 8 + 2 * 8 + (8 * 4 * 4 + 1) * 10:,}"
    assert total in ours.splitlines() and total in theirs.splitlines()


def test_keras_style_of_a_keras_functional_snippet(tmp_path):
    path = tmp_path / "functional.py"
    path.write_text("import keras\nfrom keras import layers\ninputs = keras.Input(shape=(28, 28, 1))\n"
                    "x = layers.Conv2D(32, 3)(inputs)\ny = layers.Conv2D(32, 3, padding='same')(x)\n"
                    "z = layers.Add()([x, y])\nx = layers.GlobalAveragePooling2D()(z)\n"
                    "outputs = layers.Dense(10)(x)\nmodel = keras.Model(inputs=inputs, outputs=outputs)\n")
    rows = [_cells(line, "│") for line in summary(str(path), style="keras").splitlines() if line.startswith("│")]
    assert rows[0][1:] == ["(None, 28, 28, 1)", "0", "-"] and rows[0][0].endswith("(InputLayer)")
    assert rows[3] == ["add (Add)", "(None, 26, 26, 32)", "0", "conv2d[0][0], conv2d_1[0][0]"]
    assert rows[4][0] == "global_average_pooling2d (GlobalAveragePooling2D)"
    assert rows[5][:3] == ["dense (Dense)", "(None, 10)", f"{32 * 10 + 10:,}"]


def test_bundled_resnet18_has_torchvisions_module_names():
    """The layers with parameters carry the names of torchvision's resnet18().named_modules(), written
    out here from its definition (BasicBlock: conv1, bn1, conv2, bn2, downsample.0/.1 where it has one)."""
    from nnsolve.arch.analyze import analyze
    from nnsolve.arch.layer_list import load_bundled
    expected = ["conv1", "bn1"]
    for stage in range(1, 5):
        for block in range(2):
            p = f"layer{stage}.{block}"
            expected += [f"{p}.conv1", f"{p}.bn1", f"{p}.conv2", f"{p}.bn2"]
            if stage > 1 and block == 0:
                expected += [f"{p}.downsample.0", f"{p}.downsample.1"]
    expected.append("fc")
    assert [r.name for r in analyze(load_bundled("resnet18")).layers if r.params] == expected


def test_what_the_reader_passed_over_is_listed_in_every_format(tmp_path):
    snippet = tmp_path / "script.py"
    snippet.write_text("import torch.nn as nn\nprint('building')\nmodel = nn.Sequential(nn.Linear(4, 2))\n"
                       "print(model)\n")
    for style in ("nnsolve", "keras", "torchinfo"):
        text = summary(str(snippet), input_shape=(4,), style=style)
        assert "Passed over (not part of the model):" in text and "line 2: skipped print('building')" in text
        assert "line 4: skipped print(model)" in text
    plain = tmp_path / "plain.py"
    plain.write_text("import torch.nn as nn\nmodel = nn.Sequential(nn.Linear(4, 2))\n")
    assert "Passed over" not in summary(str(plain), input_shape=(4,))
