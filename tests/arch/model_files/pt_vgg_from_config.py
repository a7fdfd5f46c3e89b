# nnsolve corpus: a VGG-style net from a dict of layer plans built in a loop, nn.Sequential(*layers), AdaptiveAvgPool2d((2, 2))
import torch
import torch.nn as nn

POOL = "pool"
PLANS = {
    "small": [16, POOL, 32, POOL, 64, 64, POOL],
    "deeper": [16, 16, POOL, 32, 32, POOL, 64, 64, 64, POOL],
}


def conv_stack(plan, norm=True, in_channels=3):
    layers = []
    for item in plan:
        if isinstance(item, int):
            layers.append(nn.Conv2d(in_channels, item, kernel_size=3, padding=1, bias=not norm))
            if norm:
                layers.append(nn.BatchNorm2d(item))
            layers.append(nn.ReLU(inplace=True))
            in_channels = item
        else:
            layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers), in_channels


class PlanNet(nn.Module):
    def __init__(self, plan_name="small", num_classes=100, norm=True):
        super().__init__()
        self.features, width = conv_stack(PLANS[plan_name], norm)
        self.pool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(0.3),
            nn.Linear(width * 2 * 2, 128),
            nn.ReLU(True),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def plan_deeper(**kwargs):
    return PlanNet("deeper", **kwargs)
