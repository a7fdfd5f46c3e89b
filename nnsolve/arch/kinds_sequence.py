"""Sequence layers: recurrent layers (stacked, bidirectional, LSTM projections) and the transformer
encoder layer, each with its framework's own counting rules.

A recurrent layer of G weight blocks (simple_rnn 1, GRU 3, LSTM 4), h units, reading d features, with
B bias vectors per block (Keras 1 — GRU reset_after 2 —, PyTorch 2) holds per direction
    G·(h·(d + r) + B·h) + p·h
parameters, r the width of the state it feeds back (h, or PyTorch's LSTM proj_size p, whose h×p projection
adds p·h), and does G·h·(d + r) + p·h multiply-accumulates per time step. PyTorch's num_layers stacks L
such layers, each after the first reading the D·r outputs of the one before (D = 2 directions when
bidirectional); bidirectional doubles each layer. The output per time step is D·r wide (Keras
Bidirectional's merge_mode concat; sum, ave and mul keep r, their element-wise merge not counted).
"""
from __future__ import annotations

from .conventions import Conventions
from .ir import Layer
from .kinds import GATES, _one, attention, bias_vectors, dense, kind, layer_norm
from .rules import ArchitectureError, Effect

MERGE_MODES = ("concat", "sum", "ave", "mul")


def _per_direction(kind_: str, d: int, h: int, biases: int, proj: int) -> tuple[int, str, int, str]:
    """(params, formula, MACs per step, formula) of one layer in one direction reading d features."""
    g, r = GATES[kind_], proj or h
    bias = "" if not biases else f" + {h}" if biases == 1 else f" + {biases}·{h}"
    projection = (f" + {proj}·{h}", proj * h) if proj else ("", 0)
    return (g * (h * (d + r) + biases * h) + projection[1], f"{g}·({h}·({d} + {r}){bias}){projection[0]}",
            g * h * (d + r) + projection[1], f"{g}·{h}·({d} + {r}){projection[0]}")


def recurrent_counts(layer: Layer, features: int, convention: str) -> dict:
    """The counts of a recurrent layer reading `features` per step under a bias convention (keras or
    pytorch): params, params_formula, macs_per_step, macs_per_step_formula, width (the output per step),
    bias_vectors."""
    kind_, h = layer.kind, int(layer.get("units"))
    layers, directions = int(layer.get("num_layers") or 1), 2 if layer.get("bidirectional") else 1
    proj = int(layer.get("proj_size") or 0)
    if proj and kind_ != "lstm":
        raise ArchitectureError("proj_size is an LSTM's (PyTorch)", layer, "proj_size")
    if proj and proj >= h:
        raise ArchitectureError(f"proj_size {proj} must be smaller than the {h} units (PyTorch's rule)", layer,
                                "proj_size")
    merge = layer.get("merge_mode") or "concat"
    if merge not in MERGE_MODES:
        raise ArchitectureError(f"merge_mode {merge!r}: expected one of {', '.join(MERGE_MODES)}", layer, "merge_mode")
    if merge != "concat" and directions == 1:
        raise ArchitectureError(f"merge_mode {merge!r} merges two directions: the layer is not bidirectional",
                                layer, "merge_mode")
    biases = bias_vectors(kind_, convention, layer.get("bias", True), layer.get("reset_after", True))
    first = _per_direction(kind_, features, h, biases, proj)
    rest = _per_direction(kind_, directions * (proj or h), h, biases, proj) if layers > 1 else (0, "", 0, "")
    params = directions * (first[0] + (layers - 1) * rest[0])
    per_step = directions * (first[2] + (layers - 1) * rest[2])
    twice = "2·" if directions == 2 else ""

    def text(a: str, b: str) -> str:
        if layers == 1:
            return f"{twice}({a})" if twice else a
        more = f"{layers - 1}·({b})" if layers > 2 else b
        return f"{twice}({a} + {more})"
    width = (proj or h) * (directions if merge == "concat" else 1)
    return {"params": params, "params_formula": text(first[1], rest[1]), "macs_per_step": per_step,
            "macs_per_step_formula": text(first[3], rest[3]), "width": width,
            "bias_vectors": directions * layers * GATES[kind_] * biases * h}


@kind("simple_rnn", "lstm", "gru", required=("units",),
      optional=("return_sequences", "bias", "reset_after", "batch_first", "input_size", "num_layers",
                "bidirectional", "proj_size", "merge_mode"))
def recurrent(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    shape = _one(layer, shapes)
    if len(shape) != 2:
        raise ArchitectureError(f"reads a sequence (time steps, features), got shape {tuple(shape)}", layer)
    steps, features = shape
    c = recurrent_counts(layer, features, conv.rnn)
    out = (steps, c["width"]) if layer.get("return_sequences") else (c["width"],)
    return Effect(out, trainable=c["params"], macs=steps * c["macs_per_step"], bias_adds=steps * c["bias_vectors"],
                  global_view=True,
                  formulas=lambda: (c["params_formula"], f"{steps} steps · {c['macs_per_step_formula']}"))


@kind("transformer_encoder", required=("heads",),
      optional=("dim_feedforward", "norm_first", "bias", "num_layers", "final_norm", "batch_first", "d_model",
                "function"))
def transformer_encoder(layer: Layer, shapes, layout: str, conv: Conventions) -> Effect:
    """PyTorch's nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048), num_layers of them
    (nn.TransformerEncoder), each: self-attention (in_proj 3d² + 3d, out_proj d² + d), linear1 d → f,
    linear2 f → d, two LayerNorms (2d each); bias=False drops every bias and the norms' shifts (d each);
    final_norm: the encoder's own LayerNorm after the last (2d). norm_first moves the norms, not the
    counts."""
    shape = _one(layer, shapes)
    if len(shape) != 2:
        raise ArchitectureError(f"reads a sequence (positions, features), got shape {tuple(shape)}", layer)
    steps, d = shape
    heads, f = int(layer.get("heads")), int(layer.get("dim_feedforward") or 2048)
    if d % heads:
        raise ArchitectureError(f"{heads} heads must divide d_model = {d}", layer, "heads")
    bias = layer.get("bias", True)
    parts = (attention(Layer("self_attn", "multihead_attention",
                             {"heads": heads, "key_dim": d // heads, "bias": bias}), [shape], layout, conv),
             dense(Layer("linear1", "dense", {"units": f, "bias": bias}), [shape], layout, conv),
             dense(Layer("linear2", "dense", {"units": d, "bias": bias}), [(steps, f)], layout, conv),
             layer_norm(Layer("norm", "layer_norm", {"affine": True}), [shape], layout, conv))
    attn, ff1, ff2, norm = parts
    n = int(layer.get("num_layers") or 1)
    # bias=False also drops the LayerNorms' shifts (PyTorch); the encoder's own final norm keeps its own
    norm_params = norm.trainable if bias else d
    final = norm.trainable if layer.get("final_norm") else 0
    per_layer = attn.trainable + ff1.trainable + ff2.trainable + 2 * norm_params
    macs = attn.macs + ff1.macs + ff2.macs

    def formulas() -> tuple[str, str]:
        b = " + " if bias else ""
        one = (f"4·{d}²{b}{'4·' + str(d) if bias else ''} + {d}·{f}{b}{f if bias else ''} + {f}·{d}{b}"
               f"{d if bias else ''} + {'2·2·' if bias else '2·'}{d}")
        macs_one = f"4·{steps}·{d}² + 2·{steps}²·{d} + 2·{steps}·{d}·{f}"
        return ((f"{n}·({one})" if n > 1 else one) + (f" + 2·{d}" if final else ""),
                f"{n}·({macs_one})" if n > 1 else macs_one)
    work = {"normalization": n * 2 * norm.work["normalization"] + (norm.work["normalization"] if final else 0),
            "activations": n * steps * f, "elementwise": n * 2 * steps * d}
    return Effect(shape, trainable=n * per_layer + final, macs=n * macs,
                  bias_adds=n * (attn.bias_adds + ff1.bias_adds + ff2.bias_adds), work=work, global_view=True,
                  formulas=formulas)
