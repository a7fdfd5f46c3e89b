# nnsolve corpus: a shared trunk with heads in an nn.ModuleDict built by a dict comprehension; forward returns a tuple
import torch.nn as nn

TASKS = {"digit": 10, "parity": 2, "magnitude": 3}


class MultiHead(nn.Module):
    def __init__(self, tasks, width=64):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((3, 3)),
            nn.Flatten(), nn.Linear(32 * 9, width), nn.ReLU(),
        )
        self.heads = nn.ModuleDict({name: nn.Linear(width, n) for name, n in tasks.items()})

    def forward(self, x):
        z = self.trunk(x)
        return tuple(self.heads[name](z) for name in self.heads)


model = MultiHead(TASKS)
