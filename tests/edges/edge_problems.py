"""Small problems for the edge tests, written as an exam file would be (a dict the loader reads)."""
from __future__ import annotations


def single_unit(x="3", w="2", b="0.5", target="1", activation="identity", loss="half_sse", optimizer=None,
                **extra) -> dict:
    """ŷ = activation(w·x + b) with one input and one output: every quantity is a number one can follow by hand."""
    problem = {"problem": "dense_network",
               "network": {"layout": "in_out", "layers": [{"W": [[w]], "b": [b], "activation": activation}]},
               "data": {"x": [x], "target": [target]}, "loss": {"type": loss} if isinstance(loss, str) else loss}
    if optimizer is not None:
        problem["optimizer"] = optimizer
    return {**problem, **extra}


def value(solution, quantity: str):
    """The one number of a quantity."""
    return solution.value(quantity).reshape(-1)[0]
