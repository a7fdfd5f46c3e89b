"""The forward pass of a dense network; the loss, backpropagation and optimizer steps are the shared pipeline's.

Quantity ids are fixed so answers can name them: x, t, W1, b1, u1, h1, …, loss; gradients are
`dL/d<id>`; after optimizer step s every quantity carries the suffix `(s)` (W1(1), u1(1), dL/dW1(1)).
"""
from __future__ import annotations

from ...engine.computation import Node, Policy, Symbol
from ...ops.linear import AFFINE
from ...solution import Solution
from ...training.activation import canonical
from ...training.loss import Prediction
from ...optim.base import step_mark
from ...training.pipeline import Trainer
from .batch_norm import STATEMENT as BN_STATEMENT, batch_norm_parameters, batch_norm_steps
from .schema import DenseProblem

SUBSCRIPT = str.maketrans("0123456789()", "₀₁₂₃₄₅₆₇₈₉₍₎")
SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


class DenseTrainer(Trainer):
    kind = "dense_network"

    def __init__(self, problem: DenseProblem, policy: Policy | None):
        super().__init__(problem, policy, Symbol(problem.notation.loss, problem.notation.loss))
        self.n = problem.notation
        self.layout = problem.network.layout
        self.depth = len(problem.network.layers)
        self.batched = isinstance(problem.data.x[0], list)
        self.vectors = "row" if self.batched else "column"     # a batch has one sample per row
        self.meta = {"network.layout": self.layout, "layers": self.depth, "batched": self.batched}

    # -- notation ------------------------------------------------------------------------------------
    def sym(self, base: str, layer=None, step=0) -> Symbol:
        if self.n.layer_index == "subscript" or layer is None or not isinstance(layer, int):
            return super().sym(base, layer, step)
        symbol = Symbol(f"{base}^{{({layer})}}", base + f"({layer})".translate(SUPERSCRIPT))
        if not step:
            return symbol
        if not isinstance(step, int):
            return super().sym(base, layer, step)
        return Symbol(*step_mark(symbol.latex, symbol.text, step))

    def _activation_symbol(self, layer: int, s) -> Symbol:
        # with a loss from logits the output holds scores; ŷ names the probabilities the loss makes of them
        logits = self.p.loss is not None and self.p.loss.from_logits
        if layer == self.depth and self.n.output and not logits:
            base = self.n.output
            return self.sym(base, None, s) if base != self.n.activation else self.sym(base, layer, s)
        return self.sym(self.n.activation, layer, s)

    # -- givens and the forward pass -----------------------------------------------------------------
    def record_givens(self) -> dict[str, Node]:
        p, comp, n = self.p, self.comp, self.n
        letter = n.input.upper() if self.batched else n.input
        self.x = comp.given("x", Symbol(letter, letter), p.data.x, differentiable=True)
        self.inputs = [self.x]
        self.target = None
        if p.data.target is not None:
            t = n.target.upper() if self.batched else n.target
            self.target = comp.given("t", Symbol(t, t), p.data.target)
        params = {}
        for i, layer in enumerate(p.network.layers, start=1):
            params[f"W{i}"] = comp.given(f"W{i}", self.sym(n.weight, i), layer.W, differentiable=True)
            if layer.b is not None:
                params[f"b{i}"] = comp.given(f"b{i}", self.sym(n.bias, i), layer.b, differentiable=True)
            if layer.batch_norm is not None:
                batch_norm_parameters(self, i, layer.batch_norm, params)
        return params

    def forward(self, params: dict[str, Node], s):
        comp, suf = self.comp, self.suffix(s)
        h, logits = self.x, None
        for i, layer in enumerate(self.p.network.layers, start=1):
            inputs = [h, params[f"W{i}"]] + ([params[f"b{i}"]] if f"b{i}" in params else [])
            shared = {"shared_bias": True} if f"b{i}" in params and not isinstance(layer.b, list) else {}
            u = comp.apply(AFFINE, inputs, f"u{i}{suf}", self.sym(self.n.pre_activation, i, s),
                           layout=self.layout, batched=self.batched, **shared)
            if layer.batch_norm is not None:
                u = batch_norm_steps(self, i, u, params[f"gamma{i}"], params[f"beta{i}"], layer.batch_norm.eps, s,
                                     f"z{i}{suf}", self.sym("z", i, s))
            h = self.activations.apply(layer.activation, u, f"h{i}{suf}", self._activation_symbol(i, s))
            logits = u
        if self.target is None:
            return h, []
        return h, [Prediction(h, self.target, logits, next(iter(self.output_activations()), None))]

    def frozen_keys(self) -> list[tuple[str, str]]:
        """The shared `frozen` list, and each layer's `trainable: false` (or {W: false}, {b: false})."""
        out = super().frozen_keys()
        for i, layer in enumerate(self.p.network.layers, start=1):
            place = f"network.layers[{i - 1}].trainable"
            flags = {"W": layer.trainable, "b": layer.trainable} if isinstance(layer.trainable, bool) \
                else layer.trainable
            out += [(place, f"{name}{i}") for name, on in flags.items()
                    if not on and (name == "W" or layer.b is not None)]
        return out

    def output_activations(self) -> set:
        layers = self.p.network.layers
        return {canonical(layers[-1].activation)} if layers else set()

    # -- what the solution adds ----------------------------------------------------------------------
    def family_conventions(self) -> list[tuple[str, str]]:
        out = []
        if self.depth:
            out.append(("weight layout", AFFINE.note(layout=self.layout)))
        out.append(("gradient layout", "each gradient has the shape of its parameter"))
        if any(layer.batch_norm is not None for layer in self.p.network.layers):
            out.append(("batch normalization", "applied to the pre-activation u before the activation (z = BN(u), "
                                               "h = f(z)); " + BN_STATEMENT))
        shared = [f"b{i}" for i, layer in enumerate(self.p.network.layers, 1)
                  if layer.b is not None and not isinstance(layer.b, list)]
        if shared:
            out.append(("shared bias", f"{', '.join(shared)}: one bias added to every unit of its layer; its "
                                       "gradient is the sum of the units' ∂L/∂u"))
        if self.batched:
            out.append(("batch", "one sample per row of X"))
        return out

    def gradient_of(self, quantity: str) -> str:
        return f"d{self.comp.loss_symbol.text}/d{quantity}"

    def delta_ids(self) -> list[str]:
        return [self.gradient_of(f"u{i}") for i in range(1, self.depth + 1)]

    def aliases(self, updates: int) -> dict[str, str]:
        out_id = f"h{self.depth}" if self.depth else "x"
        aliases = {"y": out_id, "output": out_id}
        for s in range(updates + 1):
            suf = self.suffix(s)
            aliases[f"y{suf}"] = f"h{self.depth}{suf}" if self.depth else "x"
            for i in range(1, self.depth + 1):
                aliases[f"delta{i}{suf}"] = self.gradient_of(f"u{i}{suf}")
        return aliases


def solve_dense(problem: DenseProblem, policy: Policy | None = None) -> Solution:
    return DenseTrainer(problem, policy).solve()
