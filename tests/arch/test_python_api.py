"""The architecture side of the Python API: the same analysis the `summary` command prints."""
import nnsolve
from nnsolve.arch.analyze import analyze


def test_summarize_a_bundled_architecture_gives_the_published_total():
    analysis = nnsolve.summarize("resnet50")
    assert analysis.total("params") == 25_557_032      # torchvision's resnet50


def test_parse_snippet_then_analyze_counts_a_small_pytorch_net():
    arch = nnsolve.parse_snippet(
        "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, 5, 3), nn.ReLU(), nn.Flatten(),"
        " nn.Linear(5 * 4 * 4, 2))\n", input_shape=(3, 6, 6))
    analysis = analyze(arch)
    # conv: 5·3·3·3 + 5 = 140; linear: 80·2 + 2 = 162
    assert analysis.total("params") == 140 + 162
