"""Batch normalization (training mode) as a layer step of the explicit-number families: the dense family
normalizes a layer's pre-activation, conv_network has it as a layer of its own."""
from __future__ import annotations

from ...engine.computation import Node, Symbol
from ...engine.formula import Formula
from ...engine.tensor import emap
from ...ops import scalar
from ...ops.normalization import BATCH_MEAN, BATCH_VARIANCE, NORMALIZE, SCALE_SHIFT

STATEMENT = ("training mode, statistics of the given batch, " + BATCH_MEAN.note().removeprefix("mean ")
             + "; variance biased (÷ m, not m − 1); x̂ = (x − μ)/√(σ² + ε), then γ x̂ + β")


def greek(solver, latex: str, text: str, i: int, s=0) -> Symbol:
    """A layer-indexed symbol whose LaTeX and text spellings differ (μ, σ², x̂, γ, β)."""
    return Symbol(solver.sym(latex, i, s).latex, solver.sym(text, i, s).text)


def batch_norm_parameters(solver, i: int, spec, params: dict) -> None:
    """γ_i and β_i as differentiable givens, so gradients and optimizer updates reach them."""
    for name, latex, text in (("gamma", r"\gamma", "γ"), ("beta", r"\beta", "β")):
        params[f"{name}{i}"] = solver.comp.given(f"{name}{i}", greek(solver, latex, text, i),
                                                 getattr(spec, name), differentiable=True)


def batch_norm_steps(solver, i: int, h: Node, gamma: Node, beta: Node, eps, s, out_id: str, out_sym: Symbol) -> Node:
    """Batch normalization of h (training mode) as a person writes it: μ, σ², σ, x̂, then γ x̂ + β (shared with
    the dense family, which normalizes the pre-activation)."""
    comp, suf = solver.comp, solver.suffix(s)
    mu = comp.apply(BATCH_MEAN, [h], f"mu{i}{suf}", greek(solver, r"\mu", "μ", i, s))
    var = comp.apply(BATCH_VARIANCE, [h, mu], f"var{i}{suf}", greek(solver, r"{\sigma^2}", "σ²", i, s))
    comp.derived(f"sigma{i}{suf}", greek(solver, r"\sigma", "σ", i, s), emap(scalar.sqrt, var.value),
                 Formula(r"\sqrt{ {0} }", "√{0}", (var.id,)), "forward", note="the batch's standard deviation")
    xhat = comp.apply(NORMALIZE, [h, mu, var], f"xhat{i}{suf}", greek(solver, r"\hat{x}", "x̂", i, s), eps=eps)
    return comp.apply(SCALE_SHIFT, [xhat, gamma, beta], out_id, out_sym)


