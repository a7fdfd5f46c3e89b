"""Fully-connected networks: forward, loss, backprop, optimizer steps."""
from .. import lazy
from ...training.pipeline import training_family
from .consistency import consistency
from .schema import DenseProblem
from .solver import solve_dense

FAMILY = training_family(
    "dense_network", DenseProblem, consistency, solve_dense,
    groups={"deltas": "the gradient at every pre-activation (dL/du1, … also called delta1, …)"},
    default_ask=("forward", "loss", "deltas", "gradients", "update"),
    alternatives=lazy(".dense.checker", "alternatives"),
    picture=lazy(".dense.picture", "to_dot"),
    locate=lazy(".dense.checker", "locate"),
    golden=("examples/demo-two-layer-tanh.yaml", "tests/render/cases/out-in-sigmoid.yaml",
            "tests/render/cases/relu-batch-mse.yaml", "tests/render/cases/softmax-ce-l2.yaml"),
)
