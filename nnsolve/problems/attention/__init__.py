"""Scaled dot-product attention on explicit numbers: self- or cross-attention, masks, several heads,
the output projection, the backward pass to X and every weight, a loss and optimizer updates."""
from .. import Family, lazy
from ...training.pipeline import GROUPS
from .consistency import consistency
from .schema import AttentionProblem
from .solver import solve_attention

FAMILY = Family(
    "attention", AttentionProblem, consistency, solve_attention,
    ask_groups=GROUPS, default_ask=("output", "loss", "input_gradient", "gradients", "update"),
    alternatives=lazy(".attention.checker", "alternatives"),
    locate=lazy("..training.alternatives", "locate"),
    golden=("tests/render/cases/attention-two-heads.yaml",),
)
