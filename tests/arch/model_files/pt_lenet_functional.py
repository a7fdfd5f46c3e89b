# nnsolve corpus: a LeNet-like net with functional pooling and activations, a flattened size computed in __init__, view(-1, n)
import torch.nn as nn
import torch.nn.functional as F


class SmallConvNet(nn.Module):
    def __init__(self, side=32, c1=8, c2=20, hidden=(100, 60), classes=10):
        super(SmallConvNet, self).__init__()
        self.conv_a = nn.Conv2d(3, c1, 5)
        self.conv_b = nn.Conv2d(c1, c2, 3)
        after = ((side - 4) // 2 - 2) // 2
        self.flat = c2 * after * after
        self.hid1 = nn.Linear(self.flat, hidden[0])
        self.hid2 = nn.Linear(hidden[0], hidden[1])
        self.logits = nn.Linear(hidden[1], classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv_a(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv_b(x)), 2)
        x = x.view(-1, self.flat)
        x = F.relu(self.hid1(x))
        x = F.relu(self.hid2(x))
        return F.log_softmax(self.logits(x), dim=1)


net = SmallConvNet()
print(net)
params = list(net.parameters())
print(len(params), params[0].size())
