# nnsolve corpus: a CIFAR training script with argparse sizes, main() under __main__, and a block class argument
import argparse
import logging
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

logger = logging.getLogger("cifar")

parser = argparse.ArgumentParser(description="train a small residual network on CIFAR-10")
parser.add_argument("--data-dir", default="./data", help="where the dataset lives")
parser.add_argument("--base-width", type=int, default=12)
parser.add_argument("--blocks", type=int, default=2, help="units per stage")
parser.add_argument("--num-classes", type=int, default=10)
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--no-cuda", action="store_true", default=False)
args = parser.parse_args()


class PlainUnit(nn.Module):
    grow = 1

    def __init__(self, c_in, c_out, stride=1):
        super(PlainUnit, self).__init__()
        self.conv_a = nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False)
        self.norm_a = nn.BatchNorm2d(c_out)
        self.conv_b = nn.Conv2d(c_out, c_out, kernel_size=3, padding=1, bias=False)
        self.norm_b = nn.BatchNorm2d(c_out)
        self.project = None
        if stride != 1 or c_in != c_out:
            self.project = nn.Sequential(
                nn.Conv2d(c_in, c_out, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(c_out),
            )

    def forward(self, x):
        shortcut = x if self.project is None else self.project(x)
        y = F.relu(self.norm_a(self.conv_a(x)))
        y = self.norm_b(self.conv_b(y))
        return F.relu(y + shortcut)


class StagedNet(nn.Module):
    def __init__(self, unit, width, per_stage, num_classes=10):
        super(StagedNet, self).__init__()
        self.current = width
        self.head = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.head_bn = nn.BatchNorm2d(width)
        self.stage1 = self._make_layer(unit, width, per_stage, stride=1)
        self.stage2 = self._make_layer(unit, width * 2, per_stage, stride=2)
        self.stage3 = self._make_layer(unit, width * 4, per_stage, stride=2)
        self.classifier = nn.Linear(width * 4 * unit.grow, num_classes)

    def _make_layer(self, unit, channels, count, stride):
        strides = [stride] + [1] * (count - 1)
        layers = []
        for s in strides:
            layers.append(unit(self.current, channels, s))
            self.current = channels * unit.grow
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.head_bn(self.head(x)))
        out = self.stage3(self.stage2(self.stage1(out)))
        out = F.avg_pool2d(out, out.size(3))
        out = out.view(out.size(0), -1)
        return self.classifier(out)


def train(model, loader, optimizer, device, epoch):
    model.train()
    seen, correct = 0, 0
    for step, (images, labels) in enumerate(loader):
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        logits = model(images)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(1) == labels).sum().item()
        seen += labels.size(0)
        if step % 50 == 0:
            logger.info(f"epoch {epoch} step {step} loss {loss.item():.3f} acc {correct / seen:.3f}")


def main():
    import torchvision
    import torchvision.transforms as T

    use_cuda = not args.no_cuda and torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")
    tfm = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor()])
    train_set = torchvision.datasets.CIFAR10(os.path.join(args.data_dir, "cifar"), train=True, download=True,
                                             transform=tfm)
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=2)
    model = StagedNet(PlainUnit, args.base_width, args.blocks, args.num_classes).to(device)
    print(model)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    for epoch in range(args.epochs):
        start = time.time()
        train(model, loader, optimizer, device, epoch)
        scheduler.step()
        logger.info("epoch %d took %.1fs", epoch, time.time() - start)
    torch.save(model.state_dict(), os.path.join(args.data_dir, "staged.pt"))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
