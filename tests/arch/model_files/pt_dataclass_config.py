# nnsolve corpus: a model sized by a @dataclass config with defaults, an MLP mixer-like block list and LayerNorm
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class MixerConfig:
    image: int = 32
    patch: int = 8
    channels: int = 3
    dim: int = 48
    token_hidden: int = 32
    channel_hidden: int = 96
    depth: int = 2
    classes: int = 10


class MlpBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class MixerLayer(nn.Module):
    def __init__(self, tokens, cfg):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.dim)
        self.token_mlp = MlpBlock(tokens, cfg.token_hidden)
        self.norm2 = nn.LayerNorm(cfg.dim)
        self.channel_mlp = MlpBlock(cfg.dim, cfg.channel_hidden)

    def forward(self, x):
        y = self.norm1(x).transpose(1, 2)
        x = x + self.token_mlp(y).transpose(1, 2)
        return x + self.channel_mlp(self.norm2(x))


class Mixer(nn.Module):
    def __init__(self, cfg: MixerConfig):
        super().__init__()
        tokens = (cfg.image // cfg.patch) ** 2
        self.patchify = nn.Conv2d(cfg.channels, cfg.dim, cfg.patch, stride=cfg.patch)
        self.layers = nn.Sequential(*[MixerLayer(tokens, cfg) for _ in range(cfg.depth)])
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, cfg.classes)

    def forward(self, x):
        x = self.patchify(x).flatten(2).transpose(1, 2)
        x = self.norm(self.layers(x))
        return self.head(x.mean(dim=1))


config = MixerConfig()
model = Mixer(config)
