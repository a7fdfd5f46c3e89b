"""Boolean functions with threshold units: linear separability, one perceptron, or a two-layer network."""
from .. import Family
from .schema import BooleanProblem, consistency
from .solver import solve_boolean

FAMILY = Family(
    "boolean_network", BooleanProblem, consistency, solve_boolean,
    ask_groups={"result": "what the problem asks for: separability, the weights found, the network and its checks"},
    default_ask=("result",),
    golden=("examples/perceptron/bits-mk-q3-decision-boundary-rectangle.yaml",),
)
