# nnsolve corpus: Lazy layers whose input sizes come from what arrives (LazyConv2d, LazyBatchNorm2d, LazyLinear)
import torch
import torch.nn as nn


class LazyNet(nn.Module):
    def __init__(self, widths=(12, 24), n_out=5):
        super().__init__()
        blocks = [nn.Sequential(nn.LazyConv2d(w, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.MaxPool2d(2))
                  for w in widths]
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.LazyLinear(n_out)

    def forward(self, x):
        x = self.blocks(x)
        return self.fc(x.flatten(start_dim=1))


model = LazyNet()
model(torch.zeros(1, 3, 30, 30))   # materialise the lazy weights before counting them
print(sum(p.numel() for p in model.parameters()))
