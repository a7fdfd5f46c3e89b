"""Architecture analysis from a YAML layer list: shapes, parameters, MACs, FLOPs, receptive fields."""
from .. import Family
from .solver import ArchitectureProblem, consistency, solve_architecture

FAMILY = Family("architecture", ArchitectureProblem, consistency, solve_architecture)
