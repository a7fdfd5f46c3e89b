"""Every loss the schema accepts, in every family that trains, under SGD and Adam — and every other optimizer
over two updates — against PyTorch float64.

Each family has one small network here, written once as a problem file and once in torch (autograd for
the gradients, torch.optim for the update). The output activation follows the loss as an exam would pair
them (sigmoid for BCE, softmax for cross-entropy, none for the logits forms, tanh otherwise), so every
loss is fed what it takes. Compared: the loss, every parameter's gradient, every parameter after one
update, and the loss after it — so a family that computed another loss, or dropped a branch of one,
fails here.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import nnsolve
from nnsolve.engine.number import to_float

F = torch.nn.functional
RTOL, ATOL = 1e-9, 1e-12
SIGMA = 0.5

LOSSES = {  # id → (loss section, output activation)
    "sse": ({"type": "sse"}, "tanh"),
    "squared_error": ({"type": "squared_error"}, "tanh"),
    "half_sse": ({"type": "half_sse"}, "tanh"),
    "mse": ({"type": "mse"}, "tanh"),
    "bce": ({"type": "bce"}, "sigmoid"),
    "binary_cross_entropy": ({"type": "binary_cross_entropy", "log_base": 2}, "sigmoid"),
    "cross_entropy": ({"type": "cross_entropy"}, "softmax"),
    "categorical_cross_entropy": ({"type": "categorical_cross_entropy", "log_base": 10}, "softmax"),
    "gaussian_nll": ({"type": "gaussian_nll", "sigma": SIGMA}, "tanh"),
    "bce_from_logits": ({"type": "bce", "from_logits": True}, "identity"),
    "cross_entropy_from_logits": ({"type": "cross_entropy", "from_logits": True}, "identity"),
}
# a penalty on top of a loss, in every family: ½λ Σ w² over the weights, biases excluded
PENALTY = {"type": "l2", "lambda": 0.01, "half": True}
BIASES = {"recurrent": {"b", "c"}}      # elsewhere a bias is a parameter whose name starts with b

OPTIMIZERS = {"sgd": ({"type": "sgd", "lr": 0.1}, lambda ps: torch.optim.SGD(ps, lr=0.1)),
              "adam": ({"type": "adam", "lr": 0.01}, lambda ps: torch.optim.Adam(ps, lr=0.01, eps=1e-8))}


def t64(values) -> torch.Tensor:
    return torch.tensor(np.array(values, dtype=float), dtype=torch.float64)


def activate(name: str, z: torch.Tensor) -> torch.Tensor:
    return {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "identity": lambda v: v,
            "softmax": lambda v: torch.softmax(v, dim=-1)}[name](z)


def torch_loss(key: str, y: torch.Tensor, z: torch.Tensor, t: torch.Tensor, rows_are_samples: bool):
    """The loss of one output y (pre-activation z) against t; rows are samples or one sample is a vector."""
    spec, _ = LOSSES[key]
    kind = spec["type"]
    base = math.log(spec.get("log_base", math.e))
    if kind in ("sse", "squared_error"):
        return ((y - t) ** 2).sum()
    if kind == "half_sse":
        return 0.5 * ((y - t) ** 2).sum()
    if kind == "mse":
        return ((y - t) ** 2).mean()
    if kind == "gaussian_nll":
        return F.gaussian_nll_loss(y, t, torch.full_like(y, SIGMA ** 2), full=True, reduction="sum")
    if kind in ("bce", "binary_cross_entropy"):
        if spec.get("from_logits"):
            return F.binary_cross_entropy_with_logits(z, t, reduction="sum") / base
        return F.binary_cross_entropy(y, t, reduction="sum") / base
    rows = z if rows_are_samples else z[None]
    targets = t if rows_are_samples else t[None]
    if spec.get("from_logits"):
        return F.cross_entropy(rows, targets, reduction="sum")
    return -(targets * torch.log(y if rows_are_samples else y[None])).sum() / base


def values(solution, quantity: str) -> np.ndarray:
    return np.vectorize(to_float, otypes=[float])(np.asarray(solution.value(quantity), dtype=object))


def close(ours: np.ndarray, theirs: torch.Tensor, what: str) -> None:
    ref = theirs.detach().numpy()
    assert ours.shape == ref.shape, f"{what}: shape {ours.shape} vs torch {ref.shape}"
    assert np.allclose(ours, ref, rtol=RTOL, atol=ATOL), f"{what}: nnsolve {ours.tolist()} vs torch {ref.tolist()}"


# -- one small network per family: (problem, torch parameters by nnsolve id, torch loss of them) ----------
def dense(key: str):
    spec, act = LOSSES[key]
    x = [[0.5, -1.0, 0.25], [1.5, 0.5, -0.5]]
    t = [[0.0, 1.0], [1.0, 0.0]] if act != "tanh" else [[0.2, -0.4], [0.6, 0.1]]
    given = {"W1": [[0.1, -0.2, 0.3, 0.05], [0.4, 0.1, -0.3, 0.2], [-0.1, 0.2, 0.15, -0.25]],
             "b1": [0.1, -0.1, 0.0, 0.05], "W2": [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2], [0.25, 0.1]],
             "b2": [0.05, -0.05]}
    problem = {"problem": "dense_network",
               "network": {"layout": "in_out", "layers": [
                   {"W": given["W1"], "b": given["b1"], "activation": "tanh"},
                   {"W": given["W2"], "b": given["b2"], "activation": act}]},
               "data": {"x": x, "target": t}, "loss": spec}

    def loss(p):
        z = torch.tanh(t64(x) @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return torch_loss(key, activate(act, z), z, t64(t), True)
    return problem, given, loss


def conv(key: str):
    spec, act = LOSSES[key]
    x = [[[[0.5, -1.0, 0.25], [1.0, 0.0, -0.5], [0.75, 0.5, -0.25]]],
         [[[-0.5, 0.25, 1.0], [0.5, -0.75, 0.0], [0.25, 1.0, -1.0]]]]
    t = [[0.0, 1.0], [1.0, 0.0]] if act != "tanh" else [[0.2, -0.4], [0.6, 0.1]]
    given = {"K1": [[[[0.2, -0.1], [0.3, 0.1]]], [[[-0.2, 0.25], [0.1, 0.05]]]], "b1": [0.05, -0.1],
             "W4": [[0.1, -0.2], [0.3, 0.05], [-0.1, 0.2], [0.2, 0.1], [0.05, -0.3], [0.15, 0.1],
                    [-0.25, 0.2], [0.1, 0.1]],
             "b4": [0.02, -0.03]}
    problem = {"problem": "conv_network", "batch": True, "x": x, "target": t, "loss": spec,
               "layers": [{"conv2d": {"kernel": given["K1"], "bias": given["b1"]}}, {"activation": "tanh"},
                          {"flatten": {}}, {"dense": {"W": given["W4"], "b": given["b4"], "activation": act}}]}

    def loss(p):
        h = torch.tanh(F.conv2d(t64(x), p["K1"], p["b1"])).flatten(1)
        z = h @ p["W4"] + p["b4"]
        return torch_loss(key, activate(act, z), z, t64(t), True)
    return problem, given, loss


def recurrent(key: str):
    spec, act = LOSSES[key]
    xs = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]]
    ts = [[0.0, 1.0], [1.0, 0.0], [0.25, 0.75]] if act != "tanh" else [[0.2, -0.4], [0.6, 0.1], [-0.3, 0.3]]
    given = {"W": [[0.3, -0.2], [0.1, 0.4]], "V": [[0.2, 0.1], [-0.3, 0.2]], "b": [0.05, -0.05],
             "U": [[0.4, -0.1], [0.2, 0.3]], "c": [0.1, -0.1]}
    problem = {"problem": "recurrent", "layout": "out_in", "weights": given, "x": xs, "h0": [0.0, 0.0],
               "cell": {"activation": "tanh", "input_weight": "W", "recurrent_weight": "V", "bias": "b"},
               "output": {"weight": "U", "bias": "c", "activation": act},
               "loss": {**spec, "over": "y", "targets": ts}}

    def loss(p):
        h, total = torch.zeros(2, dtype=torch.float64), 0
        for x, t in zip(xs, ts):
            h = torch.tanh(p["W"] @ t64(x) + p["V"] @ h + p["b"])
            z = p["U"] @ h + p["c"]
            total = total + torch_loss(key, activate(act, z), z, t64(t), False)
        return total
    return problem, given, loss


def gated(key: str):
    spec, act = LOSSES[key]
    xs = [[0.5], [-1.0], [0.75]]
    ts = [[0.0, 1.0], [1.0, 0.0], [0.25, 0.75]] if act != "tanh" else [[0.2, -0.4], [0.6, 0.1], [-0.3, 0.3]]
    rows = [[0.1], [-0.2], [0.3], [0.05], [0.2], [-0.1], [0.15], [0.25]]
    stacked = {"input": rows,
               "recurrent": [[0.1, -0.4], [0.0, -0.3], [-0.1, -0.2], [0.1, -0.1], [0.0, 0.1], [-0.1, 0.2],
                             [0.1, 0.3], [0.0, 0.4]],
               "bias": [0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07],
               "recurrent_bias": [0.0, -0.02, -0.04, -0.06, -0.08, -0.1, -0.12, -0.14]}
    output = {"W": [[0.3, -0.2], [0.1, 0.4]], "b": [0.05, -0.05], "activation": act}
    problem = {"problem": "gated_rnn", "cell": "lstm", "x": xs, "h0": [0.0, 0.0], "c0": [0.0, 0.0],
               "weights": stacked, "output": output, "target": ts, "loss": spec}
    # nnsolve's per-gate ids, stacked in PyTorch's order i, f, g, o
    given = {f"{prefix}_{gate}": [stacked[kind][2 * g + r] for r in range(2)]
             for kind, prefix in (("input", "W"), ("recurrent", "U"), ("bias", "b"), ("recurrent_bias", "bh"))
             for g, gate in enumerate("ifgo")}
    given |= {"W_y": output["W"], "b_y": output["b"]}

    def loss(p):
        w_ih = torch.cat([p[f"W_{g}"] for g in "ifgo"])
        w_hh = torch.cat([p[f"U_{g}"] for g in "ifgo"])
        b = torch.cat([p[f"b_{g}"] for g in "ifgo"]) + torch.cat([p[f"bh_{g}"] for g in "ifgo"])
        h = c = torch.zeros(2, dtype=torch.float64)
        total = 0
        for x, t in zip(xs, ts):
            i, f, g, o = (w_ih @ t64(x) + w_hh @ h + b).split(2)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            z = p["W_y"] @ h + p["b_y"]
            total = total + torch_loss(key, activate(act, z), z, t64(t), False)
        return total
    return problem, given, loss


def attention(key: str):
    spec, act = LOSSES[key]
    x = [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]]
    t = [[0.0, 1.0], [1.0, 0.0], [0.25, 0.75]] if act != "tanh" else [[0.2, -0.4], [0.6, 0.1], [-0.3, 0.3]]
    given = {"W_Q": [[0.3, -0.2], [0.1, 0.4]], "W_K": [[0.2, 0.1], [-0.3, 0.2]], "W_V": [[0.4, -0.1], [0.2, 0.3]],
             "W_O": [[0.1, 0.2], [-0.2, 0.3]]}
    problem = {"problem": "attention", "layout": "in_out", "X": x, **given, "activation": act,
               "loss": {**spec, "target": t}}

    def loss(p):
        q, k, v = t64(x) @ p["W_Q"], t64(x) @ p["W_K"], t64(x) @ p["W_V"]
        z = torch.softmax(q @ k.T / math.sqrt(2), dim=-1) @ v @ p["W_O"]
        return torch_loss(key, activate(act, z), z, t64(t), True)
    return problem, given, loss


FAMILIES = {"dense_network": dense, "conv_network": conv, "recurrent": recurrent, "gated_rnn": gated,
            "attention": attention}


def penalized(family: str, given: dict, torch_loss_of):
    """The family's loss with the L2 penalty added, in torch."""
    weights = [name for name in given if name not in BIASES.get(family, {n for n in given if n.startswith("b")})]
    return lambda p: torch_loss_of(p) + 0.5 * PENALTY["lambda"] * sum((p[name] ** 2).sum() for name in weights)


CASES = [(family, key, optimizer, False) for family in FAMILIES for key in LOSSES for optimizer in OPTIMIZERS]
CASES += [(family, "mse", optimizer, True) for family in FAMILIES for optimizer in OPTIMIZERS]


@pytest.mark.parametrize("family, key, optimizer, penalty", CASES,
                         ids=[f"{f}-{k}-{o}{'-l2' if p else ''}" for f, k, o, p in CASES])
def test_loss_gradients_and_update_match_torch(family, key, optimizer, penalty):
    problem, given, torch_loss_of = FAMILIES[family](key)
    spec, make = OPTIMIZERS[optimizer]
    if penalty:
        problem = {**problem, "penalty": PENALTY}
        torch_loss_of = penalized(family, given, torch_loss_of)
    solution = nnsolve.solve({**problem, "optimizer": spec})
    params = {name: t64(value).requires_grad_(True) for name, value in given.items()}
    loss = torch_loss_of(params)
    loss.backward()
    close(values(solution, "loss"), loss, "loss")
    for name, p in params.items():
        close(values(solution, f"dL/d{name}"), p.grad, f"dL/d{name}")
    make(list(params.values())).step()
    for name, p in params.items():
        close(values(solution, f"{name}(1)"), p, f"{name}(1)")
    with torch.no_grad():
        close(values(solution, "loss(1)"), torch_loss_of(params), "loss after the update")
    assert solution.kind == family


# every other optimizer, two updates (so the state carries over), against torch.optim in its own form
MORE_OPTIMIZERS = {
    "momentum": ({"type": "momentum", "lr": 0.1, "momentum": 0.9},
                 lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9)),
    "nesterov": ({"type": "nesterov", "lr": 0.1, "momentum": 0.9},
                 lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
    "adagrad": ({"type": "adagrad", "lr": 0.1}, lambda ps: torch.optim.Adagrad(ps, lr=0.1, eps=1e-10)),
    "rmsprop": ({"type": "rmsprop", "lr": 0.01}, lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.99, eps=1e-8)),
    "rprop": ({"type": "rprop", "step_init": 0.01}, lambda ps: torch.optim.Rprop(ps, lr=0.01)),
}


@pytest.mark.parametrize("optimizer", MORE_OPTIMIZERS)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_optimizer_updates_every_family_as_torch_does(family, optimizer):
    problem, given, torch_loss_of = FAMILIES[family]("mse")
    spec, make = MORE_OPTIMIZERS[optimizer]
    solution = nnsolve.solve({**problem, "optimizer": {**spec, "steps": 2}})
    params = {name: t64(value).requires_grad_(True) for name, value in given.items()}
    step = make(list(params.values()))
    for _ in range(2):
        step.zero_grad()
        torch_loss_of(params).backward()
        step.step()
    for name, p in params.items():
        close(values(solution, f"{name}(2)"), p, f"{name}(2)")
    with torch.no_grad():
        close(values(solution, "loss(2)"), torch_loss_of(params), "loss after two updates")
