# nnsolve corpus: a small conv net with functional pooling and activations, a flattened size computed in __init__, view(-1, n)
import torch
import torch.nn as nn
import torch.nn.functional as F


def pooled(side, times):
    for _ in range(times):
        side = (side + 2 * 1 - 3) // 2 + 1
    return side


class ThreeConvNet(nn.Module):
    def __init__(self, side=36, widths=(10, 20, 30), hidden=72, classes=10):
        super(ThreeConvNet, self).__init__()
        self.c1 = nn.Conv2d(3, widths[0], 3, padding=1)
        self.c2 = nn.Conv2d(widths[0], widths[1], 3, padding=1)
        self.c3 = nn.Conv2d(widths[1], widths[2], 3, padding=1)
        last = pooled(side, 3)
        self.n_flat = widths[2] * last * last
        self.hidden = nn.Linear(self.n_flat, hidden)
        self.scores = nn.Linear(hidden, classes)

    def forward(self, x):
        for conv in (self.c1, self.c2, self.c3):
            x = F.max_pool2d(F.elu(conv(x)), kernel_size=3, stride=2, padding=1)
        x = x.view(-1, self.n_flat)
        x = F.dropout(F.elu(self.hidden(x)), p=0.3, training=self.training)
        return F.log_softmax(self.scores(x), dim=1)


net = ThreeConvNet()
print(net)
print("trainable:", sum(p.numel() for p in net.parameters() if p.requires_grad))
with torch.no_grad():
    print(net(torch.zeros(2, 3, 36, 36)).exp().sum(dim=1))
