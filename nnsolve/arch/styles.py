"""An analysed architecture printed as the tools users know print a model (`nnsolve summary --style`):
Keras' `model.summary()` (Layer (type) | Output Shape | Param #, the batch axis as None, parameter
memory in float32 bytes) and torchinfo's `summary()` (the module tree with `├─`/`└─`, type, module name
and depth-index, the batch axis as 1, mult-adds in G). Names are the source's (module names such as
`layer1.0.conv1`, Keras layer names); types are the framework's class names (`Conv2d`, `Conv2D`).
Only the layout is borrowed: every number is nnsolve's analysis, under the conventions in force."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .analyze import Analysis, LayerReport
from .table import note_sections, rounded, statements, with_unit

# the framework's class for each kind; activations by function, and the rank-dependent ones (1d/2d) below
TORCH = {"conv1d": "Conv1d", "conv2d": "Conv2d", "conv_transpose1d": "ConvTranspose1d",
         "conv_transpose2d": "ConvTranspose2d", "depthwise_conv2d": "Conv2d",
         "max_pool1d": "MaxPool1d", "max_pool2d": "MaxPool2d", "avg_pool1d": "AvgPool1d", "avg_pool2d": "AvgPool2d",
         "layer_norm": "LayerNorm", "dropout": "Dropout", "flatten": "Flatten", "reshape": "view",
         "zero_padding2d": "ZeroPad2d", "dense": "Linear", "embedding": "Embedding", "simple_rnn": "RNN",
         "lstm": "LSTM", "gru": "GRU", "multihead_attention": "MultiheadAttention", "add": "add", "multiply": "mul", "concat": "cat", "parameter": "Parameter",
         "input": "input"}
TORCH_ACTIVATIONS = {"relu": "ReLU", "relu6": "ReLU6", "sigmoid": "Sigmoid", "tanh": "Tanh", "gelu": "GELU",
                     "leaky_relu": "LeakyReLU", "softmax": "Softmax", "log_softmax": "LogSoftmax"}
KERAS = {"conv1d": "Conv1D", "conv2d": "Conv2D", "conv_transpose1d": "Conv1DTranspose", "repeat_vector": "RepeatVector",
         "conv_transpose2d": "Conv2DTranspose",
         "depthwise_conv2d": "DepthwiseConv2D", "separable_conv2d": "SeparableConv2D",
         "max_pool1d": "MaxPooling1D", "max_pool2d": "MaxPooling2D", "avg_pool1d": "AveragePooling1D",
         "avg_pool2d": "AveragePooling2D", "batch_norm": "BatchNormalization", "layer_norm": "LayerNormalization",
         "dropout": "Dropout", "flatten": "Flatten", "reshape": "Reshape", "zero_padding2d": "ZeroPadding2D",
         "dense": "Dense", "embedding": "Embedding", "simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU",
         "multihead_attention": "MultiHeadAttention", "add": "Add", "multiply": "Multiply", "concat": "Concatenate",
         "activation": "Activation", "input": "InputLayer"}


def class_name(r: LayerReport, framework: str, input_rank: int) -> str:
    """The framework's class of a layer: the one the source wrote, else the one its kind is in
    `framework` (an nnsolve layer list printed as Keras or torchinfo prints)."""
    layer = r.layer
    if layer.written:
        return layer.written
    kind = layer.kind
    if framework == "keras":
        if kind in ("global_avg_pool", "global_max_pool"):
            return f"Global{'Average' if kind == 'global_avg_pool' else 'Max'}Pooling{input_rank - 1}D"
        return KERAS.get(kind, _camel(kind))
    if kind == "activation":
        return TORCH_ACTIVATIONS.get(layer.get("function"), _camel(str(layer.get("function"))))
    if kind == "batch_norm":
        return f"BatchNorm{2 if len(r.shape) == 3 else 1}d"
    if kind in ("global_avg_pool", "global_max_pool"):
        return f"Adaptive{'Avg' if kind == 'global_avg_pool' else 'Max'}Pool{max(input_rank - 1, 1)}d"
    return TORCH.get(kind, _camel(kind))


def _camel(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _classes(a: Analysis, framework: str) -> list[str]:
    shapes = {"input": tuple(a.architecture.input_shape)}
    out = []
    for r in a.layers:
        first = r.inputs[0] if r.inputs else None
        out.append(class_name(r, framework, len(shapes.get(first, a.architecture.input_shape))))
        shapes[r.name] = r.shape
    return out


def _framework(a: Analysis, style: str) -> str:
    """Class names of the source's framework; an nnsolve layer list takes the style's."""
    framework = a.architecture.framework
    return framework if framework in ("keras", "pytorch") else ("keras" if style == "keras" else "pytorch")


BYTES_PER_PARAMETER = 4           # float32, as Keras and torchinfo count a model's parameter memory


def keras_memory(params: int) -> str:
    """Keras' `readable_memory_size` of the parameters' float32 bytes: powers of 1024 named B, KB, MB,
    GB, TB — 11,689,512 parameters → '44.59 MB'."""
    size = Fraction(params * BYTES_PER_PARAMETER)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{rounded(size)} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _totals(a: Analysis) -> dict[str, int]:
    return a.totals


# ---- Keras

KERAS_HEADERS = ("Layer (type)", "Output Shape", "Param #", "Connected to")


def _chain(a: Analysis) -> bool:
    """Whether each layer reads the one before it, as in a Sequential model (Keras then leaves out the
    "Connected to" column)."""
    previous = None
    for r in a.layers:
        if len(r.inputs) > 1 or (previous is not None and r.inputs != (previous,)):
            return False
        previous = r.name
    return True


def keras_table(a: Analysis) -> str:
    """As Keras 3 prints `model.summary()`: the model's name, a box table with a line between rows (and
    the "Connected to" column of a functional model, `name[0][0]` per input), then the totals with their
    float32 size."""
    classes = _classes(a, _framework(a, "keras"))
    chain = _chain(a)
    headers = KERAS_HEADERS[:3] if chain else KERAS_HEADERS
    rows = [(f"{r.name} ({cls})", "(None, " + ", ".join(map(str, r.shape)) + ")", f"{r.params:,}",
             "-" if r.layer.kind == "input" else ", ".join(f"{name}[0][0]" for name in r.inputs) or "-")[:len(headers)]
            for r, cls in zip(a.layers, classes)]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells, edge="│"):
        return edge + edge.join(f" {c:>{w}} " if i == 2 else f" {c:<{w}} "
                                for i, (c, w) in enumerate(zip(cells, widths))) + edge

    def rule(left, middle, right, fill):
        return left + middle.join(fill * (w + 2) for w in widths) + right
    t = _totals(a)
    out = [f'Model: "{a.architecture.name}"', rule("┏", "┳", "┓", "━"), line(headers, "┃"),
           rule("┡", "╇", "┩", "━")]
    between = rule("├", "┼", "┤", "─")
    for i, row in enumerate(rows):
        if i:
            out.append(between)
        out.append(line(row))
    out.append(rule("└", "┴", "┘", "─"))
    out += [f" Total params: {t['params']:,} ({keras_memory(t['params'])})",
            f" Trainable params: {t['trainable']:,} ({keras_memory(t['trainable'])})",
            f" Non-trainable params: {t['non_trainable']:,} ({keras_memory(t['non_trainable'])})"]
    out += _notes(a, "4 bytes (float32) per parameter, in KB/MB of 1024 bytes as Keras prints it")
    return "\n".join(out) + "\n"


def _notes(a: Analysis, memory: str) -> list[str]:
    """What the borrowed layout does not say: the work nnsolve counted and the conventions in force."""
    t = _totals(a)
    out = ["", f"Multiply-accumulates: {t['macs']:,} ({with_unit(t['macs'])})", "Conventions:",
           f"  parameter memory: {memory}", *(f"  {name}: {statement}" for name, statement in statements(a))]
    for heading, notes in note_sections(a):
        out += ["", heading, *(f"  {note}" for note in notes)]
    return out


# ---- torchinfo

@dataclass
class _Node:
    """A module of the tree torchinfo draws: a layer of the analysis, or a container its dotted module
    names imply (`layer1`, `layer1.0`), shown with the output of its last layer."""
    name: str
    report: LayerReport | None = None
    cls: str = ""
    children: list["_Node"] = field(default_factory=list)
    last: LayerReport | None = None


def _tree(a: Analysis, classes: list[str]) -> _Node:
    root = _Node(a.architecture.name)
    nodes: dict[str, _Node] = {}
    for r, cls in zip(a.layers, classes):
        if r.layer.kind == "input":
            continue
        parent, path = root, ""
        parts = r.name.split(".")
        parts = [r.name] if "" in parts else parts          # `a..b`, `.a`: not a module path
        for part in parts:
            path = f"{path}.{part}" if path else part
            node = nodes.get(path)
            if node is None:
                node = nodes[path] = _Node(path)
                parent.children.append(node)
            node.last = r
            parent = node
        parent.report, parent.cls = r, cls
        root.last = r
    return root


TORCHINFO_HEADERS = ("Layer (type (var_name):depth-idx)", "Output Shape", "Param #")


def torchinfo_table(a: Analysis) -> str:
    """As torchinfo 1.8 prints `summary(model, input_size, depth=∞, row_settings=("depth", "var_names"))`:
    one row per module, `Type (attribute): depth-index`, indented by depth with `├─` and `│    └─`, the
    index counted per depth through the whole tree. The containers come from the dotted module names
    (`layer1.0.conv1` is `conv1` in `0` in `layer1`); their class is not in the layer list, so a container
    row shows its name alone. The root row is the architecture's name."""
    root = _tree(a, _classes(a, _framework(a, "torchinfo")))
    rows: list[tuple[str, str, str]] = []
    counters: dict[int, int] = {}

    def shape(r: LayerReport | None) -> str:
        return "--" if r is None else "[1, " + ", ".join(map(str, r.shape)) + "]"

    def walk(node: _Node, depth: int) -> None:
        counters[depth] = counters.get(depth, 0) + 1
        start = "├─" if depth == 1 else "│    " * (depth - 1) + "└─"
        attribute = node.name.rpartition(".")[2]
        label = f"{node.cls} ({attribute})" if node.report else attribute
        params = f"{node.report.params:,}" if node.report and node.report.params else "--"
        rows.append((f"{start}{label}: {depth}-{counters[depth]}", shape(node.last), params))
        for child in node.children:
            walk(child, depth + 1)

    rows.append((root.name, shape(root.last), "--"))
    for child in root.children:
        walk(child, 1)
    widths = [max(40, *(len(r[0]) + 1 for r in rows)), 25, 25]
    bar = "=" * sum(widths)

    def line(cells):
        return "".join(f"{c:<{w}}" for c, w in zip(cells, widths)).rstrip()
    t = _totals(a)
    unit, size = ("G", 10 ** 9) if t["macs"] >= 10 ** 9 else ("M", 10 ** 6)
    out = [bar, line(TORCHINFO_HEADERS), bar, *(line(r) for r in rows), bar,
           f"Total params: {t['params']:,}", f"Trainable params: {t['trainable']:,}",
           f"Non-trainable params: {t['non_trainable']:,}",
           f"Total mult-adds ({unit}): {rounded(Fraction(t['macs'], size))}", bar,
           f"Params size (MB): {rounded(Fraction(t['params'] * BYTES_PER_PARAMETER, 10 ** 6))}", bar]
    out += _notes(a, "4 bytes (float32) per parameter, in MB of 10⁶ bytes as torchinfo prints it")
    return "\n".join(out) + "\n"


STYLES = {"keras": keras_table, "torchinfo": torchinfo_table}
