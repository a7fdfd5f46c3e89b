# nnsolve corpus: an Inception-style net: parallel branches in a ModuleList joined by torch.cat over a comprehension, F.dropout
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, k, **kw):
        super().__init__(nn.Conv2d(c_in, c_out, k, bias=False, **kw), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class PoolBranch(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.proj = ConvBN(c_in, c_out, 1)

    def forward(self, x):
        return self.proj(F.avg_pool2d(x, 3, stride=1, padding=1))


class MultiBranch(nn.Module):
    """Branches given as (reduce, out, kernel): a 1x1 reduction then a k x k conv; reduce 0 means the 1x1 alone."""

    def __init__(self, c_in, specs, pool_width):
        super().__init__()
        branches = []
        for reduce, out, k in specs:
            if reduce == 0:
                branches.append(ConvBN(c_in, out, 1))
            else:
                branches.append(nn.Sequential(ConvBN(c_in, reduce, 1), ConvBN(reduce, out, k, padding=k // 2)))
        branches.append(PoolBranch(c_in, pool_width))
        self.branches = nn.ModuleList(branches)
        self.width = sum(out for _, out, _ in specs) + pool_width

    def forward(self, x):
        return torch.cat([branch(x) for branch in self.branches], dim=1)


class BranchyNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.stem = ConvBN(3, 24, 3, padding=1)
        self.mix1 = MultiBranch(24, [(0, 12, 1), (12, 16, 3), (4, 8, 5)], 8)
        self.mix2 = MultiBranch(self.mix1.width, [(0, 16, 1), (16, 24, 3)], 8)
        self.fc = nn.Linear(self.mix2.width, n_classes)

    def forward(self, x):
        x = self.stem(x)
        x = F.max_pool2d(self.mix1(x), 2)
        x = self.mix2(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(F.dropout(x, 0.2, self.training))


model = BranchyNet()
