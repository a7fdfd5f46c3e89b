"""The recorded computation: named quantities, evaluated eagerly, differentiated in reverse.

Every quantity a worked solution shows is a Node with an id (`u1`, `dL/dW1`, `W1(1)`), a symbol, a
formula over other ids and its exact value. A `Policy` may replace a value as it is recorded (a pinned
value, or one rounded as a person with a calculator would); because evaluation is eager, everything
recorded after it is computed from the replaced value, which is what "recompute downstream" means.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import mpmath
import numpy as np

from .formula import Formula, join
from .number import BEYOND_EXACT_RANGE, round_decimal, within_exact_range
from .symbolic import Symbolic
from .tensor import as_tensor, emap, same_shape


@dataclass(frozen=True)
class Symbol:
    latex: str
    text: str


@dataclass
class Node:
    id: str
    symbol: Symbol
    value: np.ndarray
    phase: str                      # given | forward | loss | backward | update
    op: Any = None                  # an ops.Op, or None for a given or a derived-only quantity
    inputs: tuple["Node", ...] = ()
    params: dict = field(default_factory=dict)
    formula: Formula | None = None
    note: str = ""
    differentiable: bool = False    # a leaf whose gradient is wanted (weights, biases, inputs)
    axes: tuple = ()                # shown as Step.axes and Step.expansion (a family sets them)
    expansion: tuple = ()


@dataclass
class Policy:
    """What a person does to numbers as they go: pin some to given values, round the rest."""

    round_places: int | None = None
    pins: dict[str, Any] = field(default_factory=dict)

    def settle(self, node_id: str, value: np.ndarray) -> np.ndarray:
        if node_id in self.pins:
            pinned = as_tensor(self.pins[node_id])
            if not same_shape(pinned, value):
                raise ValueError(f"pinned value for {node_id} has shape {pinned.shape}, expected {value.shape}")
            return pinned
        if self.round_places is not None:
            places = self.round_places
            # a formula, a verdict or an infinity is not a number a person rounds
            return emap(lambda v: v if isinstance(v, Symbolic) or not _finite(v) else round_decimal(v, places), value)
        return value

    def vjp(self, node: Node, index: int, grad: np.ndarray):
        """What the backward pass sends to `node`'s `index`-th input: its op's local derivative applied to `grad`
        (`check` overrides it to ask what a key that forgot one derivative got)."""
        return node.op.vjp(index, grad, node.value, *[n.value for n in node.inputs], **node.params)

    def statements(self) -> list[tuple[str, str]]:
        """What the worked solution's header says of this policy, the same words in every family."""
        out = []
        if self.pins:
            out.append(("pinned", f"{', '.join(self.pins)} taken as given; everything computed from "
                                  f"{'it' if len(self.pins) == 1 else 'them'} recomputed"))
        if self.round_places is not None:
            out.append(("rounding", f"every intermediate rounded to {self.round_places} decimals "
                                    "(half away from zero)"))
        return out


class Computation:
    """An ordered record of nodes; ids are unique and the record order is a topological order."""

    def __init__(self, policy: Policy | None = None, loss_symbol: Symbol = Symbol("L", "L")):
        self.policy = policy or Policy()
        self.loss_symbol = loss_symbol
        self.nodes: dict[str, Node] = {}
        self.order: list[Node] = []
        self.position: dict[str, int] = {}      # id → place in `order`
        self.recorded_values = 0                # numbers computed so far (givens aside): the solution's size

    # -- recording ---------------------------------------------------------------------------
    def given(self, node_id: str, symbol: Symbol, value, differentiable: bool = False, note: str = "") -> Node:
        node = Node(node_id, symbol, as_tensor(value), "given", differentiable=differentiable, note=note)
        return self._add(node)

    def apply(self, op, inputs: list[Node], node_id: str, symbol: Symbol, phase: str = "forward",
              note: str = "", display: list[Node] | None = None, **params) -> Node:
        """Evaluate `op` on the inputs' values and record the result under `node_id`.

        `display` names the quantities the formula shows when they differ from the inputs
        (a fused softmax-cross-entropy is computed from the logits but written with ŷ).
        """
        try:
            value = op.forward(*[n.value for n in inputs], **params)
        except ValueError as e:
            blame(e, node_id)
            raise
        value, note = self._settle(node_id, as_tensor(value), note or op.note(**params))
        shown = display if display is not None else inputs
        formula = op.formula(*[n.id for n in shown], **params)
        node = Node(node_id, symbol, value, phase, op, tuple(inputs), params, formula, note)
        return self._add(node)

    def derived(self, node_id: str, symbol: Symbol, value, formula: Formula, phase: str, note: str = "") -> Node:
        """A quantity shown with its formula but not differentiated through (an optimizer's new weight)."""
        value, note = self._settle(node_id, as_tensor(value), note)
        return self._add(Node(node_id, symbol, value, phase, formula=formula, note=note))

    def _settle(self, node_id: str, value: np.ndarray, note: str) -> tuple[np.ndarray, str]:
        """The value as recorded: as the policy has it (pinned, rounded), and within the exact range (a
        rational of more than EXACT_DIGITS digits becomes a 50-digit number, and the step says so)."""
        value, inexact = within_exact_range(self.policy.settle(node_id, value))
        if inexact:
            note = f"{note}; {BEYOND_EXACT_RANGE}" if note else BEYOND_EXACT_RANGE
        return value, note

    def _add(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise KeyError(f"quantity {node.id!r} recorded twice")
        self.nodes[node.id] = node
        self.position[node.id] = len(self.order)
        self.order.append(node)
        if node.phase != "given":
            self.recorded_values += node.value.size
        return node

    # -- reverse mode ------------------------------------------------------------------------
    def gradient_id(self, node: Node) -> str:
        return f"d{self.loss_symbol.text}/d{node.id}"

    def _gradient_id(self, node: Node, suffix: str) -> str:
        """`suffix` tells apart the gradients of quantities shared by several passes (x, t); a quantity
        of one pass (u1(2)) already carries it."""
        return self.gradient_id(node) + ("" if node.id.endswith(suffix) else suffix)

    def gradient_symbol(self, node: Node) -> Symbol:
        loss = self.loss_symbol
        return Symbol(rf"\frac{{\partial {loss.latex}}}{{\partial {node.symbol.latex}}}",
                      f"∂{loss.text}/∂{node.symbol.text}")

    def backward(self, loss: Node, suffix: str = "") -> dict[str, Node]:
        """Record ∂loss/∂q for every quantity q the loss depends on, in reverse record order.

        A quantity used by several others collects one contribution from each (micrograd's `+=`),
        and its step shows them as a sum. Returns the gradient nodes by the id of their quantity.
        """
        upstream: dict[str, list[tuple[np.ndarray, Formula]]] = {loss.id: []}
        grads: dict[str, Node] = {}
        seed = Node(self._gradient_id(loss, suffix), self.gradient_symbol(loss), as_tensor(1), "backward",
                    formula=Formula("1", "1"), note="seed")
        grads[loss.id] = self._add(seed)
        ancestors = self._ancestors(loss)
        needed = self._depends_on_differentiable(ancestors)
        for node in reversed(ancestors):
            if node.id not in grads and node.id in upstream and upstream[node.id]:
                contributions = upstream[node.id]
                total = contributions[0][0]
                for value, _ in contributions[1:]:
                    total = total + value
                formula = join([f for _, f in contributions])
                grad_id = self._gradient_id(node, suffix)
                value, note = self._settle(grad_id, as_tensor(total), "")
                grad_node = Node(grad_id, self.gradient_symbol(node), value, "backward", formula=formula, note=note)
                grads[node.id] = self._add(grad_node)
            if node.id not in grads or node.op is None:
                continue
            g = grads[node.id]
            for i, child in enumerate(node.inputs):
                if child.id not in needed:
                    continue
                try:
                    value = self.policy.vjp(node, i, g.value)
                except ValueError as e:
                    blame(e, self._gradient_id(child, suffix))
                    raise
                if value is None:
                    continue
                formula = node.op.vjp_formula(i, g.id, node.id, *[n.id for n in node.inputs], **node.params)
                upstream.setdefault(child.id, []).append((as_tensor(value), formula))
        return grads

    def _ancestors(self, loss: Node) -> list[Node]:
        """The loss and every quantity it is computed from, in record order. Only these are walked: a long
        run's earlier passes end at the updated weights (derived leaves), so each pass costs its own size,
        not the size of everything recorded before it."""
        seen = {loss.id: loss}
        stack = [loss]
        while stack:
            for child in stack.pop().inputs:
                if child.id not in seen:
                    seen[child.id] = child
                    stack.append(child)
        return sorted(seen.values(), key=lambda n: self.position[n.id])

    @staticmethod
    def _depends_on_differentiable(ancestors: list[Node]) -> set[str]:
        """Ids of quantities on a path from a differentiable leaf to the loss."""
        live: set[str] = set()
        for node in ancestors:
            if node.differentiable or any(child.id in live for child in node.inputs):
                live.add(node.id)
        return live

    # -- reading -----------------------------------------------------------------------------
    def value(self, node_id: str) -> np.ndarray:
        return self.nodes[node_id].value

    def steps(self, phase: str | None = None) -> list[Node]:
        return [n for n in self.order if phase is None or n.phase == phase]

    def to_steps(self, section_of: Callable[[Node], str], givens_first: bool = True,
                 keep: frozenset[str] = frozenset()) -> list:
        """The record as a Solution's steps, each in the section `section_of` names. Givens come first (an
        optimizer's hyperparameters are recorded late; the order stays topological); the seed ∂L/∂L = 1 is
        shown only where a formula uses it, or when `keep` names it."""
        from ..solution import Step

        used = {arg for node in self.order if node.formula is not None for arg in node.formula.args}
        nodes = sorted(self.order, key=lambda n: n.phase != "given") if givens_first else self.order
        return [Step(n.id, n.symbol.latex, n.symbol.text, n.value, section_of(n), n.formula, n.note, n.axes,
                     n.expansion)
                for n in nodes if n.note != "seed" or n.id in used or n.id in keep]


class Sections:
    """Which section of the worked solution each recorded quantity belongs to: everything recorded inside
    `with sections("Forward pass"):` that no inner section claimed first."""

    def __init__(self, comp: Computation):
        self.comp = comp
        self.title: dict[str, str] = {}

    @contextmanager
    def __call__(self, title: str) -> Iterator[list[Node]]:
        start = len(self.comp.order)
        recorded: list[Node] = []
        yield recorded
        recorded.extend(self.comp.order[start:])
        for node in recorded:
            self.title.setdefault(node.id, title)

    def of(self, node: Node, default: str = "Other") -> str:
        return "Given" if node.phase == "given" else self.title.get(node.id, default)


def _finite(v) -> bool:
    return not hasattr(v, "_mpf_") or bool(mpmath.isfinite(v))


def blame(error: Exception, quantity_id: str) -> None:
    """Name on a domain error (log(0), a division by 0) the quantity it stopped, so the message can say which;
    the innermost quantity wins."""
    if getattr(error, "quantity", None) is None:
        error.quantity = quantity_id


OpFormula = Callable[..., Formula]
