"""The counting conventions of an architecture analysis, each named so a summary can state it.

Tools disagree on "FLOPs" because they count different things: for one Conv2d(3→5, k=3) on a 6×6
input, `mac` gives 2160 (fvcore, torchvision's "GFLOPS"), `mac+bias` 2240 (ptflops), `2mac` 4320 and
`2mac+bias` 4400 (a multiply and an add per MAC, plus the bias). Tokens after the first add the
element-wise work of activations, pooling, normalization and residual additions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..geometry import OUTPUT_SIZE_TEXT

OTHER_WORK = ("activations", "pooling", "normalization", "elementwise")
PER_MAC = {"mac": 1, "2mac": 2}


@dataclass(frozen=True)
class FlopConvention:
    per_mac: int = 1                         # FLOPs per multiply-accumulate: 1 (MAC) or 2 (multiply + add)
    bias: bool = False                       # one FLOP per bias addition
    counted: frozenset = frozenset()         # which of OTHER_WORK are counted, one FLOP per element op

    @property
    def name(self) -> str:
        parts = ["2mac" if self.per_mac == 2 else "mac"] + (["bias"] if self.bias else [])
        return "+".join(parts + [w for w in OTHER_WORK if w in self.counted])

    def statement(self) -> str:
        mac = "1 FLOP per multiply-accumulate" if self.per_mac == 1 else "2 FLOPs (a multiply and an add) per multiply-accumulate"
        words = {"activations": "activation output", "pooling": "pooled input per window",
                 "normalization": "scale and per shift of a normalized value", "elementwise": "residual addition"}
        extra = ["bias addition"] if self.bias else []
        extra += [words[w] for w in OTHER_WORK if w in self.counted]
        counted = ", plus 1 per " + ", 1 per ".join(extra) if extra else "; bias additions, activations, pooling, normalization and residual additions not counted"
        return f"FLOPs = {self.name}: {mac}{counted}"


def parse_flops(text: str) -> FlopConvention:
    """'2mac+bias+activations' → FlopConvention; ValueError naming what is allowed otherwise."""
    tokens = [t.strip().lower() for t in str(text).split("+")]
    if tokens[0] not in PER_MAC:
        raise ValueError(f"a FLOP convention starts with 'mac' or '2mac', got {tokens[0]!r} "
                         f"(e.g. mac, mac+bias, 2mac, 2mac+bias, 2mac+bias+activations)")
    unknown = [t for t in tokens[1:] if t not in ("bias", *OTHER_WORK)]
    if unknown:
        raise ValueError(f"unknown FLOP convention part {unknown[0]!r}: after mac/2mac come any of "
                         f"bias, {', '.join(OTHER_WORK)}")
    return FlopConvention(PER_MAC[tokens[0]], "bias" in tokens[1:], frozenset(tokens[1:]) - {"bias"})


@dataclass(frozen=True)
class Conventions:
    flops: FlopConvention = FlopConvention()
    output_size: Literal["floor", "ceil"] = "floor"
    receptive_field: Literal["input", "previous"] = "input"
    rnn: Literal["keras", "pytorch"] = "keras"                   # PyTorch keeps two bias vectors per gate
    running_stats: Literal["parameters", "buffers"] = "parameters"   # Keras counts BN's moving mean/var

    @classmethod
    def for_framework(cls, framework: str, **given) -> "Conventions":
        torch = framework == "pytorch"
        defaults = {"rnn": "pytorch" if torch else "keras", "running_stats": "buffers" if torch else "parameters"}
        defaults.update({k: v for k, v in given.items() if v is not None})
        if isinstance(defaults.get("flops"), str):
            defaults["flops"] = parse_flops(defaults["flops"])
        return cls(**defaults)

    def statements(self) -> list[tuple[str, str]]:
        return [
            ("FLOPs", self.flops.statement()),
            ("output size", OUTPUT_SIZE_TEXT[self.output_size]),
            ("receptive field", "size, jump and start relative to the network input (largest over paths)"
             if self.receptive_field == "input" else "size, jump and start of each layer relative to its own input"),
            ("recurrent layers", "PyTorch: two bias vectors (b_ih, b_hh) per gate" if self.rnn == "pytorch"
             else "Keras: one bias vector per gate (GRU reset_after: two)"),
            ("batch-norm statistics", "moving mean and variance counted as non-trainable parameters (Keras)"
             if self.running_stats == "parameters" else "running mean and variance are buffers, not parameters (PyTorch)"),
            ("multiplications", "one per multiply-accumulate"),
        ]
