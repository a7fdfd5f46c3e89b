# nnsolve corpus: a VGG-style net built from a config dict in a loop, nn.Sequential(*layers), AdaptiveAvgPool2d((2, 2))
import torch
import torch.nn as nn

PLANS = {
    "A": [16, "M", 32, "M", 64, 64, "M"],
    "B": [16, 16, "M", 32, 32, "M", 64, 64, 64, "M"],
}


class PlanNet(nn.Module):
    def __init__(self, plan_name="A", num_classes=100, batch_norm=True):
        super().__init__()
        self.features = self.build(PLANS[plan_name], batch_norm)
        self.pool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(
            nn.Linear(64 * 2 * 2, 128),
            nn.ReLU(True),
            nn.Dropout(),
            nn.Linear(128, num_classes),
        )

    @staticmethod
    def build(plan, batch_norm):
        layers = []
        channels = 3
        for v in plan:
            if v == "M":
                layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
                continue
            layers.append(nn.Conv2d(channels, v, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))
            channels = v
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.features(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


def plan_b(**kwargs):
    return PlanNet("B", **kwargs)
