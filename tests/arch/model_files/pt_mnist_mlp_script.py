# nnsolve corpus: an MNIST script whose top level builds an MLP from constants, moves it to a device and prints it
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader

DATA_ROOT = os.path.join(os.path.expanduser("~"), "datasets", "mnist")
IMAGE_SIDE = 28
HIDDEN = [256, 64]
CLASSES = 10
BATCH = 64
EPOCHS = 3

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class MLP(nn.Module):
    def __init__(self, n_in, hidden, n_out, p_drop=0.2):
        super().__init__()
        dims = [n_in] + hidden
        blocks = []
        for a, b in zip(dims[:-1], dims[1:]):
            blocks += [nn.Linear(a, b), nn.ReLU(inplace=True), nn.Dropout(p_drop)]
        self.body = nn.Sequential(*blocks)
        self.out = nn.Linear(dims[-1], n_out)

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        return self.out(self.body(x))


model = MLP(IMAGE_SIDE * IMAGE_SIDE, HIDDEN, CLASSES).to(device)
print(model)
print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def get_loaders():
    from torchvision import datasets, transforms
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    train = datasets.MNIST(DATA_ROOT, train=True, download=True, transform=tf)
    test = datasets.MNIST(DATA_ROOT, train=False, transform=tf)
    return DataLoader(train, batch_size=BATCH, shuffle=True), DataLoader(test, batch_size=1000)


def run():
    train_loader, test_loader = get_loaders()
    for epoch in range(1, EPOCHS + 1):
        model.train()
        for i, (x, y) in enumerate(train_loader):
            x, y = x.to(device), y.to(device)
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        hits = 0
        with torch.no_grad():
            for x, y in test_loader:
                hits += (model(x.to(device)).argmax(dim=1) == y.to(device)).sum().item()
        print(f"epoch {epoch}: test accuracy {hits / len(test_loader.dataset):.4f}")


if __name__ == "__main__":
    run()
