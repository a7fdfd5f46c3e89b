"""An architecture as data: the one description that YAML layer lists, Keras snippets and PyTorch
snippets are all read into, and that the shape-only analysis (shapes, parameters, MACs, receptive
fields) interprets.

A layer names its kind, its settings (canonical names below, whatever the source called them) and the
layers it reads from; an empty `inputs` means "the layer before", so a chain needs no names.

Kinds and their settings (tuples are per spatial axis; `padding` is "valid", "same" or a tuple of ints,
one per axis, applied on both sides; `bias` defaults to True):
  input              shape (without batch, in the architecture's layout)
  dense              units, bias
  conv1d, conv2d     filters, kernel, stride, padding, dilation, groups (1; = channels for depthwise), bias
  conv_transpose2d   filters, kernel, stride, padding, output_padding, dilation, bias
  depthwise_conv2d   kernel, stride, padding, depth_multiplier (1), bias
  separable_conv2d   filters, kernel, stride, padding, depth_multiplier (1), bias (pointwise bias)
  max_pool1d, max_pool2d, avg_pool1d, avg_pool2d      pool, stride (defaults to pool), padding, ceil_mode
  global_avg_pool, global_max_pool                    keepdims (False)
  batch_norm         eps, momentum, affine (True), track_running_stats (True)
  layer_norm         axes (the normalized trailing axes, default the last), affine (True)
  dropout            rate
  flatten            —
  activation         function ("relu", "softmax", …)
  zero_padding2d     padding (top, bottom, left, right)
  reshape            shape
  embedding          vocabulary, dim
  simple_rnn, lstm, gru   units, return_sequences (False), bias, reset_after (GRU; Keras default True)
  multihead_attention     heads, key_dim, value_dim (key_dim), bias, output_dim (input's)
  add                —                         (inputs: two or more layers of one shape)
  concat             axis (the channel axis by default)
Activations fused into a layer (Keras `activation="relu"`) are kept as the setting `activation`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Layout = Literal["channels_last", "channels_first"]

KINDS = (
    "input", "dense", "conv1d", "conv2d", "conv_transpose2d", "depthwise_conv2d", "separable_conv2d",
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "global_avg_pool", "global_max_pool",
    "batch_norm", "layer_norm", "dropout", "flatten", "activation", "zero_padding2d", "reshape",
    "embedding", "simple_rnn", "lstm", "gru", "multihead_attention", "add", "concat",
)


@dataclass(frozen=True)
class Layer:
    name: str
    kind: str
    settings: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()          # empty: the layer before
    line: int | None = None               # where the source describes it, for messages

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

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)
