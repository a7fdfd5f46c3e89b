# nnsolve corpus: layers named through an OrderedDict and add_module in a loop, with a Flatten module and LeakyReLU
from collections import OrderedDict

import torch.nn as nn


class Critic(nn.Module):
    def __init__(self, channels=(3, 16, 32, 64), side=32):
        super().__init__()
        self.body = nn.Sequential()
        for i in range(len(channels) - 1):
            self.body.add_module(f"conv{i}", nn.Conv2d(channels[i], channels[i + 1], 4, 2, 1))
            if i > 0:
                self.body.add_module(f"norm{i}", nn.InstanceNorm2d(channels[i + 1], affine=True))
            self.body.add_module(f"act{i}", nn.LeakyReLU(0.2, inplace=True))
        final = side // 2 ** (len(channels) - 1)
        self.score = nn.Sequential(OrderedDict([
            ("flat", nn.Flatten()),
            ("fc", nn.Linear(channels[-1] * final * final, 1)),
        ]))

    def forward(self, img):
        return self.score(self.body(img))


critic = Critic()
