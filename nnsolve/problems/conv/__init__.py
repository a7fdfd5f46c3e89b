"""Convolutional networks on explicit numbers: conv, pooling, flatten, dense; loss, backprop, updates."""
from .. import Family, lazy
from ...training.pipeline import GROUPS
from .consistency import consistency
from .schema import ConvProblem
from .solver import solve_conv

FAMILY = Family(
    "conv_network", ConvProblem, consistency, solve_conv,
    ask_groups=GROUPS, default_ask=("forward", "loss", "gradients", "update"),
    alternatives=lazy(".conv.checker", "alternatives"),
    locate=lazy(".conv.checker", "locate"),
)
