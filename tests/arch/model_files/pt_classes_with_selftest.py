# nnsolve corpus: a models file that only defines classes, factory functions and a test() building one model
import torch
import torch.nn as nn
import torch.nn.functional as F


class WideBottleneck(nn.Module):
    widen = 4

    def __init__(self, c_in, mid, stride=1):
        super().__init__()
        c_out = mid * self.widen
        self.squeeze = nn.Sequential(nn.Conv2d(c_in, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True))
        self.spatial = nn.Sequential(nn.Conv2d(mid, mid, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(mid),
                                     nn.ReLU(inplace=True))
        self.restore = nn.Sequential(nn.Conv2d(mid, c_out, 1, bias=False), nn.BatchNorm2d(c_out))
        self.bypass = nn.Identity()
        if stride > 1 or c_in != c_out:
            self.bypass = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False), nn.BatchNorm2d(c_out))

    def forward(self, x):
        return F.relu(self.restore(self.spatial(self.squeeze(x))) + self.bypass(x))


class TwoConv(nn.Module):
    widen = 1

    def __init__(self, c_in, mid, stride=1):
        super().__init__()
        self.first = nn.Conv2d(c_in, mid, 3, stride, 1, bias=False)
        self.first_bn = nn.BatchNorm2d(mid)
        self.second = nn.Conv2d(mid, mid, 3, 1, 1, bias=False)
        self.second_bn = nn.BatchNorm2d(mid)
        self.bypass = nn.Identity()
        if stride > 1 or c_in != mid:
            self.bypass = nn.Sequential(nn.Conv2d(c_in, mid, 1, stride, bias=False), nn.BatchNorm2d(mid))

    def forward(self, x):
        y = F.relu(self.first_bn(self.first(x)))
        y = self.second_bn(self.second(y))
        return F.relu(y + self.bypass(x))


class StageNet(nn.Module):
    def __init__(self, unit, depths, num_classes=10, stem=16):
        super().__init__()
        self.cursor = stem
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem), nn.ReLU())
        widths = [stem * 2 ** i for i in range(len(depths))]
        self.stages = nn.ModuleList()
        for i, (w, n) in enumerate(zip(widths, depths)):
            self.stages.append(self._make_layer(unit, w, n, 1 if i == 0 else 2))
        self.fc = nn.Linear(widths[-1] * unit.widen, num_classes)

    def _make_layer(self, unit, width, n, stride):
        units = [unit(self.cursor, width, stride)]
        self.cursor = width * unit.widen
        units += [unit(self.cursor, width) for _ in range(n - 1)]
        return nn.Sequential(*units)

    def forward(self, x):
        x = self.stem(x)
        for stage in self.stages:
            x = stage(x)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        return self.fc(torch.flatten(x, 1))


def StageNetTiny():
    return StageNet(TwoConv, [1, 1])


def StageNetSmall(num_classes=10):
    return StageNet(TwoConv, [2, 2, 2], num_classes=num_classes)


def StageNetWide():
    return StageNet(WideBottleneck, [1, 2, 1], stem=8)


def test():
    net = StageNetWide()
    out = net(torch.randn(1, 3, 32, 32))
    assert out.shape == (1, 10), out.shape
