"""The oracle for the corpus of real PyTorch model files: the model built by PyTorch itself, its parameter
count, output shape and multiply-accumulates counted by forward hooks under nnsolve's MAC conventions
(docs/problem-format.md §10): a convolution, out elements · (in channels / groups) · kernel; a transposed
convolution, in elements · kernel · (out channels / groups); a linear layer, out elements · in features;
a recurrent layer, steps · G·h·(d + h) per layer and direction (G = 1, 3, 4; d = the layer's input width:
the input size, then h · directions); a recurrent cell, G·h·(d + h) per call; multi-head attention, its
projections plus tq·tk·heads·(kd + vd) for the scores and the weighted values; the functional
F.scaled_dot_product_attention(q, k, v), counted alike: heads·T·S·(E + Ev), and a product a @ b of two
tensors (torch.matmul, bmm): T·E·S per entry of the leading axes (a torch function mode sees these calls
outside those modules). Everything else (norms, pooling, embeddings, activations and element-wise work)
counts 0 MACs.

This RUNS the file's code, so only this test process uses it, and only on the corpus's own files: it
executes the module's imports, class and function definitions and its constant assignments (a name = an
expression without calls), never its data loading, training or `main()`; names a file derives from data
or command-line arguments are supplied by the manifest's `reference_globals`. The committed corpus
(tests/arch/model_files, our own files) is run as a whole instead (`run_whole_file`).
"""
from __future__ import annotations

import ast
import math
import sys
import types
from pathlib import Path

import torch
from torch import nn

GATES = {nn.RNN: 1, nn.GRU: 3, nn.LSTM: 4, nn.RNNCell: 1, nn.GRUCell: 3, nn.LSTMCell: 4}


def _has_call(node: ast.AST) -> bool:
    return any(isinstance(n, (ast.Call, ast.Subscript, ast.Attribute)) for n in ast.walk(node))


def definitions(path: Path, entry: dict) -> dict:
    """The namespace of the file's imports, definitions and constants (nothing else is run), then the
    manifest's `reference_globals` (values) and `reference_globals_eval` (expressions), then the file's
    lines `run_lines` (1-based, [first, last], the statements that build the model in a script)."""
    text = path.read_text()
    tree = ast.parse(text)
    module = types.ModuleType("real_model_" + path.stem)     # a module, so @dataclass finds its globals
    sys.modules[module.__name__] = module
    namespace = module.__dict__
    namespace.update({"__file__": str(path), "torch": torch})
    given = dict(entry.get("reference_globals") or {})
    given.update({k: eval(v, {"torch": torch}) for k, v in (entry.get("reference_globals_eval") or {}).items()})
    namespace.update(given)
    for node in tree.body:
        keep = isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef, ast.FunctionDef)) or (
            isinstance(node, ast.Assign) and not _has_call(node.value)
            and all(isinstance(t, (ast.Name, ast.Tuple)) for t in node.targets))
        if not keep:
            continue
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in given for t in node.targets):
            continue
        code = compile(ast.Module([node], []), str(path), "exec")
        try:
            exec(code, namespace)
        except ImportError:                # gym, matplotlib …: not needed to build the model
            pass
        except NameError:                  # a constant built from a skipped name (the data's shape)
            pass
    lines = text.splitlines()
    for first, last in entry.get("run_lines") or ():
        exec(compile(ast.parse("\n".join(lines[first - 1:last])), str(path), "exec"), namespace)
    return namespace


def _macs_hook(counter: list):
    def hook(module, inputs, output):
        out = output[0] if isinstance(output, tuple) else output
        batch = counter[1]
        if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            per = module.in_channels // module.groups * math.prod(module.kernel_size)
            counter[0] += out.numel() // batch * per
        elif isinstance(module, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            per = module.out_channels // module.groups * math.prod(module.kernel_size)
            counter[0] += inputs[0].numel() // batch * per
        elif isinstance(module, nn.Linear):
            counter[0] += out.numel() // batch * module.in_features
        elif isinstance(module, (nn.RNN, nn.GRU, nn.LSTM)):
            x = inputs[0]
            steps = x.shape[1 if module.batch_first else 0] if x.dim() == 3 else x.shape[0]
            dirs = 2 if module.bidirectional else 1
            h, g = module.hidden_size, GATES[type(module)]
            for layer in range(module.num_layers):
                d = module.input_size if layer == 0 else h * dirs
                counter[0] += dirs * steps * g * h * (d + h)
        elif isinstance(module, (nn.RNNCell, nn.GRUCell, nn.LSTMCell)):
            h, g = module.hidden_size, GATES[type(module)]
            counter[0] += g * h * (module.input_size + h)
        elif isinstance(module, nn.MultiheadAttention):
            q, k = inputs[0], inputs[1]
            seq_axis = 1 if module.batch_first else 0
            tq, tk = q.shape[seq_axis], k.shape[seq_axis]
            e, kd, vd = module.embed_dim, module.kdim, module.vdim
            heads_kd = e                                   # PyTorch projects q, k, v to embed_dim
            counter[0] += tq * e * heads_kd + tk * kd * heads_kd + tk * vd * heads_kd \
                + tq * tk * 2 * heads_kd + tq * heads_kd * e
    return hook


def run_whole_file(path: Path) -> dict:
    """The namespace of the whole file run as an imported module (not `__main__`, with no command-line
    arguments, its prints swallowed): for the committed corpus only, files this project wrote, whose
    top level builds the model and leaves data loading and training to functions it never calls."""
    import contextlib
    import io

    module = types.ModuleType("own_model_" + path.stem)
    sys.modules[module.__name__] = module
    module.__dict__["__file__"] = str(path)
    argv = sys.argv
    sys.argv = [str(path)]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(path.read_text(), str(path), "exec"), module.__dict__)
    finally:
        sys.argv = argv
    return module.__dict__


def measure(path: Path, entry: dict, whole_file: bool = False) -> dict:
    """{'params', 'output_shape', 'macs'} of the file's model built by PyTorch with a batch of 1: from the
    file's definitions (a published file, never run as a whole) or, `whole_file`, by running it."""
    before = torch.get_default_dtype()        # other tests of the same process may have set float64
    torch.set_default_dtype(torch.float32)
    try:
        namespace = run_whole_file(path) if whole_file else definitions(path, entry)
        expression = entry.get("reference") or entry.get("model")
        torch.manual_seed(0)
        model = eval(expression, namespace)
        return run(model, entry, namespace)
    finally:
        torch.set_default_dtype(before)


class _AttentionProducts(torch.overrides.TorchFunctionMode):
    """Counts F.scaled_dot_product_attention and the products a @ b the model's own code calls."""
    PRODUCTS = {torch.matmul, torch.bmm, torch.Tensor.__matmul__, torch.Tensor.matmul, torch.Tensor.bmm}

    def __init__(self, counter, inside):
        super().__init__()
        self.counter, self.inside = counter, inside

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func is torch.nn.functional.scaled_dot_product_attention and not self.inside[0]:
            q, k, v = args[:3]
            self.counter[0] += math.prod(q.shape[1:-2]) * q.shape[-2] * k.shape[-2] * (q.shape[-1] + v.shape[-1])
        out = func(*args, **(kwargs or {}))
        if func in self.PRODUCTS and not self.inside[0] and len(args) == 2 and args[0].dim() >= 2:
            # per sample: the output's entries after the batch axis, each a sum over the shared axis
            self.counter[0] += math.prod(out.shape[1:]) * args[0].shape[-1]
        return out


def run(model: nn.Module, entry: dict, namespace: dict | None = None) -> dict:
    """Parameters, output shape (without the batch axis) and MACs of `model` on one input of the entry's
    shape (`input_shape`, `batch_axis`, `input_dtype`, `call`)."""
    model = model.float()                     # the models' own dtype, whatever the process default
    params = sum(p.numel() for p in model.parameters())
    shape = tuple(entry["input_shape"])
    batch_axis = entry.get("batch_axis", 0)
    full = shape[:batch_axis] + (1,) + shape[batch_axis:]
    dtype = {"long": torch.long, "double": torch.double}.get(entry.get("input_dtype"), torch.float)
    if dtype == torch.double:
        model = model.double()
    x = torch.zeros(full, dtype=dtype) if dtype == torch.long else torch.rand(full, dtype=dtype)
    counter = [0, 1]
    handles = [m.register_forward_hook(_macs_hook(counter)) for m in model.modules()]
    model.eval()
    torch.backends.mha.set_fastpath_enabled(False)     # the fast path skips the layers' hooks
    inside = [0]                              # attention modules running: their own products are counted by hooks
    for m in model.modules():
        if isinstance(m, (nn.MultiheadAttention, nn.TransformerEncoderLayer, nn.TransformerDecoderLayer)):
            handles.append(m.register_forward_pre_hook(lambda *_: inside.__setitem__(0, inside[0] + 1)))
            handles.append(m.register_forward_hook(lambda *_: inside.__setitem__(0, inside[0] - 1)))
    with torch.no_grad(), _AttentionProducts(counter, inside):
        out = eval(entry.get("call", "model(x)"), {**(namespace or {}), "model": model, "x": x, "torch": torch})
    for h in handles:
        h.remove()
    first = out
    while isinstance(first, (tuple, list)):
        first = first[0]
    out_shape = list(first.shape)
    if len(out_shape) > batch_axis and out_shape[batch_axis] == 1:
        del out_shape[batch_axis]
    return {"params": params, "output_shape": out_shape, "macs": counter[0]}
