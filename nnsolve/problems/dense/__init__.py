"""Fully-connected networks: forward, loss, backprop, optimizer steps."""
from ..import Family
from .consistency import consistency
from .schema import DenseProblem
from .solver import solve_dense

FAMILY = Family("dense_network", DenseProblem, consistency, solve_dense)
