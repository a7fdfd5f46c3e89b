# nnsolve corpus: a super-resolution network ending in PixelShuffle, with init_weights() called from __init__
import torch.nn as nn
import torch.nn.init as init


class Upscaler(nn.Module):
    def __init__(self, factor=2, channels=1, features=24):
        super(Upscaler, self).__init__()
        self.act = nn.PReLU()
        self.entry = nn.Conv2d(channels, features, kernel_size=5, padding=2)
        self.mid1 = nn.Conv2d(features, features, kernel_size=3, padding=1)
        self.mid2 = nn.Conv2d(features, features // 2, kernel_size=3, padding=1)
        self.to_sub = nn.Conv2d(features // 2, channels * factor ** 2, kernel_size=3, padding=1)
        self.shuffle = nn.PixelShuffle(factor)
        self.init_weights()

    def forward(self, lowres):
        h = self.act(self.entry(lowres))
        h = self.act(self.mid1(h))
        h = self.act(self.mid2(h))
        return self.shuffle(self.to_sub(h))

    def init_weights(self):
        gain = init.calculate_gain("relu")
        for conv in (self.entry, self.mid1, self.mid2):
            init.orthogonal_(conv.weight, gain)
        init.orthogonal_(self.to_sub.weight)


net = Upscaler(factor=3)
