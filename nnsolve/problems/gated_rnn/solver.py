"""Unroll an LSTM or GRU over the given sequence, every gate a named step; loss, BPTT, updates.

Quantity ids (t = time step from 1; after optimizer update s every recomputed one carries `(s)`):
  x1, x2, …, h0, c0                      givens; W_<gate>, U_<gate>, b_<gate>, bh_<gate> the weights
                                         (time_varying: W_<gate>@t …); W_y, b_y the output layer
  LSTM  ui1 uf1 ug1 uo1 → i1 f1 g1 o1    pre-activations and gates (g: the candidate c̃)
        fc1 = f1 ⊙ c0, ig1 = i1 ⊙ g1, c1, tc1 = act(c1), h1 = o1 ⊙ tc1
        textbook gates numbered g1 g2 g3 (output, forget, input) and candidate c: ug1_1 → g1_1 …,
        uc_tilde1 → c_tilde1, weights W_g1 … W_c; a projection: m1 = o1 ⊙ tc1, h1 = W_hr m1
  GRU   ur1 uz1 → r1 z1; reset after: nx1 = W_n x1 + b_n, nh1 = U_n h0 + bh_n, rnh1 = r1 ⊙ nh1;
        reset before: rh1 = r1 ⊙ h0; un1 → n1; oz1 = 1 − z1, zn1 = oz1 ⊙ n1, zh1 = z1 ⊙ h0, h1
  v1 → y1 the output layer; loss1 … the loss of each step, loss their sum; gradients dL/d<id>.
"""
from __future__ import annotations

import re

from ...engine.computation import Node, Policy, Symbol
from ...optim import LookAhead, look_ahead_symbol
from ...optim.base import step_mark
from ...ops.base import Add
from ...ops.elementwise import COMPLEMENT, MUL
from ...ops.linear import AFFINE
from ...solution import Solution
from ...training.activation import canonical
from ...training.loss import Prediction
from ...training.pipeline import Trainer
from .consistency import _array, concatenated_split, gate_arrays, sequence
from .gate import GATE_SUM
from .schema import GatedRnnProblem

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
ADD = Add()
KIND_PREFIX = {"input": "W", "recurrent": "U", "bias": "b", "recurrent_bias": "bh"}
FORMULATIONS = {
    ("lstm", "pytorch"): "PyTorch nn.LSTM: weights stacked i, f, g, o; b_ih and b_hh both added",
    ("lstm", "keras"): "Keras LSTM: kernel and recurrent kernel stacked i, f, c, o (c is g here); one bias",
    ("lstm", "textbook"): "textbook LSTM: weights under the sheet's gate names",
    ("gru", "pytorch"): "PyTorch nn.GRU: weights stacked r, z, n",
    ("gru", "keras"): "Keras GRU: kernel stacked z, r, h (h is n here)",
    ("gru", "textbook"): "textbook GRU: gates named per gate",
}


class GatedTrainer(Trainer):
    kind = "gated_rnn"
    forward_title = "Forward pass through time"
    sequence = True

    def __init__(self, problem: GatedRnnProblem, policy: Policy | None):
        super().__init__(problem, policy)
        self.layout = problem.weight_layout
        self.meta = {"layout": self.layout, "steps": len(problem.x)}

    def sym(self, base: str, t: int | None = None, s=0) -> Symbol:
        # bases are LaTeX (r"f\odot c"); the plain-text symbol drops its markup
        if isinstance(s, LookAhead):
            return look_ahead_symbol(self.sym(base, t), s.update)
        text = re.sub(r"_\{(\d+)\}", lambda m: m.group(1).translate(SUBSCRIPT), base.replace(r"\tilde{c}", "c̃"))
        latex, text = base, text.replace(r"\odot ", "⊙").replace("{", "").replace("}", "").replace("-", "−")
        latex = "{" + latex + "}" if "^" in latex or "_" in latex else latex   # no double super- or subscripts
        if t is not None:
            latex, text = f"{latex}_{{{t}}}", text + str(t).translate(SUBSCRIPT)
        if s:
            latex, text = step_mark(latex, text, s)
        return Symbol(latex, text)

    # -- givens ----------------------------------------------------------------------------------
    def record_givens(self) -> dict[str, Node]:
        p, comp = self.p, self.comp
        self.xs = [comp.given(f"x{t}", self.sym("x", t), v, differentiable=True)
                   for t, v in enumerate(sequence(p), 1)]
        start = {"h": comp.given("h0", self.sym("h", 0), _array(p.h0, 1), differentiable=True)}
        if p.cell == "lstm":
            start["c"] = comp.given("c0", self.sym("c", 0), _array(p.c0, 1), differentiable=True)
        self.inputs = self.xs + list(start.values())
        params: dict[str, Node] = {}
        joined = self._concatenated_gates()
        found: list = []
        arrays = gate_arrays(p, found)
        if found:       # only a re-solve under another convention gets here (a flipped layout): not this problem's
            raise ValueError(f"{'.'.join(map(str, found[0][0]))}: {found[0][1]}")
        for gate, kinds in arrays.items():
            for kind, blocks in kinds.items():
                note = self._split_note(kind) if gate in joined and kind in ("input", "recurrent") else ""
                for t, block in enumerate(blocks, 1):
                    self._param(params, f"{KIND_PREFIX[kind]}_{p.gate_name(gate)}", t, len(blocks), block, note)
        if p.projection is not None:
            blocks = p.projection if p.time_varying else [p.projection]
            for t, block in enumerate(blocks, 1):
                self._param(params, "W_hr", t, len(blocks), _array(block, 2))
        if p.output is not None:
            for name, value, dims in (("W_y", p.output.W, 2), ("b_y", p.output.b, 1)):
                if value is not None:
                    blocks = value if p.time_varying else [value]
                    for t, block in enumerate(blocks, 1):
                        self._param(params, name, t, len(blocks), _array(block, dims))
        self.targets = []
        if p.target is not None:
            self.targets = [comp.given(f"t{t}", self.sym("t", t), _array(v, 1)) for t, v in enumerate(p.target, 1)]
        self.start = start
        return params

    def _param(self, params: dict, name: str, t: int, count: int, value, note: str = "") -> None:
        key = name if count == 1 else f"{name}@{t}"
        base, _, gate = name.partition("_")
        latex = f"{base}_{{{gate}}}" + (f"^{{({t})}}" if count > 1 else "")
        params[key] = self.comp.given(key, Symbol(latex, key), value, differentiable=True, note=note)

    def _concatenated_gates(self) -> set[str]:
        """The gates whose weights the file gives as one matrix over the concatenation of hₜ₋₁ and xₜ."""
        p = self.p
        if p.weights is not None:
            return set(p.gate_names) if p.weights.concatenated is not None else set()
        return {p.gate_role(name) for name, spec in (p.gates or {}).items() if spec.concatenated is not None}

    def _concatenation(self) -> str:
        """How a concatenated matrix splits: which of its columns (rows) multiply hₜ₋₁ and which xₜ."""
        axis, hidden, width = concatenated_split(self.p)
        side = "columns" if axis == 1 else "rows"
        order = [("hₜ₋₁", hidden, "U"), ("xₜ", width, "W")]
        if self.p.concatenation == "x_h":
            order.reverse()
        (a, n, first), (b, m, second) = order
        return (f"each gate's matrix over [{a}, {b}] split by {side}: {_first_or_last('first', n, side)} "
                f"(multiplying {a}) {'is' if n == 1 else 'are'} {first}, {_first_or_last('last', m, side)} "
                f"(multiplying {b}) {'is' if m == 1 else 'are'} {second}")

    def _split_note(self, kind: str) -> str:
        axis, hidden, width = concatenated_split(self.p)
        side = "columns" if axis == 1 else "rows"
        first = (self.p.concatenation == "h_x") == (kind == "recurrent")
        size = hidden if kind == "recurrent" else width
        return (f"{_first_or_last('first' if first else 'last', size, side)} of the concatenated matrix: "
                f"the part multiplying {'hₜ₋₁' if kind == 'recurrent' else 'xₜ'}")

    def weight(self, params: dict, name: str, t: int) -> Node | None:
        return params.get(f"{name}@{t}", params.get(name))

    # -- one pass --------------------------------------------------------------------------------
    def forward(self, params: dict[str, Node], s):
        suf = self.suffix(s)
        h, c = self.start["h"], self.start.get("c")
        outputs = []
        for t, x in enumerate(self.xs, 1):
            if self.p.cell == "lstm":
                h, c = self._lstm_step(t, x, h, c, params, s, suf)
            else:
                h = self._gru_step(t, x, h, params, s, suf)
            outputs.append(self._output(t, h, c, params, s, suf))
        compared = list(enumerate(outputs, 1)) if self.p.loss_at == "every" else [(len(outputs), outputs[-1])]
        spec = self.p.output
        return outputs[-1][0], [Prediction(y, target, logits, canonical(spec.activation) if spec is not None else None, t)
                                for (t, (y, logits)), target in zip(compared, self.targets)]

    def gate_label(self, role: str) -> tuple[str, str]:
        """(id stem, LaTeX base) of a gate in the file's names: i; g1_ (g11 would read as g at step 11), g_{1};
        the numbered sheets' candidate c_tilde, \\tilde{c} (c1 is the cell state)."""
        name = self.p.gate_name(role)
        if name == "c":
            return "c_tilde", r"\tilde{c}"
        return (f"{name}_", f"g_{{{name[1:]}}}") if name[-1].isdigit() else (name, name)

    def _gate(self, role: str, t: int, x: Node, h: Node, params: dict, s, suf: str, activation: str) -> Node:
        name = self.p.gate_name(role)
        stem, latex = self.gate_label(role)
        inputs = [x, self.weight(params, f"W_{name}", t), h, self.weight(params, f"U_{name}", t)]
        inputs += [b for b in (self.weight(params, f"b_{name}", t), self.weight(params, f"bh_{name}", t)) if b]
        u = self.comp.apply(GATE_SUM, inputs, f"u{stem}{t}{suf}", self.sym(f"u^{{{latex}}}", t, s),
                            layout=self.layout)
        return self._act(activation, u, f"{stem}{t}{suf}", self.sym(latex, t, s))

    def _act(self, name: str, u: Node, node_id: str, symbol: Symbol) -> Node:
        return self.activations.apply(name, u, node_id, symbol)

    def _lstm_step(self, t, x, h, c, params, s, suf):
        p, comp, sym = self.p, self.comp, self.sym
        gates = {g: self._gate(g, t, x, h, params, s, suf,
                               p.candidate_activation if g == "g" else p.gate_activation) for g in "ifgo"}
        f, i, g, o = (self.gate_label(role)[1] for role in "figo")
        kept = comp.apply(MUL, [gates["f"], c], f"fc{t}{suf}", sym(rf"{f}\odot c", t, s))
        added = comp.apply(MUL, [gates["i"], gates["g"]], f"ig{t}{suf}", sym(rf"{i}\odot {g}", t, s))
        c = comp.apply(ADD, [kept, added], f"c{t}{suf}", sym("c", t, s))
        squashed = self._act(p.cell_activation, c, f"tc{t}{suf}", sym(rf"{p.cell_activation}(c)", t, s))
        if p.projection is None:
            return comp.apply(MUL, [gates["o"], squashed], f"h{t}{suf}", sym("h", t, s)), c
        m = comp.apply(MUL, [gates["o"], squashed], f"m{t}{suf}", sym("m", t, s))
        h = comp.apply(AFFINE, [m, self.weight(params, "W_hr", t)], f"h{t}{suf}", sym("h", t, s),
                       layout=self.layout, note="the projection to the hidden size (PyTorch proj_size)")
        return h, c

    def _gru_step(self, t, x, h, params, s, suf):
        p, comp, sym, w = self.p, self.comp, self.sym, self.weight
        r = self._gate("r", t, x, h, params, s, suf, p.gate_activation)
        z = self._gate("z", t, x, h, params, s, suf, p.gate_activation)
        if p.reset == "after":
            bias_x, bias_h = [b for b in [w(params, "b_n", t)] if b], [b for b in [w(params, "bh_n", t)] if b]
            nx = comp.apply(AFFINE, [x, w(params, "W_n", t)] + bias_x, f"nx{t}{suf}", sym("a^{nx}", t, s),
                            layout=self.layout)
            nh = comp.apply(AFFINE, [h, w(params, "U_n", t)] + bias_h, f"nh{t}{suf}", sym("a^{nh}", t, s),
                            layout=self.layout)
            reset = comp.apply(MUL, [r, nh], f"rnh{t}{suf}", sym(r"r\odot a^{nh}", t, s))
            un = comp.apply(ADD, [nx, reset], f"un{t}{suf}", sym("u^n", t, s))
            n = self._act(p.candidate_activation, un, f"n{t}{suf}", sym("n", t, s))
        else:
            reset = comp.apply(MUL, [r, h], f"rh{t}{suf}", sym(r"r\odot h", t, s))
            n = self._gate("n", t, x, reset, params, s, suf, p.candidate_activation)
        keep_new = comp.apply(COMPLEMENT, [z], f"oz{t}{suf}", sym("(1-z)", t, s))
        new = comp.apply(MUL, [keep_new, n], f"zn{t}{suf}", sym(r"(1-z)\odot n", t, s))
        old = comp.apply(MUL, [z, h], f"zh{t}{suf}", sym(r"z\odot h", t - 1, s))
        return comp.apply(ADD, [new, old], f"h{t}{suf}", sym("h", t, s))

    def _output(self, t, h, c, params, s, suf) -> tuple[Node, Node | None]:
        """yₜ and its pre-activation vₜ; hₜ itself (and no pre-activation) without an output layer."""
        spec = self.p.output
        if spec is None:
            return h, None
        source = c if spec.source == "cell" else h
        bias = [b for b in [self.weight(params, "b_y", t)] if b]
        v = self.comp.apply(AFFINE, [source, self.weight(params, "W_y", t)] + bias, f"v{t}{suf}",
                            self.sym("v", t, s), layout=self.layout)
        return self._act(spec.activation, v, f"y{t}{suf}", self.sym("y", t, s)), v

    def output_activations(self) -> set:
        return {canonical(self.p.output.activation)} if self.p.output is not None else set()

    # -- the header and the solution -------------------------------------------------------------
    def family_conventions(self) -> list[tuple[str, str]]:
        p, out = self.p, []
        add = out.append
        order = ", ".join(map(p.gate_name, p.stacked_order))
        add(("cell", FORMULATIONS[(p.cell, p.formulation)] + (f"; stacked order {order}" if p.weights is not None else "")))
        if p.cell == "lstm" and p.numbered_gates:
            add(("gates", "numbered as the sheet does: g₁ the output gate, g₂ the forget gate, g₃ the input "
                          "(update) gate, c̃ the candidate (weights W_c, U_c)"))
            add(("equations", f"g₁, g₂, g₃ {p.gate_activation}, c̃ = {p.candidate_activation}; "
                              f"cₜ = g₂ ⊙ cₜ₋₁ + g₃ ⊙ c̃ₜ; hₜ = g₁ ⊙ {p.cell_activation}(cₜ); no peepholes"))
        elif p.cell == "lstm":
            add(("equations", f"gates {p.gate_activation}, candidate g = {p.candidate_activation}; "
                              f"cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ; hₜ = oₜ ⊙ {p.cell_activation}(cₜ); no peepholes"))
        else:
            reset = ("nₜ = act(W_n xₜ + b_n + rₜ ⊙ (U_n hₜ₋₁ + bh_n)) (reset after the product)" if p.reset == "after"
                     else "nₜ = act(W_n xₜ + U_n (rₜ ⊙ hₜ₋₁) + b_n) (reset before the product, original GRU)")
            add(("equations", f"gates {p.gate_activation}, candidate {p.candidate_activation}; {reset}; "
                              "hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁"))
        if p.projection is not None:
            cell, hidden = _array(p.c0, 1).size, _array(p.h0, 1).size
            gate = "g₁ₜ" if p.numbered_gates else "oₜ"
            add(("projection", f"cell size {cell}, hidden size {hidden}: mₜ = {gate} ⊙ {p.cell_activation}(cₜ), "
                               "hₜ = W_hr mₜ (PyTorch proj_size); U multiplies the projected hₜ₋₁"))
        biases = "two biases (input and recurrent) per gate" if any(k.startswith("bh_") for k in self._param_ids()) \
            else "one bias per gate" if any(k.startswith("b_") for k in self._param_ids()) else "no biases"
        add(("weights", AFFINE.note(layout=self.layout) + f"; W multiplies xₜ, U multiplies hₜ₋₁; {biases}"
             + ("; every weight indexed by the time step" if p.time_varying else "")))
        if self._concatenated_gates():
            add(("concatenated weights", self._concatenation()))
        if p.output is not None:
            add(("output", f"yₜ = {p.output.activation.name}(W_y {'cₜ' if p.output.source == 'cell' else 'hₜ'} + b_y)"))
        if p.loss is not None and p.loss_at == "last":
            add(("loss at", "the last step only"))
        return out

    def _param_ids(self):
        p = self.p
        names = set()
        if p.weights is not None:
            names |= {f"{KIND_PREFIX[k]}_" for k in KIND_PREFIX if getattr(p.weights, k) is not None}
        for spec in (p.gates or {}).values():
            names |= {f"{KIND_PREFIX[k]}_" for k in KIND_PREFIX if getattr(spec, k) is not None}
        return names

    def aliases(self, updates: int) -> dict[str, str]:
        last = len(self.p.x)
        return {f"y{self.suffix(s)}": (f"y{last}" if self.p.output else f"h{last}") + self.suffix(s)
                for s in range(updates + 1)}


def _first_or_last(which: str, n: int, side: str) -> str:
    """"the first column", "the last 2 rows"."""
    return f"the {which} {side[:-1]}" if n == 1 else f"the {which} {n} {side}"


def solve_gated_rnn(problem: GatedRnnProblem, policy: Policy | None = None) -> Solution:
    return GatedTrainer(problem, policy).solve()
