# input: 3x32x32
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 8, 3 if (1,) < 1 else 5),
    nn.ReLU(),
)
