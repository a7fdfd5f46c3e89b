"""Computation graphs: an expression split into primitive nodes, evaluated forward, differentiated backward."""
from .. import Family, lazy
from .schema import GraphProblem, consistency
from .solver import solve_graph

FAMILY = Family(
    "computation_graph", GraphProblem, consistency, solve_graph,
    ask_groups={"forward": "every node's value", "local": "each node's local derivatives",
                "backward": "the chain rule at every node", "gradients": "the derivative of the output in each input",
                "formulas": "the derivatives asked as formulas"},
    default_ask=lambda problem, solution: ["forward", "gradients"] + (["formulas"] if solution.groups["formulas"] else []),
    picture=lazy(".graph.picture", "to_dot"),
    golden=("tests/render/cases/relu-computation-graph.yaml",),
)
