# nnsolve corpus: a top-level script: synthetic data, an nn.Sequential regressor and a training loop with logging, all at module level
import logging

import torch
import torch.nn as nn

logging.basicConfig(format="%(asctime)s %(message)s", level=logging.WARNING)
log = logging.getLogger(__name__)

torch.manual_seed(7)
N_FEATURES = 6
xs = torch.randn(128, N_FEATURES)
true_w = torch.arange(1, N_FEATURES + 1, dtype=torch.float32)
ys = (xs @ true_w).unsqueeze(1) + 0.1 * torch.randn(128, 1)

regressor = nn.Sequential(
    nn.Linear(N_FEATURES, 32),
    nn.Tanh(),
    nn.Linear(32, 16),
    nn.Tanh(),
    nn.Linear(16, 1),
)
loss_fn = nn.MSELoss()
opt = torch.optim.SGD(regressor.parameters(), lr=0.01)

for step in range(20):
    pred = regressor(xs)
    loss = loss_fn(pred, ys)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 5 == 0:
        log.info("step %d: loss %.4f", step, loss.item())

print("final loss", loss.item())
