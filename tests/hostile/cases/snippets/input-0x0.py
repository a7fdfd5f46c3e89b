# input: 0x0
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(1, 8, 3),
    nn.ReLU(),
)
