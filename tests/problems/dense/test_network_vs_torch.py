"""Whole random dense networks solved by `nnsolve.solve` against torch.autograd in float64.

1–4 layers of width 1–5, both weight layouts, with and without biases, one sample or a batch, random
activations, losses, reductions, log bases, penalties and the fused/chained output gradient. Every
forward value, the loss and every gradient (each W, b, u, h and x) must agree to 1e-10 relative.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nnsolve
from ops.torch_reference import (activation, assert_close, binary_cross_entropy, cross_entropy, decimals, leaf,
                                 penalty, squared_error)

SETTINGS = settings(max_examples=30, deadline=None)
SUM_OR_MEAN = st.sampled_from(["sum", "mean"])
HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus"]
# What each squared-error preset means (half, over outputs, over samples), independently of nnsolve's
# table: "mse" is torch's F.mse_loss(reduction="mean"), "sse" its reduction="sum".
SQUARED_PRESETS = {"sse": (False, "sum", "sum"), "squared_error": (False, "sum", "sum"),
                   "half_sse": (True, "sum", "sum"), "mse": (False, "mean", "mean")}


@dataclass
class Case:
    problem: dict
    samples: int                  # 0 for a single sample (a vector), else the batch size
    activations: list[tuple[str, dict]]
    loss: tuple                   # (kind, half, over_outputs, over_samples, log_base)
    fused: bool                   # the convention asked for; the solver fuses only where it applies
    target: list                  # exact, as some targets (1/3) are not decimals


def number(value: Fraction) -> float | str:
    """A decimal as YAML writes a float (its repr, e.g. 0.07), which the loader reads back exactly;
    another fraction as text ("1/3")."""
    return float(value) if (value * 100).denominator == 1 else str(value)


def matrix_of(draw, rows: int, cols: int, values) -> list[list[Fraction]]:
    return draw(st.lists(st.lists(values, min_size=cols, max_size=cols), min_size=rows, max_size=rows))


@st.composite
def cases(draw, batched: bool) -> Case:
    depth = draw(st.integers(1, 4), label="layers")
    widths = draw(st.lists(st.integers(1, 5), min_size=depth + 1, max_size=depth + 1), label="widths")
    layout = draw(st.sampled_from(["in_out", "out_in"]), label="layout")
    samples = draw(st.integers(1, 3), label="samples") if batched else 0
    kind = draw(st.sampled_from(["squared_error", "bce", "cross_entropy"]), label="loss")
    if kind == "cross_entropy":
        widths[-1] = max(widths[-1], 2)
    out = widths[-1]
    last_choices = {"squared_error": HIDDEN + (["softmax"] if out >= 2 else []), "bce": ["sigmoid"],
                    "cross_entropy": ["softmax", "sigmoid"]}[kind]
    names = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)] + [draw(st.sampled_from(last_choices))]
    at_zero = draw(st.sampled_from([Fraction(0), Fraction(1)]), label="ReLU'(0)")
    fused = draw(st.booleans(), label="fused output gradient")

    layers, activations = [], []
    for i, name in enumerate(names):
        n_in, n_out = widths[i], widths[i + 1]
        bound = 100 // n_in      # |w| ≤ 1/n_in keeps every pre-activation small, so float64 stays accurate
        w = matrix_of(draw, n_in, n_out, decimals(-bound, bound))
        if layout == "out_in":
            w = [list(col) for col in zip(*w)]
        spec = {"name": name}
        params = {}
        if name == "leaky_relu":
            spec["slope"] = params["slope"] = draw(decimals(1, 50))
        if name == "elu":
            spec["alpha"] = params["alpha"] = draw(decimals(10, 200))
        if name in ("relu", "leaky_relu", "elu"):
            params["relu_derivative_at_zero"] = at_zero
        layer = {"W": _floats(w),
                 "activation": {k: number(v) if isinstance(v, Fraction) else v for k, v in spec.items()}}
        if draw(st.booleans(), label=f"bias {i + 1}"):
            layer["b"] = _floats(draw(st.lists(decimals(-100, 100), min_size=n_out, max_size=n_out)))
        layers.append(layer)
        activations.append((name, params))

    def one_sample(values, width):
        return draw(st.lists(values, min_size=width, max_size=width))

    def data(values, width):
        return [one_sample(values, width) for _ in range(samples)] if samples else one_sample(values, width)

    x = data(decimals(-100, 100), widths[0])
    if kind == "cross_entropy" and draw(st.booleans(), label="targets are distributions"):
        t = data(st.integers(0, 100), out)
        t = [_distribution(row) for row in t] if samples else _distribution(t)
    else:    # cross-entropies also take any targets in [0, 1]; then softmax-CE is not fused
        t = data(decimals(-100, 100) if kind == "squared_error" else decimals(0, 100), out)

    loss = {"type": {"squared_error": draw(st.sampled_from(sorted(SQUARED_PRESETS))), "bce": "bce",
                     "cross_entropy": "cross_entropy"}[kind]}
    if kind == "squared_error":
        half, over_outputs, over_samples = SQUARED_PRESETS[loss["type"]]
        if draw(st.booleans(), label="override the preset"):
            half, over_outputs, over_samples = draw(st.booleans()), draw(SUM_OR_MEAN), draw(SUM_OR_MEAN)
            loss.update(half=half, over_outputs=over_outputs, over_samples=over_samples)
        base = "e"
    else:
        half = False
        over_outputs, over_samples = draw(SUM_OR_MEAN), draw(SUM_OR_MEAN)
        base = draw(st.sampled_from(["e", 2, 10]))
        loss.update(over_outputs=over_outputs, over_samples=over_samples, log_base=base)

    problem = {"problem": "dense_network", "network": {"layout": layout, "layers": layers},
               "data": {"x": _floats(x), "target": _floats(t)}, "loss": loss,
               "conventions": {"relu_derivative_at_zero": number(at_zero), "fused_output_gradient": fused}}
    if draw(st.booleans(), label="penalty"):
        problem["penalty"] = {"type": draw(st.sampled_from(["l1", "l2"])), "lambda": number(draw(decimals(1, 50))),
                              "half": draw(st.booleans()), "include_biases": draw(st.booleans())}
    return Case(problem, samples, activations, (kind, half, over_outputs, over_samples, base), fused, t)


def _distribution(counts: list[int]) -> list[Fraction]:
    counts = [1] + counts[1:] if sum(counts) == 0 else counts
    return [Fraction(c, sum(counts)) for c in counts]


def _rows_sum_to_one(t) -> bool:
    return all(sum(row) == 1 for row in t) if isinstance(t[0], list) else sum(t) == 1


def _floats(values):
    return [_floats(v) for v in values] if isinstance(values, list) else number(values)


class TorchNetwork:
    """The same network in torch: every u and h kept with its gradient."""

    def __init__(self, case: Case, solution):
        p = case.problem
        self.x = leaf(p["data"]["x"])
        self.params: dict[str, torch.Tensor] = {}
        self.values: dict[str, torch.Tensor] = {}
        h = self.x
        for i, (layer, (name, params)) in enumerate(zip(p["network"]["layers"], case.activations), start=1):
            w = self.params[f"W{i}"] = leaf(layer["W"])
            u = h @ w if p["network"]["layout"] == "in_out" else h @ w.T
            if "b" in layer:
                u = u + self._param(f"b{i}", layer["b"])
            exact_zero = torch.tensor((solution.value(f"u{i}") == 0).astype(bool))
            h = activation(name, u, params, exact_zero)
            self.values[f"u{i}"], self.values[f"h{i}"] = u, h
        for v in self.values.values():
            v.retain_grad()
        self.loss = self._loss(case, u, h, leaf(case.target).detach())
        self.loss.backward()

    def _param(self, key, value):
        self.params[key] = leaf(value)
        return self.params[key]

    def _loss(self, case, logits, y, t):
        kind, half, over_outputs, over_samples, base = case.loss
        last = case.activations[-1][0]
        # ŷ − t at the logits is the gradient of softmax-CE only for targets that are distributions
        self.fused = case.fused and (last == "sigmoid" if kind == "bce" else
                                     kind == "cross_entropy" and last == "softmax" and _rows_sum_to_one(case.target))
        if kind == "squared_error":
            data = squared_error(y, t, half, over_outputs, over_samples)
        else:
            reference = binary_cross_entropy if kind == "bce" else cross_entropy
            data = reference(logits if self.fused else y, t, base, over_outputs, over_samples, logits=self.fused)
        self.values["data_loss"] = data
        pen = case.problem.get("penalty")
        if pen is None:
            return data
        names = [k for k in self.params if k.startswith("W") or (pen["include_biases"] and k.startswith("b"))]
        strength = pen["lambda"] / (2 if pen["half"] and pen["type"] == "l2" else 1)
        self.values["penalty"] = penalty([self.params[k] for k in names], pen["type"], strength)
        return data + self.values["penalty"]


def check_against_torch(case: Case) -> None:
    solution = nnsolve.solve(case.problem)
    net = TorchNetwork(case, solution)
    for key, value in net.values.items():
        ours = "loss" if key == "data_loss" and "penalty" not in net.values else key
        assert_close(solution.value(ours), value, ours)
    assert_close(solution.value("loss"), net.loss, "loss")

    expected = {"x": net.x, **net.params, **{k: v for k, v in net.values.items() if k[0] in "uh"}}
    for key, tensor in expected.items():
        grad_id = f"dL/d{key}"
        if tensor.grad is None:      # ŷ when the output gradient is fused: neither side computes ∂L/∂ŷ
            assert net.fused and not solution.has(grad_id), f"{grad_id}: only a fused gradient skips ŷ"
            continue
        assert_close(solution.value(grad_id), tensor.grad, grad_id)
    for key in ("x", *net.params, *(f"u{i}" for i in range(1, len(case.activations) + 1))):
        assert solution.has(f"dL/d{key}"), f"missing gradient dL/d{key}"


@SETTINGS
@given(case=cases(batched=False))
def test_single_sample_networks_match_torch(case):
    check_against_torch(case)


@SETTINGS
@given(case=cases(batched=True))
def test_batched_networks_match_torch(case):
    check_against_torch(case)
