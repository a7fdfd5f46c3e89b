# nnsolve corpus: a two-level U-Net: torch.cat skip connections, a ModuleDict of stages, a two-conv helper function
import torch
import torch.nn as nn
import torch.nn.functional as F


def twin_conv(c_in, c_out):
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
        nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
    )


class MiniUNet(nn.Module):
    def __init__(self, in_ch=3, n_classes=2, base=8):
        super().__init__()
        self.stages = nn.ModuleDict({
            "down0": twin_conv(in_ch, base),
            "down1": twin_conv(base, base * 2),
            "bottom": twin_conv(base * 2, base * 4),
            "up1": twin_conv(base * 4 + base * 2, base * 2),
            "up0": twin_conv(base * 2 + base, base),
        })
        self.head = nn.Conv2d(base, n_classes, kernel_size=1)

    def forward(self, x):
        s0 = self.stages["down0"](x)
        s1 = self.stages["down1"](F.max_pool2d(s0, 2))
        b = self.stages["bottom"](F.max_pool2d(s1, 2))
        u1 = F.interpolate(b, scale_factor=2, mode="nearest")
        u1 = self.stages["up1"](torch.cat([u1, s1], dim=1))
        u0 = F.interpolate(u1, scale_factor=2, mode="nearest")
        u0 = self.stages["up0"](torch.cat([u0, s0], dim=1))
        return self.head(u0)


model = MiniUNet()
