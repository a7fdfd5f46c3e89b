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
ap.add_argument("--seed", type=int, default=0, help="0 draws a random seed")
opt = ap.parse_args()

seed = opt.seed or random.SystemRandom().randrange(1 << 16)
torch.manual_seed(seed)
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


def gan_init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.trunc_normal_(module.weight, std=0.03)
    if isinstance(module, nn.BatchNorm2d):
        nn.init.constant_(module.weight, 1.0)
        nn.init.constant_(module.bias, 0.0)


netD = Discriminator(opt.image_channels, opt.disc_width).to(device)
netD.apply(gan_init)
netG = Generator(opt.latent, opt.gen_width, opt.image_channels).to(device)
netG.apply(gan_init)
print(netG)

adversarial = nn.BCEWithLogitsLoss()
preview_z = torch.randn(8, opt.latent, 1, 1, device=device)
opt_d = optim.RMSprop(netD.parameters(), lr=1e-4)
opt_g = optim.RMSprop(netG.parameters(), lr=1e-4)
print(f"seed {seed}, samples go to {os.path.abspath(opt.outdir)}")
