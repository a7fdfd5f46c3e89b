"""Optimizers: each turns parameters and their gradients into new parameters, recording every
intermediate (velocity, moments, step sizes) as a named quantity with its formula.

Quantity ids an optimizer adds (for parameter W1; the same for every W and b; s = the update's number):
  W1(s)                        the parameter after update s
  eta, beta, beta1, beta2, rho, eps, eta_plus, eta_minus, step_init, step_min, step_max
                               hyperparameters (givens); v0, m0, s0, G0 initial states (givens)
  v.W1(s)                      momentum / Nesterov velocity
  W1(ahead<s>)                 Nesterov look-ahead weights w + β·v (look-ahead form), and the pass at them:
                               u1(ahead<s>), loss(ahead<s>), dL/dW1(ahead<s>) …
  G.W1(s)                      Adagrad's sum of squared gradients
  s.W1(s)                      RMSProp's / Adam's running mean of squared gradients
  m.W1(s)                      Adam's running mean of gradients; m_hat.W1(s), s_hat.W1(s) bias-corrected
  sign.W1(s), step.W1(s), g.W1(s), change.W1(s)
                               Rprop: sign(g_prev·g), step sizes Δ, the remembered gradient, the change Δw
  error, error(s), change.W1(s)
                               perceptron rule: t − y of each pass, and the change η·x·eᵀ
Which rule each variant follows is stated in its module and in the solution's conventions header.
"""
from __future__ import annotations

from . import adaptive, momentum, perceptron, rprop  # noqa: F401  (each registers its optimizers)
from .base import OPTIMIZERS, LookAhead, Optimizer, Pass, look_ahead_symbol


def make_optimizer(spec, comp, solver) -> Optimizer:
    return OPTIMIZERS[spec.type](spec, comp, solver)


__all__ = ["make_optimizer", "Optimizer", "OPTIMIZERS", "Pass", "LookAhead", "look_ahead_symbol"]
