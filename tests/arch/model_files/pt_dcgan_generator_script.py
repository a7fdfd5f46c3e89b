# nnsolve corpus: a GAN script whose argparse options size a ConvTranspose2d generator and a discriminator; the generator is built last
import argparse
import os
import random

import torch
import torch.nn as nn
import torch.optim as optim

ap = argparse.ArgumentParser()
ap.add_argument("--latent", type=int, default=32, help="size of z")
ap.add_argument("--gen-width", type=int, default=16)
ap.add_argument("--disc-width", type=int, default=16)
ap.add_argument("--image-channels", type=int, default=1)
ap.add_argument("--outdir", default="samples")
ap.add_argument("--seed", type=int)
opt = ap.parse_args()

if opt.seed is None:
    opt.seed = random.randint(1, 10000)
torch.manual_seed(opt.seed)
os.makedirs(opt.outdir, exist_ok=True)
device = "cuda:0" if torch.cuda.is_available() else "cpu"


class Discriminator(nn.Module):
    def __init__(self, nc, w):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(nc, w, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w, w * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(w * 2, 1, 8, 1, 0, bias=False),
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x).view(-1, 1).squeeze(1)


class Generator(nn.Module):
    def __init__(self, nz, w, nc):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, w * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(w * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(w * 4, w * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(w * 2, w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(True),
            nn.ConvTranspose2d(w, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


def weights_init(m):
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


netD = Discriminator(opt.image_channels, opt.disc_width).to(device)
netD.apply(weights_init)
netG = Generator(opt.latent, opt.gen_width, opt.image_channels).to(device)
netG.apply(weights_init)
print(netG)

criterion = nn.BCELoss()
fixed_noise = torch.randn(16, opt.latent, 1, 1, device=device)
optD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
