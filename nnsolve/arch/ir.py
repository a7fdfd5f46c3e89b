"""An architecture as data: the one description that YAML layer lists, Keras snippets and PyTorch
snippets are all read into, and that the shape-only analysis (shapes, parameters, MACs, receptive
fields) interprets.

A layer names its kind, its settings (canonical names, whatever the source called them) and the layers
it reads from; an empty `inputs` means "the layer before", so a chain needs no names. The kinds and the
settings each one takes are the table in kinds.py, next to each kind's rule; what a setting means and
which other spellings are read as it, in settings.py. Tuples are per spatial axis; `padding` is "valid",
"same" or a tuple of ints, one per axis, applied on both sides; `bias` defaults to True. A layer may
state the size of its input (in_channels, in_features, num_features, input_size, normalized_shape,
embed_dim, input_shape): the analysis checks it against the shape that arrives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..limits import MAX_LAYERS

Layout = Literal["channels_last", "channels_first"]



def too_many_layers(count: int | str) -> str:
    """The message for an architecture of more than MAX_LAYERS layers (ResNet-152 has about 500 in this
    form; 240,000 is a generated file, and its analysis alone would take seconds)."""
    return (f"{count if isinstance(count, str) else f'{count:,}'} layers: an architecture has at most "
            f"{MAX_LAYERS.shown} {MAX_LAYERS.hint}")


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str
    settings: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()          # empty: the layer before
    line: int | None = None               # where the source describes it, for messages
    written: str | None = None            # the source's name for the kind (Linear, Conv2D), for messages
    aliases: tuple[tuple[str, str], ...] = ()     # (key as written, setting) for keys read as another

    def key(self, setting: str) -> str:
        """The key the source wrote for a setting (strides for stride)."""
        return next((written for written, canonical in self.aliases if canonical == setting), setting)

    @property
    def called(self) -> str:
        return self.written or self.kind

    def get(self, key: str, default=None):
        return self.settings.get(key, default)


@dataclass
class Architecture:
    name: str
    input_shape: tuple[int, ...]          # without the batch axis, in `layout` order
    layout: Layout
    layers: list[Layer]
    framework: Literal["keras", "pytorch", "nnsolve"] = "nnsolve"
    source: str | None = None             # file or snippet it was read from
    notes: list[str] = field(default_factory=list)    # what a snippet's reader passed over ("line 40: skipped print(model)")
    # what it took as given where the file leaves it open (an Input's None from --input-shape)
    assumed: list[str] = field(default_factory=list)

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)
