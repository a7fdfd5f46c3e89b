# nnsolve corpus: a convolutional autoencoder with encode/decode helpers, ConvTranspose2d and a flatten bottleneck
import torch
import torch.nn as nn


class ConvAE(nn.Module):
    def __init__(self, code_size=20):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(True),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(True),
        )
        self.to_code = nn.Linear(16 * 7 * 7, code_size)
        self.from_code = nn.Linear(code_size, 16 * 7 * 7)
        self.dec = nn.Sequential(
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(True),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )

    def encode(self, x):
        h = self.enc(x)
        return self.to_code(h.flatten(1))

    def decode(self, z):
        h = self.from_code(z).view(-1, 16, 7, 7)
        return self.dec(h)

    def forward(self, x):
        return self.decode(self.encode(x))


if __name__ == "__main__":
    ae = ConvAE()
    recon = ae(torch.rand(4, 1, 28, 28))
    print(recon.shape)
