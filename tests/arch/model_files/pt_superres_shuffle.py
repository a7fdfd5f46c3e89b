# nnsolve corpus: a super-resolution network ending in PixelShuffle, PReLU activations, init_weights() called from __init__
import torch.nn as nn


class Upscaler(nn.Module):
    def __init__(self, factor=2, channels=1, features=24, depth=3):
        super(Upscaler, self).__init__()
        self.entry = nn.Sequential(nn.Conv2d(channels, features, kernel_size=3, padding=1), nn.PReLU(features))
        body = []
        for _ in range(depth):
            body += [nn.Conv2d(features, features, kernel_size=3, padding=1), nn.PReLU(features)]
        self.body = nn.Sequential(*body)
        self.tail = nn.Conv2d(features, channels * factor * factor, kernel_size=3, padding=1)
        self.upsample = nn.PixelShuffle(factor)
        self.init_weights()

    def init_weights(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                nn.init.zeros_(m.bias)

    def forward(self, lowres):
        h = self.entry(lowres)
        h = h + self.body(h)
        return self.upsample(self.tail(h))


net = Upscaler(factor=3, depth=2)
