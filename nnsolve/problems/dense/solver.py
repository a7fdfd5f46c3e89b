"""Solve a dense-network problem: forward pass, loss, backward pass, optimizer steps.

Quantity ids are fixed so answers can name them: x, t, W1, b1, u1, h1, …, loss; gradients are
`dL/d<id>`; after optimizer step s every quantity carries the suffix `(s)` (W1(1), u1(1), dL/dW1(1)).
"""
from __future__ import annotations

import re
from fractions import Fraction

from ...engine.computation import Computation, Node, Policy, Symbol
from ...engine.number import exact_string
from ...ops.activations import ACTIVATIONS, SOFTMAX
from ...ops.base import Add
from ...ops.linear import AFFINE
from ...ops.losses import (BINARY_CROSS_ENTROPY, CROSS_ENTROPY, GAUSSIAN_NLL, PENALTY, SQUARED_ERROR,
                           loss_scale)
from ...optim import LookAhead, Pass, look_ahead_symbol, make_optimizer
from ...solution import Solution, Step
from .batch_norm import STATEMENT as BN_STATEMENT, batch_norm_parameters, batch_norm_steps
from .schema import DenseProblem

SUBSCRIPT = str.maketrans("0123456789()", "₀₁₂₃₄₅₆₇₈₉₍₎")
SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
PARAMETER_ID = re.compile(r"(K|W|b|gamma|beta)\d+")     # a given the optimizer updates
ALIASES = {"linear": "identity", "logistic": "sigmoid", "threshold": "step"}
LOSS_PRESETS = {  # type → (kind, half, over_outputs, over_samples)
    "sse": ("squared_error", False, "sum", "sum"),
    "squared_error": ("squared_error", False, "sum", "sum"),
    "half_sse": ("squared_error", True, "sum", "sum"),
    "mse": ("squared_error", False, "mean", "mean"),
    "bce": ("binary_cross_entropy", False, "sum", "sum"),
    "binary_cross_entropy": ("binary_cross_entropy", False, "sum", "sum"),
    "cross_entropy": ("cross_entropy", False, "sum", "sum"),
    "categorical_cross_entropy": ("cross_entropy", False, "sum", "sum"),
    "gaussian_nll": ("gaussian_nll", False, "sum", "sum"),
}


class DenseSolver:
    backward_title = "Backward pass"
    def __init__(self, problem: DenseProblem, policy: Policy):
        self.p = problem
        self.n = problem.notation
        self.comp = Computation(policy, Symbol(self.n.loss, self.n.loss))
        self.depth = len(problem.network.layers)
        self.batched = isinstance(problem.data.x[0], list)
        self.conventions: list[tuple[str, str]] = []

    # -- symbols -----------------------------------------------------------------------------
    def sym(self, base: str, layer: int | None = None, step: int | LookAhead = 0) -> Symbol:
        if isinstance(step, LookAhead):
            return look_ahead_symbol(self.sym(base, layer), step.update)
        latex, text = base, base
        if layer is not None:
            if self.n.layer_index == "superscript":
                latex, text = f"{base}^{{({layer})}}", base + f"({layer})".translate(SUPERSCRIPT)
            else:
                latex, text = f"{base}_{{{layer}}}", base + str(layer).translate(SUBSCRIPT)
        if step:
            latex = rf"{latex}^{{[{step}]}}" if self.n.layer_index == "subscript" else rf"{latex}{{}}^{{[{step}]}}"
            text = f"{text}[{step}]"
        return Symbol(latex, text)

    @staticmethod
    def suffix(step: int | LookAhead) -> str:
        return f"({step})" if step else ""

    # -- building ----------------------------------------------------------------------------
    def solve(self) -> Solution:
        p, comp = self.p, self.comp
        x = comp.given("x", Symbol(self.n.input.upper() if self.batched else self.n.input,
                                   self.n.input.upper() if self.batched else self.n.input),
                       p.data.x, differentiable=True)
        target = None
        if p.data.target is not None:
            t_sym = self.n.target.upper() if self.batched else self.n.target
            target = comp.given("t", Symbol(t_sym, t_sym), p.data.target)
        params = {}
        for i, layer in enumerate(p.network.layers, start=1):
            params[f"W{i}"] = comp.given(f"W{i}", self.sym(self.n.weight, i), layer.W, differentiable=True)
            if layer.b is not None:
                params[f"b{i}"] = comp.given(f"b{i}", self.sym(self.n.bias, i), layer.b, differentiable=True)
            if layer.batch_norm is not None:
                batch_norm_parameters(self, i, layer.batch_norm, params)
        self._state_conventions()
        sections: dict[str, str] = {}
        steps = self._train(x, target, params, sections)
        return self._solution(sections, steps)

    def _train(self, x: Node, target: Node | None, params: dict, sections: dict) -> int:
        """Pass 0 at the given weights, then each update k and the pass after it; returns the update count."""
        p = self.p
        optimizer = make_optimizer(p.optimizer, self.comp, self) if p.optimizer else None
        steps = p.optimizer.steps if p.optimizer else 0
        for s in range(steps + 1):
            gradients = not steps or self._wants_gradients(s) or (s < steps and optimizer.needs_gradients(s + 1))
            if s and s == steps and not self._wants_last_pass(s):
                break
            at = self._pass(x, target, params, s, sections, gradients)
            if at is None or s == steps:
                break
            params = self._update(optimizer, s + 1, params, at, sections)
        if optimizer:
            self.conventions.extend(optimizer.conventions())
        return steps

    def _wants_last_pass(self, s: int) -> bool:
        """The forward pass and loss after the last update: part of a full worked solution, but when `ask` or
        the answers say what is wanted, only if they name a quantity of that pass; the updated weights
        alone may leave the loss undefined (a BCE of an output above 1)."""
        named = [re.sub(r"(\[\d+\])+$", "", a) for a in [*self.p.answers, *self.p.ask]]
        if not named:
            return True
        return any(a.endswith(f"({s})") and not PARAMETER_ID.fullmatch(a.removesuffix(f"({s})")) for a in named)

    def _update(self, optimizer, k: int, params: dict, at: Pass, sections: dict) -> dict:
        """Update k: the pass at the optimizer's look-ahead weights if it has them, then its step."""
        comp = self.comp
        before = set(comp.nodes)
        shifted = optimizer.lookahead(k, params)
        ahead = None
        if shifted:
            self._section(sections, [i for i in comp.nodes if i not in before],
                          "Look-ahead weights" + self._after(LookAhead(k)))
            ahead = self._pass(at.x, at.target, shifted, LookAhead(k), sections, True)
            before = set(comp.nodes)
        new = optimizer.step(k, params, at, ahead)
        self._section(sections, [i for i in comp.nodes if i not in before], f"Update {k}: {optimizer.title}")
        return new

    def _pass(self, x: Node, target: Node | None, params: dict, s, sections: dict, gradients: bool) -> Pass | None:
        """Forward pass and loss at `params`, then the backward pass if `gradients`; None without a loss."""
        out, loss = self.forward(x, target, params, s, sections)
        if loss is None:
            return None
        grads = {}
        if gradients:
            by_quantity = self.comp.backward(loss, self.suffix(s))
            self._section(sections, [g.id for g in by_quantity.values()], self.backward_title + self._after(s))
            # a parameter the loss does not reach (an RNN's output weights at a step without a target) has none
            grads = {key: by_quantity[param.id] for key, param in params.items() if param.id in by_quantity}
        return Pass(x, target, out, loss, grads)

    def _wants_gradients(self, s: int) -> bool:
        """Whether `ask` or the answers name a gradient of pass s (element addresses like [0][1] aside)."""
        named = [re.sub(r"(\[\d+\])+$", "", a) for a in [*self.p.answers, *self.p.ask]]
        if s == 0 and any(a in ("gradients", "deltas", "input_gradient") for a in named):
            return True
        return any(a.startswith(("dL/d", "delta")) and (a.endswith(f"({s})") if s else "(" not in a)
                   for a in named)

    @staticmethod
    def _after(s: int | LookAhead) -> str:
        if isinstance(s, LookAhead):
            return f" (look-ahead point of update {s.update})"
        return f" (after update {s})" if s else ""

    def _section(self, sections: dict, ids, title: str) -> None:
        for i in ids:
            sections.setdefault(i, title)

    def forward(self, x: Node, target: Node | None, params: dict, s: int, sections: dict):
        comp, suf = self.comp, self.suffix(s)
        before = set(comp.nodes)
        h = x
        last = self.depth
        logits = None
        for i, layer in enumerate(self.p.network.layers, start=1):
            inputs = [h, params[f"W{i}"]] + ([params[f"b{i}"]] if f"b{i}" in params else [])
            u = comp.apply(AFFINE, inputs, f"u{i}{suf}", self.sym(self.n.pre_activation, i, s),
                           layout=self.p.network.layout, batched=self.batched)
            if layer.batch_norm is not None:
                u = batch_norm_steps(self, i, u, params[f"gamma{i}"], params[f"beta{i}"], layer.batch_norm.eps, s,
                                     f"z{i}{suf}", self.sym("z", i, s))
            name = ALIASES.get(layer.activation.name, layer.activation.name)
            if name == "softmax":
                h = comp.apply(SOFTMAX, [u], f"h{i}{suf}", self._activation_symbol(i, s))
            else:
                h = comp.apply(ACTIVATIONS[name], [u], f"h{i}{suf}", self._activation_symbol(i, s),
                               **self._activation_params(layer.activation, name))
            logits = u if i == last else logits
        self._section(sections, [i for i in comp.nodes if i not in before], "Forward pass" + self._after(s))
        if self.p.loss is None or target is None:
            return h, None
        before = set(comp.nodes)
        loss = self._loss(logits, h, target, params, suf)
        self._section(sections, [i for i in comp.nodes if i not in before], "Loss" + self._after(s))
        return h, loss

    def _activation_symbol(self, layer: int, s: int) -> Symbol:
        if layer == self.depth and self.n.output:
            base = self.n.output
            return self.sym(base, None, s) if base != self.n.activation else self.sym(base, layer, s)
        return self.sym(self.n.activation, layer, s)

    def _activation_params(self, spec, name: str) -> dict:
        c = self.p.conventions
        if name in ("relu",):
            return {"relu_derivative_at_zero": c.relu_derivative_at_zero}
        if name == "leaky_relu":
            return {"slope": spec.slope, "relu_derivative_at_zero": c.relu_derivative_at_zero}
        if name == "elu":
            return {"alpha": spec.alpha, "relu_derivative_at_zero": c.relu_derivative_at_zero}
        if name == "step":
            low = Fraction(-1) if spec.output == "bipolar" else Fraction(0)
            return {"threshold": spec.threshold, "strict": spec.strict, "low": low, "high": Fraction(1),
                    "step_derivative": c.step_derivative}
        if name == "sign":
            return {"sign_at_zero": c.sign_at_zero, "step_derivative": c.step_derivative}
        return {}

    def loss_settings(self):
        spec = self.p.loss
        kind, half, outputs, samples = LOSS_PRESETS[spec.type]
        half = spec.half if spec.half is not None else half
        outputs = spec.over_outputs or outputs
        samples = spec.over_samples or samples
        return kind, half, outputs, samples

    def _loss(self, logits: Node, y: Node, target: Node, params: dict, suf: str) -> Node:
        comp, spec = self.comp, self.p.loss
        kind, half, outputs, samples = self.loss_settings()
        n_outputs = y.value.shape[-1]
        n_samples = y.value.shape[0] if self.batched else 1
        scale = loss_scale(half and kind == "squared_error", outputs, samples, n_outputs, n_samples)
        layers = self.p.network.layers
        output_act = ALIASES.get(layers[-1].activation.name, layers[-1].activation.name) if layers else None
        has_penalty = self.p.penalty is not None
        data_id = f"data_loss{suf}" if has_penalty else f"loss{suf}"
        data_sym = Symbol(f"{self.n.loss}_{{\\text{{data}}}}", f"{self.n.loss}_data") if has_penalty \
            else Symbol(self.n.loss, self.n.loss)
        if kind == "squared_error":
            loss = comp.apply(SQUARED_ERROR, [y, target], data_id, data_sym, phase="loss", scale=scale)
        elif kind == "gaussian_nll":
            loss = comp.apply(GAUSSIAN_NLL, [y, target], data_id, data_sym, phase="loss", sigma=spec.sigma,
                              scale=scale)
        else:
            op = BINARY_CROSS_ENTROPY if kind == "binary_cross_entropy" else CROSS_ENTROPY
            fusable = (output_act == "sigmoid") if kind == "binary_cross_entropy" else \
                (output_act == "softmax")
            # ŷ − t is the softmax-CE gradient only when each target row sums to 1 (one-hot labels)
            fused = self.p.conventions.fused_output_gradient and fusable and \
                (kind == "binary_cross_entropy" or _rows_sum_to_one(target.value))
            inputs = [logits, y, target] if fused else [y, target]
            loss = comp.apply(op, inputs, data_id, data_sym, phase="loss", display=[y, target], scale=scale,
                              base=spec.log_base, log_zero=spec.log_zero, fused=fused)
        if not has_penalty:
            return loss
        pen = self.p.penalty
        names = [k for k in params if k.startswith("W") or (pen.include_biases and k.startswith("b"))]
        strength = pen.strength / 2 if pen.half and pen.type == "l2" else pen.strength
        penalty = comp.apply(PENALTY, [params[k] for k in names], f"penalty{suf}",
                             Symbol(r"\Omega", "Ω"), phase="loss", kind=pen.type, strength=strength)
        return comp.apply(Add(), [loss, penalty], f"loss{suf}", Symbol(self.n.loss, self.n.loss), phase="loss")

    def _state_conventions(self) -> None:
        p, c = self.p, self.p.conventions
        add = self.conventions.append
        if p.network.layers:
            add(("weight layout", AFFINE.note(layout=p.network.layout)))
        add(("gradient layout", "each gradient has the shape of its parameter"))
        if any(layer.batch_norm is not None for layer in p.network.layers):
            add(("batch normalization", "applied to the pre-activation u before the activation (z = BN(u), "
                                        "h = f(z)); " + BN_STATEMENT))
        names = {ALIASES.get(layer.activation.name, layer.activation.name) for layer in p.network.layers}
        if names & {"relu", "leaky_relu", "elu"}:
            add(("ReLU'(0)", exact_string(c.relu_derivative_at_zero)))
        if names & {"step", "sign"}:
            add(("step derivative", exact_string(c.step_derivative)))
        if self.batched:
            add(("batch", "one sample per row of X"))
        if p.loss:
            kind, half, outputs, samples = self.loss_settings()
            if kind == "squared_error":
                add(("loss", f"squared error {'with' if half else 'without'} ½, {outputs} over outputs, "
                             f"{samples} over samples"))
            elif kind == "gaussian_nll":
                add(("loss", f"Gaussian negative log-likelihood, σ = {exact_string(p.loss.sigma)}, natural log, "
                             f"{samples} over samples"))
            else:
                base = "natural log" if p.loss.log_base == "e" else f"log base {p.loss.log_base}"
                clamp = f", log(0) ≈ {exact_string(p.loss.log_zero)}" if p.loss.log_zero is not None else ""
                add(("loss", f"{kind.replace('_', ' ')}, {base}{clamp}, {outputs} over outputs, "
                             f"{samples} over samples"))
                last = p.network.layers[-1].activation.name if p.network.layers else None
                pairs = {"binary_cross_entropy": ("sigmoid", "logistic"), "cross_entropy": ("softmax",)}
                if last in pairs[kind]:
                    add(("output gradient", "fused ŷ − t at the logits" if c.fused_output_gradient
                         else "through ∂L/∂ŷ and the activation's derivative"))
        if p.penalty:
            pen = p.penalty
            half = "½" if pen.half and pen.type == "l2" else ""
            form = f"{half}λ Σ w²" if pen.type == "l2" else "λ Σ |w|"
            add(("penalty", f"{pen.type.upper()} {form}, λ = {exact_string(pen.strength)}, biases "
                            f"{'included' if pen.include_biases else 'excluded'}"))
        policy = self.comp.policy
        if policy.round_places is not None:
            add(("rounding", f"every intermediate rounded to {policy.round_places} decimals (half away from zero)"))

    def _solution(self, sections: dict, steps: int) -> Solution:
        comp = self.comp
        out_steps = []
        used = {arg for node in comp.order if node.formula is not None for arg in node.formula.args}
        # givens first (an optimizer's hyperparameters are recorded late); the order stays topological
        for node in sorted(comp.order, key=lambda n: n.phase != "given"):
            section = "Given" if node.phase == "given" else sections.get(node.id, "Other")
            if node.note == "seed" and node.id not in used:   # ∂L/∂L = 1 is shown only where a formula uses it
                continue
            out_steps.append(Step(node.id, node.symbol.latex, node.symbol.text, node.value, section,
                                  node.formula, node.note))
        out_id = f"h{self.depth}" if self.depth else "x"
        aliases = {"y": out_id, "output": out_id}
        for s in range(steps + 1):
            suf = self.suffix(s)
            aliases[f"y{suf}"] = f"h{self.depth}{suf}" if self.depth else "x"
            for i in range(1, self.depth + 1):
                aliases[f"delta{i}{suf}"] = f"dL/du{i}{suf}"
        solution = Solution(self.p.title, "dense_network", self.conventions, out_steps, [], aliases,
                            self.p.digits if self.p.digits is not None else 4,
                            self.p.source.model_dump(exclude_none=True) if self.p.source else None)
        solution.asked = resolve_ask(self.p.ask, solution, steps, self.depth)
        solution.vectors = "row" if self.batched else "column"   # a batch has one sample per row
        return solution


def resolve_ask(ask: list[str], solution: Solution, steps: int, depth: int) -> list[str]:
    """Turn `ask` groups (forward, loss, gradients, deltas, input_gradient, update) into ids."""
    ids = [s.id for s in solution.steps]
    groups = {
        "forward": [i for i in ids if _base(i)[0] in "uh" and _base(i)[1:].isdigit() and "(" not in i],
        "loss": [i for i in ids if i in ("loss", "data_loss", "penalty")],
        "gradients": [f"dL/d{k}" for k in ids if (k[0] in "Wb" and k[1:].isdigit()) and f"dL/d{k}" in ids],
        "deltas": [f"dL/du{i}" for i in range(1, depth + 1) if f"dL/du{i}" in ids],
        "input_gradient": ["dL/dx"] if "dL/dx" in ids else [],
        "update": [i for i in ids if steps and i.endswith(f"({steps})") and i[0] in "Wb" and "/" not in i],
    }
    wanted = ask or ["forward", "loss", "deltas", "gradients", "update"]
    out: list[str] = []
    for item in wanted:
        for quantity in groups.get(item, [item]):
            if quantity not in out:
                out.append(quantity)
    return out


def _rows_sum_to_one(t) -> bool:
    rows = t.reshape(-1, t.shape[-1]) if t.ndim else t.reshape(1, 1)
    return all(sum(row, Fraction(0)) == 1 for row in rows)


def _base(quantity_id: str) -> str:
    return quantity_id.split("(")[0] if quantity_id else " "


def solve_dense(problem: DenseProblem, policy: Policy | None = None) -> Solution:
    return DenseSolver(problem, policy or Policy()).solve()
