"""Solve a conv_network problem: forward pass layer by layer, loss, backward pass, optimizer steps.

Quantity ids (one sample, channels-first):
  x                 the input as (C, H, W) (or (C, L)); t the target
  x (batch: true)   (N, C, H, W): one sample per entry of the first axis; t likewise
  K<i>, b<i>        kernel and bias of conv layer i (layers numbered from 1, every layer counts)
  gamma<i>, beta<i> batch norm layer i's scale and shift; mu<i>, var<i> (biased), sigma<i> = √var<i>,
                    xhat<i> its steps (training mode, statistics of the given batch); m<i> a dropout mask
  W<i>, b<i>        weights and bias of dense layer i; u<i> its affine value when it has an activation
  z<i>              layer i's output (the last one is also `y` / `output`)
  loss              the loss
  dL/d<id>          gradients (dL/dK1, dL/dz2, dL/dx …)
  K1(s), z1(s) …    quantities after optimizer update s, as in the dense family
The pass-and-update loop, look-ahead handling and gradient bookkeeping are the dense solver's.
"""
from __future__ import annotations

import re

from ...engine.computation import Computation, Node, Policy, Symbol
from ...engine.number import exact_string
from ...ops.activations import ACTIVATIONS, SOFTMAX
from ...ops.conv import CONV, TRANSPOSED_CONV
from ...ops.linear import AFFINE
from ...ops.losses import BINARY_CROSS_ENTROPY, CROSS_ENTROPY, SQUARED_ERROR, loss_scale
from ...ops.pool import AVG_POOL, GLOBAL_AVG_POOL, MAX_POOL
from ...ops.base import Add
from ...ops.structural import CONCAT, DROPOUT, FLATTEN
from ...solution import Solution
from ..dense.batch_norm import STATEMENT, batch_norm_parameters, batch_norm_steps
from ..dense.schema import Notation
from ..dense.solver import ALIASES, PARAMETER_ID, DenseSolver, resolve_ask
from .consistency import input_array, kernel_array
from .schema import ConvProblem

KERNEL_PARAMS = {"conv2d": ("stride", "padding", "dilation", "groups"),
                 "conv1d": ("stride", "padding", "dilation", "groups"),
                 "conv_transpose2d": ("stride", "padding", "output_padding", "dilation", "groups")}


def _axes(v):
    return tuple(v) if isinstance(v, list) else v


class ConvSolver(DenseSolver):
    def __init__(self, problem: ConvProblem, policy: Policy):
        self.p = problem
        self.n = Notation()
        self.comp = Computation(policy, Symbol("L", "L"))
        self.depth = len(problem.layers)
        self.batched = problem.batch
        self.masks: dict[int, Node] = {}
        self.conventions: list[tuple[str, str]] = []

    def solve(self) -> Solution:
        p, comp = self.p, self.comp
        x = comp.given("x", Symbol("x", "x"), input_array(p), differentiable=True)
        target = comp.given("t", Symbol("t", "t"), p.target) if p.target is not None else None
        params: dict[str, Node] = {}
        for i, layer in enumerate(p.layers, start=1):
            if layer.kind in KERNEL_PARAMS:
                params[f"K{i}"] = comp.given(f"K{i}", self.sym("K", i), kernel_array(layer.kind, layer.spec.kernel),
                                             differentiable=True)
                bias = layer.spec.bias
            elif layer.kind == "dense":
                params[f"W{i}"] = comp.given(f"W{i}", self.sym("W", i), layer.spec.W, differentiable=True)
                bias = layer.spec.b
            elif layer.kind == "batch_norm":
                batch_norm_parameters(self, i, layer.spec, params)
                continue
            elif layer.kind == "dropout":
                self.masks[i] = comp.given(f"m{i}", self.sym("m", i), layer.spec.mask)
                continue
            else:
                continue
            if bias is not None:
                params[f"b{i}"] = comp.given(f"b{i}", self.sym("b", i), bias, differentiable=True)
        self._state_conventions()
        sections: dict[str, str] = {}
        steps = self._train(x, target, params, sections)
        return self._solution(sections, steps)

    # -- one pass --------------------------------------------------------------------------------
    def forward(self, x: Node, target: Node | None, params: dict, s, sections: dict):
        comp, suf = self.comp, self.suffix(s)
        before = set(comp.nodes)
        h, named = x, {"x": x}
        for i, layer in enumerate(self.p.layers, start=1):
            h = self._layer(i, layer, named[layer.input] if layer.input else h, params, s, suf, named)
            if layer.name:
                named[layer.name] = h
        self._section(sections, [i for i in comp.nodes if i not in before], "Forward pass" + self._after(s))
        if self.p.loss is None or target is None:
            return h, None
        before = set(comp.nodes)
        loss = self._loss(h, target, suf)
        self._section(sections, [i for i in comp.nodes if i not in before], "Loss" + self._after(s))
        return h, loss

    def _layer(self, i: int, layer, h: Node, params: dict, s, suf: str, named: dict) -> Node:
        comp, kind, spec = self.comp, layer.kind, layer.spec
        out_id, out_sym = f"z{i}{suf}", self.sym("z", i, s)
        bias = [params[f"b{i}"]] if f"b{i}" in params else []
        batched = {"batched": self.batched}
        if kind == "batch_norm":
            return self._batch_norm(i, h, params, s, suf, out_id, out_sym)
        if kind == "dropout":
            return comp.apply(DROPOUT, [h, self.masks[i]], out_id, out_sym, p=spec.p, scale=spec.scale)
        if kind == "add":
            return comp.apply(Add(), [h, named[spec.from_]], out_id, out_sym, note="residual connection")
        if kind == "concat":
            return comp.apply(CONCAT, [named[n] for n in spec.from_], out_id, out_sym, axis=0, **batched)
        if kind in KERNEL_PARAMS:
            settings = {k: _axes(getattr(spec, k)) for k in KERNEL_PARAMS[kind]} | batched
            if kind == "conv_transpose2d":
                return comp.apply(TRANSPOSED_CONV, [h, params[f"K{i}"]] + bias, out_id, out_sym, **settings)
            flip = self.p.conventions.operation == "convolution"
            return comp.apply(CONV, [h, params[f"K{i}"]] + bias, out_id, out_sym, flip=flip, **settings)
        if kind == "max_pool2d":
            c = self.p.conventions
            return comp.apply(MAX_POOL, [h], out_id, out_sym, **self._pool(spec), pad_value=c.max_pool_pad_value,
                              ties=c.max_pool_ties, **batched)
        if kind == "avg_pool2d":
            return comp.apply(AVG_POOL, [h], out_id, out_sym, **self._pool(spec),
                              count_include_pad=spec.count_include_pad, **batched)
        if kind == "global_avg_pool":
            return comp.apply(GLOBAL_AVG_POOL, [h], out_id, out_sym, **batched)
        if kind == "flatten":
            return comp.apply(FLATTEN, [h], out_id, out_sym, order=spec.order, **batched)
        if kind == "activation":
            return self._activate(spec, h, out_id, out_sym)
        u = comp.apply(AFFINE, [h, params[f"W{i}"]] + bias, f"u{i}{suf}" if self._activated(spec) else out_id,
                       self.sym("u", i, s) if self._activated(spec) else out_sym, layout=spec.layout, **batched)
        return self._activate(spec.activation, u, out_id, out_sym) if self._activated(spec) else u

    def _batch_norm(self, i: int, h: Node, params: dict, s, suf: str, out_id: str, out_sym: Symbol) -> Node:
        """μ, σ² (biased), the standard deviation σ shown for reading off, x̂, then γ x̂ + β."""
        return batch_norm_steps(self, i, h, params[f"gamma{i}"], params[f"beta{i}"], self.p.layers[i - 1].spec.eps,
                                s, out_id, out_sym)

    @staticmethod
    def _activated(dense) -> bool:
        return ALIASES.get(dense.activation.name, dense.activation.name) != "identity"

    @staticmethod
    def _pool(spec) -> dict:
        return {"pool": _axes(spec.pool), "stride": _axes(spec.stride), "padding": _axes(spec.padding),
                "ceil_mode": spec.ceil_mode}

    def _activate(self, activation, h: Node, out_id: str, out_sym: Symbol) -> Node:
        name = ALIASES.get(activation.name, activation.name)
        if name == "softmax":
            return self.comp.apply(SOFTMAX, [h], out_id, out_sym)
        return self.comp.apply(ACTIVATIONS[name], [h], out_id, out_sym, **self._activation_params(activation, name))

    def _loss(self, y: Node, target: Node, suf: str) -> Node:
        spec = self.p.loss
        kind, half, outputs, samples = self.loss_settings()
        n_samples = y.value.shape[0] if self.batched else 1
        scale = loss_scale(half and kind == "squared_error", outputs, samples, y.value.size // n_samples, n_samples)
        sym = Symbol("L", "L")
        if kind == "squared_error":
            return self.comp.apply(SQUARED_ERROR, [y, target], f"loss{suf}", sym, phase="loss", scale=scale)
        op = BINARY_CROSS_ENTROPY if kind == "binary_cross_entropy" else CROSS_ENTROPY
        return self.comp.apply(op, [y, target], f"loss{suf}", sym, phase="loss", scale=scale, base=spec.log_base,
                               log_zero=spec.log_zero, fused=False)

    # -- what the header says ------------------------------------------------------------------
    def _state_conventions(self) -> None:
        p, c, add = self.p, self.p.conventions, self.conventions.append
        kinds = {layer.kind for layer in p.layers}
        if p.batch and input_array(p).ndim == 2:
            add(("input", "x is a batch of feature vectors, one sample per row"))
        else:
            add(("input", ("x written H×W×C, used as C×H×W" if p.layout == "HWC" else "x is C×H×W (channels first)")
                          + "; a matrix is one channel" + ("; a batch: one sample per entry of the first axis "
                                                           "(N first)" if p.batch else "")))
        if kinds & {"conv1d", "conv2d"}:
            add(("operation", CONV.note(flip=c.operation == "convolution").split(";")[0]))
            add(("kernel layout", "(out channels, in channels / groups, kernel rows, kernel columns), as PyTorch"))
        if "conv_transpose2d" in kinds:
            add(("transposed kernel layout", "(in channels, out channels / groups, kernel rows, kernel columns)"))
        if "max_pool2d" in kinds:
            add(("max pooling", f"pads with {'−∞' if c.max_pool_pad_value == '-inf' else '0'}; ties: "
                                + MAX_POOL.note(pool=2, ties=c.max_pool_ties).split("goes to ")[1]))
        if "dense" in kinds:
            layouts = {layer.spec.layout for layer in p.layers if layer.kind == "dense"}
            for layout in sorted(layouts):
                add(("dense weight layout", AFFINE.note(layout=layout)))
        if "batch_norm" in kinds:
            add(("batch normalization", STATEMENT))
        for layer in p.layers:
            if layer.kind == "dropout":
                add(("dropout", DROPOUT.note(p=layer.spec.p, scale=layer.spec.scale) + "; the mask is given"))
        if kinds & {"add", "concat"}:
            add(("connections", "add: element-wise sum with a named earlier output (residual), its gradient "
                                "copied to both; concat: joined along the channel axis, its gradient split"))
        names = {ALIASES.get(a.name, a.name) for a in self._activations()}
        if names & {"relu", "leaky_relu", "elu"}:
            add(("ReLU'(0)", exact_string(c.relu_derivative_at_zero)))
        if p.loss:
            kind, half, outputs, _ = self.loss_settings()
            detail = (f"{'with' if half else 'without'} ½, {outputs} over outputs" if kind == "squared_error"
                      else f"{'natural log' if p.loss.log_base == 'e' else f'log base {p.loss.log_base}'}")
            add(("loss", f"{kind.replace('_', ' ')}, {detail}"))
        add(("gradient layout", "each gradient has the shape of its quantity"))
        if self.comp.policy.round_places is not None:
            add(("rounding", f"every intermediate rounded to {self.comp.policy.round_places} decimals "
                             "(half away from zero)"))

    def _activations(self):
        for layer in self.p.layers:
            if layer.kind == "activation":
                yield layer.spec
            elif layer.kind == "dense":
                yield layer.spec.activation

    def _solution(self, sections: dict, steps: int) -> Solution:
        solution = super()._solution(sections, steps)
        solution.kind = "conv_network"
        solution.aliases = {"y": f"z{self.depth}", "output": f"z{self.depth}"}
        for s in range(1, steps + 1):
            solution.aliases[f"y({s})"] = f"z{self.depth}({s})"
        solution.asked = resolve_conv_ask(self.p.ask, solution, steps, self.depth)
        return solution


FORWARD_ID = re.compile(r"(z|u|mu|var|sigma|xhat)\d+")


def resolve_conv_ask(ask: list[str], solution: Solution, steps: int, depth: int) -> list[str]:
    """The dense groups, with z<i> as the forward quantities and K<i> among the parameters."""
    ids = [s.id for s in solution.steps]
    expanded: list[str] = []
    for item in ask or ["forward", "loss", "gradients", "update"]:
        if item == "forward":
            expanded += [i for i in ids if FORWARD_ID.fullmatch(i)]
        elif item == "gradients":
            expanded += [f"dL/d{k}" for k in ids if PARAMETER_ID.fullmatch(k) and f"dL/d{k}" in ids]
        elif item == "update":
            expanded += [i for i in ids if steps and i.endswith(f"({steps})") and
                         PARAMETER_ID.fullmatch(i.removesuffix(f"({steps})"))]
        else:
            expanded.append(item)
    return resolve_ask(list(dict.fromkeys(expanded)), solution, steps, depth)


def solve_conv(problem: ConvProblem, policy: Policy | None = None) -> Solution:
    return ConvSolver(problem, policy or Policy()).solve()

