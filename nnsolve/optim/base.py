"""The optimizer protocol and plain SGD."""
from __future__ import annotations

from ..engine.computation import Computation, Node, Symbol
from ..engine.formula import Formula

OPTIMIZERS: dict[str, type["Optimizer"]] = {}


def register(name: str):
    def deco(cls):
        OPTIMIZERS[name] = cls
        return cls
    return deco


class Optimizer:
    title = "optimizer"

    def __init__(self, spec, comp: Computation, solver):
        self.spec = spec
        self.comp = comp
        self.solver = solver
        self._hyper: dict[str, Node] = {}

    def hyper(self, name: str, latex: str, text: str, value) -> Node:
        """A hyperparameter, recorded once as a given so formulas can show it by name."""
        if name not in self._hyper:
            self._hyper[name] = self.comp.given(name, Symbol(latex, text), value)
        return self._hyper[name]

    def new_symbol(self, param: Node, step: int) -> Symbol:
        base = param.symbol
        latex = base.latex.split("^{[")[0]
        text = base.text.split("[")[0]
        return Symbol(rf"{latex}^{{[{step}]}}", f"{text}[{step}]")

    @staticmethod
    def base_id(param_id: str) -> str:
        return param_id.split("(")[0]

    def step(self, step: int, params: dict[str, Node], grads: dict[str, Node]) -> dict[str, Node]:
        raise NotImplementedError


@register("sgd")
class SGD(Optimizer):
    title = "SGD, w ← w − η ∂L/∂w"

    def step(self, step, params, grads):
        eta = self.hyper("eta", r"\eta", "η", self.spec.lr)
        new = {}
        for key, w in params.items():
            g = grads[key]
            value = w.value - eta.value[()] * g.value
            formula = Formula(r"{0} - {1} {2}", "{0} − {1}·{2}", (w.id, eta.id, g.id))
            new[key] = self.comp.derived(f"{key}({step})", self.new_symbol(w, step), value, formula, "update")
        return new
