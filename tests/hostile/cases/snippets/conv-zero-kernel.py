# input: 3x32x32
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 8, kernel_size=0),
    nn.MaxPool2d(0),
)
