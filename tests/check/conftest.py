"""PyTorch float64 is the oracle: the case files' networks are rebuilt here and differentiated by
autograd, so no expected value is taken from a key."""
from __future__ import annotations

import math
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"


def within(key: float, value: float, decimals: int) -> bool:
    """A key written with `decimals` decimals is right when it is the value rounded (half a unit)."""
    return abs(key - value) <= 0.5 * 10 ** -decimals + 1e-12


@pytest.fixture(scope="session")
def sigmoid_net() -> dict:
    """The 2-2-1 network of correct-key.yaml (and slipped-/rounded-key.yaml), its ½·SSE loss, every
    gradient and one SGD step with η = 0.5, as nested lists of floats keyed by nnsolve's ids."""
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    x = torch.tensor([1.0, 2.0], dtype=f64)
    W1 = torch.tensor([[0.5, -1.0], [0.25, 0.5]], dtype=f64, requires_grad=True)   # in_out: u = Wᵀx + b
    b1 = torch.tensor([0.1, 0.1], dtype=f64, requires_grad=True)
    W2 = torch.tensor([[-3.0], [3.0]], dtype=f64, requires_grad=True)
    b2 = torch.tensor([0.1], dtype=f64, requires_grad=True)
    u1 = x @ W1 + b1
    h1 = torch.sigmoid(u1)
    u2 = h1 @ W2 + b2
    for t in (u1, h1, u2):
        t.retain_grad()
    loss = 0.5 * (u2 ** 2).sum()          # target 0
    loss.backward()
    lr = 0.5
    return {
        "x": x.tolist(), "W2": W2.tolist(), "b2": b2.tolist(),
        "u1": u1.tolist(), "h1": h1.tolist(), "u2": u2.tolist(), "loss": loss.item(),
        "dL/du2": u2.grad.tolist(), "dL/dh1": h1.grad.tolist(), "dL/du1": u1.grad.tolist(),
        "dL/dW1": W1.grad.tolist(), "dL/db1": b1.grad.tolist(), "dL/dW2": W2.grad.tolist(),
        "dL/db2": b2.grad.tolist(),
        "W2(1)": (W2 - lr * W2.grad).tolist(), "b2(1)": (b2 - lr * b2.grad).tolist(),
    }


@pytest.fixture(scope="session")
def sigmoid_unit_bce() -> dict:
    """log10-key.yaml's single sigmoid unit with binary cross-entropy (natural log), target 1."""
    torch = pytest.importorskip("torch")
    f64 = torch.float64
    x = torch.tensor([1.0, 2.0], dtype=f64)
    W = torch.tensor([[0.5], [-0.25]], dtype=f64)
    b = torch.tensor([0.2], dtype=f64)
    u = (x @ W + b).detach().requires_grad_(True)
    y = torch.sigmoid(u)
    loss = torch.nn.functional.binary_cross_entropy(y, torch.tensor([1.0], dtype=f64), reduction="sum")
    loss.backward()
    return {"u1": u.tolist(), "y": y.tolist(), "loss": loss.item(), "dL/du1": u.grad.tolist(),
            "ln10": math.log(10)}
