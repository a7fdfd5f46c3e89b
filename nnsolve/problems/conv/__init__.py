"""Convolutional networks on explicit numbers: conv, pooling, flatten, dense; loss, backprop, updates."""
from .. import Family
from .consistency import consistency
from .schema import ConvProblem
from .solver import solve_conv

FAMILY = Family("conv_network", ConvProblem, consistency, solve_conv)
