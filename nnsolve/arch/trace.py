"""`nnsolve summary model.py --trace`: the model built by PyTorch itself, for code no reader can follow.

This RUNS the file (its top level, the model's constructor and forward): it is opt-in, said on stderr
every time, and used by nothing else. The model is built on torch's `meta` device (shapes without
storage: no weights, no memory) and called once on a meta tensor of the input shape; forward hooks on
its leaf modules record, in call order, each module's qualified name (`layer1.0.conv1`), class, settings,
output shape and which recorded module produced its input. That becomes nnsolve's own layer list
(`nnsolve.arch.ir`), analysed under nnsolve's PyTorch conventions like any snippet.

What the hooks cannot see: operations outside modules (`x + identity`, `torch.flatten`, `x.view`,
`F.relu`). Their shapes are followed (a module reads the module that produced its input; a reshaped
input becomes a reshape layer), their work is not counted. A leaf module nnsolve has no rule for is
refused by name, never skipped.
"""
from __future__ import annotations

from pathlib import Path

from .ir import Architecture, Layer

WARNING = ("--trace runs {file} with PyTorch (on the meta device: no weights, no memory): its own code is "
           "executed, as `python {file}` would. The table lists the modules it calls; operations outside "
           "modules (x + y, F.relu, torch.flatten) are followed by shape only, not counted")


def _refuse(message: str, source: str | None = None):
    from ..problems.errors import Issue, ProblemError
    return ProblemError([Issue("--trace", message)], source)


def _torch():
    try:
        import torch            # only here: nothing else in nnsolve imports torch
    except ImportError:
        raise _refuse("needs PyTorch (pip install torch)") from None
    return torch


def _pair(value) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _settings(module, torch) -> tuple[str, dict] | None:
    """nnsolve's kind and settings of a built-in torch module (the names kinds.py and settings.py use),
    with the input size the module states, so the analysis checks it; None for a module nnsolve has no
    rule for."""
    nn = torch.nn
    if isinstance(module, nn.Linear):
        return "dense", {"units": module.out_features, "bias": module.bias is not None,
                         "in_features": module.in_features}
    if isinstance(module, (nn.Conv1d, nn.Conv2d)):
        axes = 1 if isinstance(module, nn.Conv1d) else 2
        padding = module.padding if isinstance(module.padding, str) else _pair(module.padding)
        return f"conv{axes}d", {"filters": module.out_channels, "kernel": _pair(module.kernel_size),
                                "stride": _pair(module.stride), "padding": padding,
                                "dilation": _pair(module.dilation), "groups": module.groups,
                                "bias": module.bias is not None, "in_channels": module.in_channels}
    if isinstance(module, nn.ConvTranspose2d):
        return "conv_transpose2d", {"filters": module.out_channels, "kernel": _pair(module.kernel_size),
                                    "stride": _pair(module.stride), "padding": _pair(module.padding),
                                    "output_padding": _pair(module.output_padding),
                                    "dilation": _pair(module.dilation), "groups": module.groups,
                                    "bias": module.bias is not None, "in_channels": module.in_channels}
    for cls, kind in ((nn.MaxPool1d, "max_pool1d"), (nn.MaxPool2d, "max_pool2d"), (nn.AvgPool1d, "avg_pool1d"),
                      (nn.AvgPool2d, "avg_pool2d")):
        if isinstance(module, cls):
            axes = int(kind[-2])
            dilation = getattr(module, "dilation", 1)
            if _pair(dilation) not in ((1,), (1,) * axes):
                return None
            pool = _pair(module.kernel_size) * (axes if len(_pair(module.kernel_size)) == 1 else 1)
            stride = _pair(module.stride or module.kernel_size)
            return kind, {"pool": pool, "stride": stride * (axes if len(stride) == 1 else 1),
                          "padding": _pair(module.padding) * (axes if len(_pair(module.padding)) == 1 else 1),
                          "ceil_mode": bool(module.ceil_mode)}
    for cls, kind in ((nn.AdaptiveAvgPool2d, "global_avg_pool"), (nn.AdaptiveMaxPool2d, "global_max_pool")):
        if isinstance(module, cls) and _pair(module.output_size) in ((1,), (1, 1)):
            return kind, {"keepdims": True}
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return "batch_norm", {"affine": module.affine, "track_running_stats": module.track_running_stats,
                              "num_features": module.num_features}
    if isinstance(module, nn.LayerNorm):
        shape = tuple(module.normalized_shape)
        if module.elementwise_affine and getattr(module, "bias", True) is None:
            return None
        return "layer_norm", {"axes": tuple(range(-len(shape), 0)), "normalized_shape": shape,
                              "affine": module.elementwise_affine}
    if isinstance(module, (nn.Dropout, nn.Dropout2d)):
        return "dropout", {}
    if isinstance(module, nn.Flatten) and (module.start_dim, module.end_dim) == (1, -1):
        return "flatten", {}
    activations = {nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.GELU: "gelu",
                   nn.LeakyReLU: "leaky_relu", nn.Softmax: "softmax", nn.LogSoftmax: "log_softmax"}
    for cls, function in activations.items():
        if type(module) is cls:
            return "activation", {"function": function}
    if isinstance(module, nn.Embedding):
        return "embedding", {"vocabulary": module.num_embeddings, "dim": module.embedding_dim}
    return None


def _build(namespace: dict, spec: str | None, torch, source: str):
    """The model: the SPEC called in the file's namespace, else the last nn.Module instance the file
    made, else its last nn.Module class built with its defaults."""
    import ast

    nn = torch.nn
    if spec is not None:
        return _evaluate(ast.parse(spec, mode="eval").body, namespace, source)
    instances = [v for k, v in namespace.items() if isinstance(v, nn.Module) and not k.startswith("_")]
    if instances:
        return instances[-1]
    classes = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, nn.Module)
               and v.__module__ == namespace["__name__"]]
    if not classes:
        raise _refuse("the file makes no nn.Module and defines none", source)
    try:
        return classes[-1]()
    except TypeError as e:
        raise _refuse(f"{classes[-1].__name__}() cannot be built with its defaults ({e}): choose it with "
                      f"--model '{classes[-1].__name__}(…)'", source) from None


def _evaluate(node, namespace: dict, source: str):
    """A SPEC (already checked by `model_spec`) in the file's namespace: names, attributes, literals,
    arithmetic and calls; there is nothing else in it to evaluate."""
    import ast
    import operator

    def value(n):
        if isinstance(n, ast.Constant):
            return n.value
        if isinstance(n, ast.Name):
            if n.id not in namespace:
                raise _refuse(f"--model names {n.id}, which the file does not define", source)
            return namespace[n.id]
        if isinstance(n, ast.Attribute):
            return getattr(value(n.value), n.attr)
        if isinstance(n, (ast.List, ast.Tuple)):
            items = [value(e) for e in n.elts]
            return items if isinstance(n, ast.List) else tuple(items)
        if isinstance(n, ast.Dict):
            return {value(k): value(v) for k, v in zip(n.keys, n.values)}
        if isinstance(n, ast.UnaryOp):
            return -value(n.operand) if isinstance(n.op, ast.USub) else +value(n.operand)
        if isinstance(n, ast.BinOp):
            ops = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
                   ast.FloorDiv: operator.floordiv, ast.Div: operator.truediv, ast.Pow: operator.pow}
            return ops[type(n.op)](value(n.left), value(n.right))
        if isinstance(n, ast.Call):
            return value(n.func)(*[value(a) for a in n.args], **{k.arg: value(k.value) for k in n.keywords})
        raise _refuse(f"cannot evaluate {ast.unparse(n)!r}", source)
    return value(node)


def traced_architecture(path, input_shape: tuple[int, ...] | None, spec: str | None = None) -> Architecture:
    """The architecture of the model a PyTorch file builds, read by running it on the meta device."""
    from ..problems.reading import read_text
    from .snippets.source import input_shape_comment

    torch = _torch()
    path = Path(path)
    source = str(path)
    text, _ = read_text(path)
    if input_shape is None:
        comment = input_shape_comment(text)
        if comment is None:
            raise _refuse("needs the input shape: --input-shape 3x224x224 or a '# input: 3x224x224' comment",
                          source)
        input_shape = comment[0]
    namespace = {"__name__": "__nnsolve_trace__", "__file__": source}
    try:
        with torch.device("meta"), torch.no_grad():
            exec(compile(text, source, "exec"), namespace)
            model = _build(namespace, spec, torch, source)
            if not isinstance(model, torch.nn.Module):
                raise _refuse(f"the model is a {type(model).__name__}, not an nn.Module", source)
            model = model.to("meta").eval()
            layers = _recorded(model, torch, input_shape, source)
    except SystemExit:
        raise _refuse("the file called exit() while it was run", source) from None
    except Exception as e:
        from ..problems.errors import ProblemError
        if isinstance(e, ProblemError):
            raise
        raise _refuse(f"running the file failed: {type(e).__name__}: {e}", source) from None
    return Architecture(type(model).__name__, tuple(input_shape), "channels_first", layers, "pytorch", source)


def _count(shape) -> int:
    import math
    return math.prod(shape) if shape is not None else -1


def _recorded(model, torch, input_shape, source: str) -> list[Layer]:
    names = {module: name for name, module in model.named_modules()}
    leaves = [m for m in model.modules() if not list(m.children())]
    for module in model.modules():          # parameters a hook on leaves would never see (attention's in_proj)
        if list(module.children()) and next(module.parameters(recurse=False), None) is not None:
            raise _refuse(f"{names.get(module) or 'the model'} ({type(module).__name__}) holds parameters of its "
                          f"own besides its submodules: no nnsolve rule reads them", source)
    calls: dict[int, int] = {}
    layers: list[Layer] = []
    producer: dict[int, tuple[str, tuple]] = {}      # id of an output tensor → (layer name, its shape)
    kept: list = []                                  # the outputs, alive so their ids stay theirs
    taken: dict[str, int] = {}
    unknown: list[str] = []
    x = torch.empty((1, *input_shape), device="meta")
    producer[id(x)] = ("input", tuple(input_shape))
    kept.append(x)
    last = ["input", tuple(input_shape)]

    def unique(name: str) -> str:
        n = taken.get(name, 0)
        taken[name] = n + 1
        return name if n == 0 else f"{name}_{n}"

    def hook(module, inputs, output):
        name = names.get(module) or type(module).__name__
        described = _settings(module, torch)
        if described is None and inputs and output is inputs[0]:     # nn.Identity, an empty nn.Sequential
            return
        if described is None:
            unknown.append(f"{name} ({type(module).__name__})")
            return
        calls[id(module)] = calls.get(id(module), 0) + 1
        if calls[id(module)] == 2 and next(module.parameters(), None) is not None:
            unknown.append(f"{name} ({type(module).__name__}, called twice: shared weights)")
            return
        tensor = inputs[0] if inputs else None
        shape = tuple(tensor.shape[1:]) if tensor is not None else None
        source_name, source_shape = producer.get(id(tensor), (None, None))
        if source_name is None:                          # made by an operation outside modules
            source_name, source_shape = last
            if shape != source_shape and _count(shape) != _count(source_shape):
                unknown.append(f"{name} ({type(module).__name__}: its input {shape} comes from an operation "
                               f"outside modules that changed {source_shape} into it)")
                return
            if shape != source_shape:
                bridge = unique(f"{name.rpartition('.')[0]}.view".lstrip("."))     # beside the module
                layers.append(Layer(bridge, "reshape", {"shape": shape}, (source_name,), written="view"))
                source_name = bridge
            producer[id(tensor)] = (source_name, shape)     # another module reading it reads the same
            kept.append(tensor)
        kind, settings = described
        layer_name = unique(name)
        layers.append(Layer(layer_name, kind, settings, (source_name,), written=type(module).__name__))
        out_shape = tuple(output.shape[1:])
        producer[id(output)] = (layer_name, out_shape)
        kept.append(output)
        last[:] = [layer_name, out_shape]

    handles = [m.register_forward_hook(hook) for m in leaves]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    if unknown:
        raise _refuse(f"cannot follow the module{'s' if len(unknown) > 1 else ''} "
                      f"{', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}", source)
    if not layers:
        raise _refuse("the model calls no module nnsolve can analyse", source)
    return layers
