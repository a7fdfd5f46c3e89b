"""Unroll a recurrent cell over the sequence; the loss (or the quantity to differentiate), backpropagation
through time and optimizer steps are the shared pipeline's.

Quantity ids (t = 1…T is the time step):
  x1 … xT, h0, y0   the sequence and the initial states (given; gradients dL/dx1, dL/dh0 …)
  W, V, U, b, c     the weights by the names the file gives them (time_varying: W@1 … W@T, one per step)
  z<t>, h<t>        the cell's pre-activation and state; o<t>, y<t> the output layer's (o only when g ≠ identity)
  t<t>              the target of step t; loss<t> its term; loss the total
  dL/d<id>          gradients; with `differentiate: h3` the "loss" is h3 and `dh3/d<id>` names dL/d<id>
  W(s), h3(s) …     after optimizer update s, as in the dense family
Reverse mode sums the contributions of a weight used at every step: that sum is BPTT's per-step sum.
"""
from __future__ import annotations

import re

from ...engine.computation import Node, Policy, Symbol
from ...solution import Solution
from ...training.activation import canonical
from ...training.loss import Prediction
from ...training.pipeline import Trainer
from .cell_ops import LINEAR_SUM, QUANTITY
from .schema import RecurrentProblem

DIFFERENTIATED = re.compile(r"([hyzo])(\d+)(?:\[(\d+)\])?")
RECURRENCE = ("BPTT", "∂hₜ/∂V = f'(zₜ) ⊙ (hₜ₋₁ + V·∂hₜ₋₁/∂V), ∂hₜ/∂W = f'(zₜ) ⊙ (xₜ + V·∂hₜ₋₁/∂W): a weight "
                      "used at every step gets one chain-rule term per step, and its gradient is their sum")


def _numbers(inputs: list[Node]) -> tuple[bool, ...]:
    """Which inputs of a weighted sum are numbers: their transpose is left out of the formulas."""
    return tuple(n.value.ndim == 0 for n in inputs)


class RecurrentTrainer(Trainer):
    kind = "recurrent"
    forward_title = "Unrolled forward pass"
    backward_title = "Backpropagation through time"
    sequence = True

    def __init__(self, problem: RecurrentProblem, policy: Policy | None):
        super().__init__(problem, policy)
        self.meta = {"layout": problem.layout, "steps": len(problem.x)}

    def record_givens(self) -> dict[str, Node]:
        p, comp = self.p, self.comp
        self.xs = [comp.given(f"x{t}", self.sym("x", t), v, differentiable=True) for t, v in enumerate(p.x, 1)]
        self.h0 = comp.given("h0", self.sym("h", 0), p.h0, differentiable=True)
        self.y0 = comp.given("y0", self.sym("y", 0), p.y0, differentiable=True) if p.y0 is not None else None
        self.inputs = self.xs + [self.h0] + ([self.y0] if self.y0 is not None else [])
        params = {}
        for name, value in p.weights.items():
            per_step = value if p.time_varying else [value]
            for t, block in enumerate(per_step, 1):
                key = f"{name}@{t}" if p.time_varying else name
                latex = f"{name}^{{({t})}}" if p.time_varying else name
                params[key] = comp.given(key, Symbol(latex, key), block, differentiable=True)
        self.targets = {}
        if p.loss is not None:
            steps = p.loss.steps or list(range(1, len(p.x) + 1))
            self.targets = {t: comp.given(f"t{t}", self.sym("t", t), v) for t, v in zip(steps, p.loss.targets)}
        return params

    # -- one pass ------------------------------------------------------------------------------
    def forward(self, params: dict[str, Node], s):
        p, comp, suf = self.p, self.comp, self.suffix(s)
        cell, out = p.cell, p.output
        h, y = self.h0, self.y0
        hs, ys, zs, os_ = {}, {}, {}, {}
        for t, x_t in enumerate(self.xs, 1):
            fed = y if cell.feedback == "output" else h
            inputs = [self.weight(params, cell.input_weight, t), x_t, self.weight(params, cell.recurrent_weight, t),
                      fed]
            if cell.bias:
                inputs.append(self.weight(params, cell.bias, t))
            z = zs[t] = comp.apply(LINEAR_SUM, inputs, f"z{t}{suf}", self.sym("z", t, s), layout=p.layout,
                                   bias=bool(cell.bias), scalars=_numbers(inputs))
            h = hs[t] = self.activations.apply(cell.activation, z, f"h{t}{suf}", self.sym("h", t, s))
            if out is not None:
                y, os_[t] = self._output(out, h, params, t, s)
                ys[t] = y
        over_y = p.loss is not None and p.loss.over == "y"
        predictions = [Prediction(ys[t], target, os_[t], canonical(out.activation), t) if over_y else
                       Prediction(hs[t], target, zs[t], canonical(cell.activation), t)
                       for t, target in self.targets.items()]
        return (ys or hs)[len(self.xs)], predictions

    @staticmethod
    def weight(params: dict, name: str, t: int) -> Node:
        """The weight step t uses: its own W@t when the weights vary over time, else the shared W."""
        return params.get(f"{name}@{t}", params.get(name))

    def _output(self, out, h: Node, params: dict, t: int, s) -> tuple[Node, Node]:
        """yₜ = g(U·hₜ + c), and the pre-activation oₜ (yₜ itself when g is the identity)."""
        inputs = [self.weight(params, out.weight, t), h] + ([self.weight(params, out.bias, t)] if out.bias else [])
        linear = canonical(out.activation) == "identity"
        o = self.comp.apply(LINEAR_SUM, inputs, f"{'y' if linear else 'o'}{t}{self.suffix(s)}",
                            self.sym("y" if linear else "o", t, s), layout=self.p.layout, bias=bool(out.bias),
                            scalars=_numbers(inputs))
        if linear:
            return o, o
        return self.activations.apply(out.activation, o, f"y{t}{self.suffix(s)}", self.sym("y", t, s)), o

    def objective(self, output, predictions, params, s):
        if not self.p.differentiate:
            return super().objective(output, predictions, params, s)
        kind, t, element = DIFFERENTIATED.fullmatch(self.p.differentiate).groups()
        q = self.comp.nodes[f"{kind}{t}{self.suffix(s)}"]
        return self.comp.apply(QUANTITY, [q], f"loss{self.suffix(s)}", self.loss_part_symbol(None, s), phase="loss",
                               element=int(element) if element is not None else None)

    def role(self, key: str) -> str:
        name = key.split("@")[0]
        biases = {self.p.cell.bias} | ({self.p.output.bias} if self.p.output is not None else set())
        return "bias" if name in biases else "weight"

    def output_activations(self) -> set:
        p = self.p
        over_y = p.loss is not None and p.loss.over == "y" and p.output is not None
        return {canonical(p.output.activation if over_y else p.cell.activation)}

    # -- what the header says ------------------------------------------------------------------
    def family_conventions(self) -> list[tuple[str, str]]:
        p, cell, out = self.p, self.p.cell, []
        rule = "·" if p.layout == "out_in" else "ᵀ·"
        fed = "yₜ₋₁ (Jordan: the previous output is fed back)" if cell.feedback == "output" else "hₜ₋₁ (Elman)"
        bias = f" + {cell.bias}" if cell.bias else ""
        out.append(("cell", f"hₜ = {cell.activation.name}({cell.input_weight}{rule}xₜ + {cell.recurrent_weight}{rule}"
                            f"{'yₜ₋₁' if cell.feedback == 'output' else 'hₜ₋₁'}{bias}), fed back: {fed}"))
        if p.output is not None:
            o = p.output
            out.append(("output", f"yₜ = {o.activation.name}({o.weight}{rule}hₜ" + (f" + {o.bias})" if o.bias else ")")))
        out.append(("weight layout", LINEAR_SUM.note(layout=p.layout, bias=False)))
        if p.time_varying:
            out.append(("weights over time", "time_varying: step t uses its own weights W@t, V@t … (the sheet "
                                             "indexes every weight by the time step), so each gets one gradient term"))
        if p.differentiate:
            out.append(("differentiated", f"L = {p.differentiate}" + (" (its elements summed)" if "[" not in
                                                                        p.differentiate else "")))
        out.append(RECURRENCE)
        return out

    def aliases(self, updates: int) -> dict[str, str]:
        last = len(self.p.x)
        out = f"y{last}" if self.p.output else f"h{last}"
        aliases = {"y": out, "output": out}
        if self.p.differentiate:
            q = self.p.differentiate
            for node in self.comp.order:
                if node.id.startswith("dL/d") and "(" not in node.id:
                    aliases[f"d{q}/d{node.id[4:]}"] = node.id
        return aliases


def solve_recurrent(problem: RecurrentProblem, policy: Policy | None = None) -> Solution:
    return RecurrentTrainer(problem, policy).solve()
