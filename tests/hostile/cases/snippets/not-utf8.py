# input: 4
import torch.nn as nn

model = nn.Sequential(
    nn.Linear(4, 2),
    nn.Foo(2),  # café
)
