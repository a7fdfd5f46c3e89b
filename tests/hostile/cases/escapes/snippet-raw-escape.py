# input: 4
import torch.nn as nn

model = nn.Sequential(
    nn.Linear(4, 2),  # ]0;pwned 2J
    nn.Foo[31m(2),
)
