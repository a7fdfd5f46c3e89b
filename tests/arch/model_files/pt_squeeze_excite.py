# nnsolve corpus: residual blocks with a squeeze-and-excitation gate (x * w broadcast), F.adaptive_avg_pool2d and sigmoid
import torch
import torch.nn as nn
import torch.nn.functional as F


class Gate(nn.Module):
    def __init__(self, channels, reduction=4):
        super().__init__()
        self.squeeze = nn.Conv2d(channels, channels // reduction, 1)
        self.excite = nn.Conv2d(channels // reduction, channels, 1)

    def forward(self, x):
        w = F.adaptive_avg_pool2d(x, 1)
        w = torch.sigmoid(self.excite(F.relu(self.squeeze(w))))
        return x * w


class SEUnit(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.gate = Gate(channels)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.gate(self.bn2(self.conv2(y)))
        return F.relu(x + y)


class SENet(nn.Module):
    def __init__(self, width=24, units=3, num_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(3, width, 3, stride=2, padding=1)
        self.units = nn.Sequential(*[SEUnit(width) for _ in range(units)])
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.units(F.relu(self.stem(x)))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(x.view(x.size(0), -1))
