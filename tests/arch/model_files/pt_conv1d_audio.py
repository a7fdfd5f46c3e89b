# nnsolve corpus: a 1-D convolutional keyword spotter: Conv1d/BatchNorm1d stacks from a comprehension, transpose, AdaptiveAvgPool1d
import torch
import torch.nn as nn


class KeywordNet(nn.Module):
    def __init__(self, n_mels=20, channels=(24, 32, 32), n_words=12):
        super().__init__()
        ins = (n_mels,) + channels[:-1]
        self.convs = nn.Sequential(*[
            nn.Sequential(nn.Conv1d(i, o, kernel_size=5, stride=2 if k > 0 else 1, padding=2),
                          nn.BatchNorm1d(o), nn.ReLU())
            for k, (i, o) in enumerate(zip(ins, channels))
        ])
        self.pool = nn.AdaptiveAvgPool1d(1)
        self.out = nn.Linear(channels[-1], n_words)

    def forward(self, frames):
        # frames arrive as (batch, time, mel bins): Conv1d wants the bins as channels
        x = frames.transpose(1, 2)
        x = self.convs(x)
        x = self.pool(x).squeeze(-1)
        return self.out(x)


spotter = KeywordNet()
