# nnsolve corpus: an Inception-style net: parallel branches joined by torch.cat, branch widths as a tuple argument
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, k, **kw):
        super().__init__(nn.Conv2d(c_in, c_out, k, bias=False, **kw), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class Mixed(nn.Module):
    def __init__(self, c_in, widths):
        super().__init__()
        w1, w3r, w3, w5r, w5, wp = widths
        self.b1 = ConvBN(c_in, w1, 1)
        self.b3 = nn.Sequential(ConvBN(c_in, w3r, 1), ConvBN(w3r, w3, 3, padding=1))
        self.b5 = nn.Sequential(ConvBN(c_in, w5r, 1), ConvBN(w5r, w5, 3, padding=1), ConvBN(w5, w5, 3, padding=1))
        self.bp = ConvBN(c_in, wp, 1)
        self.out_channels = w1 + w3 + w5 + wp

    def forward(self, x):
        pooled = F.max_pool2d(x, 3, stride=1, padding=1)
        return torch.cat([self.b1(x), self.b3(x), self.b5(x), self.bp(pooled)], 1)


class SmallInception(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.stem = ConvBN(3, 32, 3, padding=1)
        self.mixed_a = Mixed(32, (8, 12, 16, 4, 8, 8))
        self.mixed_b = Mixed(self.mixed_a.out_channels, (16, 16, 24, 4, 8, 8))
        self.fc = nn.Linear(self.mixed_b.out_channels, n_classes)

    def forward(self, x):
        x = self.stem(x)
        x = F.max_pool2d(self.mixed_a(x), 2)
        x = self.mixed_b(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(F.dropout(x, 0.2, self.training))


model = SmallInception()
