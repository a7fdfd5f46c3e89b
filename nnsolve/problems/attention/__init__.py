"""Scaled dot-product attention on explicit numbers: self- or cross-attention, masks, several heads,
the output projection, the backward pass to X and every weight, a loss and optimizer updates."""
from .. import lazy
from ...training.pipeline import training_family
from .consistency import consistency
from .schema import AttentionProblem
from .solver import solve_attention

FAMILY = training_family(
    "attention", AttentionProblem, consistency, solve_attention,
    default_ask=("output", "loss", "input_gradient", "gradients", "update"),
    alternatives=lazy(".attention.checker", "alternatives"),
    golden=("tests/render/cases/attention-two-heads.yaml",),
)
