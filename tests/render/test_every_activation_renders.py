"""Every activation, with integer-valued parameters (which once read as template placeholders:
`ELU_{1}`), prints in every format with its parameter visible."""
import pytest

import nnsolve
from nnsolve.render import render

ACTIVATIONS = [
    ("identity", {}), ("sigmoid", {}), ("tanh", {}), ("relu", {}), ("leaky_relu", {"slope": 2}),
    ("elu", {"alpha": 1}), ("softplus", {}), ("step", {"threshold": 1, "output": "bipolar"}), ("sign", {}),
]


@pytest.mark.parametrize("name, options", ACTIVATIONS)
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_activation_prints_in_every_format(name, options, fmt):
    problem = {
        "problem": "dense_network",
        "network": {"layout": "out_in", "layers": [
            {"W": [[1, -2], [2, 1]], "b": [0, 1], "activation": {"name": name, **options}},
            {"W": [[1, 1]], "activation": "identity"}]},
        "data": {"x": ["0.5", "1"], "target": [1]},
        "loss": {"type": "mse"},
    }
    out = render(nnsolve.solve(problem), fmt)
    assert "u1" in out or "u_{1}" in out or "u₁" in out
    for value in options.values():
        if isinstance(value, int):
            assert str(value) in out
