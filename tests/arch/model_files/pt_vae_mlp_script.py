# nnsolve corpus: a VAE training script (argparse, device, DataLoader over random data, f-strings); forward returns a tuple
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="VAE on flattened images")
parser.add_argument("--input-dim", type=int, default=784)
parser.add_argument("--hidden", type=int, default=300)
parser.add_argument("--latent", type=int, default=16)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--cuda", action="store_true")
cfg = parser.parse_args()
device = torch.device("cuda" if cfg.cuda and torch.cuda.is_available() else "cpu")


class VAE(nn.Module):
    def __init__(self, d_in, d_hidden, d_latent):
        super().__init__()
        self.hidden = nn.Linear(d_in, d_hidden)
        self.mu = nn.Linear(d_hidden, d_latent)
        self.logvar = nn.Linear(d_hidden, d_latent)
        self.expand = nn.Linear(d_latent, d_hidden)
        self.out = nn.Linear(d_hidden, d_in)

    def encode(self, x):
        h = F.relu(self.hidden(x))
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def decode(self, z):
        return torch.sigmoid(self.out(F.relu(self.expand(z))))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, cfg.input_dim))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def elbo(recon, x, mu, logvar):
    bce = F.binary_cross_entropy(recon, x.view(-1, cfg.input_dim), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


model = VAE(cfg.input_dim, cfg.hidden, cfg.latent).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)


def train(epoch, loader):
    model.train()
    total = 0.0
    for batch_idx, (x,) in enumerate(loader):
        x = x.to(device)
        optimizer.zero_grad()
        recon, mu, logvar = model(x)
        loss = elbo(recon, x, mu, logvar)
        loss.backward()
        total += loss.item()
        optimizer.step()
    print(f"====> epoch {epoch} average loss {total / len(loader.dataset):.4f}")


if __name__ == "__main__":
    data = TensorDataset(torch.rand(512, cfg.input_dim))
    loader = DataLoader(data, batch_size=64, shuffle=True)
    for epoch in range(1, cfg.epochs + 1):
        train(epoch, loader)
