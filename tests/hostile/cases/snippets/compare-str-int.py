# input: 3x32x32
import torch.nn as nn

width = 16 if 'a' < 1 else 8

model = nn.Sequential(
    nn.Conv2d(3, width, 3),
    nn.ReLU(),
)
