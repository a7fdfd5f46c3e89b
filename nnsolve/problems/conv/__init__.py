"""Convolutional networks on explicit numbers: conv, pooling, flatten, dense; loss, backprop, updates."""
from .. import lazy
from ...training.pipeline import training_family
from .consistency import consistency
from .schema import ConvProblem
from .solver import solve_conv

FAMILY = training_family(
    "conv_network", ConvProblem, consistency, solve_conv,
    alternatives=lazy(".conv.checker", "alternatives"),
    locate=lazy(".conv.checker", "locate"),
    golden=("examples/conv/conv-relu-maxpool.yaml",),
)
