"""Architecture analysis from a YAML layer list: shapes, parameters, MACs, FLOPs, receptive fields."""
from .. import Family
from .solver import ArchitectureProblem, consistency, solve_architecture

FAMILY = Family(
    "architecture", ArchitectureProblem, consistency, solve_architecture,
    ask_groups={"totals": "the network's total parameters, MACs and FLOPs (the hidden size when that is asked)"},
    default_ask=("totals",),
    # each count is computed from the layer list, not from another count: there is nothing to recompute
    pins=False,
    golden=("examples/bits-001/es-1a-cnn-output-shapes.yaml",),
)
