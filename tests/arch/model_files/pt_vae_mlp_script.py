# nnsolve corpus: a VAE training script (argparse, device, DataLoader over random data, f-strings); forward returns a tuple
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description="variational autoencoder on flattened 28x28 images")
parser.add_argument("--input-dim", type=int, default=784)
parser.add_argument("--hidden", type=int, default=256)
parser.add_argument("--latent", type=int, default=12)
parser.add_argument("--beta", type=float, default=1.0)
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--cuda", action="store_true")
cfg = parser.parse_args()
device = torch.device("cuda" if cfg.cuda and torch.cuda.is_available() else "cpu")


class GaussianVAE(nn.Module):
    def __init__(self, d_in, d_hidden, d_latent):
        super().__init__()
        self.d_in = d_in
        self.encoder = nn.Sequential(nn.Linear(d_in, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_hidden // 2), nn.ReLU())
        self.stats = nn.Linear(d_hidden // 2, 2 * d_latent)
        self.decoder = nn.Sequential(nn.Linear(d_latent, d_hidden), nn.ReLU(), nn.Linear(d_hidden, d_in))

    def posterior(self, x):
        mean, log_var = self.stats(self.encoder(x)).chunk(2, dim=-1)
        return mean, log_var

    def sample_latent(self, mean, log_var):
        noise = torch.randn_like(mean)
        return mean + noise * (0.5 * log_var).exp()

    def forward(self, x):
        mean, log_var = self.posterior(x.flatten(1))
        z = self.sample_latent(mean, log_var)
        return torch.sigmoid(self.decoder(z)), mean, log_var


def negative_elbo(x_hat, x, mean, log_var, beta=1.0):
    reconstruction = F.binary_cross_entropy(x_hat, x.flatten(1), reduction="sum")
    kl = 0.5 * (mean.pow(2) + log_var.exp() - 1.0 - log_var).sum()
    return reconstruction + beta * kl


model = GaussianVAE(cfg.input_dim, cfg.hidden, cfg.latent).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)


def train(epoch, loader):
    model.train()
    running = 0.0
    for x, in loader:
        x = x.to(device)
        x_hat, mean, log_var = model(x)
        loss = negative_elbo(x_hat, x, mean, log_var, cfg.beta)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        running += loss.item() * x.size(0)
    print(f"[{epoch:02d}] mean loss per image: {running / len(loader.dataset):.2f}")


if __name__ == "__main__":
    images = TensorDataset(torch.rand(512, cfg.input_dim))
    for epoch in range(cfg.epochs):
        train(epoch, DataLoader(images, batch_size=64, shuffle=True))
