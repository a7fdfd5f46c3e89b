"""The forward pass of a conv_network, layer by layer; the loss, backward pass and optimizer steps are the
shared pipeline's.

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
"""
from __future__ import annotations

from ...engine.computation import Node, Policy, Symbol
from ...ops.base import Add
from ...ops.conv import CONV, TRANSPOSED_CONV
from ...ops.linear import AFFINE
from ...ops.pool import AVG_POOL, GLOBAL_AVG_POOL, MAX_POOL
from ...ops.structural import CONCAT, DROPOUT, FLATTEN
from ...solution import Solution
from ...training.activation import canonical
from ...training.loss import Prediction
from ...training.pipeline import Trainer
from ..dense.batch_norm import STATEMENT, batch_norm_parameters, batch_norm_steps
from .consistency import input_array, kernel_array
from .expansions import STATEMENT as SUMS_STATEMENT, attach, axes_of
from .output import final_activation
from .shapes import backward_paddings, full_padding_note, output_size_note
from .schema import ConvProblem

KERNEL_PARAMS = {"conv2d": ("stride", "padding", "dilation", "groups"),
                 "conv1d": ("stride", "padding", "dilation", "groups"),
                 "conv_transpose2d": ("stride", "padding", "output_padding", "dilation", "groups")}
ADD = Add()
WRITTEN_OUT = (CONV, MAX_POOL, AVG_POOL)


def _axes(v):
    return tuple(v) if isinstance(v, list) else v


class ConvTrainer(Trainer):
    kind = "conv_network"

    def __init__(self, problem: ConvProblem, policy: Policy | None):
        super().__init__(problem, policy)
        self.depth = len(problem.layers)
        self.batched = problem.batch
        self.masks: dict[int, Node] = {}
        self.windowed: list[Node] = []           # conv and pooling nodes, written out entry by entry when small
        self.pass_of: dict[str, str] = {}        # their pass's suffix
        self.full_notes: dict[str, str] = {}     # conv output id → how its ∂L/∂x is padded
        self.meta = {"layers": self.depth, "batched": self.batched}

    def record_givens(self) -> dict[str, Node]:
        p, comp = self.p, self.comp
        n = p.notation
        self.x = comp.given("x", self.letter(n.input), input_array(p), differentiable=True)
        self.inputs = [self.x]
        self.target = comp.given("t", self.letter(n.target), p.target) if p.target is not None else None
        params: dict[str, Node] = {}
        for i, layer in enumerate(p.layers, start=1):
            if layer.kind in KERNEL_PARAMS:
                params[f"K{i}"] = comp.given(f"K{i}", self.sym(n.kernel, i), kernel_array(layer.kind, layer.spec.kernel),
                                             differentiable=True)
                bias = layer.spec.bias
            elif layer.kind == "dense":
                params[f"W{i}"] = comp.given(f"W{i}", self.sym(n.weight, i), layer.spec.W, differentiable=True)
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
                params[f"b{i}"] = comp.given(f"b{i}", self.sym(n.bias, i), bias, differentiable=True)
        return params

    # -- notation ------------------------------------------------------------------------------
    def sym(self, base: str, index=None, s=0) -> Symbol:
        """As every trainer writes it, without the layer number under `layer_index: none`."""
        if self.p.notation.layer_index == "none" and isinstance(index, int):
            index = None
        return super().sym(base, index, s)

    @staticmethod
    def letter(text: str) -> Symbol:
        from ...engine.notation import latex_symbol
        return Symbol(latex_symbol(text), text)

    # -- one pass --------------------------------------------------------------------------------
    def forward(self, params: dict[str, Node], s):
        h, named = self.x, {"x": self.x}
        self.pre_activation: dict[int, Node] = {}
        for i, layer in enumerate(self.p.layers, start=1):
            h = self._layer(i, layer, named[layer.input] if layer.input else h, params, s, named)
            if h.op in WRITTEN_OUT:
                self.windowed.append(h)
                self.pass_of[h.id] = self.suffix(s)
            if layer.name:
                named[layer.name] = h
        if self.target is None:
            return h, []
        at, activation = final_activation(self.p)
        # ŷ − t can go straight to the pre-activation only when the activating layer is the last one
        logits = self.pre_activation.get(at + 1) if at + 1 == self.depth else None
        return h, [Prediction(h, self.target, logits, activation)]

    def _layer(self, i: int, layer, h: Node, params: dict, s, named: dict[str, Node]) -> Node:
        comp, kind, spec, suf = self.comp, layer.kind, layer.spec, self.suffix(s)
        out_id, out_sym = f"z{i}{suf}", self.sym(self.p.notation.output, i, s)
        bias = [params[f"b{i}"]] if f"b{i}" in params else []
        batched = {"batched": self.batched}
        if kind == "batch_norm":
            return batch_norm_steps(self, i, h, params[f"gamma{i}"], params[f"beta{i}"], spec.eps, s, out_id, out_sym)
        if kind == "dropout":
            return comp.apply(DROPOUT, [h, self.masks[i]], out_id, out_sym, p=spec.p, scale=spec.scale)
        if kind == "add":
            return comp.apply(ADD, [h, named[spec.from_]], out_id, out_sym, note="residual connection")
        if kind == "concat":
            return comp.apply(CONCAT, [named[n] for n in spec.from_], out_id, out_sym, axis=0, **batched)
        if kind in KERNEL_PARAMS:
            settings = {k: _axes(getattr(spec, k)) for k in KERNEL_PARAMS[kind]} | batched
            kernel = params[f"K{i}"]
            size = output_size_note(self._spatial(h), kernel.value.shape[2:], kind, settings)
            if kind == "conv_transpose2d":
                return comp.apply(TRANSPOSED_CONV, [h, kernel] + bias, out_id, out_sym,
                                  note=f"{TRANSPOSED_CONV.note(**settings)}; {size}", **settings)
            flip = self.p.conventions.operation == "convolution"
            shown = backward_paddings(self._spatial(h), kernel.value.shape[2:], settings)
            self.full_notes[out_id] = full_padding_note(self._spatial(h), kernel.value.shape[2:], settings, flip)
            return comp.apply(CONV, [h, kernel] + bias, out_id, out_sym, flip=flip,
                              note=f"{CONV.note(flip=flip, **settings)}; {size}", **settings, **shown)
        if kind in ("max_pool2d", "avg_pool2d"):
            c, pool = self.p.conventions, self._pool(spec)
            size = output_size_note(self._spatial(h), None, kind, pool)
            if kind == "max_pool2d":
                extra = {"pad_value": c.max_pool_pad_value, "ties": c.max_pool_ties}
                return comp.apply(MAX_POOL, [h], out_id, out_sym, note=f"{MAX_POOL.note(**pool, **extra)}; {size}",
                                  **pool, **extra, **batched)
            extra = {"count_include_pad": spec.count_include_pad}
            return comp.apply(AVG_POOL, [h], out_id, out_sym, note=f"{AVG_POOL.note(**pool, **extra)}; {size}",
                              **pool, **extra, **batched)
        if kind == "global_avg_pool":
            return comp.apply(GLOBAL_AVG_POOL, [h], out_id, out_sym, **batched)
        if kind == "flatten":
            return comp.apply(FLATTEN, [h], out_id, out_sym, order=spec.order, **batched)
        if kind == "activation":
            self.pre_activation[i] = h
            return self.activations.apply(spec, h, out_id, out_sym)
        activated = canonical(spec.activation) != "identity"
        u = comp.apply(AFFINE, [h, params[f"W{i}"]] + bias, f"u{i}{suf}" if activated else out_id,
                       self.sym("u", i, s) if activated else out_sym, layout=spec.layout, **batched)
        if not activated:
            return u
        self.pre_activation[i] = u
        return self.activations.apply(spec.activation, u, out_id, out_sym)

    def _spatial(self, h: Node) -> tuple[int, ...]:
        return h.value.shape[2:] if self.batched else h.value.shape[1:]

    @staticmethod
    def _pool(spec) -> dict:
        return {"pool": _axes(spec.pool), "stride": _axes(spec.stride), "padding": _axes(spec.padding),
                "ceil_mode": spec.ceil_mode}

    def after_training(self) -> None:
        """The small layers' sums and every tensor's axis names, once every pass is recorded."""
        attach(self.comp, self.windowed, self.pass_of, self.full_notes)
        transposed = {f"K{i}" for i, layer in enumerate(self.p.layers, start=1) if layer.kind == "conv_transpose2d"}
        for node in self.comp.order:
            node.axes = axes_of(node.id, node.value.ndim, self.batched, transposed)

    def output_activations(self) -> set:
        return {final_activation(self.p)[1]}

    # -- what the header says ------------------------------------------------------------------
    def family_conventions(self) -> list[tuple[str, str]]:
        p, c = self.p, self.p.conventions
        kinds = {layer.kind for layer in p.layers}
        out = []
        if p.batch and input_array(p).ndim == 2:
            out.append(("input", f"{p.notation.input} is a batch of feature vectors, one sample per row"))
        else:
            x = p.notation.input
            out.append(("input", (f"{x} written H×W×C, used as C×H×W" if p.layout == "HWC" else
                                  f"{x} is C×H×W (channels first)") + "; a matrix is one channel"
                        + ("; a batch: one sample per entry of the first axis (N first)" if p.batch else "")))
        if kinds & {"conv1d", "conv2d"}:
            out.append(("operation", CONV.note(flip=c.operation == "convolution").split(";")[0]))
            out.append(("kernel layout", "(out channels, in channels / groups, kernel rows, kernel columns), as "
                                         "PyTorch"))
        if "conv_transpose2d" in kinds:
            out.append(("transposed kernel layout", "(in channels, out channels / groups, kernel rows, kernel "
                                                    "columns)"))
        if "max_pool2d" in kinds:
            out.append(("max pooling", f"pads with {'−∞' if c.max_pool_pad_value == '-inf' else '0'}; ties: "
                        + MAX_POOL.note(pool=2, ties=c.max_pool_ties).split("goes to ")[1]))
        for layout in sorted({layer.spec.layout for layer in p.layers if layer.kind == "dense"}):
            out.append(("dense weight layout", AFFINE.note(layout=layout)))
        if "batch_norm" in kinds:
            out.append(("batch normalization", STATEMENT))
        for layer in p.layers:
            if layer.kind == "dropout":
                out.append(("dropout", DROPOUT.note(p=layer.spec.p, scale=layer.spec.scale) + "; the mask is given"))
        if kinds & {"add", "concat"}:
            out.append(("connections", "add: element-wise sum with a named earlier output (residual), its "
                                       "gradient copied to both; concat: joined along the channel axis, its "
                                       "gradient split"))
        if any(node.expansion for node in self.comp.order):
            out.append(("sums", SUMS_STATEMENT))
        n = p.notation
        if n.model_fields_set:
            out.append(("notation", f"{n.input} input, {n.kernel} kernel (filter), {n.bias} bias, {n.output} output of "
                                    "each layer" + (f", {n.weight} dense weights" if "dense" in kinds else "")
                        + (f", {n.target} target" if p.target is not None else "")
                        + ("" if n.layer_index == "subscript" else "; no layer number (one layer)")))
        out.append(("gradient layout", "each gradient has the shape of its quantity"))
        return out

    def aliases(self, updates: int) -> dict[str, str]:
        aliases = {"y": f"z{self.depth}", "output": f"z{self.depth}"}
        for s in range(1, updates + 1):
            aliases[f"y({s})"] = f"z{self.depth}({s})"
        return aliases


def solve_conv(problem: ConvProblem, policy: Policy | None = None) -> Solution:
    return ConvTrainer(problem, policy).solve()
