# nnsolve corpus: subclasses that only configure a base class and inherit its forward (super().__init__ with arguments)
import torch.nn as nn
import torch.nn.functional as F


class ConvClassifierBase(nn.Module):
    def __init__(self, in_channels, widths, n_classes, kernel=3):
        super().__init__()
        convs = []
        prev = in_channels
        for w in widths:
            convs.append(nn.Conv2d(prev, w, kernel, padding=kernel // 2))
            prev = w
        self.convs = nn.ModuleList(convs)
        self.fc = nn.Linear(prev, n_classes)

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        x = F.adaptive_max_pool2d(x, 1).flatten(1)
        return self.fc(x)


class GrayDigits(ConvClassifierBase):
    def __init__(self):
        super().__init__(1, [10, 20], 10, kernel=5)


class ColorObjects(ConvClassifierBase):
    def __init__(self, n_classes=20):
        super().__init__(3, [16, 32, 48], n_classes)


model = ColorObjects()
