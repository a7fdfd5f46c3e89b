# nnsolve corpus: a MobileNet-like net: depthwise separable blocks from a list of (width, stride) tuples, ReLU6, Hardswish
import torch.nn as nn


class DepthwiseSeparable(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.dw = nn.Conv2d(c_in, c_in, 3, stride, 1, groups=c_in, bias=False)
        self.bn_dw = nn.BatchNorm2d(c_in)
        self.pw = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.bn_pw = nn.BatchNorm2d(c_out)
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x):
        return self.act(self.bn_pw(self.pw(self.act(self.bn_dw(self.dw(x))))))


class SlimNet(nn.Module):
    settings = [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1)]

    def __init__(self, num_classes=10, width_mult=0.5):
        super().__init__()
        first = int(32 * width_mult)
        self.stem = nn.Sequential(nn.Conv2d(3, first, 3, 1, 1, bias=False), nn.BatchNorm2d(first), nn.Hardswish())
        blocks, c = [], first
        for width, stride in self.settings:
            out = int(width * width_mult)
            blocks.append(DepthwiseSeparable(c, out, stride))
            c = out
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, num_classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = self.pool(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


model = SlimNet()
