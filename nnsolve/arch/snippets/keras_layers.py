"""The Keras layers a snippet may use: each one's parameters in positional order and how its
arguments become the canonical settings of `nnsolve.arch.ir` (channels-last)."""
from __future__ import annotations

from fractions import Fraction
from typing import Callable

from .common import Arguments, SnippetError
from .values import ClassValue, External


# read by the reader itself, not by a layer's settings
READER_KEYS = {"name", "input_shape", "input_dim", "batch_input_shape", "data_format",
               "input_length"}        # Embedding(1000, 64, input_length=10): the input shape (10,)
NO_EFFECT = {"trainable", "dtype", "seed", "noise_shape", "dropout", "recurrent_dropout", "unroll", "stateful",
             "go_backwards", "recurrent_activation", "inplace", "attention_axes", "max_value", "threshold"}


def _ignored(key: str) -> bool:
    return key in READER_KEYS or key in NO_EFFECT or key.endswith(("_initializer", "_regularizer", "_constraint"))


def _fused(a: Arguments, settings: dict) -> dict:
    activation = a.values.get("activation")
    if activation is not None and activation != "linear":
        if not isinstance(activation, str):
            raise a.fail("activation", "an activation's name")
        settings["activation"] = activation
    return settings


def _padding(a: Arguments) -> str:
    return a.choice("padding", "valid", ("valid", "same"))


def _conv(kind: str, axes: int) -> Callable[[Arguments], tuple[str, dict]]:
    def build(a: Arguments):
        s = {"filters": a.int("filters"), "kernel": a.ints("kernel_size", axes), "stride": a.ints("strides", axes, 1),
             "padding": _padding(a), "dilation": a.ints("dilation_rate", axes, 1), "groups": a.int("groups", 1),
             "bias": a.flag("use_bias", True)}
        return kind, _fused(a, s)
    return build


def _conv_transpose(axes: int):
    def build(a: Arguments):
        stride = a.ints("strides", axes, 1)
        s = {"filters": a.int("filters"), "kernel": a.ints("kernel_size", axes), "stride": stride,
             "padding": _padding(a), "dilation": a.ints("dilation_rate", axes, 1), "bias": a.flag("use_bias", True)}
        if a.has("output_padding"):       # without one, Keras gives (n − 1)s + max(k, s) (valid) or n·s (same)
            s["output_padding"] = a.ints("output_padding", axes, 0, minimum=0)
            if any(o >= st for o, st in zip(s["output_padding"], stride)):
                raise a.fail("output_padding", f"values smaller than the strides {stride} (Keras's rule)")
        return f"conv_transpose{axes}d", _fused(a, s)
    return build


def _depthwise(kind: str):
    def build(a: Arguments):
        s = {"kernel": a.ints("kernel_size", 2), "stride": a.ints("strides", 2, 1), "padding": _padding(a),
             "dilation": a.ints("dilation_rate", 2, 1), "depth_multiplier": a.int("depth_multiplier", 1),
             "bias": a.flag("use_bias", True)}
        if kind == "separable_conv2d":
            s = {"filters": a.int("filters"), **s}
        return kind, _fused(a, s)
    return build


def _pool(kind: str, axes: int):
    def build(a: Arguments):
        pool = a.ints("pool_size", axes, 2)
        return kind, {"pool": pool, "stride": a.ints("strides", axes) if a.has("strides") else pool,
                      "padding": _padding(a), "ceil_mode": False}
    return build


def _global(kind: str):
    return lambda a: (kind, {"keepdims": a.flag("keepdims", False)})


def _normalization(kind: str):
    def build(a: Arguments):
        center, scale = a.flag("center", True), a.flag("scale", True)
        if center != scale:
            raise SnippetError(f"{a.layer} with center={center} but scale={scale} is not supported", a.call)
        axis = a.values.get("axis", -1)
        s = {"eps": a.number("epsilon", Fraction(1, 1000)), "affine": center}
        if kind == "batch_norm":
            if axis not in (-1, None):
                raise a.fail("axis", "-1 (the channel axis, channels-last)")
            return kind, {**s, "momentum": a.number("momentum", Fraction(99, 100)), "track_running_stats": True}
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if any(isinstance(x, bool) or not isinstance(x, int) or x == 0 for x in axes):
            raise a.fail("axis", "an axis or a tuple of axes other than the batch axis 0")
        # Keras counts the batch axis as 0; the analysis's shapes leave it out
        return kind, {**s, "axes": tuple(x - 1 if x > 0 else x for x in axes)}
    return build


def _zero_padding(a: Arguments):
    p = a.values.get("padding", 1)
    if isinstance(p, int) and not isinstance(p, bool):
        p = (p, p)
    if isinstance(p, (tuple, list)) and len(p) == 2 and all(isinstance(v, int) for v in p):
        p = ((p[0], p[0]), (p[1], p[1]))
    if (not isinstance(p, (tuple, list)) or len(p) != 2
            or not all(isinstance(v, (tuple, list)) and len(v) == 2 and all(isinstance(n, int) for n in v) for v in p)):
        raise a.fail("padding", "an int, (rows, columns) or ((top, bottom), (left, right))")
    return "zero_padding2d", {"padding": (p[0][0], p[0][1], p[1][0], p[1][1])}


def _rnn(kind: str):
    def build(a: Arguments):
        s = {"units": a.int("units"), "return_sequences": a.flag("return_sequences", False),
             "bias": a.flag("use_bias", True)}
        if kind == "gru":
            s["reset_after"] = a.flag("reset_after", True)
        if kind == "simple_rnn" or a.has("activation"):
            s["activation"] = a.values.get("activation") or "tanh"
        return kind, s
    return build


def _bidirectional(a: Arguments):
    """Bidirectional(LSTM(64), merge_mode="concat"): the wrapped layer once per direction; concat doubles
    its width, sum, ave and mul keep it. The wrapped layer comes as an unapplied layer (its kind and
    settings)."""
    inner = a.required("layer")
    if getattr(inner, "kind", None) not in ("simple_rnn", "lstm", "gru"):
        raise a.fail("layer", "a recurrent layer (SimpleRNN, LSTM or GRU)")
    if a.has("backward_layer"):
        raise SnippetError("Bidirectional with a backward_layer of its own is not supported", a.node("backward_layer"))
    if "merge_mode" in a.values and a.values["merge_mode"] is None:
        raise a.fail("merge_mode", "'concat', 'sum', 'ave' or 'mul' (None returns two tensors)")
    merge = a.choice("merge_mode", "concat", ("concat", "sum", "ave", "mul"))
    return inner.kind, {**inner.settings, "bidirectional": True, "merge_mode": merge}


def _time_distributed(a: Arguments):
    """TimeDistributed(Dense(n)): the layer applied at every time step — Dense already acts on the last
    axis of (steps, features), so it counts as the Dense itself (n·(d + 1) parameters once, steps rows of
    MACs). Other wrapped layers are not followed."""
    inner = a.required("layer")
    if getattr(inner, "kind", None) != "dense":
        raise a.fail("layer", "a Dense layer (other layers in TimeDistributed are not followed)")
    return inner.kind, dict(inner.settings)


def _attention(a: Arguments):
    key_dim = a.int("key_dim")
    s = {"heads": a.int("num_heads"), "key_dim": key_dim, "value_dim": a.int("value_dim", key_dim),
         "bias": a.flag("use_bias", True)}
    if a.has("output_shape"):
        s["output_dim"] = a.int("output_shape")
    return "multihead_attention", s


def _activation_layer(function: str | None):
    def build(a: Arguments):
        name = function or a.required("activation")
        if not isinstance(name, str):
            raise a.fail("activation", "an activation's name")
        return "activation", {"function": name}
    return build


def _reshape(a: Arguments):
    shape = a.required("target_shape")
    if not isinstance(shape, (tuple, list)) or not all(isinstance(v, int) for v in shape):
        raise a.fail("target_shape", "a tuple of integers")
    return "reshape", {"shape": tuple(shape)}


def _permute(a: Arguments):
    dims = a.required("dims")
    if not isinstance(dims, (tuple, list)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in dims):
        raise a.fail("dims", "a tuple of axes counted from 1 (the batch axis 0 stays)")
    return "permute", {"dims": (0, *dims)}


def _upsampling(axes: int):
    def build(a: Arguments):
        size = a.ints("size", axes, 2)
        mode = a.choice("interpolation", "nearest", ("nearest", "bilinear")) if axes == 2 else "nearest"
        return "upsample", {"factor": size if axes > 1 else size[0], "mode": mode}
    return build


CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
        "use_bias")
CONV_TRANSPOSE = ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate",
                  "activation", "use_bias")
POOL = ("pool_size", "strides", "padding", "data_format")
RNN = ("units", "activation", "use_bias", "return_sequences", "reset_after")

# class name → (parameters in positional order, builder of (kind, settings))
LAYERS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "Dense": (("units", "activation", "use_bias"),
              lambda a: ("dense", _fused(a, {"units": a.int("units"), "bias": a.flag("use_bias", True)}))),
    "Conv1D": (CONV, _conv("conv1d", 1)),
    "Conv2D": (CONV, _conv("conv2d", 2)),
    "Conv1DTranspose": (CONV_TRANSPOSE, _conv_transpose(1)),
    "Conv2DTranspose": (CONV_TRANSPOSE, _conv_transpose(2)),
    "DepthwiseConv2D": (("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate",
                         "activation", "use_bias"), _depthwise("depthwise_conv2d")),
    "SeparableConv2D": (("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                         "depth_multiplier", "activation", "use_bias"), _depthwise("separable_conv2d")),
    "MaxPooling1D": (POOL, _pool("max_pool1d", 1)),
    "MaxPooling2D": (POOL, _pool("max_pool2d", 2)),
    "AveragePooling1D": (POOL, _pool("avg_pool1d", 1)),
    "AveragePooling2D": (POOL, _pool("avg_pool2d", 2)),
    "GlobalAveragePooling1D": (("data_format", "keepdims"), _global("global_avg_pool")),
    "GlobalMaxPooling1D": (("data_format", "keepdims"), _global("global_max_pool")),
    "GlobalAveragePooling2D": (("data_format", "keepdims"), _global("global_avg_pool")),
    "GlobalMaxPooling2D": (("data_format", "keepdims"), _global("global_max_pool")),
    "BatchNormalization": (("axis", "momentum", "epsilon", "center", "scale"), _normalization("batch_norm")),
    "LayerNormalization": (("axis", "epsilon", "center", "scale"), _normalization("layer_norm")),
    "Dropout": (("rate",), lambda a: ("dropout", {"rate": a.number("rate", None)})),
    "Flatten": (("data_format",), lambda a: ("flatten", {})),
    "Activation": (("activation",), _activation_layer(None)),
    "ReLU": (("max_value", "negative_slope", "threshold"), _activation_layer("relu")),
    "ZeroPadding2D": (("padding", "data_format"), _zero_padding),
    "Reshape": (("target_shape",), _reshape),
    "Permute": (("dims",), _permute),
    "RepeatVector": (("n",), lambda a: ("repeat_vector", {"times": a.int("n")})),
    "UpSampling1D": (("size",), _upsampling(1)),
    "UpSampling2D": (("size", "data_format", "interpolation"), _upsampling(2)),
    "SpatialDropout1D": (("rate",), lambda a: ("dropout", {"rate": a.number("rate", None)})),
    "SpatialDropout2D": (("rate", "data_format"), lambda a: ("dropout", {"rate": a.number("rate", None)})),
    "LeakyReLU": (("negative_slope", "alpha"), _activation_layer("leaky_relu")),
    "Softmax": (("axis",), _activation_layer("softmax")),
    "Identity": ((), lambda a: ("identity", {})),
    "Embedding": (("input_dim", "output_dim"),
                  lambda a: ("embedding", {"vocabulary": a.int("input_dim"), "dim": a.int("output_dim")})),
    "SimpleRNN": (RNN, _rnn("simple_rnn")),
    "LSTM": (RNN, _rnn("lstm")),
    "GRU": (RNN, _rnn("gru")),
    "Bidirectional": (("layer", "merge_mode", "weights", "backward_layer"), _bidirectional),
    "TimeDistributed": (("layer",), _time_distributed),
    "MultiHeadAttention": (("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape"),
                           _attention),
    "Add": ((), lambda a: ("add", {})),
    "Concatenate": (("axis",), lambda a: ("concat", {"axis": a.values.get("axis", -1)})),
}
MERGE_FUNCTIONS = {"add": "Add", "concatenate": "Concatenate"}      # keras.layers.add([a, b])
PARAMETER_FREE = {"input", "dropout", "flatten", "activation", "zero_padding2d", "reshape", "add", "concat",
                  "permute", "identity", "upsample", "repeat_vector",
                  "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "global_avg_pool", "global_max_pool"}

# the names under which a file reaches Keras
NAMESPACE = {"tf", "tensorflow", "keras", "layers", "models"}
KERAS_ROOTS = {"tf", "tensorflow", "keras", "tf_keras"}
BUILDERS = {"Sequential", "Model", "Input", "InputLayer"}


def keras_name(value) -> str | None:
    """`Dense` for keras.layers.Dense, tf.keras.layers.Dense, a bare imported Dense; else None. A name
    outside Keras's layer namespaces (keras.optimizers.Adam) is another library's, unless it is a layer."""
    if not isinstance(value, External):
        return None
    parts = value.name.split(".")
    if set(parts[:-1]) <= NAMESPACE:
        return parts[-1]
    if parts[0] in KERAS_ROOTS and (parts[-1] in LAYERS or parts[-1] in MERGE_FUNCTIONS or parts[-1] in BUILDERS):
        return parts[-1]
    return None


def keras_class(cls: ClassValue, bases=("Model", "Layer", "Sequential")) -> bool:
    """A class of the file deriving from keras.Model (or keras.layers.Layer)."""
    return any(keras_name(External(base)) in bases for base in cls.external_bases())
