"""Keras and PyTorch code snippets read into an Architecture by parsing (`ast`), never by running them."""
from __future__ import annotations

import ast
from pathlib import Path

from ..ir import Architecture
from .common import SnippetError, dotted, last_line, problem, reading
from .source import checked_input_shape, input_shape_comment, parse_python
from .keras import keras_architecture
from .pytorch import torch_architecture

TORCH_ROOTS = {"torch", "nn", "F"}
KERAS_ROOTS = {"tf", "tensorflow", "keras", "layers", "models"}


def detect_framework(tree: ast.Module) -> str:
    """'keras' or 'pytorch', from the imports and the dotted names the snippet uses."""
    votes = {"keras": 0, "pytorch": 0}
    for node in ast.walk(tree):
        roots = []
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots = [node.module.split(".")[0]]
        elif isinstance(node, (ast.Attribute, ast.Name)):
            name = dotted(node)
            roots = [name.split(".")[0]] if name and "." in name else []
        for root in roots:
            if root in TORCH_ROOTS:
                votes["pytorch"] += 1
            elif root in KERAS_ROOTS:
                votes["keras"] += 1
        if isinstance(node, ast.ClassDef) and any((dotted(b) or "").endswith("Module") for b in node.bases):
            votes["pytorch"] += 5
    if votes["keras"] == votes["pytorch"]:
        raise SnippetError("cannot tell whether this is a Keras or a PyTorch snippet "
                           "(import tensorflow/keras or torch to say which)", None)
    return max(votes, key=votes.get)


def parse_snippet(text: str, source: str | None = None, input_shape: tuple[int, ...] | None = None,
                  framework: str | None = None, model: str | None = None, given: dict | None = None) -> Architecture:
    """The Architecture a Keras or PyTorch snippet describes. `input_shape` (without the batch axis, in
    the framework's layout) is needed when the snippet does not state it — always for PyTorch, unless a
    `# input: 3x224x224` comment gives it. `model` chooses the model (PyTorch): an expression over the
    snippet's names, `ResNet(BasicBlock, [2, 2, 2, 2])`, or a class name, `Net`, built with its defaults;
    without it, the last model the snippet builds. `given`: values for names the snippet's top level sets
    from what is known only when run (`{"num_classes": 10}`, the CLI's --set). Raises ProblemError with the line of anything unsupported."""
    try:
        with reading(text):
            try:
                return _architecture(text, source, input_shape, framework, model, given)
            except RecursionError:        # MAX_SNIPPET_NESTING keeps the readers inside Python's limit
                raise SnippetError("the snippet nests too deeply", last_line()) from None
            except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as e:
                # a combination of values the interpreter has no rule for: refused where it was reached
                raise SnippetError(f"the reader cannot follow the code here ({type(e).__name__}: "
                                   f"{str(e)[:80]})", last_line()) from None
    except SnippetError as e:
        raise problem(e, source) from None


def choose_model(text: str, spec: str, **kw) -> Architecture:
    """The model `spec` names in a PyTorch snippet: `ResNet(BasicBlock, [2, 2, 2, 2])`, or `Net` built with
    its defaults (parse_snippet's `model=`)."""
    return parse_snippet(text, model=spec, **kw)


def _architecture(text: str, source, input_shape, framework, model=None, given=None) -> Architecture:
    tree = parse_python(text)
    framework = framework or detect_framework(tree)
    if input_shape is not None:
        shape = checked_input_shape(input_shape, None, "the given input shape")
    else:
        comment = input_shape_comment(text)
        shape = comment[0] if comment else None
    if framework == "keras":
        if model is not None:
            raise SnippetError("choosing the model (--model) is for PyTorch snippets: a Keras snippet's model is "
                               "the last one it builds", None)
        return keras_architecture(tree, shape, source, given)
    return torch_architecture(tree, shape, source, model, given)


def load_snippet(path, input_shape: tuple[int, ...] | None = None, model: str | None = None,
                 given: dict | None = None) -> Architecture:
    """A `.py` snippet file, for `nnsolve summary model.py` (`model`, `given`: as for parse_snippet)."""
    from ...problems.reading import read_text

    path = Path(path)
    # read as a problem file is: never a FIFO or a device, at most the size limit, NUL bytes and bad UTF-8
    # located; the snippet's own length limit follows when it is parsed
    text, _ = read_text(path)
    return parse_snippet(text, source=str(path), input_shape=input_shape, model=model, given=given)
