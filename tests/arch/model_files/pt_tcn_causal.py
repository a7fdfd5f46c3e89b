# nnsolve corpus: a temporal convolutional net: dilated causal Conv1d with the padding sliced off, residual 1x1 downsample
import torch.nn as nn


class Chomp(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, x):
        return x[:, :, :-self.size].contiguous()


class CausalBlock(nn.Module):
    def __init__(self, c_in, c_out, kernel, dilation, dropout=0.1):
        super().__init__()
        pad = (kernel - 1) * dilation
        self.path = nn.Sequential(
            nn.Conv1d(c_in, c_out, kernel, padding=pad, dilation=dilation), Chomp(pad), nn.ReLU(), nn.Dropout(dropout),
            nn.Conv1d(c_out, c_out, kernel, padding=pad, dilation=dilation), Chomp(pad), nn.ReLU(), nn.Dropout(dropout),
        )
        self.down = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else None
        self.relu = nn.ReLU()

    def forward(self, x):
        res = x if self.down is None else self.down(x)
        return self.relu(self.path(x) + res)


class TCN(nn.Module):
    def __init__(self, n_inputs=4, channels=(16, 16, 24), kernel=3, n_outputs=2):
        super().__init__()
        blocks = []
        for i, c in enumerate(channels):
            c_in = n_inputs if i == 0 else channels[i - 1]
            blocks += [CausalBlock(c_in, c, kernel, dilation=2 ** i)]
        self.tcn = nn.Sequential(*blocks)
        self.readout = nn.Linear(channels[-1], n_outputs)

    def forward(self, x):
        y = self.tcn(x)
        return self.readout(y[:, :, -1])


tcn = TCN()
