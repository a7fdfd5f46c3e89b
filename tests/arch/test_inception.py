"""Inception-v3 (torchvision layout) against an Inception-v3 written here in torch.nn (meta device, so
nothing is allocated) and against the published figures: torchvision documents 27,161,264 parameters
(the model as constructed, with its auxiliary classifier) and 5.71 GFLOPS (MACs) at 299×299; without
the auxiliary classifier it is 23,834,568. Distill 2019 (Table 1) gives Inception-v3 a receptive field
of 1311 with effective stride 32 and padding 618 after its last block."""
import dataclasses

import pytest
import torch
from torch import nn

from nnsolve.arch.analyze import analyze
from nnsolve.arch.layer_list import load_bundled


def basic(cin, cout, k, s=1, p=0):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, bias=False), nn.BatchNorm2d(cout, eps=0.001), nn.ReLU())


class Branches(nn.Module):
    """Runs every branch on the same input and concatenates along channels."""
    def __init__(self, *branches):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x):
        return torch.cat([b(x) for b in self.branches], 1)


def pool_branch(cin, cout):
    return nn.Sequential(nn.AvgPool2d(3, 1, 1), basic(cin, cout, 1))


def inception_a(cin, pool_features):
    return Branches(basic(cin, 64, 1), nn.Sequential(basic(cin, 48, 1), basic(48, 64, 5, p=2)),
                    nn.Sequential(basic(cin, 64, 1), basic(64, 96, 3, p=1), basic(96, 96, 3, p=1)),
                    pool_branch(cin, pool_features))


def inception_c(cin, c7):
    row = lambda a, b: basic(a, b, (1, 7), p=(0, 3))
    col = lambda a, b: basic(a, b, (7, 1), p=(3, 0))
    return Branches(basic(cin, 192, 1), nn.Sequential(basic(cin, c7, 1), row(c7, c7), col(c7, 192)),
                    nn.Sequential(basic(cin, c7, 1), col(c7, c7), row(c7, c7), col(c7, c7), row(c7, 192)),
                    pool_branch(cin, 192))


def inception_e(cin):
    def split(c):
        return Branches(basic(c, 384, (1, 3), p=(0, 1)), basic(c, 384, (3, 1), p=(1, 0)))
    return Branches(basic(cin, 320, 1), nn.Sequential(basic(cin, 384, 1), split(384)),
                    nn.Sequential(basic(cin, 448, 1), basic(448, 384, 3, p=1), split(384)), pool_branch(cin, 192))


def torch_inception_v3(aux: bool):
    stem = [basic(3, 32, 3, 2), basic(32, 32, 3), basic(32, 64, 3, p=1), nn.MaxPool2d(3, 2), basic(64, 80, 1),
            basic(80, 192, 3), nn.MaxPool2d(3, 2)]
    middle = [inception_a(192, 32), inception_a(256, 64), inception_a(288, 64),
              Branches(basic(288, 384, 3, 2), nn.Sequential(basic(288, 64, 1), basic(64, 96, 3, p=1), basic(96, 96, 3, 2)),
                       nn.MaxPool2d(3, 2)),
              inception_c(768, 128), inception_c(768, 160), inception_c(768, 160), inception_c(768, 192)]
    last = [Branches(nn.Sequential(basic(768, 192, 1), basic(192, 320, 3, 2)),
                     nn.Sequential(basic(768, 192, 1), basic(192, 192, (1, 7), p=(0, 3)),
                                   basic(192, 192, (7, 1), p=(3, 0)), basic(192, 192, 3, 2)),
                     nn.MaxPool2d(3, 2)),
            inception_e(1280), inception_e(2048)]
    head = [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(2048, 1000)]
    body = nn.Sequential(*stem, *middle, *last, *head)
    if not aux:
        return body, None
    return body, nn.Sequential(nn.AvgPool2d(5, 3), basic(768, 128, 1), basic(128, 768, 5),
                               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(768, 1000))


@pytest.mark.parametrize("name, aux, published", [("inception_v3", False, 23_834_568),
                                                  ("inception_v3_aux", True, 27_161_264)])
def test_parameter_counts_match_torch_and_published(name, aux, published):
    with torch.device("meta"):
        body, aux_head = torch_inception_v3(aux)
    in_torch = sum(p.numel() for m in (body, aux_head) if m is not None for p in m.parameters())
    totals = analyze(load_bundled(name)).totals
    assert totals["params"] == in_torch == published
    assert totals["buffers"] == sum(b.numel() for m in (body, aux_head) if m is not None
                                    for n, b in m.named_buffers() if "running" in n)


def test_block_shapes_match_a_forward_pass():
    with torch.device("meta"):
        body, _ = torch_inception_v3(False)
        seen = []
        for child in body:
            if isinstance(child, Branches):
                child.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape[1:])))
        body(torch.empty(1, 3, 299, 299))
    analysis = analyze(load_bundled("inception_v3"))
    blocks = ["Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e",
              "Mixed_7a", "Mixed_7b", "Mixed_7c"]
    assert [analysis.report(b).shape for b in blocks] == seen


def test_shapes_follow_the_input_size():
    # at 342×342 (not a size torchvision uses) the analyzer must still agree with a forward pass
    with torch.device("meta"):
        body, _ = torch_inception_v3(False)
        out = body[:-4](torch.empty(1, 3, 342, 342))
    arch = dataclasses.replace(load_bundled("inception_v3"), input_shape=(3, 342, 342))
    assert analyze(arch).report("Mixed_7c").shape == tuple(out.shape[1:])


def test_published_macs_and_distill_receptive_field():
    analysis = analyze(load_bundled("inception_v3"))
    assert round(analysis.totals["macs"] / 1e9, 2) == 5.71
    field = analysis.report("Mixed_7c").field
    assert [(f.size, f.jump, -f.start) for f in field] == [(1311, 32, 618)] * 2
