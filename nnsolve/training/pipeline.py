"""The one training pipeline: forward → loss → backward → optimizer updates, for several steps.

A family that trains subclasses `Trainer` and supplies what is particular to it: its givens (inputs,
targets, parameters), its forward pass (which returns the predictions the loss compares with targets),
its notation and its own convention lines. Everything else — the loss, the backward pass, each
optimizer's update, the passes after each update, the look-ahead pass of Nesterov's form, the section of
every step, the `ask` groups and the header lines they share — is here, once.

Quantity ids after optimizer update s carry the suffix `(s)` (W1(1), u1(1), dL/dW1(1)); the look-ahead
pass of update k the suffix `(ahead<k>)`.
"""
from __future__ import annotations

import re

from ..engine.computation import Computation, Node, Policy, Sections, Symbol
from ..engine.number import beyond_double, decimal_string, to_mpf
from ..engine.symbolic import DIVERGES
from ..limits import MAX_RECORDED_VALUES
from ..optim import LookAhead, Pass, look_ahead_symbol, make_optimizer
from ..optim.base import step_mark
from ..problems.common import solution_of
from ..problems.errors import Issue, ProblemError
from ..solution import Solution
from .activation import Activations
from .givens import fit_upstream, frozen_parameters
from .loss import LossBuilder, Prediction, upstream_objective

# a family's header lines about gradients, and about its loss: stated only when that was worked
BACKWARD_CONVENTIONS = {"gradient layout", "BPTT"}
LOSS_CONVENTIONS = {"loss at"}
ELEMENT = re.compile(r"(\[\d+\])+$")
AFTER_UPDATE = re.compile(r"\((\d+)\)$")
SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# the groups every training family answers; a family may add its own (dense: deltas)
GROUPS = {
    "forward": "every quantity of the forward pass at the given weights",
    "loss": "the loss (and its terms: data_loss, penalty, the loss of each time step)",
    "gradients": "the gradient of every weight and bias (dL/dW1, dL/db1, …)",
    "input_gradient": "the gradient at the inputs (dL/dx, …)",
    "update": "the weights and biases after the last optimizer step (W1(s), b1(s), …)",
}


class Trainer:
    kind = ""                              # the family's name in the registry
    forward_title = "Forward pass"
    backward_title = "Backward pass"
    sequence = False                       # one loss term per time step, summed
    diverged_at: int | None = None         # the update after which the run left double precision
    # what was worked, so that only the conventions that apply are stated
    backward_done = False
    loss_built = False
    updates_made = 0
    vectors = "column"

    def __init__(self, problem, policy: Policy | None, loss_symbol: Symbol = Symbol("L", "L")):
        self.p = problem
        self.comp = Computation(policy or Policy(), loss_symbol)
        self.sections = Sections(self.comp)
        self.activations = Activations(self.comp, getattr(problem, "conventions", None))
        self.batched = False
        self.inputs: list[Node] = []       # the givens whose gradient is input_gradient
        self.groups: dict[str, list[str]] = {}
        self.meta: dict = {}
        self.losses: LossBuilder | None = LossBuilder(self) if problem.loss is not None else None
        self.optimizer = None
        self.upstream: Node | None = None     # the given ∂L/∂output, when the file gives it instead of a loss
        self.frozen: list[str] = []           # the parameters not trained

    # -- what a family supplies ----------------------------------------------------------------------
    def record_givens(self) -> dict[str, Node]:
        """Record the inputs (into self.inputs), the targets and the parameters; return the parameters by key."""
        raise NotImplementedError

    def forward(self, params: dict[str, Node], s) -> tuple[Node, list[Prediction]]:
        """Record one forward pass at `params`; return its output and what the loss compares."""
        raise NotImplementedError

    def family_conventions(self) -> list[tuple[str, str]]:
        """The family's own header lines (layouts, cell equations …), stated before the shared ones."""
        return []

    def aliases(self, updates: int) -> dict[str, str]:
        return {}

    def delta_ids(self) -> list[str]:
        """The gradients at the pre-activations (the `deltas` group), for families that name them."""
        return []

    def objective(self, output: Node, predictions: list[Prediction], params: dict, s) -> Node | None:
        """What the backward pass starts from: the loss, a given ∂L/∂output (`upstream`), or something else a
        family minimises."""
        if self.upstream is not None:
            return upstream_objective(self.comp, output, fit_upstream(self.upstream, output), self.suffix(s),
                                      self.loss_part_symbol(None, s))
        if self.losses is None or not predictions:
            return None
        self.loss_built = True
        return self.losses.build(predictions, s, params)

    def penalized(self, params: dict[str, Node], include_biases: bool) -> list[str]:
        """The parameters a penalty covers: the weights, and the biases when asked."""
        return [key for key in params if self.role(key) == "weight" or (include_biases and self.role(key) == "bias")]

    def role(self, key: str) -> str:
        """weight | bias | scale (batch norm's γ, β: never penalised)."""
        if key.startswith(("gamma", "beta")):
            return "scale"
        return "bias" if key.startswith("b") else "weight"

    def output_activations(self) -> set:
        return set()

    def after_training(self) -> None:
        """Anything the family records after the passes and updates (attention's parameter counts)."""

    # -- notation -----------------------------------------------------------------------------------
    def sym(self, base: str, index=None, s=0) -> Symbol:
        """base with a subscript index, and ⁽ˢ⁾ after update s (a tilde at a look-ahead point)."""
        if isinstance(s, LookAhead):
            return look_ahead_symbol(self.sym(base, index), s.update)
        latex, text = base, base
        if index is not None:
            latex, text = f"{base}_{{{index}}}", base + str(index).translate(SUBSCRIPT)
        if s:
            latex, text = step_mark(latex, text, s)
        return Symbol(latex, text)

    def sym_plain(self, latex: str, text: str, s=0, index=None) -> Symbol:
        """A symbol whose LaTeX and text spellings differ (Ω, ŷ), indexed like `sym`."""
        return Symbol(self.sym(latex, index, s).latex, self.sym(text, index, s).text)

    def loss_part_symbol(self, part, s) -> Symbol:
        """L; L_data with a penalty; L_t for the term of time step t."""
        loss = self.comp.loss_symbol
        if part == "data":
            return self.sym_plain(rf"{loss.latex}_{{\text{{data}}}}", f"{loss.text}_data", s)
        return self.sym_plain(loss.latex, loss.text, s, part)

    @staticmethod
    def suffix(s) -> str:
        return f"({s})" if s else ""

    @staticmethod
    def after(s) -> str:
        if isinstance(s, LookAhead):
            return f" (look-ahead point of update {s.update})"
        return f" (after update {s})" if s else ""

    # -- the pipeline --------------------------------------------------------------------------------
    def solve(self) -> Solution:
        params = self.record_givens()
        self.parameter_keys = list(params)
        self._record_upstream()
        self._freeze(params)
        if self.p.optimizer is not None:
            # at least a gradient and a new value for every parameter at every update: refused before any of it
            parameters = sum(node.value.size for node in params.values())
            self._check_work(self.p.optimizer.steps, 0, 2 * parameters, f"{parameters:,} parameters")
        updates = self.train(params)
        self.after_training()
        return self.solution(updates)

    def _record_upstream(self) -> None:
        given = getattr(self.p, "upstream", None)
        if given is not None:
            self.upstream = self.comp.given("G", Symbol("G", "G"), given)

    def frozen_keys(self) -> list[tuple[str, str]]:
        """(place in the file, id) of every parameter the file says is not trained; a family adds its own
        spellings (a dense layer's `trainable: false`)."""
        return [(f"frozen[{i}]", name) for i, name in enumerate(getattr(self.p, "frozen", []))]

    def _freeze(self, params: dict[str, Node]) -> None:
        """A frozen parameter is a plain given: the backward pass gives it no gradient, no update changes it."""
        self.frozen = frozen_parameters(params, self.frozen_keys(), self.role)
        for key in self.frozen:
            params[key].differentiable = False

    def train(self, params: dict[str, Node]) -> int:
        """Pass 0 at the given weights, then each update k and the pass after it; returns the update count.
        A run whose parameters or loss leave the range of double precision stops there, with the verdict."""
        spec = self.p.optimizer
        self.optimizer = make_optimizer(spec, self.comp, self) if spec else None
        if self.optimizer is not None:
            self.optimizer.check_state_keys({k: w for k, w in params.items() if k not in self.frozen})
        updates = spec.steps if spec else 0
        recorded = [self.comp.recorded_values]
        for s in range(updates + 1):
            if s and s == updates and not self._wants_last_pass(s):
                break
            # without an optimizer the gradients are the point, unless `ask` names only other things
            gradients = (not updates and not self.p.ask) or self._wants_gradients(s) or (
                s < updates and self.optimizer.needs_gradients(s + 1))
            at = self._pass(params, s, gradients)
            if at is None or s == updates:
                break
            if s and self._diverges(s, {"the loss": at.loss}):
                break
            recorded.append(self.comp.recorded_values)
            if s == 1:
                self._check_work(updates, recorded[1], recorded[2] - recorded[1], "this problem")
            params = self._update(s + 1, params, at)
            if s + 1 == updates:
                self.groups["update"] = [node.id for node in params.values() if node.phase == "update"]
            if self._diverges(s + 1, {key: w for key, w in params.items() if w.phase == "update"}):
                break
        return updates

    def _diverges(self, k: int, watched: dict[str, Node]) -> bool:
        """Record the verdict `diverges` if a watched value (a parameter after update k, or the loss at its
        weights) has left the range of double precision, and stop the run there."""
        gone = [(name, node) for name, node in watched.items() if any(map(beyond_double, node.value.reshape(-1)))]
        if not gone:
            return False
        name, node = gone[0]
        what = f"{node.id} = {self._first_beyond(node)}" if name == "the loss" else \
            f"{', '.join(n.id for _, n in gone)} ({node.id} reaches {self._first_beyond(node)})"
        with self.sections("Convergence"):
            verdict = self.comp.derived("convergence", Symbol(r"\text{convergence}", "convergence"), DIVERGES, None,
                                        "update", f"after update {k}, {what}: beyond the range of double precision "
                                        "(|x| > 1.8·10^308, where a float64 run overflows); the updates stop here")
        self.diverged_at = k
        self.groups["update"] = [verdict.id]
        return True

    @staticmethod
    def _first_beyond(node: Node) -> str:
        return decimal_string(to_mpf(next(v for v in node.value.reshape(-1) if beyond_double(v))), 5)

    def _check_work(self, updates: int, first_pass: int, per_update: int, what: str) -> None:
        """Refuse a run whose updates would record more than MAX_RECORDED_VALUES numbers in all (every value of
        every step, each entry counted): up front from the parameters (each update records a gradient and a new value
        for each), and after the first update from what it recorded (each later update costs about as much: its own
        numbers and the pass after it). One update is always allowed: how large a single pass may be is each family's
        limit. Past the limit a worked solution is megabytes of text and seconds of exact arithmetic: 1,000 Adam
        updates of one weight and a bias (≈ 18,000) fit; 1,000 of a 4-8-1 network (≈ 334,000) are refused before the
        first one."""
        estimate, most = first_pass + updates * per_update, MAX_RECORDED_VALUES.value
        if updates <= 1 or estimate <= most:
            return
        fitting = max((most - first_pass) // max(per_update, 1), 1)
        # before the first update the count is a lower bound, so the steps that fit are only an upper bound
        fewer = f"give at most {fitting:,} step{'s' if fitting > 1 else ''}" if first_pass else "give fewer steps"
        raise ProblemError([Issue("optimizer.steps", f"too many steps: {updates:,} updates of {what} record at least "
                                  f"{estimate:,} numbers ({per_update:,} per update); at most "
                                  f"{most:,} are worked exactly — {fewer}, or run this one in floating point "
                                  f"{MAX_RECORDED_VALUES.hint}")])

    def _pass(self, params: dict[str, Node], s, gradients: bool) -> Pass | None:
        """Forward pass and loss at `params`, then the backward pass if `gradients`; None without a loss."""
        with self.sections(self.forward_title + self.after(s)) as forward:
            output, predictions = self.forward(params, s)
        if s == 0 and self._only_forward_named(forward):
            self.groups["forward"] = [n.id for n in forward if n.phase != "given"]
            return None
        with self.sections("Loss" + self.after(s)) as loss_steps:
            loss = self.objective(output, predictions, params, s)
        if s == 0:
            self.groups["forward"] = [n.id for n in forward if n.phase != "given"]
            self.groups["loss"] = [n.id for n in loss_steps]
        if loss is None:
            return None
        grads = {}
        if gradients:
            with self.sections(self.backward_title + self.after(s)):
                by_quantity = self.comp.backward(loss, self.suffix(s))
            self.backward_done = True
            # a parameter the loss does not reach (an RNN's output weights at a step without a target) has none
            grads = {key: by_quantity[param.id] for key, param in params.items() if param.id in by_quantity}
            if s == 0:
                self.groups["gradients"] = [g.id for g in grads.values()]
                self.groups["input_gradient"] = [by_quantity[x.id].id for x in self.inputs if x.id in by_quantity]
        target = predictions[0].target if predictions else None
        return Pass(self.inputs[0] if self.inputs else None, target, output, loss, grads)

    def _update(self, k: int, params: dict[str, Node], at: Pass) -> dict[str, Node]:
        """Update k: the pass at the optimizer's look-ahead weights if it has them, then its step. Only the
        parameters the loss reaches are updated; the others keep their value."""
        optimizer = self.optimizer
        optimizer.current = k
        self.updates_made = k
        trained = {key: w for key, w in params.items() if key not in self.frozen}
        with self.sections("Look-ahead weights" + self.after(LookAhead(k))):
            shifted = optimizer.lookahead(k, trained)
        ahead = self._pass(params | shifted, LookAhead(k), True) if shifted else None
        with self.sections(f"Update {k}: {optimizer.title}"):
            grads = (ahead or at).grads
            reached = trained if not optimizer.needs_gradients(k) else \
                {key: w for key, w in trained.items() if key in grads}
            return params | optimizer.step(k, reached, at, ahead)

    def _named(self) -> list[str]:
        """What `ask`, the answers and the pins name, without element addresses like [0][1]."""
        pins = getattr(self.comp.policy, "pins", None) or {}
        return [ELEMENT.sub("", str(a)) for a in [*self.p.answers, *self.p.ask, *pins]]

    def _only_forward_named(self, forward: list[Node]) -> bool:
        """A forward-only question ("compute the output"): `ask` (and the answers and pins) name only givens
        and quantities of the first forward pass, so no loss, backward pass or update is worked. Without `ask`
        the question is the family's default ask, which is the whole training step."""
        named = self._named()
        if not self.p.ask:          # the family's default ask: the whole training step
            return False
        known = {n.id for n in forward} | {n.id for n in self.comp.order if n.phase == "given"} | {"forward"}
        aliases = self.aliases(0)
        return all(name in known or aliases.get(name) in known for name in named)

    def asks_beyond_training(self) -> bool:
        """Whether `ask`, the answers or the pins name something the passes and updates did not record (a
        family's extra, such as attention's parameter counts)."""
        named = self._named()
        aliases = self.aliases(self.p.optimizer.steps if self.p.optimizer else 0)
        groups = set(GROUPS) | {"deltas"}
        return any(name not in self.comp.nodes and name not in groups and aliases.get(name) not in self.comp.nodes
                   for name in named)

    def _wants_last_pass(self, s: int) -> bool:
        """The forward pass and loss after the last update: part of a full worked solution, but when `ask` or
        the answers say what is wanted, only if they name a quantity of that pass; the updated weights
        alone may leave the loss undefined (a BCE of an output above 1)."""
        named = self._named()
        if not named:
            return True
        keys = set(self.parameter_keys)
        return any(a.endswith(f"({s})") and a.removesuffix(f"({s})") not in keys for a in named)

    def _wants_gradients(self, s: int) -> bool:
        """Whether `ask` or the answers name a gradient of pass s."""
        named = self._named()
        if s == 0 and any(a in ("gradients", "deltas", "input_gradient") for a in named):
            return True
        return any(("/d" in a or a.startswith("delta")) and (a.endswith(f"({s})") if s else "(" not in a)
                   for a in named)

    # -- the solution --------------------------------------------------------------------------------
    def shared_conventions(self) -> list[tuple[str, str]]:
        """Only what was worked states its conventions: the kinks' derivatives with a backward pass, the loss
        once it is computed, the optimizer once it updates."""
        out = self.activations.statements() if self.backward_done else []
        if self.upstream is not None and self.backward_done:
            out.append(("backward", "from the given G = ∂L/∂output (L = Σ G ⊙ output)"))
        if self.frozen and self.backward_done:
            out.append(("frozen", f"{', '.join(self.frozen)} not trained: no gradient"
                                  + (", no update" if self.optimizer is not None else "")))
        if self.losses is not None and self.loss_built:
            out += [line for line in self.losses.statements(self.sequence, self.output_activations())
                    if self.backward_done or line[0] not in ("output gradient", "output delta")]
        if self.optimizer is not None and self.updates_made:
            out += self.optimizer.conventions()
        return out

    def _aliases(self, updates: int) -> dict[str, str]:
        """The family's aliases; after a divergence, what `ask` and the answers name past it is the verdict."""
        aliases = self.aliases(updates)
        if self.diverged_at is None:
            return aliases
        for name in self._named():
            after = AFTER_UPDATE.search(name)
            if after and int(after.group(1)) >= self.diverged_at and aliases.get(name, name) not in self.comp.nodes:
                aliases[name] = "convergence"
        return aliases

    def solution(self, updates: int) -> Solution:
        deltas = [i for i in self.delta_ids() if i in self.comp.nodes]
        if deltas:
            self.groups["deltas"] = deltas
        steps = self.comp.to_steps(self.sections.of)
        family = [line for line in self.family_conventions()
                  if (self.backward_done or line[0] not in BACKWARD_CONVENTIONS)
                  and (self.loss_built or line[0] not in LOSS_CONVENTIONS)]
        return solution_of(self.p, self.kind, family + self.shared_conventions(), steps,
                           policy=self.comp.policy, aliases=self._aliases(updates), groups=self.groups,
                           meta=self.meta, vectors=self.vectors)


def training_family(name: str, schema, consistency, solver, default_ask=("forward", "loss", "gradients", "update"),
                    groups: dict[str, str] | None = None, **extra):
    """The registry entry of a family that trains: the shared ask groups (and the family's own), the shared
    place of a training quantity in the file unless the family knows better, and what the family adds."""
    from ..problems import Family, lazy
    extra.setdefault("locate", lazy("..training.alternatives", "locate"))
    return Family(name, schema, consistency, solver, ask_groups={**GROUPS, **(groups or {})}, default_ask=default_ask,
                  **extra)
