"""Shared by the optimizer tests: random small dense networks (hypothesis), the same network in
PyTorch float64, and textbook update rules written out independently of nnsolve's code."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import torch
from hypothesis import strategies as st

from nnsolve.engine.number import to_float

torch.set_default_dtype(torch.float64)

ACTIVATIONS = {"identity": lambda u: u, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
LOSSES = {
    "half_sse": lambda y, t: 0.5 * ((y - t) ** 2).sum(),
    "sse": lambda y, t: ((y - t) ** 2).sum(),
    "mse": lambda y, t: ((y - t) ** 2).mean(),
}
# Inputs are exact two-decimal numbers (n/100); zero is left out so that no gradient is exactly 0
# by accident in one arithmetic and not in the other (Rprop branches on signs).
DECIMALS = st.integers(-150, 150).filter(bool).map(lambda n: n / 100)


@dataclass
class Net:
    layout: str
    weights: list          # nested lists of floats, each in the layout's orientation
    biases: list           # a list of floats or None per layer
    activations: list
    x: list
    target: list
    loss: str

    def problem(self, optimizer: dict) -> dict:
        layers = []
        for W, b, act in zip(self.weights, self.biases, self.activations):
            layer = {"W": W, "activation": act}
            if b is not None:
                layer["b"] = b
            layers.append(layer)
        return {"problem": "dense_network", "network": {"layout": self.layout, "layers": layers},
                "data": {"x": self.x, "target": self.target}, "loss": {"type": self.loss}, "optimizer": optimizer}

    def keys(self) -> list[str]:
        """nnsolve's parameter ids in the order of `parameters()`."""
        out = []
        for i, b in enumerate(self.biases, start=1):
            out += [f"W{i}"] + ([f"b{i}"] if b is not None else [])
        return out

    def parameters(self) -> list[torch.Tensor]:
        out = []
        for W, b in zip(self.weights, self.biases):
            out.append(torch.tensor(W, requires_grad=True))
            if b is not None:
                out.append(torch.tensor(b, requires_grad=True))
        return out

    def loss_of(self, params: list[torch.Tensor]) -> torch.Tensor:
        h = torch.tensor(self.x)
        it = iter(params)
        for b, act in zip(self.biases, self.activations):
            W = next(it)
            u = h @ W if self.layout == "in_out" else h @ W.T
            if b is not None:
                u = u + next(it)
            h = ACTIVATIONS[act](u)
        return LOSSES[self.loss](h, torch.tensor(self.target))

    def loss_and_grads(self, values: list[torch.Tensor]) -> tuple[float, list[torch.Tensor]]:
        params = [v.detach().clone().requires_grad_(True) for v in values]
        loss = self.loss_of(params)
        grads = torch.autograd.grad(loss, params)
        return loss.item(), [g.detach() for g in grads]


def matrix(rows: int, cols: int):
    return st.lists(st.lists(DECIMALS, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


def vector(n: int):
    return st.lists(DECIMALS, min_size=n, max_size=n)


@st.composite
def networks(draw, activations=tuple(ACTIVATIONS)):
    """1–3 layers of width 1–4, either layout, biases or not, one sample or a batch of 2–3."""
    depth = draw(st.integers(1, 3))
    widths = draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1))
    layout = draw(st.sampled_from(("in_out", "out_in")))
    weights, biases = [], []
    for n_in, n_out in zip(widths, widths[1:]):
        weights.append(draw(matrix(n_in, n_out) if layout == "in_out" else matrix(n_out, n_in)))
        biases.append(draw(st.one_of(st.none(), vector(n_out))))
    acts = [draw(st.sampled_from(activations)) for _ in range(depth)]
    samples = draw(st.sampled_from((None, 2, 3)))
    x = draw(vector(widths[0]) if samples is None else matrix(samples, widths[0]))
    t = draw(vector(widths[-1]) if samples is None else matrix(samples, widths[-1]))
    return Net(layout, weights, biases, acts, x, t, draw(st.sampled_from(tuple(LOSSES))))


def as_float_array(value) -> np.ndarray:
    return np.vectorize(to_float, otypes=[float])(value) if value.ndim else np.array(to_float(value[()]))


def assert_close(exact, expected, what: str) -> None:
    """nnsolve's exact value against a float64 one: 1e-10 relative, 1e-10 absolute.

    The absolute floor is needed because adaptive optimizers divide by √s: for a gradient that float64
    computes with cancellation (weights like 0.01 summing to ~0), torch's relative error in g passes
    straight into the update (seen: 4e-12 absolute on a weight of 0.029 with RMSProp). The exact value
    is right; float64 is not better than that there.
    """
    np.testing.assert_allclose(as_float_array(exact), np.asarray(expected, dtype=float), rtol=1e-10, atol=1e-10,
                               err_msg=what)


def history_from_torch(net: Net, make_optimizer, steps: int) -> list[list[torch.Tensor]]:
    """Parameters after each of `steps` updates by a torch.optim optimizer."""
    params = net.parameters()
    opt = make_optimizer(params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        net.loss_of(params).backward()
        opt.step()
        history.append([p.detach().clone() for p in params])
    return history


# -- textbook rules, one function per optimizer, each written from its paper's formula -----------------
def reference_history(net: Net, kind: str, cfg: dict, steps: int) -> list[list[torch.Tensor]]:
    w = [p.detach().clone() for p in net.parameters()]
    state: dict = {"t": 0}
    history = []
    for _ in range(steps):
        state["t"] += 1
        w = RULES[kind](net, w, cfg, state)
        history.append([p.clone() for p in w])
    return history


def _momentum(net, w, cfg, state):
    lr, beta, form = cfg["lr"], cfg["beta"], cfg["form"]
    v = state.setdefault("v", [torch.zeros_like(p) for p in w])
    if form == "lookahead":     # Sutskever et al. 2013, eq. (3)–(4): gradient at w + βv
        _, g = net.loss_and_grads([p + beta * vi for p, vi in zip(w, v)])
    else:
        _, g = net.loss_and_grads(w)
    out = []
    for i, p in enumerate(w):
        if form == "pytorch":
            v[i] = beta * v[i] + g[i]
            out.append(p - lr * v[i])
        elif form == "nesterov_pytorch":
            v[i] = beta * v[i] + g[i]
            out.append(p - lr * (g[i] + beta * v[i]))
        elif form == "ema":
            v[i] = beta * v[i] + (1 - beta) * g[i]
            out.append(p - lr * v[i])
        else:   # sutskever and lookahead: the rate inside the velocity
            v[i] = beta * v[i] - lr * g[i]
            out.append(p + v[i])
    return out


def _scaled(lr, top, second, eps, inside):
    return lr * top / (torch.sqrt(second + eps) if inside else torch.sqrt(second) + eps)


def _adagrad(net, w, cfg, state):
    _, g = net.loss_and_grads(w)
    G = state.setdefault("G", [torch.full_like(p, cfg["G0"]) for p in w])
    for i in range(len(w)):
        G[i] = G[i] + g[i] ** 2
    return [p - _scaled(cfg["lr"], g[i], G[i], cfg["eps"], cfg["inside"]) for i, p in enumerate(w)]


def _rmsprop(net, w, cfg, state):
    _, g = net.loss_and_grads(w)
    s = state.setdefault("s", [torch.zeros_like(p) for p in w])
    for i in range(len(w)):
        s[i] = cfg["rho"] * s[i] + (1 - cfg["rho"]) * g[i] ** 2
    return [p - _scaled(cfg["lr"], g[i], s[i], cfg["eps"], cfg["inside"]) for i, p in enumerate(w)]


def _adam(net, w, cfg, state):
    """Kingma & Ba, Algorithm 1 (bias correction optional)."""
    _, g = net.loss_and_grads(w)
    b1, b2, t = cfg["beta1"], cfg["beta2"], state["t"]
    m = state.setdefault("m", [torch.zeros_like(p) for p in w])
    s = state.setdefault("s", [torch.zeros_like(p) for p in w])
    out = []
    for i, p in enumerate(w):
        m[i] = b1 * m[i] + (1 - b1) * g[i]
        s[i] = b2 * s[i] + (1 - b2) * g[i] ** 2
        mh, sh = (m[i] / (1 - b1 ** t), s[i] / (1 - b2 ** t)) if cfg["bias_correction"] else (m[i], s[i])
        out.append(p - _scaled(cfg["lr"], mh, sh, cfg["eps"], cfg["inside"]))
    return out


def _rprop(net, w, cfg, state):
    """Igel & Hüsken (2000), the four variants' pseudo-code, entry by entry in plain Python floats."""
    loss, g = net.loss_and_grads(w)
    variant = cfg["variant"]
    prev_g = state.setdefault("g", [torch.zeros_like(p) for p in w])
    delta = state.setdefault("delta", [torch.full_like(p, cfg["step_init"]) for p in w])
    change = state.setdefault("dw", [torch.zeros_like(p) for p in w])
    rose = loss > state.get("loss", float("inf"))
    out = []
    for i, p in enumerate(w):
        p, gi = p.clone().reshape(-1), g[i].clone().reshape(-1)
        d, pg, dw = delta[i].reshape(-1), prev_g[i].reshape(-1), change[i].reshape(-1)
        for j in range(p.numel()):
            product = float(pg[j] * gi[j])
            if product > 0:
                d[j] = min(d[j] * cfg["eta_plus"], cfg["step_max"])
            elif product < 0:
                d[j] = max(d[j] * cfg["eta_minus"], cfg["step_min"])
            if product < 0 and variant in ("rprop+", "irprop+"):
                if variant == "rprop+" or rose:
                    p[j] = p[j] - dw[j]
                gi[j] = 0.0
                continue
            if product < 0 and variant == "irprop-":
                gi[j] = 0.0
            dw[j] = -float(np.sign(float(gi[j]))) * d[j]
            p[j] = p[j] + dw[j]
        prev_g[i] = gi.reshape(g[i].shape)
        out.append(p.reshape(w[i].shape))
    state["loss"] = loss
    return out


RULES = {"momentum": _momentum, "adagrad": _adagrad, "rmsprop": _rmsprop, "adam": _adam, "rprop": _rprop}


def perceptron_history(W, b, x, t, lr, layout, steps):
    """Rosenblatt's rule on one layer of binary steps (y = 1 if u ≥ 0), samples of a batch summed.

    In exact Fractions: a float u of 1e-17 instead of 0 would flip the step."""
    exact = lambda rows: [[Fraction(str(v)) for v in r] for r in rows]  # noqa: E731
    W, b, lr = exact(W), [Fraction(str(v)) for v in b], Fraction(str(lr))
    xs, ts = (exact(x), exact(t)) if isinstance(x[0], list) else (exact([x]), exact([t]))
    history = []
    for _ in range(steps):
        dW = [[Fraction(0)] * len(W[0]) for _ in W]
        db = [Fraction(0)] * len(b)
        for xn, tn in zip(xs, ts):
            for k in range(len(b)):
                weights = [W[i][k] for i in range(len(xn))] if layout == "in_out" else W[k]
                u = sum(wi * xi for wi, xi in zip(weights, xn)) + b[k]
                e = tn[k] - (1 if u >= 0 else 0)
                db[k] += lr * e
                for i, xi in enumerate(xn):
                    if layout == "in_out":
                        dW[i][k] += lr * e * xi
                    else:
                        dW[k][i] += lr * e * xi
        W = [[w + d for w, d in zip(rw, rd)] for rw, rd in zip(W, dW)]
        b = [bi + di for bi, di in zip(b, db)]
        history.append((W, b))
    return history
