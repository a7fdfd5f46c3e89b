# input: 1x32x32
# make fuzz SEED=1 ONLY=1160: a literal below every exact range
import torch.nn as nn

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(1024, 84),
    nn.Linear(84, 1e-999999999),
)
