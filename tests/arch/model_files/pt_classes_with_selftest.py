# nnsolve corpus: a models file that only defines classes, factory functions and a test() building one model
import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottle(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.reduce = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.spatial = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.expand = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.shortcut = nn.Identity()
        if stride != 1 or inplanes != planes * self.expansion:
            self.shortcut = nn.Sequential(
                nn.Conv2d(inplanes, planes * self.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * self.expansion))

    def forward(self, x):
        out = F.relu(self.bn1(self.reduce(x)))
        out = F.relu(self.bn2(self.spatial(out)))
        out = self.bn3(self.expand(out))
        out += self.shortcut(x)
        return F.relu(out)


class Basic(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.c1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(planes)
        self.c2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Identity()
        if stride != 1 or inplanes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.b1(self.c1(x)))
        out = self.b2(self.c2(out))
        return F.relu(out + self.shortcut(x))


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10, stem=16):
        super().__init__()
        self.in_planes = stem
        self.conv1 = nn.Conv2d(3, stem, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        widths = [stem * 2 ** i for i in range(len(num_blocks))]
        self.layers = nn.ModuleList()
        for i, (w, n) in enumerate(zip(widths, num_blocks)):
            self.layers.append(self._make_layer(block, w, n, 1 if i == 0 else 2))
        self.linear = nn.Linear(widths[-1] * block.expansion, num_classes)

    def _make_layer(self, block, planes, n, stride):
        layers = []
        for s in [stride] + [1] * (n - 1):
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        for layer in self.layers:
            out = layer(out)
        out = F.adaptive_avg_pool2d(out, (1, 1))
        out = torch.flatten(out, 1)
        return self.linear(out)


def ResNetTiny():
    return ResNet(Basic, [1, 1])


def ResNetSmall(num_classes=10):
    return ResNet(Basic, [2, 2, 2], num_classes=num_classes)


def ResNetBottle():
    return ResNet(Bottle, [1, 2, 1], stem=8)


def test():
    net = ResNetBottle()
    y = net(torch.randn(1, 3, 32, 32))
    print(y.size())

# test()
