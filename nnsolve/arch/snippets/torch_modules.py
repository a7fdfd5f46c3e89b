"""The PyTorch modules a snippet may use: each one's parameters in positional order and how its
arguments become the canonical settings of `nnsolve.arch.ir`."""
from __future__ import annotations

from fractions import Fraction
from typing import Callable

from ...limits import MAX_LAYERS
from .common import Arguments, SnippetError


TORCH = {"nn", "torch", "torch.nn"}
FUNCTIONAL = {"F", "torch.nn.functional", "nn.functional", "torch"}
NO_EFFECT = {"inplace", "device", "dtype", "padding_mode", "padding_idx", "max_norm", "norm_type", "sparse",
             "scale_grad_by_freq", "count_include_pad", "divisor_override", "return_indices", "dropout",
             "nonlinearity", "add_zero_attn", "negative_slope", "alpha", "approximate", "dim"}


def _ignored(key: str) -> bool:
    return key in NO_EFFECT


def _padding(a: Arguments, axes: int):
    value = a.values.get("padding", 0)
    if isinstance(value, str):
        return a.choice("padding", "valid", ("valid", "same"))
    return a.ints("padding", axes, 0, minimum=0)


def _stated(a: Arguments, name: str) -> dict:
    """The input size a module states (in_channels, in_features, num_features), kept so the analysis can
    check it; a Lazy module states none (PyTorch infers it on the first call)."""
    return {name: a.int(name)} if name in a.params else {}


def _conv(kind: str, axes: int):
    def build(a: Arguments):
        return kind, {"filters": a.int("out_channels"), "kernel": a.ints("kernel_size", axes),
                      "stride": a.ints("stride", axes, 1), "padding": _padding(a, axes),
                      "dilation": a.ints("dilation", axes, 1), "groups": a.int("groups", 1),
                      "bias": a.flag("bias", True), **_stated(a, "in_channels")}
    return build


def _conv_transpose(a: Arguments):
    return "conv_transpose2d", {"filters": a.int("out_channels"), "kernel": a.ints("kernel_size", 2),
                                "stride": a.ints("stride", 2, 1), "padding": a.ints("padding", 2, 0, minimum=0),
                                "output_padding": a.ints("output_padding", 2, 0, minimum=0),
                                "dilation": a.ints("dilation", 2, 1), "groups": a.int("groups", 1),
                                "bias": a.flag("bias", True), **_stated(a, "in_channels")}


def _pool(kind: str, axes: int):
    def build(a: Arguments):
        if a.has("dilation") and a.ints("dilation", axes) != (1,) * axes:
            raise a.fail("dilation", "1 (dilated pooling is not supported)")
        pool = a.ints("kernel_size", axes)
        return kind, {"pool": pool, "stride": a.ints("stride", axes) if a.has("stride") else pool,
                      "padding": a.ints("padding", axes, 0, minimum=0), "ceil_mode": a.flag("ceil_mode", False)}
    return build


def _adaptive(kind: str):
    def build(a: Arguments):
        size = a.required("output_size")
        if size not in (1, (1, 1), [1, 1]):
            raise a.fail("output_size", "1 or (1, 1) (a global pool; other adaptive sizes are not supported)")
        return kind, {"keepdims": True}
    return build


def _batch_norm(a: Arguments):
    return "batch_norm", {"eps": a.number("eps", Fraction(1, 10 ** 5)), "momentum": a.number("momentum", Fraction(1, 10)),
                          "affine": a.flag("affine", True),
                          "track_running_stats": a.flag("track_running_stats", True),
                          **_stated(a, "num_features")}


def _layer_norm(a: Arguments):
    shape = a.required("normalized_shape")
    shape = (shape,) if isinstance(shape, int) else shape
    if not isinstance(shape, (tuple, list)) or not all(isinstance(v, int) and v > 0 for v in shape):
        raise a.fail("normalized_shape", "an integer or a tuple of integers")
    if a.flag("elementwise_affine", True) != a.flag("bias", True):
        raise SnippetError("LayerNorm with elementwise_affine but no bias is not supported", a.call)
    return "layer_norm", {"axes": tuple(range(-len(shape), 0)), "normalized_shape": tuple(shape),
                          "eps": a.number("eps", Fraction(1, 10 ** 5)), "affine": a.flag("elementwise_affine", True)}


def _flatten(a: Arguments):
    if a.values.get("start_dim", 1) != 1 or a.values.get("end_dim", -1) != -1:
        raise SnippetError("Flatten other than start_dim=1, end_dim=-1 is not supported", a.call)
    return "flatten", {}


def _activation(function: str):
    return lambda a: ("activation", {"function": function})


def _rnn(kind: str):
    def build(a: Arguments):
        if a.flag("bidirectional", False):
            raise SnippetError("bidirectional recurrent layers are not supported", a.call)
        s = {"units": a.int("hidden_size"), "return_sequences": True, "bias": a.flag("bias", True),
             "batch_first": a.flag("batch_first", False), "input_size": a.int("input_size"),
             "num_layers": a.int("num_layers", 1)}
        if s["num_layers"] > MAX_LAYERS.value:        # each is a layer: refused before one is built
            raise a.fail("num_layers", f"at most {MAX_LAYERS.shown} (the layers of an architecture; "
                                       f"raise it with {MAX_LAYERS.variable})")
        if kind == "gru":
            s["reset_after"] = True         # PyTorch's GRU applies the reset gate after the matrix product
        return kind, s
    return build


def _attention(a: Arguments):
    embed, heads = a.int("embed_dim"), a.int("num_heads")
    if embed % heads:
        raise a.fail("num_heads", f"a divisor of embed_dim={embed}")
    for other in ("kdim", "vdim"):
        if a.has(other) and a.int(other) != embed:
            raise a.fail(other, f"embed_dim={embed} (different key/value sizes are not supported)")
    if a.flag("add_bias_kv", False):
        raise a.fail("add_bias_kv", "False")
    return "multihead_attention", {"heads": heads, "key_dim": embed // heads, "value_dim": embed // heads,
                                   "bias": a.flag("bias", True), "output_dim": embed, "embed_dim": embed,
                                   "batch_first": a.flag("batch_first", False)}


CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")
POOL = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
RNN = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")
NORM = ("num_features", "eps", "momentum", "affine", "track_running_stats")

MODULES: dict[str, tuple[tuple[str, ...], Callable]] = {
    "Linear": (("in_features", "out_features", "bias"),
               lambda a: ("dense", {"units": a.int("out_features"), "bias": a.flag("bias", True),
                                    **_stated(a, "in_features")})),
    "Conv1d": (CONV, _conv("conv1d", 1)),
    "Conv2d": (CONV, _conv("conv2d", 2)),
    "ConvTranspose2d": (("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding",
                         "groups", "bias", "dilation"), _conv_transpose),
    "MaxPool1d": (POOL, _pool("max_pool1d", 1)),
    "MaxPool2d": (POOL, _pool("max_pool2d", 2)),
    "AvgPool1d": (("kernel_size", "stride", "padding", "ceil_mode"), _pool("avg_pool1d", 1)),
    "AvgPool2d": (("kernel_size", "stride", "padding", "ceil_mode"), _pool("avg_pool2d", 2)),
    "AdaptiveAvgPool2d": (("output_size",), _adaptive("global_avg_pool")),
    "AdaptiveMaxPool2d": (("output_size",), _adaptive("global_max_pool")),
    "BatchNorm1d": (NORM, _batch_norm),
    "BatchNorm2d": (NORM, _batch_norm),
    "LayerNorm": (("normalized_shape", "eps", "elementwise_affine", "bias"), _layer_norm),
    "Dropout": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "Dropout2d": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "Flatten": (("start_dim", "end_dim"), _flatten),
    "ReLU": ((), _activation("relu")),
    "ReLU6": ((), _activation("relu6")),
    "Sigmoid": ((), _activation("sigmoid")),
    "Tanh": ((), _activation("tanh")),
    "GELU": ((), _activation("gelu")),
    "LeakyReLU": (("negative_slope",), _activation("leaky_relu")),
    "Softmax": (("dim",), _activation("softmax")),
    "LogSoftmax": (("dim",), _activation("log_softmax")),
    "Embedding": (("num_embeddings", "embedding_dim"),
                  lambda a: ("embedding", {"vocabulary": a.int("num_embeddings"), "dim": a.int("embedding_dim")})),
    "RNN": (RNN, _rnn("simple_rnn")),
    "LSTM": (RNN, _rnn("lstm")),
    "GRU": (RNN, _rnn("gru")),
    "MultiheadAttention": (("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim",
                            "vdim", "batch_first"), _attention),
}
# LazyLinear(10), LazyConv2d(16, 3), …: the same modules without the input size
MODULES.update({f"Lazy{name}": (MODULES[name][0][1:], MODULES[name][1])
                for name in ("Linear", "Conv1d", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d")})
ACTIVATION_FUNCTIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax",
                        "log_softmax": "log_softmax", "gelu": "gelu", "relu6": "relu6", "leaky_relu": "leaky_relu"}
PARAMETER_FREE = {"dropout", "flatten", "activation", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
                  "global_avg_pool", "global_max_pool"}
RECURRENT = {"simple_rnn", "lstm", "gru"}
