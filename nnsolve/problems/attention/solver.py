"""Solve an attention problem step by step, then back-propagate with the engine's reverse mode.

Ids: givens X, memory (cross-attention), W_Q, W_K, W_V, W_O and biases b_Q, …, mask (the 0/1 matrix of
kept entries), G (the given ∂L/∂output) or T (a target); Q, K, V (givens themselves where the file gives them
instead of X and the projections); per head (suffix _h1, _h2, … when there
are several heads) S = QKᵀ, S_scaled = S/√d_k, S_masked, A = softmax by rows, Z = AV; Z is the heads
concatenated, out = Z W_O (+ b_O); gradients dL/d<id>. Parameter counts: attention.params,
attention.params_no_bias and, for an encoder block, encoder.params.
"""
from __future__ import annotations

from fractions import Fraction

from ...arch.conventions import Conventions
from ...arch.ir import Layer
from ...arch.kinds import attention as attention_count, dense as dense_count, layer_norm as layer_norm_count
from ...engine.computation import Node, Policy, Symbol
from ...engine.formula import Formula
from ...engine.number import exact_string
from ...ops import scalar
from ...ops.activations import SOFTMAX
from ...ops.linear import AFFINE
from ...ops.matmul import COLUMNS, MASK, MATMUL, SCALE
from ...ops.structural import CONCAT
from ...solution import Solution
from ...training.activation import canonical
from ...training.loss import Prediction
from ...training.pipeline import Trainer
from .consistency import DIRECT, given_directly, is_masked, keep_matrix, sizes, widths
from .schema import AttentionProblem

SYMBOLS = {"S_scaled": (r"\tilde S", "S̃"), "S_masked": (r"\hat S", "Ŝ")}


class AttentionTrainer(Trainer):
    kind = "attention"
    vectors = "row"

    def __init__(self, p: AttentionProblem, policy: Policy | None):
        super().__init__(p, policy)
        self.batched = True          # one token per row: a loss's samples are the rows
        self.meta = {"layout": p.layout, "heads": p.heads}

    def head_symbol(self, base: str, head: int, s) -> Symbol:
        latex, text = SYMBOLS.get(base, (base, base))
        if self.p.heads > 1:
            latex, text = f"{latex}^{{({head})}}", f"{text}⁽{head}⁾"
        return self.sym_plain(latex, text, s)

    def record_givens(self) -> dict[str, Node]:
        p, comp = self.p, self.comp
        if given_directly(p):
            # Q, K, V given: they are the inputs (input_gradient: dL/dQ, dL/dK, dL/dV), nothing projects them
            self.given_qkv = {name: comp.given(name, Symbol(name, name), getattr(p, name), differentiable=True)
                              for name in DIRECT}
            self.inputs = list(self.given_qkv.values())
        else:
            self.given_qkv = None
            self.x = comp.given("X", Symbol("X", "X"), p.X, differentiable=True)
            self.memory = comp.given("memory", Symbol("M", "M"), p.memory, differentiable=True) if p.memory else None
            self.inputs = [self.x] + ([self.memory] if self.memory is not None else [])
        params = {k: comp.given(k, Symbol(f"{k[0]}_{k[2]}", f"{k[0]}_{k[2]}"), getattr(p, k), differentiable=True)
                  for k in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O") if getattr(p, k) is not None}
        n_q, keys, _, _ = sizes(p)
        self.keep = comp.given("mask", Symbol("M_{mask}", "mask"), keep_matrix(p, n_q, keys)) \
            if is_masked(p) else None
        self.target = comp.given("T", Symbol("T", "T"), p.loss.target) if p.loss is not None else None
        return params

    def forward(self, params: dict[str, Node], s):
        p, comp, suf = self.p, self.comp, self.suffix(s)
        projected = dict(self.given_qkv or {})
        with self.sections("Projections" + self.after(s)):
            for name, seq in () if self.given_qkv else (("Q", self.x), ("K", self.memory or self.x),
                                                         ("V", self.memory or self.x)):
                inputs = [seq, params[f"W_{name}"]] + ([params[f"b_{name}"]] if f"b_{name}" in params else [])
                projected[name] = comp.apply(AFFINE, inputs, name + suf, self.sym(name, None, s), layout=p.layout,
                                             batched=True, note=f"{name} = {seq.symbol.text}W_{name}" +
                                                                ("" if p.layout == "in_out" else "ᵀ"))
        heads = [self._head(h, projected, s) for h in range(1, p.heads + 1)]
        with self.sections("Output" + self.after(s)):
            z = heads[0] if p.heads == 1 else comp.apply(CONCAT, heads, "Z" + suf, self.sym("Z", None, s), axis=1)
            out = z
            if "W_O" in params:
                inputs = [z, params["W_O"]] + ([params["b_O"]] if "b_O" in params else [])
                out = comp.apply(AFFINE, inputs, "out" + suf, self.sym("O", None, s), layout=p.layout, batched=True,
                                 note="output projection of the concatenated heads")
            logits, activation = out, canonical(p.activation)
            if activation != "identity":
                out = self.activations.apply(p.activation, out, "Y" + suf, self.sym("Y", None, s))
        return out, ([Prediction(out, self.target, logits, activation)] if self.target is not None else [])

    def _head(self, h: int, projected: dict, s) -> Node:
        single = self.p.heads == 1
        suf = ("" if single else f"_h{h}") + self.suffix(s)
        with self.sections(("Attention" if single else f"Head {h}") + self.after(s)):
            return self._attend(h, projected, s, suf)

    def _attend(self, h: int, projected: dict, s, suf: str) -> Node:
        p, comp = self.p, self.comp
        single = p.heads == 1
        parts = {}
        for name, node in projected.items():
            if single:
                parts[name] = node
                continue
            width = node.value.shape[1] // p.heads
            parts[name] = comp.apply(COLUMNS, [node], f"{name}{suf}", self.head_symbol(name, h, s),
                                     start=(h - 1) * width, stop=h * width, head=h)
        scores = comp.apply(MATMUL, [parts["Q"], parts["K"]], f"S{suf}", self.head_symbol("S", h, s), transpose_b=True)
        d_k = p.d_k if p.d_k is not None else Fraction(parts["K"].value.shape[1])
        if d_k != 1:
            root = scalar.sqrt(d_k)
            shown = (rf"\frac{{ 1 }}{{ \sqrt{{ {exact_string(d_k)} }} }}", f"1/√{exact_string(d_k)}")
            scores = comp.apply(SCALE, [scores], f"S_scaled{suf}", self.head_symbol("S_scaled", h, s), factor=1 / root,
                                shown=shown, note=f"scaled by 1/√d_k, d_k = {exact_string(d_k)}")
        if self.keep is not None:
            scores = comp.apply(MASK, [scores, self.keep], f"S_masked{suf}", self.head_symbol("S_masked", h, s))
        weights = comp.apply(SOFTMAX, [scores], f"A{suf}", self.head_symbol("A", h, s),
                             note="softmax of each row (over the keys)")
        return comp.apply(MATMUL, [weights, parts["V"]], f"Z{suf}", self.head_symbol("Z", h, s))

    def after_training(self) -> None:
        if self.given_qkv:
            return          # no projections to count
        # counted when the file asks for them (an encoder block, or a count's id), not in every solution
        if self.p.encoder_block is None and not self.asks_beyond_training():
            return
        with self.sections("Parameter counts"):
            self._parameter_counts()

    def _parameter_counts(self) -> None:
        """Counted by the architecture analyzer's rules, with and without biases."""
        p, comp = self.p, self.comp
        d_q, d_kv = len(p.X[0]), len((p.memory or p.X)[0])
        q_out, v_out = widths(p, "W_Q")[1], widths(p, "W_V")[1]
        out_dim = widths(p, "W_O")[1] if p.W_O is not None else d_q
        shapes = [(len(p.X), d_q), (len(p.memory or p.X), d_kv)]
        for bias, suffix in ((True, ""), (False, "_no_bias")):
            layer = Layer("attention", "multihead_attention", {"heads": p.heads, "key_dim": q_out // p.heads,
                                                               "value_dim": v_out // p.heads, "bias": bias,
                                                               "output_dim": out_dim})
            effect = attention_count(layer, shapes, "channels_last", Conventions())
            comp.derived(f"attention.params{suffix}", Symbol(r"\#\text{params}", "#params"), effect.trainable,
                         _counted(effect.params_formula), "count",
                         note=f"Q, K, V and output projections {'with' if bias else 'without'} biases")
        if p.encoder_block is not None:
            d, d_ff = d_q, p.encoder_block.d_ff
            row = (len(p.X), d)
            terms = [attention_count(Layer("mha", "multihead_attention",
                                           {"heads": p.heads, "key_dim": q_out // p.heads,
                                            "value_dim": v_out // p.heads, "output_dim": d}),
                                     [row, row], "channels_last", Conventions()),
                     dense_count(Layer("ff1", "dense", {"units": d_ff}), [row], "channels_last", Conventions()),
                     dense_count(Layer("ff2", "dense", {"units": d}), [(len(p.X), d_ff)], "channels_last",
                                 Conventions()),
                     layer_norm_count(Layer("ln", "layer_norm"), [row], "channels_last", Conventions())]
            text = " + ".join([f"[{t.params_formula}]" for t in terms[:3]] + [f"2·[{terms[3].params_formula}]"])
            total = sum(t.trainable for t in terms[:3]) + 2 * terms[3].trainable
            comp.derived("encoder.params", Symbol(r"\#\text{params}", "#params"), total, _counted(text), "count",
                         note=f"self-attention + feed-forward (d_ff = {d_ff}) + two layer norms, biases included")

    def family_conventions(self) -> list[tuple[str, str]]:
        p, out = self.p, []
        add = out.append
        if given_directly(p):
            add(("inputs", "Q, K and V given directly, one query, key or value per row (no projections)"))
            if p.W_O is not None:
                add(("layout", "out = Z W_O (W_O has a row per input feature)" if p.layout == "in_out"
                     else "out = Z W_Oᵀ (W_O has a row per output, as PyTorch)"))
        else:
            add(("layout", "Q = X W_Q (W has a row per input feature)" if p.layout == "in_out"
                 else "q = W_Q x, so Q = X W_Qᵀ (W has a row per output, as PyTorch)"))
            add(("tokens", "one token per row of X" + (", keys and values from the rows of M" if p.memory else "")))
        add(("scaling", "S / √d_k with d_k = " + (exact_string(p.d_k) if p.d_k is not None else "a head's key width")))
        add(("softmax", "over each row (each query's weights over the keys sum to 1)"))
        if p.heads > 1:
            add(("heads", f"{p.heads} heads: Q, K, V split into contiguous column blocks, head 1 first; "
                          "outputs concatenated in head order"))
        if is_masked(p):
            add(("mask", "masked scores set to −∞ before the softmax (weight 0); padding positions count from 1"))
        if canonical(p.activation) != "identity":
            add(("output activation", f"Y = {p.activation.name}(output), by rows"))
        return out

    def output_activations(self) -> set:
        return {canonical(self.p.activation)}

    def aliases(self, updates: int) -> dict[str, str]:
        out = "Y" if canonical(self.p.activation) != "identity" else "out" if self.p.W_O is not None else "Z"
        return {"output": out, "y": out} | {f"y({s})": f"{out}({s})" for s in range(1, updates + 1)}


def _counted(formula: str) -> Formula:
    return Formula(formula.replace("·", r" \cdot "), formula)


def solve_attention(problem: AttentionProblem, policy: Policy | None = None) -> Solution:
    return AttentionTrainer(problem, policy).solve()
