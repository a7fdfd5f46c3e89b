"""Interpret an `Architecture` with shapes only: per layer its output shape, parameters, multiply-
accumulates, FLOPs under the convention in force and receptive field; and the totals.

Receptive fields are tracked per spatial axis as (size, jump, start): the layer's output unit 0 sees
input positions start … start + size − 1, and the next unit along the axis sees them shifted by jump.
Where branches meet (add, concat) the field is the union of the branches' fields, so it is the largest
over all paths (Distill, "Computing Receptive Fields of CNNs", 2019).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from operator import attrgetter
from typing import Iterator

from ..geometry import Field, GeometryError, Window, new_field
from .conventions import Conventions
from ..limits import MAX_LAYERS, MAX_TENSOR_ELEMENTS
from .ir import Architecture, Layer, too_many_layers
from .kinds import DECLARED, KINDS, check_declared
from .rules import ArchitectureError, Effect, Grid

GLOBAL = "all"          # a receptive field covering the whole input
# kinds whose input must have the batch axis in front (besides those with spatial axes): their channel or
# joining axis is counted from it; and kinds that read the last axis, which must not be the batch
BATCH_IN_FRONT = {"batch_norm", "global_avg_pool", "global_max_pool", "concat", "pixel_shuffle", "pixel_unshuffle"}
LAST_AXIS = {"dense", "layer_norm", "simple_rnn", "lstm", "gru", "multihead_attention", "transformer_encoder"}


def merge(fields: list) -> tuple | str:
    """Union of the fields of several branches, axis by axis; any global branch makes it global."""
    first = fields[0]
    for f in fields:
        if f == GLOBAL or len(f) != len(first):
            return GLOBAL
    out = []
    for axis in zip(*fields):
        start, end, jump = axis[0].start, axis[0].start + axis[0].size, axis[0].jump
        for size, step, begin in axis:
            if begin < start:
                start = begin
            if begin + size > end:
                end = begin + size
            if step > jump:
                jump = step
        out.append(new_field(Field, (int(end - start), jump, start)))
    return tuple(out)


@dataclass(slots=True)
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
        """The report of the layer named `name` (KeyError if none): found through an index of the names, made
        again whenever layers were added since (a 10,000-layer list asks for each layer's input)."""
        index = self.__dict__.get("_by_name")
        if index is None or index[0] != len(self.layers):
            by_name: dict[str, LayerReport] = {}
            for r in self.layers:
                by_name.setdefault(r.name, r)           # the first of a name, as the scan found it
            index = self.__dict__["_by_name"] = (len(self.layers), by_name)
        return index[1][name]

    def has(self, name) -> bool:
        try:
            self.report(name)
        except KeyError:
            return False
        return True


def flops(effect: Effect, conv: Conventions) -> int:
    f = conv.flops
    total = f.per_mac * effect.macs
    if f.bias:
        total += effect.bias_adds
    if f.counted and effect.work:
        total += sum([n for work, n in effect.work.items() if work in f.counted])
    return total


def analyze(architecture: Architecture, conventions: Conventions | None = None) -> Analysis:
    conv = conventions or Conventions.for_framework(architecture.framework)
    result = Analysis(architecture, conv)
    result.layers = list(layer_reports(architecture, conv))
    return result


NO_ACTIVATION = (None, "linear", "identity", "none")
# the types of settings a repeated layer is recognised by (its key in `layer_reports`); tuples of ints besides
PLAIN = frozenset((int, str, bool, float, type(None)))


def layer_reports(architecture: Architecture, conv: Conventions) -> Iterator[LayerReport]:
    """Each layer's report in order, as soon as it is known: a caller with checks of its own (the
    conv_network family) interleaves them and stops at the first problem. ArchitectureError (with the
    layer) for a layer that cannot be analysed."""
    layout = architecture.layout
    layers = architecture.layers
    if len(layers) > MAX_LAYERS.value:
        raise ArchitectureError(too_many_layers(len(layers)))
    bound = MAX_TENSOR_ELEMENTS.value          # read once: each reading looks at the environment
    shapes: dict[str, tuple] = {}
    fields: dict[str, tuple | str] = {}
    flattened: dict[str, tuple] = {}          # a flatten layer → the shape it made a vector of
    batches: dict[str, int] = {}              # a layer → where the batch axis is in its output (kinds_shape.py)
    # a layer the network repeats on the same input (36 bottleneck blocks in ResNet-152's third stage) has
    # the effect and FLOPs it had the first time: its key → (effect, FLOPs, `_still`), for this analysis only
    repeated: dict[tuple, tuple[Effect, int]] = {}
    previous = None
    if "input" not in map(attrgetter("name"), layers):
        previous = "input"
        shapes["input"] = _input_shape(architecture.input_shape, None)
        fields["input"] = _identity_field(shapes["input"], layout)
    from_input = conv.receptive_field == "input"
    for layer in layers:
        name, kind = layer.name, layer.kind
        sources = layer.inputs
        if sources:
            for s in sources:
                if s not in shapes:
                    raise ArchitectureError(f"reads {s!r}, which is not a layer before it", layer, "inputs")
        elif previous:
            sources = (previous,)
        elif kind != "input":
            raise ArchitectureError("reads no layer: an input layer comes after it, name its inputs", layer, "inputs")
        if kind == "input":
            shape = _input_shape(layer.get("shape") or architecture.input_shape, layer)
            effect, field_, layer_flops = Effect(shape), _identity_field(shape, layout), 0
        else:
            first = sources[0]
            one = len(sources) == 1
            batch = batches.get(first, 0) if batches else 0
            inputs = (shapes[first],) if one else tuple(map(shapes.__getitem__, sources))
            # what the layer's effect depends on (the layout and the conventions are the analysis's): its
            # kind, its settings with their types (True equals 1, and only 1 is a kernel size), its input
            # shapes and where their batch axis is; None (analysed each time) for a setting other than a
            # number, a text, None or a tuple of ints
            settings = layer.settings
            if not settings:
                key = kind, inputs, batch
            else:
                types = tuple(map(type, settings.values()))
                key = (kind, tuple(settings.items()), types, inputs, batch) \
                    if PLAIN.issuperset(types) or _plain(settings) else None
            try:
                known = repeated.get(key) if key is not None else None
            except TypeError:           # a shape of a rule's that is not a tuple: analysed each time
                key = known = None
            if known is None:
                effect = _effect(layer, list(inputs), layout, conv, flattened.get(first) if one else None, batch)
                if settings.get("shares") is not None:
                    effect = _sharing(layer, effect, shapes)
                if settings.get("activation") not in NO_ACTIVATION:
                    effect.work["activations"] = effect.work.get("activations", 0) + _size(effect.shape)
                _check_size(layer, effect.shape, bound)
                known = effect, flops(effect, conv), _still(effect)
                if key is not None:
                    repeated[key] = known
            effect, layer_flops, still = known
            if effect.batch_axis is None:
                if batch:
                    batches[name] = batch
            elif effect.batch_axis != 0:
                batches[name] = effect.batch_axis
            if one:
                before = fields[first] if from_input else _identity_field(inputs[0], layout)
            else:
                before = merge(list(map(fields.__getitem__, sources)) if from_input else
                               [_identity_field(shape, layout) for shape in inputs])
            if still == GLOBAL_VIEW:
                field_ = GLOBAL
            elif still and (still < 0 or before == GLOBAL or len(before) == still):
                field_ = before                 # passed on unchanged, and checked where it was made
                if not one:
                    _check_field(layer, field_, bound)
            else:
                field_ = _field_after(before, effect)
                _check_field(layer, field_, bound)
            if kind == "flatten":
                flattened[name] = inputs[0]
        shapes[name] = effect.shape
        fields[name] = field_
        yield LayerReport(layer, effect.shape, effect, layer_flops, field_, tuple(sources))
        previous = name


STILL = Window(1, 1, 0)


GLOBAL_VIEW = -2


def _still(effect: Effect) -> int:
    """For a layer whose outputs see what its input's saw (no windows; a 1×1 window at stride 1 without
    padding, as a pointwise convolution's), the number of spatial axes it passes a field of on (-1: any);
    GLOBAL_VIEW for a layer whose outputs see the whole input, 0 for one that moves the field."""
    if effect.global_view:
        return GLOBAL_VIEW
    if effect.windows is None:
        return -1
    windows = effect.windows
    return len(windows) if windows.count(STILL) == len(windows) else 0


def _plain(settings: dict) -> bool:
    """Settings that are numbers, texts, None or tuples of ints (of type int, not bool)."""
    return all(v.__class__ in PLAIN or v.__class__ is tuple and all([i.__class__ is int for i in v])
               for v in settings.values())


# the settings that state a layer's input size: the few layers that have one are checked (check_declared)
DECLARING = frozenset(DECLARED) | {"normalized_shape", "input_shape"}


def _effect(layer: Layer, inputs: list, layout: str, conv: Conventions, flattened: tuple | None,
            batch: int = 0) -> Effect:
    """The layer's rule after the checks every kind shares: its input's number of spatial axes, where
    its batch axis is (`batch`, moved by a permute or transpose before it) and the input sizes it
    declares; a size out of range (nnsolve.geometry) becomes this layer's error."""
    kind = KINDS.get(layer.kind)
    if kind is None or kind.rule is None:
        raise ArchitectureError(f"unknown layer kind {layer.kind!r}", layer, "kind")
    if batch and (kind.spatial_axes is not None or layer.kind in BATCH_IN_FRONT
                  or layer.kind in LAST_AXIS and batch == len(inputs[0])):
        where = "last, where the layer reads its features" if layer.kind in LAST_AXIS else "not in front"
        raise ArchitectureError(f"its input has the batch axis at position {batch}, {where} (moved by a "
                                "permute or transpose before it): move it back first", layer)
    if len(inputs) == 1 and kind.spatial_axes is not None and len(inputs[0]) != kind.spatial_axes + 1:
        named = "(L)" if kind.spatial_axes == 1 else "(H, W)"
        raise ArchitectureError(f"needs an input of channels and {kind.spatial_axes} spatial "
                                f"ax{'i' if kind.spatial_axes == 1 else 'e'}s {named}, got shape {tuple(inputs[0])}",
                                layer)
    if not DECLARING.isdisjoint(layer.settings):
        for shape in inputs:                   # attention's query, key and value all have the declared width
            check_declared(layer, shape, layout, flattened)
    try:
        return kind.rule(layer, inputs, layout, conv, batch) if kind.batch_aware else \
            kind.rule(layer, inputs, layout, conv)
    except GeometryError as e:
        raise ArchitectureError(str(e), layer, e.setting) from None


def _sharing(layer: Layer, effect: Effect, shapes: dict) -> Effect:
    """A layer that uses the weights of an earlier one again: its work counts, its parameters do not."""
    shared = layer.get("shares")
    if shared not in shapes:
        raise ArchitectureError(f"shares the weights of {shared!r}, which is not a layer before it", layer, "shares")
    return replace(effect, trainable=0, non_trainable=0, buffers=0, params_formula=f"0 (the weights of {shared})")


def _size(shape) -> int:
    return math.prod(shape)


def _input_shape(shape, layer: Layer | None) -> tuple[int, ...]:
    """The input's sizes, each a whole number ≥ 1 and together at most MAX_TENSOR_ELEMENTS values."""
    sizes = tuple(shape) if isinstance(shape, (tuple, list)) else ()
    if not sizes or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in sizes):
        unknown = " (an unknown size, None, cannot be counted: give every size)" if None in sizes else ""
        raise ArchitectureError(f"the input shape {_shape_text(shape)} needs whole sizes ≥ 1{unknown}", layer,
                                "shape" if layer else None)
    if _size(sizes) > MAX_TENSOR_ELEMENTS.value:
        raise ArchitectureError(f"the input shape {_shape_text(sizes)} holds {_size(sizes):,} values; at most "
                                f"{MAX_TENSOR_ELEMENTS.shown} in any tensor {MAX_TENSOR_ELEMENTS.hint}", layer,
                                "shape" if layer else None)
    return sizes


def _shape_text(shape) -> str:
    if not isinstance(shape, (tuple, list)):
        return repr(shape)
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_size(layer: Layer, shape: tuple, bound: int) -> None:
    """A layer's output of at most `bound` (MAX_TENSOR_ELEMENTS) values (and `_check_field`, a receptive
    field of at most as many positions and steps): each operation of the analysis then stays on numbers
    of a few dozen digits."""
    if math.prod(shape) > bound:
        raise ArchitectureError(f"its output {_shape_text(shape)} holds {_size(shape):,} values; at most {bound:,} "
                                f"in any tensor {MAX_TENSOR_ELEMENTS.hint}", layer)


def _check_field(layer: Layer, field_, bound: int) -> None:
    if field_.__class__ is tuple:
        for size, jump, start in field_:
            if size > bound or not -bound <= jump <= bound or not -bound <= start <= bound:
                raise ArchitectureError(f"its receptive field spans more than {bound:,} positions along an "
                                        "axis: strides or kernels far beyond any input "
                                        f"{MAX_TENSOR_ELEMENTS.hint}", layer)


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
    return tuple(map(Field.through, before, effect.windows))
