"""The conventions keys disagree on, per problem family: each alternative is a modified copy of the
problem model, named the way the report states it ("matches if: log base 10")."""
from __future__ import annotations

from fractions import Fraction
from typing import Callable

Alternative = tuple[str, object]      # (statement, modified problem model)


def replaced(model, path: str, value):
    """A copy of a pydantic model with the field at a dotted path replaced (`loss.half`,
    `network.layers.0.W`: a number steps into a list)."""
    head, _, rest = path.partition(".")
    if isinstance(model, list):
        i = int(head)
        return model[:i] + [value if not rest else replaced(model[i], rest, value)] + model[i + 1:]
    inner = value if not rest else replaced(getattr(model, head), rest, value)
    return model.model_copy(update={head: inner})


def dense_alternatives(p) -> list[Alternative]:
    from ..problems.dense.solver import ALIASES, DenseSolver
    from ..engine.computation import Policy

    out: list[Alternative] = []

    def alternative(statement: str, path: str, value) -> None:
        out.append((statement, replaced(p, path, value)))

    if p.loss is not None:
        kind, half, outputs, samples = DenseSolver(p, Policy()).loss_settings()
        if kind == "squared_error":
            alternative("loss without ½" if half else "loss with ½", "loss.half", not half)
        for field, current, what in (("over_outputs", outputs, "outputs"), ("over_samples", samples, "samples")):
            other = "sum" if current == "mean" else "mean"
            alternative(f"loss {'averaged' if other == 'mean' else 'summed'} over {what}", f"loss.{field}", other)
        if kind != "squared_error":
            for base, statement in (("e", "natural log"), (10, "log base 10"), (2, "log base 2")):
                if base != p.loss.log_base:
                    alternative(statement, "loss.log_base", base)
    activations = {ALIASES.get(layer.activation.name, layer.activation.name) for layer in p.network.layers}
    if activations & {"relu", "leaky_relu", "elu"}:
        other = Fraction(0) if Fraction(p.conventions.relu_derivative_at_zero) != 0 else Fraction(1)
        alternative(f"ReLU'(0) = {other}", "conventions.relu_derivative_at_zero", other)
    if p.network.layers:
        swapped = "out_in" if p.network.layout == "in_out" else "in_out"
        alternative("weights read as W[out][in] (u = Wx + b)" if swapped == "out_in"
                    else "weights read as W[in][out] (u = Wᵀx + b)", "network.layout", swapped)
        # a square matrix fits either reading, so a key may have read just that one the other way
        if len(p.network.layers) > 1:
            for i, layer in enumerate(p.network.layers, start=1):
                if len(layer.W) == len(layer.W[0]):
                    transposed = [list(row) for row in zip(*layer.W)]
                    alternative(f"W{i} read the other way round (its transpose used)",
                                f"network.layers.{i - 1}.W", transposed)
    if p.penalty is not None:
        if p.penalty.type == "l2":
            alternative("L2 penalty without ½" if p.penalty.half else "L2 penalty with ½", "penalty.half",
                        not p.penalty.half)
        alternative("penalty excluding biases" if p.penalty.include_biases else "penalty including biases",
                    "penalty.include_biases", not p.penalty.include_biases)
    out += optimizer_alternatives(p, "optimizer")
    return out


def optimizer_alternatives(p, place: str) -> list[Alternative]:
    """The optimizer conventions keys disagree on, for the settings at `place` (optimizer, descent)."""
    opt = getattr(p, place)
    if opt is None:
        return []
    out: list[Alternative] = []

    def alternative(statement: str, key: str, value) -> None:
        out.append((statement, replaced(p, f"{place}.{key}", value)))

    if opt.type == "adam":
        alternative("Adam without bias correction" if opt.bias_correction else "Adam with bias correction",
                    "bias_correction", not opt.bias_correction)
    if opt.type in ("adam", "rmsprop", "adagrad"):
        alternative("ε outside the square root" if opt.eps_inside_sqrt else "ε inside the square root",
                    "eps_inside_sqrt", not opt.eps_inside_sqrt)
    if opt.type == "adam":
        both = replaced(replaced(p, f"{place}.bias_correction", not opt.bias_correction),
                        f"{place}.eps_inside_sqrt", not opt.eps_inside_sqrt)
        out.append((f"Adam {'without' if opt.bias_correction else 'with'} bias correction and ε "
                    f"{'outside' if opt.eps_inside_sqrt else 'inside'} the square root", both))
    if opt.type in ("momentum", "nesterov"):
        for form in ("pytorch", "sutskever", "ema", "lookahead"):
            if form != opt.form:
                alternative(f"momentum in the {form!r} form", "form", form)
    return out


ALTERNATIVES: dict[str, Callable[[object], list[Alternative]]] = {
    "dense_network": dense_alternatives,
    "calculus": lambda p: optimizer_alternatives(p, "descent"),
}


def alternatives(family, model) -> list[Alternative]:
    """The family's alternatives that still make a consistent problem (a swapped layout may not fit)."""
    make = ALTERNATIVES.get(family.name)
    if make is None:
        return []
    return [(statement, alt) for statement, alt in make(model) if not family.consistency(alt)]
