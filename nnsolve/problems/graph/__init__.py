"""Computation graphs: an expression split into primitive nodes, evaluated forward, differentiated backward."""
from .. import Family
from .schema import GraphProblem, consistency
from .dot import to_dot
from .solver import solve_graph

__all__ = ["FAMILY", "to_dot"]
FAMILY = Family("computation_graph", GraphProblem, consistency, solve_graph)
