"""Solve a recurrent problem: unroll the cell over the sequence, the loss (or the quantity to differentiate),
backpropagation through time, optimizer steps.

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

from ...engine.computation import Computation, Node, Policy, Symbol
from ...engine.number import exact_string
from ...ops.activations import ACTIVATIONS
from ...ops.base import Add
from ...ops.losses import BINARY_CROSS_ENTROPY, CROSS_ENTROPY, SQUARED_ERROR, loss_scale
from ...optim import Pass
from ...solution import Solution
from ..dense.schema import Notation
from ..dense.solver import ALIASES, DenseSolver, resolve_ask
from .cell_ops import LINEAR_SUM, QUANTITY
from .schema import RecurrentProblem

DIFFERENTIATED = re.compile(r"([hyzo])(\d+)(?:\[(\d+)\])?")
RECURRENCE = ("BPTT", "∂hₜ/∂V = f'(zₜ) ⊙ (hₜ₋₁ + V·∂hₜ₋₁/∂V), ∂hₜ/∂W = f'(zₜ) ⊙ (xₜ + V·∂hₜ₋₁/∂W): a weight "
                      "used at every step gets one chain-rule term per step, and its gradient is their sum")


def _numbers(inputs: list[Node]) -> tuple[bool, ...]:
    """Which inputs of a weighted sum are numbers: their transpose is left out of the formulas."""
    return tuple(n.value.ndim == 0 for n in inputs)


class RecurrentSolver(DenseSolver):
    backward_title = "Backpropagation through time"
    def __init__(self, problem: RecurrentProblem, policy: Policy):
        self.p = problem
        self.n = Notation()
        self.comp = Computation(policy, Symbol("L", "L"))
        self.depth = len(problem.x)
        self.batched = False
        self.conventions: list[tuple[str, str]] = []

    def solve(self) -> Solution:
        p, comp = self.p, self.comp
        self.xs = [comp.given(f"x{t}", self.sym("x", t), v, differentiable=True) for t, v in enumerate(p.x, 1)]
        self.h0 = comp.given("h0", self.sym("h", 0), p.h0, differentiable=True)
        self.y0 = comp.given("y0", self.sym("y", 0), p.y0, differentiable=True) if p.y0 is not None else None
        params = {}
        for name, value in p.weights.items():
            per_step = value if p.time_varying else [value]
            for t, block in enumerate(per_step, 1):
                key = f"{name}@{t}" if p.time_varying else name
                latex = f"{name}^{{({t})}}" if p.time_varying else name
                params[key] = comp.given(key, Symbol(latex, key), block, differentiable=True)
        self.param_names = list(params)
        self.targets = {}
        if p.loss is not None:
            steps = p.loss.steps or list(range(1, len(p.x) + 1))
            self.targets = {t: comp.given(f"t{t}", self.sym("t", t), v) for t, v in zip(steps, p.loss.targets)}
        self._state_conventions()
        sections: dict[str, str] = {}
        steps = self._train(None, None, params, sections)
        return self._solution(sections, steps)

    # -- one pass ------------------------------------------------------------------------------
    def forward(self, x, target, params: dict, s, sections: dict):
        p, comp, suf = self.p, self.comp, self.suffix(s)
        before = set(comp.nodes)
        cell, out = p.cell, p.output
        h, y = self.h0, self.y0
        hs, ys = {}, {}
        for t, x_t in enumerate(self.xs, 1):
            fed = y if cell.feedback == "output" else h
            inputs = [self.weight(params, cell.input_weight, t), x_t, self.weight(params, cell.recurrent_weight, t),
                      fed]
            if cell.bias:
                inputs.append(self.weight(params, cell.bias, t))
            z = comp.apply(LINEAR_SUM, inputs, f"z{t}{suf}", self.sym("z", t, s), layout=p.layout,
                           bias=bool(cell.bias), scalars=_numbers(inputs))
            h = hs[t] = self._activate(cell.activation, z, f"h{t}{suf}", self.sym("h", t, s))
            if out is not None:
                y = ys[t] = self._output(out, h, params, t, s, suf)
        self._section(sections, [i for i in comp.nodes if i not in before], "Unrolled forward pass" + self._after(s))
        before = set(comp.nodes)
        loss = self._objective(hs, ys, suf)
        self._section(sections, [i for i in comp.nodes if i not in before], "Loss" + self._after(s))
        return (ys or hs)[len(self.xs)], loss

    @staticmethod
    def weight(params: dict, name: str, t: int) -> Node:
        """The weight step t uses: its own W@t when the weights vary over time, else the shared W."""
        return params.get(f"{name}@{t}", params.get(name))

    def _output(self, out, h: Node, params: dict, t: int, s, suf: str) -> Node:
        inputs = [self.weight(params, out.weight, t), h] + ([self.weight(params, out.bias, t)] if out.bias else [])
        linear = ALIASES.get(out.activation.name, out.activation.name) == "identity"
        o = self.comp.apply(LINEAR_SUM, inputs, f"{'y' if linear else 'o'}{t}{self.suffix(s)}",
                            self.sym("y" if linear else "o", t, s), layout=self.p.layout, bias=bool(out.bias),
                            scalars=_numbers(inputs))
        return o if linear else self._activate(out.activation, o, f"y{t}{suf}", self.sym("y", t, s))

    def _activate(self, spec, z: Node, node_id: str, symbol: Symbol) -> Node:
        name = ALIASES.get(spec.name, spec.name)
        return self.comp.apply(ACTIVATIONS[name], [z], node_id, symbol, **self._activation_params(spec, name))

    def _objective(self, hs: dict, ys: dict, suf: str) -> Node | None:
        p, comp = self.p, self.comp
        if p.differentiate:
            kind, t, element = DIFFERENTIATED.fullmatch(p.differentiate).groups()
            q = comp.nodes[f"{kind}{t}{suf}"]
            return comp.apply(QUANTITY, [q], f"loss{suf}", Symbol("L", "L"), phase="loss",
                              element=int(element) if element is not None else None)
        if p.loss is None:
            return None
        kind, half, outputs, _ = self.loss_settings()
        terms = []
        for t, target in self.targets.items():
            y = (ys if p.loss.over == "y" else hs)[t]
            one = len(self.targets) == 1
            node_id, sym = (f"loss{suf}", Symbol("L", "L")) if one else (f"loss{t}{suf}", self.sym("L", t))
            scale = loss_scale(half and kind == "squared_error", outputs, "sum", max(y.value.size, 1), 1)
            if kind == "squared_error":
                terms.append(comp.apply(SQUARED_ERROR, [y, target], node_id, sym, phase="loss", scale=scale))
            else:
                op = BINARY_CROSS_ENTROPY if kind == "binary_cross_entropy" else CROSS_ENTROPY
                terms.append(comp.apply(op, [y, target], node_id, sym, phase="loss", scale=scale,
                                        base=p.loss.log_base, log_zero=p.loss.log_zero, fused=False))
        if len(terms) == 1:
            return terms[0]
        return comp.apply(Add(), terms, f"loss{suf}", Symbol("L", "L"), phase="loss", note="summed over time steps")

    # -- BPTT and updates: only the weights the loss reaches get a gradient and an update ---------
    def _update(self, optimizer, k: int, params: dict, at: Pass, sections: dict) -> dict:
        reached = {key: w for key, w in params.items() if key in at.grads}
        return params | super()._update(optimizer, k, reached, at, sections)

    # -- what the header says ------------------------------------------------------------------
    def _state_conventions(self) -> None:
        p, c, add = self.p, self.p.conventions, self.conventions.append
        cell = p.cell
        rule = "·" if p.layout == "out_in" else "ᵀ·"
        fed = "yₜ₋₁ (Jordan: the previous output is fed back)" if cell.feedback == "output" else "hₜ₋₁ (Elman)"
        bias = f" + {cell.bias}" if cell.bias else ""
        add(("cell", f"hₜ = {cell.activation.name}({cell.input_weight}{rule}xₜ + {cell.recurrent_weight}{rule}"
                     f"{'yₜ₋₁' if cell.feedback == 'output' else 'hₜ₋₁'}{bias}), fed back: {fed}"))
        if p.output is not None:
            out = p.output
            add(("output", f"yₜ = {out.activation.name}({out.weight}{rule}hₜ" + (f" + {out.bias})" if out.bias
                                                                               else ")")))
        add(("weight layout", LINEAR_SUM.note(layout=p.layout, bias=False)))
        if p.time_varying:
            add(("weights over time", "time_varying: step t uses its own weights W@t, V@t … (the sheet indexes "
                                      "every weight by the time step), so each gets one gradient term"))
        names = {ALIASES.get(a.name, a.name) for a in [cell.activation] + ([p.output.activation] if p.output else [])}
        if names & {"relu", "leaky_relu", "elu"}:
            add(("ReLU'(0)", exact_string(c.relu_derivative_at_zero)))
        if names & {"step", "sign"}:
            add(("step derivative", exact_string(c.step_derivative)))
        if p.differentiate:
            add(("differentiated", f"L = {p.differentiate}" + (" (its elements summed)" if "[" not in
                                                                 p.differentiate else "")))
        elif p.loss is not None:
            kind, half, outputs, _ = self.loss_settings()
            detail = f"{'with' if half else 'without'} ½, {outputs} over outputs" if kind == "squared_error" else ""
            add(("loss", f"{kind.replace('_', ' ')} {detail} of {p.loss.over}ₜ, summed over the time steps "
                         "with a target"))
        add(RECURRENCE)
        if self.comp.policy.round_places is not None:
            add(("rounding", f"every intermediate rounded to {self.comp.policy.round_places} decimals "
                             "(half away from zero)"))

    def _solution(self, sections: dict, steps: int) -> Solution:
        solution = super()._solution(sections, steps)
        solution.kind = "recurrent"
        solution.vectors = "column"
        last = len(self.p.x)
        out = f"y{last}" if self.p.output else f"h{last}"
        solution.aliases = {"y": out, "output": out}
        ids = [st.id for st in solution.steps]
        if self.p.differentiate:
            q = self.p.differentiate
            for i in ids:
                if i.startswith("dL/d") and "(" not in i:
                    solution.aliases[f"d{q}/d{i[4:]}"] = i
        names = self.param_names
        wanted = []
        for item in self.p.ask or ["forward", "loss", "gradients", "update"]:
            if item == "forward":
                wanted += [i for i in ids if re.fullmatch(r"[zhoy]\d+", i) and i not in ("h0", "y0")]
            elif item == "gradients":
                wanted += [f"dL/d{k}" for k in names + [x for x in ids if re.fullmatch(r"x\d+|h0|y0", x)]
                           if f"dL/d{k}" in ids]
            elif item == "update":
                wanted += [f"{k}({steps})" for k in names if steps and f"{k}({steps})" in ids]
            else:
                wanted.append(solution.aliases.get(item, item))
        solution.asked = resolve_ask(list(dict.fromkeys(wanted)), solution, steps, 0)
        return solution


def solve_recurrent(problem: RecurrentProblem, policy: Policy | None = None) -> Solution:
    return RecurrentSolver(problem, policy or Policy()).solve()
