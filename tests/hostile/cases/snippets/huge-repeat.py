# input: 4
import torch.nn as nn

model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(10 ** 9)])
