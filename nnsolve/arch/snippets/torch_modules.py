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
             "nonlinearity", "add_zero_attn", "negative_slope", "alpha", "approximate", "dim", "activation",
             "layer_norm_eps", "enable_nested_tensor", "mask_check", "beta", "threshold", "align_corners",
             "recompute_scale_factor"}


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


def _pad2d(a: Arguments):
    """ZeroPad2d, ReflectionPad2d, ReplicationPad2d: the same shapes (what the border holds differs), no
    parameters; PyTorch's 4-tuple is (left, right, top, bottom), the padding layer's (top, bottom, left, right)."""
    left, right, top, bottom = a.ints("padding", 4, minimum=0)
    return "zero_padding2d", {"padding": (top, bottom, left, right)}


def _pool(kind: str, axes: int):
    def build(a: Arguments):
        if a.has("dilation") and a.ints("dilation", axes) != (1,) * axes:
            raise a.fail("dilation", "1 (dilated pooling is not supported)")
        pool = a.ints("kernel_size", axes)
        return kind, {"pool": pool, "stride": a.ints("stride", axes) if a.has("stride") else pool,
                      "padding": a.ints("padding", axes, 0, minimum=0), "ceil_mode": a.flag("ceil_mode", False)}
    return build


def _adaptive(kind: str, axes: int):
    """An output size of 1 on every axis is a global pool (the same counts); any other, PyTorch's adaptive
    windows (kinds_spatial.py)."""
    def build(a: Arguments):
        size = a.required("output_size")
        if size in (1, (1,) * axes, [1] * axes):
            return f"global_{kind}_pool", {"keepdims": True}
        if not (isinstance(size, int) or isinstance(size, (tuple, list)) and len(size) == axes
                and all(v is None or isinstance(v, int) for v in size)):
            raise a.fail("output_size", f"an integer or {axes} of them (None keeps an axis)")
        return f"adaptive_{kind}_pool{axes}d", {"output_size": tuple(size) if isinstance(size, list) else size}
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
    start, end = a.values.get("start_dim", 1), a.values.get("end_dim", -1)
    return "flatten", {} if (start, end) == (1, -1) else {"start_dim": start, "end_dim": end}


def _activation(function: str):
    return lambda a: ("activation", {"function": function})


def _rnn(kind: str):
    def build(a: Arguments):
        s = {"units": a.int("hidden_size"), "return_sequences": True, "bias": a.flag("bias", True),
             "batch_first": a.flag("batch_first", False), "input_size": a.int("input_size"),
             "num_layers": a.int("num_layers", 1), "bidirectional": a.flag("bidirectional", False)}
        if kind == "lstm" and a.int("proj_size", 0, minimum=0):
            s["proj_size"] = a.int("proj_size")
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


def _encoder_layer(a: Arguments):
    d, heads = a.int("d_model"), a.int("nhead")
    if d % heads:
        raise a.fail("nhead", f"a divisor of d_model={d}")
    return "transformer_encoder", {"d_model": d, "heads": heads, "dim_feedforward": a.int("dim_feedforward", 2048),
                                   "batch_first": a.flag("batch_first", False),
                                   "norm_first": a.flag("norm_first", False), "bias": a.flag("bias", True)}


def _encoder(a: Arguments):
    """nn.TransformerEncoder(layer, num_layers, norm=None): num_layers copies of the layer it is given
    (PyTorch deep-copies it), then the optional LayerNorm."""
    layer = a.required("encoder_layer")
    if getattr(layer, "kind", None) != "transformer_encoder":
        raise a.fail("encoder_layer", "an nn.TransformerEncoderLayer")
    norm = a.values.get("norm")
    if norm is not None and getattr(norm, "kind", None) != "layer_norm":
        raise a.fail("norm", "None or an nn.LayerNorm")
    if norm is not None and tuple(norm.settings.get("normalized_shape", ())) != (layer.settings["d_model"],):
        raise a.fail("norm", f"an nn.LayerNorm({layer.settings['d_model']}) (d_model)")
    return "transformer_encoder", {**layer.settings, "num_layers": a.int("num_layers"),
                                   "final_norm": norm is not None}


def _upsample(mode: str | None):
    def build(a: Arguments):
        s = {"mode": mode or a.choice("mode", "nearest", ("nearest", "linear", "bilinear"))}
        if a.has("size"):
            size = a.values["size"]
            s["output_size"] = tuple(size) if isinstance(size, list) else size
        factor = a.values.get("scale_factor")
        if factor is not None:
            items = factor if isinstance(factor, (tuple, list)) else (factor,)
            if not all(isinstance(v, (int, Fraction)) and not isinstance(v, bool) and v == int(v) for v in items):
                raise a.fail("scale_factor", "whole factors (a fractional scale is not supported)")
            whole = tuple(int(v) for v in items)
            s["factor"] = whole if isinstance(factor, (tuple, list)) else whole[0]
        return "upsample", s
    return build


def _instance_norm(a: Arguments):
    return "instance_norm", {"eps": a.number("eps", Fraction(1, 10 ** 5)), "affine": a.flag("affine", False),
                             "track_running_stats": a.flag("track_running_stats", False),
                             **_stated(a, "num_features")}


def _cell(kind: str):
    def build(a: Arguments):
        s = {"units": a.int("hidden_size"), "bias": a.flag("bias", True), "input_size": a.int("input_size")}
        if kind == "gru_cell":
            s["reset_after"] = True         # PyTorch's GRUCell, as its GRU, keeps b_hh apart
        return kind, s
    return build


def _unflatten(a: Arguments):
    sizes = a.required("unflattened_size")
    if not isinstance(sizes, (tuple, list)) or not all(isinstance(v, int) for v in sizes):
        raise a.fail("unflattened_size", "a tuple of sizes")
    return "unflatten", {"axis": a.required("dim"), "sizes": tuple(sizes)}


CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias")
POOL = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
RNN = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")
LSTM = RNN + ("proj_size",)
SIMPLE_RNN = RNN[:3] + ("nonlinearity",) + RNN[3:]            # nn.RNN's fourth argument is its nonlinearity
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
    "AdaptiveAvgPool1d": (("output_size",), _adaptive("avg", 1)),
    "AdaptiveAvgPool2d": (("output_size",), _adaptive("avg", 2)),
    "AdaptiveMaxPool1d": (("output_size", "return_indices"), _adaptive("max", 1)),
    "AdaptiveMaxPool2d": (("output_size", "return_indices"), _adaptive("max", 2)),
    "PixelShuffle": (("upscale_factor",), lambda a: ("pixel_shuffle", {"factor": a.int("upscale_factor")})),
    "PixelUnshuffle": (("downscale_factor",), lambda a: ("pixel_unshuffle", {"factor": a.int("downscale_factor")})),
    "BatchNorm1d": (NORM, _batch_norm),
    "BatchNorm2d": (NORM, _batch_norm),
    "LayerNorm": (("normalized_shape", "eps", "elementwise_affine", "bias"), _layer_norm),
    "Dropout": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "Dropout2d": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "Flatten": (("start_dim", "end_dim"), _flatten),
    "Identity": ((), lambda a: ("identity", {})),
    "Unflatten": (("dim", "unflattened_size"), _unflatten),
    "Upsample": (("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"), _upsample(None)),
    "UpsamplingNearest2d": (("size", "scale_factor"), _upsample("nearest")),
    "UpsamplingBilinear2d": (("size", "scale_factor"), _upsample("bilinear")),
    "GroupNorm": (("num_groups", "num_channels", "eps", "affine"),
                  lambda a: ("group_norm", {"groups": a.int("num_groups"), "num_features": a.int("num_channels"),
                                            "eps": a.number("eps", Fraction(1, 10 ** 5)),
                                            "affine": a.flag("affine", True)})),
    "InstanceNorm1d": (NORM, _instance_norm),
    "InstanceNorm2d": (NORM, _instance_norm),
    "Dropout1d": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "Dropout3d": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "AlphaDropout": (("p",), lambda a: ("dropout", {"rate": a.number("p", Fraction(1, 2))})),
    "ZeroPad2d": (("padding",), _pad2d),
    "ReflectionPad2d": (("padding",), _pad2d),
    "ReplicationPad2d": (("padding",), _pad2d),
    "SiLU": (("inplace",), _activation("silu")),           # inplace: nn.ReLU(True) gives it by position
    "ELU": (("alpha", "inplace"), _activation("elu")),
    "Hardswish": (("inplace",), _activation("hardswish")),
    "Hardsigmoid": (("inplace",), _activation("hardsigmoid")),
    "Mish": (("inplace",), _activation("mish")),
    "PReLU": (("num_parameters", "init"), lambda a: ("prelu", {"num_parameters": a.int("num_parameters", 1)})),
    "Softplus": (("beta", "threshold"), _activation("softplus")),
    "ReLU": (("inplace",), _activation("relu")),
    "ReLU6": (("inplace",), _activation("relu6")),
    "Sigmoid": ((), _activation("sigmoid")),
    "Tanh": ((), _activation("tanh")),
    "GELU": ((), _activation("gelu")),
    "LeakyReLU": (("negative_slope",), _activation("leaky_relu")),
    "Softmax": (("dim",), _activation("softmax")),
    "LogSoftmax": (("dim",), _activation("log_softmax")),
    "Embedding": (("num_embeddings", "embedding_dim"),
                  lambda a: ("embedding", {"vocabulary": a.int("num_embeddings"), "dim": a.int("embedding_dim")})),
    "RNN": (SIMPLE_RNN, _rnn("simple_rnn")),
    "LSTM": (LSTM, _rnn("lstm")),
    "GRU": (RNN, _rnn("gru")),
    "RNNCell": (("input_size", "hidden_size", "bias", "nonlinearity"), _cell("simple_rnn_cell")),
    "LSTMCell": (("input_size", "hidden_size", "bias"), _cell("lstm_cell")),
    "GRUCell": (("input_size", "hidden_size", "bias"), _cell("gru_cell")),
    "MultiheadAttention": (("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim",
                            "vdim", "batch_first"), _attention),
    "TransformerEncoderLayer": (("d_model", "nhead", "dim_feedforward", "dropout", "batch_first", "norm_first",
                                 "bias"), _encoder_layer),
    "TransformerEncoder": (("encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check"),
                           _encoder),
}
# LazyLinear(10), LazyConv2d(16, 3), …: the same modules without the input size
MODULES.update({f"Lazy{name}": (MODULES[name][0][1:], MODULES[name][1])
                for name in ("Linear", "Conv1d", "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d")})
ACTIVATION_FUNCTIONS = {"relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "softmax": "softmax",
                        "log_softmax": "log_softmax", "gelu": "gelu", "relu6": "relu6", "leaky_relu": "leaky_relu",
                        "silu": "silu", "elu": "elu", "mish": "mish", "softplus": "softplus",
                        "hardswish": "hardswish", "exp": "exp"}     # exp: an elementwise function (std = exp(logvar / 2))
PARAMETER_FREE = {"dropout", "flatten", "activation", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
                  "global_avg_pool", "global_max_pool", "identity", "pixel_shuffle", "pixel_unshuffle",
                  "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
                  "upsample", "unflatten", "reshape", "multiply", "zero_padding2d", "permute", "transpose", "t",
                  "unsqueeze", "squeeze"}
RECURRENT = {"simple_rnn", "lstm", "gru"}


class BatchSize:
    """What `x.size(0)`, `x.shape[0]` or a name bound to it stands for in a forward's reshape: the batch;
    `rows` > 1 for the batch size times a number (`out.size(0) * out.size(1)`)."""

    def __init__(self, rows: int = 1):
        self.rows = rows


def tensor_method(method: str, args: tuple, keywords: dict | None = None) -> tuple[str, dict]:
    """The layer kind and settings of a forward's rearrangement, from its evaluated arguments (the tensor
    itself left out): `x.view(x.size(0), -1)` is ("view", (BatchSize(), -1)); `torch.flatten(x, 1)` is
    ("flatten", (1,)); `x.permute(0, 2, 1)` or `x.permute((0, 2, 1))`; `x.transpose(1, 2)`; `x.t()`;
    `x.unsqueeze(1)`; `x.squeeze()`. Dimension numbers count the batch axis (kinds_shape.py). ValueError
    with the reason for what cannot be followed (the settings' ranges are checked by read_given)."""
    kw = dict(keywords or {})

    def arg(i: int, name: str, default=None):
        return args[i] if len(args) > i else kw.get(name, default)
    if method in ("view", "reshape"):
        sizes = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
        if not sizes:
            raise ValueError(f"{method}() needs the new sizes")
        first, rest = sizes[0], sizes[1:]
        if not (isinstance(first, BatchSize) or first == -1):
            raise ValueError(f"{method}: the first size must be the batch (x.size(0) or -1), got {first!r}")
        if any(isinstance(v, BatchSize) for v in rest) or not rest:
            raise ValueError(f"{method}: the batch must be the first size and stay alone on it")
        rows = first.rows if isinstance(first, BatchSize) else None
        inferred = {"batch_inferred": True} if first == -1 else {"batch_inferred": True, "rows": rows} \
            if rows not in (None, 1) else {}
        return "reshape", {"shape": rest, **inferred}
    if method == "permute":
        dims = tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
        return "permute", {"dims": dims or tuple(kw.get("dims", ()))}
    if method in ("transpose", "swapaxes", "swapdims"):
        return "transpose", {"dim0": arg(0, "dim0"), "dim1": arg(1, "dim1")}
    if method in ("t",):
        return "t", {}
    if method == "flatten":                 # a tensor's and torch.flatten's default start is 0, the batch
        return "flatten", {"start_dim": arg(0, "start_dim", 0), "end_dim": arg(1, "end_dim", -1)}
    if method == "unsqueeze":
        return "unsqueeze", {"axis": arg(0, "dim")}
    if method == "squeeze":
        dim = arg(0, "dim")
        return "squeeze", {} if dim is None else {"axes": tuple(dim) if isinstance(dim, list) else dim}
    raise ValueError(f"unsupported tensor method '{method}'")


def register_buffer(shape, added: bool = False) -> tuple[str, dict]:
    """`self.register_buffer('pe', torch.zeros(1, 500, 64))`: the buffer layer (kinds_spatial.py) the
    interpreter places where the module's forward runs; `added` when the forward adds it to its input."""
    return "buffer", {"shape": tuple(shape), **({"added": True} if added else {})}
