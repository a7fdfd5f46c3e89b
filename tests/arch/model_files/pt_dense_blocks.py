# nnsolve corpus: a DenseNet-like net: growing torch.cat in a loop over a ModuleList, transition layers, F.avg_pool2d
import torch
import torch.nn as nn
import torch.nn.functional as F


class DenseLayer(nn.Module):
    def __init__(self, c_in, growth):
        super().__init__()
        self.bn = nn.BatchNorm2d(c_in)
        self.conv = nn.Conv2d(c_in, growth, 3, padding=1, bias=False)

    def forward(self, x):
        return self.conv(F.relu(self.bn(x)))


class DenseBlock(nn.Module):
    def __init__(self, c_in, growth, n):
        super().__init__()
        self.layers = nn.ModuleList([DenseLayer(c_in + i * growth, growth) for i in range(n)])
        self.c_out = c_in + n * growth

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], dim=1)
        return x


class Transition(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.bn = nn.BatchNorm2d(c_in)
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, x):
        return F.avg_pool2d(self.conv(F.relu(self.bn(x))), 2)


class TinyDense(nn.Module):
    def __init__(self, growth=8, depths=(3, 3, 3), n_classes=10):
        super().__init__()
        c = 2 * growth
        self.conv0 = nn.Conv2d(3, c, 3, padding=1, bias=False)
        stages = []
        for i, n in enumerate(depths):
            block = DenseBlock(c, growth, n)
            stages.append(block)
            c = block.c_out
            if i != len(depths) - 1:
                stages.append(Transition(c, c // 2))
                c = c // 2
        self.stages = nn.Sequential(*stages)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, n_classes)

    def forward(self, x):
        x = self.stages(self.conv0(x))
        x = F.relu(self.bn(x))
        x = F.avg_pool2d(x, 8)
        return self.fc(x.view(x.size(0), -1))
