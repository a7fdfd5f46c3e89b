"""Solve an attention problem step by step, then back-propagate with the engine's reverse mode.

Ids: givens X, memory (cross-attention), W_Q, W_K, W_V, W_O and biases b_Q, …, mask (the 0/1 matrix of
kept entries), G (the given ∂L/∂output) or T (a target); Q, K, V; per head (suffix _h1, _h2, … when there
are several heads) S = QKᵀ, S_scaled = S/√d_k, S_masked, A = softmax by rows, Z = AV; Z is the heads
concatenated, out = Z W_O (+ b_O); gradients dL/d<id>. Parameter counts: attention.params,
attention.params_no_bias and, for an encoder block, encoder.params.
"""
from __future__ import annotations

from fractions import Fraction

from ...arch.conventions import Conventions
from ...arch.ir import Layer
from ...arch.kinds import attention as attention_count, dense as dense_count, layer_norm as layer_norm_count
from ...engine.computation import Computation, Node, Policy, Symbol
from ...engine.formula import Formula
from ...engine.number import exact_string
from ...ops import scalar
from ...ops.activations import SOFTMAX
from ...ops.linear import AFFINE
from ...ops.losses import SQUARED_ERROR, loss_scale
from ...ops.matmul import COLUMNS, INNER, MASK, MATMUL, SCALE
from ...ops.structural import CONCAT
from ...solution import Solution, Step
from .consistency import is_masked, keep_matrix, widths
from .schema import AttentionProblem

LOSSES = {"sse": (False, "sum"), "half_sse": (True, "sum"), "mse": (False, "mean")}


SYMBOLS = {"S_scaled": (r"\tilde S", "S̃"), "S_masked": (r"\hat S", "Ŝ")}


def _sym(base: str, head: int, single: bool) -> Symbol:
    latex, text = SYMBOLS.get(base, (base, base))
    if single:
        return Symbol(latex, text)
    return Symbol(f"{latex}^{{({head})}}", f"{text}⁽{head}⁾")


class AttentionSolver:
    def __init__(self, p: AttentionProblem, policy: Policy):
        self.p = p
        self.comp = Computation(policy)
        self.sections: dict[str, str] = {}
        self.conventions: list[tuple[str, str]] = []

    def _section(self, title: str, before: set) -> None:
        for i in self.comp.nodes:
            if i not in before:
                self.sections.setdefault(i, title)

    def solve(self) -> Solution:
        p, comp = self.p, self.comp
        x = comp.given("X", Symbol("X", "X"), p.X, differentiable=True)
        source = comp.given("memory", Symbol("M", "M"), p.memory, differentiable=True) if p.memory else x
        w = {k: comp.given(k, Symbol(f"W_{k[2]}", f"W_{k[2]}"), getattr(p, k), differentiable=True)
             for k in ("W_Q", "W_K", "W_V", "W_O") if getattr(p, k) is not None}
        b = {k: comp.given(k, Symbol(f"b_{k[2]}", f"b_{k[2]}"), getattr(p, k), differentiable=True)
             for k in ("b_Q", "b_K", "b_V", "b_O") if getattr(p, k) is not None}
        before = set(comp.nodes)
        projected = {}
        for name, seq in (("Q", x), ("K", source), ("V", source)):
            inputs = [seq, w[f"W_{name}"]] + ([b[f"b_{name}"]] if f"b_{name}" in b else [])
            projected[name] = comp.apply(AFFINE, inputs, name, Symbol(name, name), layout=p.layout, batched=True,
                                         note=f"{name} = {seq.symbol.text}W_{name}" + ("" if p.layout == "in_out" else "ᵀ"))
        self._section("Projections", before)
        keep = None
        if is_masked(p):
            keep = comp.given("mask", Symbol("M_{mask}", "mask"),
                              keep_matrix(p, len(p.X), projected["K"].value.shape[0]))
        heads = [self._head(h, projected, keep) for h in range(1, p.heads + 1)]
        before = set(comp.nodes)
        z = heads[0] if p.heads == 1 else comp.apply(CONCAT, heads, "Z", Symbol("Z", "Z"), axis=1)
        out = z
        if "W_O" in w:
            inputs = [z, w["W_O"]] + ([b["b_O"]] if "b_O" in b else [])
            out = comp.apply(AFFINE, inputs, "out", Symbol("O", "O"), layout=p.layout, batched=True,
                             note="output projection of the concatenated heads")
        self._section("Output", before)
        self._backward(out)
        self._parameter_counts()
        self._state_conventions()
        return self._solution(out)

    def _head(self, h: int, projected: dict, keep: Node | None) -> Node:
        p, comp = self.p, self.comp
        single = p.heads == 1
        suf = "" if single else f"_h{h}"
        before = set(comp.nodes)
        parts = {}
        for name, node in projected.items():
            if single:
                parts[name] = node
                continue
            width = node.value.shape[1] // p.heads
            parts[name] = comp.apply(COLUMNS, [node], f"{name}{suf}", _sym(name, h, single),
                                     start=(h - 1) * width, stop=h * width, head=h)
        scores = comp.apply(MATMUL, [parts["Q"], parts["K"]], f"S{suf}", _sym("S", h, single), transpose_b=True)
        d_k = p.d_k if p.d_k is not None else Fraction(parts["K"].value.shape[1])
        if d_k != 1:
            root = scalar.sqrt(d_k)
            shown = (rf"\frac{{ 1 }}{{ \sqrt{{ {exact_string(d_k)} }} }}", f"1/√{exact_string(d_k)}")
            scores = comp.apply(SCALE, [scores], f"S_scaled{suf}", _sym("S_scaled", h, single), factor=1 / root,
                                shown=shown, note=f"scaled by 1/√d_k, d_k = {exact_string(d_k)}")
        if keep is not None:
            scores = comp.apply(MASK, [scores, keep], f"S_masked{suf}", _sym("S_masked", h, single))
        weights = comp.apply(SOFTMAX, [scores], f"A{suf}", _sym("A", h, single), note="softmax of each row (over the keys)")
        z = comp.apply(MATMUL, [weights, parts["V"]], f"Z{suf}", _sym("Z", h, single))
        self._section("Attention" if single else f"Head {h}", before)
        return z

    def _backward(self, out: Node) -> None:
        p, comp = self.p, self.comp
        before = set(comp.nodes)
        if p.upstream is not None:
            g = comp.given("G", Symbol("G", "G"), p.upstream)
            loss = comp.apply(INNER, [out, g], "loss", Symbol("L", "L"), phase="loss")
        elif p.loss is not None:
            half, over = LOSSES[p.loss.type]
            t = comp.given("T", Symbol("T", "T"), p.loss.target)
            n, m = out.value.shape
            loss = comp.apply(SQUARED_ERROR, [out, t], "loss", Symbol("L", "L"), phase="loss",
                              scale=loss_scale(half, over, over, m, n))
        else:
            return
        self._section("Loss", before)
        before = set(comp.nodes)
        comp.backward(loss)
        self._section("Backward pass", before)

    def _parameter_counts(self) -> None:
        """Counted by the architecture analyzer's rules, with and without biases."""
        p, comp = self.p, self.comp
        before = set(comp.nodes)
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
        self._section("Parameter counts", before)

    def _state_conventions(self) -> None:
        p = self.p
        add = self.conventions.append
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
        if p.upstream is not None:
            add(("backward", "from the given G = ∂L/∂output (L = Σ G ⊙ output)"))

    def _solution(self, out: Node) -> Solution:
        comp = self.comp
        steps = []
        used = {arg for node in comp.order if node.formula is not None for arg in node.formula.args}
        for node in sorted(comp.order, key=lambda n: n.phase != "given"):
            if node.note == "seed" and node.id not in used:
                continue
            section = "Given" if node.phase == "given" else self.sections.get(node.id, "Other")
            steps.append(Step(node.id, node.symbol.latex, node.symbol.text, node.value, section, node.formula, node.note))
        aliases = {"output": out.id, "y": out.id}
        solution = Solution(self.p.title, "attention", self.conventions, steps, [], aliases,
                            self.p.digits if self.p.digits is not None else 4,
                            self.p.source.model_dump(exclude_none=True) if self.p.source else None)
        solution.vectors = "row"
        ids = set(solution.ids)
        default = [out.id, "loss"] + [f"dL/d{k}" for k in ("X", "memory", "W_Q", "W_K", "W_V", "W_O")]
        solution.asked = [aliases.get(a, a) for a in (self.p.ask or [d for d in default if d in ids])]
        return solution


def _counted(formula: str) -> Formula:
    return Formula(formula.replace("·", r" \cdot "), formula)


def solve_attention(problem: AttentionProblem, policy: Policy | None = None) -> Solution:
    return AttentionSolver(problem, policy or Policy()).solve()
