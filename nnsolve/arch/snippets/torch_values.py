"""The values of a PyTorch model file as the interpreter reads it: the modules it builds (a built-in
layer, a container, a torch.nn class the reader does not know), a tensor of the model (the output of a
layer), tensors of known shape that are not the model's (torch.ones(64)), a module's own weights
(nn.Parameter), the batch size and its multiples, a tensor's method."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from .values import Instance, Opaque

REARRANGEMENTS = {"view", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "unsqueeze", "squeeze"}
BATCH = Opaque("the batch size (x.size(0))")          # x.size(0), x.shape[0] and names bound to them


@dataclass(frozen=True)
class BatchRows(Opaque):
    """The batch size times `rows`: `out.size(0) * out.size(1)` in `out.reshape(out.size(0) * out.size(1), -1)`."""
    rows: int = 1

SAME_TENSOR = {"contiguous", "clone", "detach", "float", "double", "half", "to", "cuda", "cpu", "requires_grad_"}
@dataclass(frozen=True)
class Tensor:
    layer: str


@dataclass(frozen=True)
class Filled(Opaque):
    """torch.ones(64), torch.zeros(1, 8): a tensor of known shape whose values are not the model's layers
    (nn.Parameter(torch.ones(64)) makes weights of it)."""
    shape: tuple = ()


@dataclass(frozen=True)
class Weights(Opaque):
    """nn.Parameter(torch.ones(64)) held by a module: counted as its parameters (a parameter layer) once the
    model is read; in forward, a factor or term of the shape of the tensor it meets."""
    shape: tuple = ()
    line: int = 0
    trainable: bool = True


@dataclass(eq=False)
class _FilledSize:
    filled: "Filled"


@dataclass(eq=False)
class TensorMethod:
    tensor: Tensor
    name: str


def _tensors(values) -> list:
    return [v for v in values if isinstance(v, Tensor)]


@dataclass(eq=False)
class Module:
    """One built-in layer, e.g. nn.Conv2d(3, 16, 3)."""
    kind: str
    settings: dict
    line: int
    written: str                  # the class name, for messages (Linear)
    calls: int = 0
    path: str | None = None
    first_layer: str | None = None       # the layer its first call made: later calls share its weights
    tied: dict | None = None             # weights tied with another module's: {"layer": the first to run}


@dataclass(eq=False)
class SequentialModule:
    """nn.Sequential (called: its children in turn), nn.ModuleList or nn.ModuleDict (holders only)."""
    children: list[tuple[str, Any]]
    node: ast.AST | None = None           # where it is built: its children's calls are located there
    container: str = "Sequential"
    path: str | None = None


@dataclass(eq=False)
class UnknownModule:
    """A torch.nn class the reader does not know (a loss, an unsupported layer): refused once the model
    uses it, never before (a loss beside the model is no concern of the summary)."""
    name: str
    node: ast.AST
    path: str | None = None


MODULE_VALUES = (Module, SequentialModule, Instance, UnknownModule)
# the attribute under which an instance of a class deriving a built-in layer (class CausalConv1d(nn.Conv1d))
# keeps that layer: it carries the instance's own module name
BUILT_IN = "__builtin_layer__"
