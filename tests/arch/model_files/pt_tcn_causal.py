# nnsolve corpus: a temporal convolutional net: dilated Conv1d made causal by left padding (F.pad), residual 1x1 projections
import torch.nn as nn
import torch.nn.functional as F


class CausalConv(nn.Conv1d):
    def __init__(self, c_in, c_out, kernel, dilation):
        super().__init__(c_in, c_out, kernel, dilation=dilation)
        self.left = (kernel - 1) * dilation

    def forward(self, x):
        return super().forward(F.pad(x, (self.left, 0)))


class DilatedUnit(nn.Module):
    def __init__(self, c_in, c_out, kernel, dilation, p_drop=0.1):
        super().__init__()
        self.conv1 = CausalConv(c_in, c_out, kernel, dilation)
        self.conv2 = CausalConv(c_out, c_out, kernel, dilation)
        self.drop = nn.Dropout(p_drop)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x):
        h = self.drop(F.relu(self.conv1(x)))
        h = self.drop(F.relu(self.conv2(h)))
        return F.relu(h + self.skip(x))


class TemporalNet(nn.Module):
    def __init__(self, n_inputs=4, widths=(16, 16, 24), kernel=3, n_outputs=2):
        super().__init__()
        ins = (n_inputs,) + tuple(widths[:-1])
        self.units = nn.Sequential(*[DilatedUnit(i, o, kernel, 2 ** level)
                                     for level, (i, o) in enumerate(zip(ins, widths))])
        self.readout = nn.Linear(widths[-1], n_outputs)

    def forward(self, x):
        h = self.units(x)
        return self.readout(h[:, :, -1])


tcn = TemporalNet()
