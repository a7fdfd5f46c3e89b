"""Boolean functions with threshold units: linear separability, one perceptron, or a two-layer network."""
from .. import Family
from .schema import BooleanProblem, consistency
from .solver import solve_boolean

FAMILY = Family(
    "boolean_network", BooleanProblem, consistency, solve_boolean,
    ask_groups={"result": "what the problem asks for: separability, the weights found, the network and its checks"},
    default_ask=("result",),
    # each quantity is read off the function or a search, not computed from another: a pinned bias would not
    # reach its θ, nets or errors, so a pin is refused rather than shown beside values that ignore it
    pins=False,
    golden=("examples/perceptron/bits-mk-q3-decision-boundary-rectangle.yaml",),
)
