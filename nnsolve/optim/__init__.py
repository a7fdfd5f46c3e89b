"""Optimizers: each turns parameters and their gradients into new parameters, recording every
intermediate (velocity, moments, step sizes) as a named quantity with its formula."""
from __future__ import annotations

from .base import OPTIMIZERS, Optimizer


def make_optimizer(spec, comp, solver) -> Optimizer:
    return OPTIMIZERS[spec.type](spec, comp, solver)


__all__ = ["make_optimizer", "Optimizer", "OPTIMIZERS"]
