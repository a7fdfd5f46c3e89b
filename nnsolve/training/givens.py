"""What an exam gives besides the network, read the same way by every family that trains: a given ∂L/∂output
(`upstream`) the backward pass starts from, and the parameters that are not trained (`frozen`)."""
from __future__ import annotations

from ..engine.computation import Node
from ..problems.errors import Issue, ProblemError

ROLES = {"weights": "weight", "biases": "bias"}      # `frozen: [biases]` names every parameter of that role


def fit_upstream(given: Node, output: Node) -> Node:
    """The given ∂L/∂output, which must have the output's shape (a lone number fits a one-entry output)."""
    shape = output.value.shape
    if given.value.shape == shape:
        return given
    if given.value.size == output.value.size == 1:
        given.value = given.value.reshape(shape)
        return given
    raise ProblemError([Issue("upstream", f"is {_shown(given.value.shape)}, but the output {output.id} it is the "
                                          f"gradient of is {_shown(shape)}: give one entry per entry of the output")])


def _shown(dims: tuple) -> str:
    if len(dims) > 1:
        return "a " + "×".join(map(str, dims)) + " array"
    return f"{dims[0]} value{'s' if dims[0] != 1 else ''}" if dims else "a number"


def frozen_parameters(params: dict[str, Node], named: list[tuple[str, str]], role) -> list[str]:
    """The parameter keys that `named` ((place in the file, id or `weights`/`biases`) pairs) freezes, in order;
    a name that freezes nothing is refused at its place. `role` tells a key's role (weight, bias, scale)."""
    frozen, issues = [], []
    for place, name in named:
        found = [key for key in params if role(key) == ROLES[name]] if name in ROLES else \
            [name] if name in params else []
        if not found:
            what = f"no {ROLES[name]}" if name in ROLES else \
                f"no parameter {name!r} (the parameters: {', '.join(params)})"
            issues.append(Issue(place, f"names {what}"))
        frozen += [key for key in found if key not in frozen]
    if issues:
        raise ProblemError(issues)
    return frozen
