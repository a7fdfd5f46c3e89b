# input: 1x32x32
# make fuzz SEED=1 ONLY=3819: 1e999 is a float literal (infinity to Python)
import torch.nn as nn

model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(1024, 84),
    nn.Linear(84, 1e999),
)
