# input: 4
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        setattr(self, "\x1b]0;pwned\x07", nn.Linear(4, 2))
        self.fc = nn.Linear(4, 2)
        self.bad = nn.Linear(400, "\x1b[2J")
