"""The one loss builder: a family's predictions and targets in, the loss (and its parts) recorded out.

Every family that trains hands over `Prediction`s — an output ŷ, the target t it is compared with, the
pre-activation of ŷ when it has one (so that sigmoid + BCE and softmax + CE can back-propagate ŷ − t
straight to it) and the name of the output activation. Several predictions (one per time step) are
summed; a penalty is added on top. Every loss type the schema accepts is built here, so a family can
neither forget one nor compute a different one.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..engine.computation import Node, Symbol
from ..engine.number import exact_string, format_number
from ..ops.activations import ACTIVATIONS, SOFTMAX
from ..engine.formula import Formula
from ..ops.base import Add, Op
from ..ops.scalar import DomainError
from ..ops.losses import BINARY_CROSS_ENTROPY, CROSS_ENTROPY, GAUSSIAN_NLL, PENALTY, SQUARED_ERROR, loss_scale
from .activation import PROBABILITIES
from .schema import Loss, Penalty

ADD = Add()
PRESETS = {  # type → (kind, half, over_outputs, over_samples)
    "sse": ("squared_error", False, "sum", "sum"),
    "squared_error": ("squared_error", False, "sum", "sum"),
    "half_sse": ("squared_error", True, "sum", "sum"),
    "mse": ("squared_error", False, "mean", "mean"),
    "bce": ("binary_cross_entropy", False, "sum", "sum"),
    "binary_cross_entropy": ("binary_cross_entropy", False, "sum", "sum"),
    "cross_entropy": ("cross_entropy", False, "sum", "sum"),
    "categorical_cross_entropy": ("cross_entropy", False, "sum", "sum"),
    "gaussian_nll": ("gaussian_nll", False, "sum", "sum"),
}
LOG_LOSSES = ("binary_cross_entropy", "cross_entropy")
# the activation a cross-entropy applies inside itself with from_logits, and the one it fuses with
INSIDE = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}
PROBABILITY_SUM_SLACK = Fraction(2, 100)


@dataclass(frozen=True)
class LossSetting:
    """A loss preset with the file's overrides applied."""

    kind: str                 # squared_error | binary_cross_entropy | cross_entropy | gaussian_nll
    half: bool
    over_outputs: str
    over_samples: str
    spec: Loss

    @classmethod
    def of(cls, spec: Loss) -> "LossSetting":
        kind, half, outputs, samples = PRESETS[spec.type]
        return cls(kind, spec.half if spec.half is not None else half, spec.over_outputs or outputs,
                   spec.over_samples or samples, spec)

    def statement(self, sequence: bool = False) -> str:
        """The header's line for this loss."""
        spec = self.spec
        if self.kind == "squared_error":
            text = f"squared error {'with' if self.half else 'without'} ½, {self.over_outputs} over outputs"
        elif self.kind == "gaussian_nll":
            text = f"Gaussian negative log-likelihood, σ = {exact_string(spec.sigma)}, natural log"
        else:
            base = "natural log" if spec.log_base == "e" else f"log base {spec.log_base}"
            clamp = f", log(0) ≈ {exact_string(spec.log_zero)}" if spec.log_zero is not None else ""
            inside = f", {INSIDE[self.kind]} applied inside the loss (from logits)" if spec.from_logits else ""
            text = f"{self.kind.replace('_', ' ')}{inside}, {base}{clamp}, {self.over_outputs} over outputs"
        if sequence:
            return text + ", summed over the time steps with a target"
        return text + f", {self.over_samples} over samples"


@dataclass(frozen=True)
class Prediction:
    """One output compared with one target."""

    output: Node                       # ŷ (the raw scores when the loss is from logits)
    target: Node                       # t
    logits: Node | None = None         # the pre-activation of ŷ, where a fused gradient can go
    activation: str | None = None      # the output's activation (canonical name); None: given numbers
    step: int | None = None            # the time step of a sequence's term (ids loss1, loss2 …)


class LossBuilder:
    """Records the loss of a trainer's predictions: each term, their sum, the penalty, the total."""

    def __init__(self, trainer):
        self.trainer = trainer
        self.comp = trainer.comp
        self.setting = LossSetting.of(trainer.p.loss)
        self.fused_used = False

    def build(self, predictions: list[Prediction], s, params: dict) -> Node:
        trainer, suffix = self.trainer, self.trainer.suffix(s)
        penalty: Penalty | None = getattr(trainer.p, "penalty", None)
        total_id = f"data_loss{suffix}" if penalty else f"loss{suffix}"
        total_symbol = trainer.loss_part_symbol("data", s) if penalty else trainer.loss_part_symbol(None, s)
        if len(predictions) == 1:
            data = self.term(predictions[0], total_id, total_symbol, s)
        else:
            terms = [self.term(p, f"loss{p.step}{suffix}", trainer.loss_part_symbol(p.step, s), s)
                     for p in predictions]
            data = self.comp.apply(ADD, terms, total_id, total_symbol, phase="loss",
                                   note="the sequence's loss: the sum of its steps' terms")
        if penalty is None:
            return data
        weights = [params[key] for key in trainer.penalized(params, penalty.include_biases)]
        strength = penalty.strength / 2 if penalty.half and penalty.type == "l2" else penalty.strength
        term = self.comp.apply(PENALTY, weights, f"penalty{suffix}", trainer.sym_plain(r"\Omega", "Ω", s),
                               phase="loss", kind=penalty.type, strength=strength)
        return self.comp.apply(ADD, [data, term], f"loss{suffix}", trainer.loss_part_symbol(None, s), phase="loss")

    def term(self, p: Prediction, node_id: str, symbol: Symbol, s) -> Node:
        op, inputs, params, display = self.term_op(p, s, node_id)
        if self.setting.spec.output_delta is not None:
            # the exam's δ = ŷ − t goes to the output's pre-activation (ŷ itself when it has none)
            y, t = display
            at = p.logits if p.logits is not None and not self.setting.spec.from_logits else \
                (p.output if self.setting.spec.from_logits else y)
            return self.comp.apply(PRESCRIBED_DELTA, [at, *inputs], node_id, symbol, phase="loss",
                                   display=[at, *display], inner=op, inner_params=params)
        return self.comp.apply(op, inputs, node_id, symbol, phase="loss", display=display, **params)

    def term_op(self, p: Prediction, s, node_id: str) -> tuple:
        """The loss op of one prediction: (op, inputs, parameters, the quantities its formula shows: ŷ and t)."""
        setting, spec, comp = self.setting, self.setting.spec, self.comp
        samples = p.output.value.shape[0] if self.trainer.batched and p.output.value.ndim else 1
        outputs = max(p.output.value.size // samples, 1)
        scale = loss_scale(setting.half and setting.kind == "squared_error", setting.over_outputs,
                           setting.over_samples, outputs, samples)
        if setting.kind == "squared_error":
            return SQUARED_ERROR, [p.output, p.target], {"scale": scale}, [p.output, p.target]
        if setting.kind == "gaussian_nll":
            return GAUSSIAN_NLL, [p.output, p.target], {"sigma": spec.sigma, "scale": scale}, [p.output, p.target]
        y, logits, activation = p.output, p.logits, p.activation
        if spec.from_logits:
            inside = INSIDE[setting.kind]
            logits, activation = p.output, inside
            y = comp.apply(SOFTMAX if inside == "softmax" else ACTIVATIONS["sigmoid"], [p.output],
                           f"yhat{'' if p.step is None else p.step}{self.trainer.suffix(s)}",
                           self.trainer.sym_plain(r"\hat{y}", "ŷ", s, p.step), phase="loss",
                           note=f"{inside} applied inside the loss (from logits)")
        elif activation not in PROBABILITIES:
            self.check_probabilities(y, node_id)
        op = BINARY_CROSS_ENTROPY if setting.kind == "binary_cross_entropy" else CROSS_ENTROPY
        fusable = logits is not None and activation == INSIDE[setting.kind]
        # ŷ − t is the softmax-CE gradient only when each target row sums to 1 (one-hot labels)
        fused = (getattr(self.trainer.p.conventions, "fused_output_gradient", True) and fusable
                 and (setting.kind == "binary_cross_entropy" or rows_sum_to_one(p.target.value))
                 and spec.output_delta is None)
        self.fused_used |= fused
        # with the logits at hand, log ŷ and log(1 − ŷ) come from them (see _LogLoss), fused or not
        inputs = [logits, y, p.target] if fusable else [y, p.target]
        return op, inputs, {"scale": scale, "base": spec.log_base, "log_zero": spec.log_zero, "fused": fused}, \
            [y, p.target]

    def check_probabilities(self, y: Node, loss_id: str) -> None:
        """Cross-entropy takes probabilities. A sigmoid or softmax output always is one; any other output (a
        linear layer, or numbers given as the prediction) is taken as it is when it is one — every value in
        [0, 1] and, for the categorical cross-entropy, each row summing to 1 (within 0.02, for keys that
        round) — as exam sheets do, and refused otherwise, with the logits form named."""
        kind = self.setting.kind
        values = y.value.reshape(-1)
        outside = [v for v in values if not 0 <= v <= 1]
        if outside:
            problem = f"{y.id} = {format_number(outside[0], 4)} is not in [0, 1]"
        elif kind == "cross_entropy":
            rows = y.value.reshape(-1, y.value.shape[-1]) if y.value.ndim else y.value.reshape(1, 1)
            sums = [sum(row, Fraction(0)) for row in rows]
            off = [total for total in sums if abs(total - 1) > PROBABILITY_SUM_SLACK]
            if not off:
                return
            problem = f"the entries of {y.id} sum to {format_number(off[0], 4)}, not 1"
        else:
            return
        inside = INSIDE[kind]
        frameworks = ("PyTorch's CrossEntropyLoss" if kind == "cross_entropy" else "PyTorch's BCEWithLogitsLoss") + \
            ", Keras from_logits=True"
        error = DomainError(f"{self.setting.spec.type} needs probabilities, but {problem}: give the output a "
                            f"{inside} activation, or set loss.from_logits: true to apply {inside} inside the loss "
                            f"({frameworks})")
        error.quantity = loss_id
        raise error

    def statements(self, sequence: bool, output_activations: set[str | None]) -> list[tuple[str, str]]:
        """The loss line, how its gradient reaches the output, and the penalty."""
        setting, p = self.setting, self.trainer.p
        out = [("loss", setting.statement(sequence))]
        if setting.spec.output_delta is not None:
            where = "the output's pre-activation" if output_activations - {None} else "the output"
            out.append(("output delta", f"δ = ŷ − t at {where}, as the problem prescribes (not the loss's own "
                                        "derivative; no ½, mean or log-base factor)"))
        elif setting.kind in LOG_LOSSES and (setting.spec.from_logits or INSIDE[setting.kind] in output_activations):
            out.append(("output gradient", "fused ŷ − t at the logits" if self.fused_used else
                        "through ∂L/∂ŷ and the activation's derivative"))
        penalty = getattr(p, "penalty", None)
        if penalty is not None:
            half = "½" if penalty.half and penalty.type == "l2" else ""
            form = f"{half}λ Σ w²" if penalty.type == "l2" else "λ Σ |w|"
            out.append(("penalty", f"{penalty.type.upper()} {form}, λ = {exact_string(penalty.strength)}, biases "
                                   f"{'included' if penalty.include_biases else 'excluded'}"))
        return out


class PrescribedDelta(Op):
    """A loss whose value is its own (`inner`), but whose gradient is the exam's prescribed δ = ŷ − t, sent to
    the first input (the output's pre-activation, or ŷ itself) and nowhere else. Inputs: (at, *inner inputs),
    the last two of which are ŷ and t."""

    name = "prescribed_delta"

    def forward(self, at, *inputs, inner, inner_params):
        return inner.forward(*inputs, **inner_params)

    def vjp(self, index, grad, out, at, *inputs, inner, inner_params):
        return grad[()] * (inputs[-2] - inputs[-1]) if index == 0 else None

    def formula(self, at_id, *ids, inner, inner_params):
        return inner.formula(*ids, **inner_params)

    def vjp_formula(self, index, grad_id, out_id, at_id, *ids, inner, inner_params):
        return Formula("{0} - {1}", "{0} − {1}", (ids[-2], ids[-1]))

    def note(self, *, inner, inner_params):
        inner_note = inner.note(**inner_params)
        return (inner_note + "; " if inner_note else "") + "δ = ŷ − t as prescribed"


PRESCRIBED_DELTA = PrescribedDelta()


def rows_sum_to_one(t) -> bool:
    rows = t.reshape(-1, t.shape[-1]) if t.ndim else t.reshape(1, 1)
    return all(sum(row, Fraction(0)) == 1 for row in rows)


def upstream_objective(comp, output: Node, upstream: Node, suffix: str, symbol: Symbol) -> Node:
    """L = Σ G ⊙ output: a backward pass that starts from a given ∂L/∂output."""
    from ..ops.matmul import INNER
    return comp.apply(INNER, [output, upstream], f"loss{suffix}", symbol, phase="loss")


__all__ = ["LossBuilder", "LossSetting", "Prediction", "PRESETS", "PROBABILITIES", "rows_sum_to_one",
           "upstream_objective"]
