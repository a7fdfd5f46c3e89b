# nnsolve's own test input (written for this test suite): a small bottleneck ResNet in the habits of library
# model code — a norm layer defaulting to None, a check that raises only on bad input, a registry decorator and
# **kwargs on the constructor, class attributes, a stage builder and a forward that hands over to a helper.
# input: 3x32x32
import torch
import torch.nn as nn

REGISTRY = {}


def registered(builder):
    REGISTRY[builder.__name__] = builder
    return builder


def pointwise(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=False)


def spatial(cin, cout, stride=1, groups=1):
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, groups=groups, bias=False)


class Squeeze(nn.Module):
    widen = 4

    def __init__(self, cin, mid, stride=1, shortcut=None, groups=1, norm=None):
        super().__init__()
        norm = norm or nn.BatchNorm2d
        cout = mid * self.widen
        self.reduce = pointwise(cin, mid)
        self.reduce_norm = norm(mid)
        self.mix = spatial(mid, mid, stride, groups)
        self.mix_norm = norm(mid)
        self.expand = pointwise(mid, cout)
        self.expand_norm = norm(cout)
        self.act = nn.ReLU(inplace=True)
        self.shortcut = shortcut

    def forward(self, x):
        skip = x if self.shortcut is None else self.shortcut(x)
        y = self.act(self.reduce_norm(self.reduce(x)))
        y = self.act(self.mix_norm(self.mix(y)))
        y = self.expand_norm(self.expand(y))
        y += skip
        return self.act(y)


class SmallResNet(nn.Module):
    def __init__(self, unit, depths, classes=1000, stem_width=32, groups=1, norm=None):
        super().__init__()
        if len(depths) != 3:
            raise ValueError(f"three stages expected, got {len(depths)}")
        self.norm = norm if norm is not None else nn.BatchNorm2d
        self.groups = groups
        self.width = stem_width
        self.stem = nn.Conv2d(3, stem_width, 3, stride=1, padding=1, bias=False)
        self.stem_norm = self.norm(stem_width)
        self.act = nn.ReLU(inplace=True)
        stages = []
        for index, (mid, depth) in enumerate(zip((16, 32, 64), depths)):
            stages.append(self._stage(unit, mid, depth, stride=1 if index == 0 else 2))
        self.stages = nn.Sequential(*stages)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(64 * unit.widen, classes)
        for module in self.modules():
            if isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)

    def _stage(self, unit, mid, depth, stride):
        shortcut = None
        if stride > 1 or self.width != mid * unit.widen:
            shortcut = nn.Sequential(pointwise(self.width, mid * unit.widen, stride), self.norm(mid * unit.widen))
        units = [unit(self.width, mid, stride, shortcut, self.groups, self.norm)]
        self.width = mid * unit.widen
        units += [unit(self.width, mid, groups=self.groups, norm=self.norm) for _ in range(depth - 1)]
        return nn.Sequential(*units)

    def _features(self, x):
        x = self.act(self.stem_norm(self.stem(x)))
        return self.stages(x)

    def forward(self, x):
        x = self.pool(self._features(x))
        return self.head(torch.flatten(x, 1))


@registered
def small_resnet(**options):
    return SmallResNet(Squeeze, [1, 2, 1], **options)


model = small_resnet(classes=10)
