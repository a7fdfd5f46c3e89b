"""A convolution with unknown kernel entries: the linear system its known outputs give, solved exactly."""
from .. import Family
from .consistency import consistency
from .schema import ConvUnknownsProblem
from .solver import solve_unknowns

FAMILY = Family(
    "conv_unknowns", ConvUnknownsProblem, consistency, solve_unknowns,
    ask_groups={"unknowns": "the unknown entries' values, or why they have none or many"}, default_ask=("unknowns",),
    golden=("examples/bits-001/es-1e-solve-filter-entries.yaml",),
)
