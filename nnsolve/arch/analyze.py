"""Interpret an `Architecture` with shapes only: per layer its output shape, parameters, multiply-
accumulates, FLOPs under the convention in force and receptive field; and the totals.

Receptive fields are tracked per spatial axis as (size, jump, start): the layer's output unit 0 sees
input positions start … start + size − 1, and the next unit along the axis sees them shifted by jump.
Where branches meet (add, concat) the field is the union of the branches' fields, so it is the largest
over all paths (Distill, "Computing Receptive Fields of CNNs", 2019).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from .conventions import Conventions
from .ir import Architecture, Layer
from .kinds import RULES
from .rules import ArchitectureError, Effect, Grid, Window

GLOBAL = "all"          # a receptive field covering the whole input


class Field(NamedTuple):
    """A named tuple rather than a frozen dataclass: one is built per layer and axis, and a frozen
    dataclass's __init__ was a tenth of ResNet-152's analysis."""
    size: int
    jump: int | Fraction
    start: int | Fraction

    @property
    def centre(self) -> Fraction:
        return self.start + Fraction(self.size - 1, 2)

    def through(self, window: Window) -> "Field":
        # plain ints unless a transposed convolution made the jump a fraction (Fractions are slow)
        jump = self.jump if window.upsample == 1 else Fraction(self.jump) / window.upsample
        size = self.size + (window.extent - 1) * self.jump
        return Field(int(size) if size == int(size) else math.ceil(size), jump * window.stride,
                     self.start - window.pad * self.jump)


def merge(fields: list) -> tuple | str:
    """Union of the fields of several branches, axis by axis; any global branch makes it global."""
    if any(f == GLOBAL for f in fields):
        return GLOBAL
    if len({len(f) for f in fields}) != 1:
        return GLOBAL
    out = []
    for axis in zip(*fields):
        start = min(f.start for f in axis)
        end = max(f.start + f.size - 1 for f in axis)
        out.append(Field(int(end - start + 1), max(f.jump for f in axis), start))
    return tuple(out)


@dataclass
class LayerReport:
    layer: Layer
    shape: tuple[int, ...]
    effect: Effect
    flops: int
    field: tuple | str                      # tuple of Field per spatial axis, GLOBAL, or () (no spatial axes)
    inputs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def params(self) -> int:
        return self.effect.trainable + self.effect.non_trainable

    @property
    def macs(self) -> int:
        return self.effect.macs


@dataclass
class Analysis:
    architecture: Architecture
    conventions: Conventions
    layers: list[LayerReport] = field(default_factory=list)

    def total(self, attribute: str) -> int:
        return self.totals[attribute]

    @property
    def totals(self) -> dict[str, int]:
        # one pass over the layers (ResNet-152 has 500): summaries ask for every total at once
        trainable = non_trainable = buffers = macs = flops_ = 0
        for r in self.layers:
            e = r.effect
            trainable += e.trainable
            non_trainable += e.non_trainable
            buffers += e.buffers
            macs += e.macs
            flops_ += r.flops
        return {"params": trainable + non_trainable, "trainable": trainable, "non_trainable": non_trainable,
                "buffers": buffers, "macs": macs, "flops": flops_}

    def report(self, name: str) -> LayerReport:
        for r in self.layers:
            if r.name == name:
                return r
        raise KeyError(name)


def flops(effect: Effect, conv: Conventions, shape) -> int:
    f = conv.flops
    return f.per_mac * effect.macs + (effect.bias_adds if f.bias else 0) + sum(
        n for work, n in effect.work.items() if work in f.counted)


def analyze(architecture: Architecture, conventions: Conventions | None = None) -> Analysis:
    conv = conventions or Conventions.for_framework(architecture.framework)
    layout = architecture.layout
    result = Analysis(architecture, conv)
    shapes: dict[str, tuple] = {}
    fields: dict[str, tuple | str] = {}
    previous = None
    if not any(layer.name == "input" for layer in architecture.layers):
        previous = "input"
        shapes["input"] = tuple(architecture.input_shape)
        fields["input"] = _identity_field(shapes["input"], layout)
    from_input = conv.receptive_field == "input"
    for layer in architecture.layers:
        sources = layer.inputs or ((previous,) if previous else ())
        for s in sources:
            if s not in shapes:
                raise ArchitectureError(f"reads {s!r}, which is not a layer before it", layer, "inputs")
        if layer.kind == "input":
            shape = tuple(int(v) for v in (layer.get("shape") or architecture.input_shape))
            effect, field_ = Effect(shape), _identity_field(shape, layout)
        else:
            rule = RULES.get(layer.kind)
            if rule is None:
                raise ArchitectureError(f"unknown layer kind {layer.kind!r}", layer, "kind")
            effect = rule(layer, [shapes[s] for s in sources], layout, conv)
            if layer.get("activation") not in (None, "linear", "identity", "none"):
                effect.work["activations"] = effect.work.get("activations", 0) + _size(effect.shape)
            start = [fields[s] for s in sources] if from_input else \
                [_identity_field(shapes[s], layout) for s in sources]
            field_ = _field_after(merge(start) if len(start) > 1 else start[0], effect)
        shapes[layer.name], fields[layer.name] = effect.shape, field_
        result.layers.append(LayerReport(layer, effect.shape, effect, flops(effect, conv, effect.shape), field_,
                                         tuple(sources)))
        previous = layer.name
    return result


def _size(shape) -> int:
    return math.prod(shape)


def _identity_field(shape, layout) -> tuple:
    if len(shape) < 2:
        return ()
    return tuple(Field(1, 1, 0) for _ in Grid.of(shape, layout).spatial)


def _field_after(before, effect: Effect):
    if effect.global_view:
        return GLOBAL
    if effect.windows is None or before == GLOBAL:
        return before
    if len(before) != len(effect.windows):
        return GLOBAL
    return tuple(f.through(w) for f, w in zip(before, effect.windows))
