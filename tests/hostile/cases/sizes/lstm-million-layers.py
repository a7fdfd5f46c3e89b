# input: 10x4
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, num_layers=1000000)
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        x, _ = self.lstm(x)
        return self.fc(x)
