"""The problem file of the small classics: a list `compute:` of items, each naming one calculation."""
from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BeforeValidator, Field, model_validator

from ...engine.number import format_number
from ..common import Common
from ..fields import Model, Number, Vector, _number, _vector, describe, register_model

LogBase = Annotated[Literal["e", "2", "10"], BeforeValidator(lambda v: str(v.text if hasattr(v, "text") else v))]
# one number for every layer, or a list with one per layer
NumberOrVector = Annotated[Any, BeforeValidator(lambda v: _vector(v) if isinstance(v, list) else _number(v))]


def _class_or_vector(value: Any):
    if isinstance(value, list):
        return _vector(value)
    number = _number(value)
    if number.denominator != 1:
        raise ValueError(f"expected a class index (a whole number) or a one-hot vector, got {describe(value)}")
    return int(number)


ClassOrVector = Annotated[Any, BeforeValidator(_class_or_vector)]


class Entropy(Model):
    p: Vector = Field(description="a probability distribution")
    base: LogBase = Field(default="e", description="log base: e (nats), 2 (bits) or 10")


class Divergence(Model):
    p: Vector = Field(description="the first distribution P")
    q: Vector = Field(description="the second distribution Q")
    base: LogBase = Field(default="e", description="log base: e (nats), 2 (bits) or 10")


def _direction(value):
    text = str(value.text if hasattr(value, "text") else value).replace(" ", "").replace("‖", "||")
    return {"P||Q": "P||Q", "Q||P": "Q||P"}.get(text.upper(), text)


class KL(Divergence):
    direction: Annotated[Literal["P||Q", "Q||P"], BeforeValidator(_direction)] = Field(
        default="P||Q", description="P||Q: Σ p log(p/q) (P the reference, Q the approximation); Q||P: Σ q log(q/p)")


class CrossEntropy(Divergence):
    """H(P, Q) = −Σ p log q: P the true distribution, Q the model's."""


class Initialization(Model):
    fan_in: int = Field(ge=1, description="inputs of one unit (n_in)")
    fan_out: Optional[int] = Field(default=None, ge=1, description="outputs (n_out); needed for form: average")
    form: Literal["fan_in", "average"] = Field(
        default="fan_in", description="fan_in: Var = g/n_in (the lectures' Xavier); average: Var = 2g/(n_in + n_out) (Glorot)")
    distribution: Literal["normal", "uniform"] = Field(
        default="normal", description="uniform also gives the limit a of U(-a, a), a = sqrt(3 Var)")


class Training(Model):
    samples: int = Field(ge=1, description="training samples in one epoch")
    batch: int = Field(ge=1, description="mini-batch size")
    epochs: int = Field(default=1, ge=1)
    drop_last: bool = Field(default=False, description="drop the last incomplete batch (PyTorch drop_last)")
    pass_counting: Literal["pair", "each"] = Field(
        default="pair", description="pair: a forward pass and its backward pass are one pass (one per iteration); "
                                    "each: forward and backward passes counted separately (two per iteration)")


class DepthWidth(Model):
    units: list[int] = Field(description="units of each dense (weight) layer, input and dropout not counted")


class Softmax(Model):
    z: Vector = Field(description="the logits")
    temperature: Number = Field(default=1, description="T in softmax(z / T)")
    target: Optional[ClassOrVector] = Field(
        default=None, description="the true class: an index (counted from index_from) or a one-hot / probability vector")
    index_from: Literal[0, 1] = Field(default=0, description="0: the first class is 0 (PyTorch); 1: it is 1")
    base: LogBase = Field(default="e", description="log base of the cross-entropy")


class Dropout(Model):
    units: list[int] = Field(description="units of each layer dropout is applied to")
    p_drop: Optional[NumberOrVector] = Field(default=None, description="probability a unit is dropped (one, or per layer)")
    keep: Optional[NumberOrVector] = Field(default=None, description="probability a unit is kept, 1 − p_drop")
    inverted: bool = Field(default=True, description="scale kept activations by 1/keep in training (PyTorch, Keras)")
    kept: Optional[int] = Field(default=None, ge=0, description="count the sub-networks with exactly this many of "
                                                                "the droppable units kept: C(N, kept)")


TASKS = ("binary", "multiclass", "multilabel", "regression")
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "identity", "linear", "relu", "tanh")
OUTPUT_LOSSES = ("bce", "cross_entropy", "mse", "mae", "huber", "hinge")


class OutputLayer(Model):
    task: Literal[TASKS] = Field(description="binary, multiclass (one class of k), multilabel (several of k), regression")
    activation: Optional[Literal[OUTPUT_ACTIVATIONS]] = None
    loss: Optional[Literal[OUTPUT_LOSSES]] = None


class UniformCrossEntropy(Model):
    classes: int = Field(ge=1, description="number of classes of an untrained (uniform) classifier")
    base: LogBase = Field(default="e")


KINDS = ("entropy", "kl", "js", "cross_entropy", "xavier", "he", "training", "depth_width", "cross_entropy_uniform", "softmax",
         "dropout", "output_layer")


class Item(Model):
    entropy: Optional[Entropy] = None
    kl: Optional[KL] = Field(default=None, description="KL(P‖Q), or KL(Q‖P) with direction: Q||P")
    js: Optional[Divergence] = Field(default=None, description="Jensen–Shannon divergence and distance √JS")
    cross_entropy: Optional[CrossEntropy] = Field(default=None, description="H(P, Q) = −Σ p log q")
    xavier: Optional[Initialization] = Field(default=None, description="Var(w) = 1/n (gain 1)")
    he: Optional[Initialization] = Field(default=None, description="Var(w) = 2/n (gain 2, for ReLU)")
    training: Optional[Training] = None
    depth_width: Optional[DepthWidth] = None
    cross_entropy_uniform: Optional[UniformCrossEntropy] = None
    softmax: Optional[Softmax] = Field(default=None, description="softmax(z / T), and −log p_target when a target is given")
    dropout: Optional[Dropout] = None
    output_layer: Optional[OutputLayer] = Field(default=None, description="is this output activation / loss the standard one?")

    @model_validator(mode="after")
    def _one_kind(self):
        given = [k for k in KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"each item names exactly one calculation (one of {', '.join(KINDS)}), got {len(given)}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) is not None)

    @property
    def spec(self):
        return getattr(self, self.kind)


@register_model
class ClassicsProblem(Common):
    problem: Literal["classics"]
    compute: list[Item] = Field(min_length=1, description="the calculations, each one item")


DISTRIBUTIONS = ("entropy", "kl", "js", "cross_entropy")


def consistency(p: ClassicsProblem) -> list[tuple[tuple, str]]:
    found = []
    for i, item in enumerate(p.compute):
        spec, where = item.spec, ("compute", i, item.kind)
        for name in ("p", "q"):
            dist = getattr(spec, name, None) if item.kind in DISTRIBUTIONS else None
            if dist is None:
                continue
            if any(v < 0 for v in dist):
                found.append((where + (name,), "probabilities cannot be negative"))
            elif any(v > 1 for v in dist):
                found.append((where + (name,), "a probability is at most 1"))
            elif sum(dist) != 1:
                found.append((where + (name,), f"probabilities sum to {format_number(sum(dist), 6)}, not 1"))
        if item.kind in ("kl", "js", "cross_entropy") and len(spec.p) != len(spec.q):
            found.append((where + ("q",), f"P has {len(spec.p)} outcomes, Q has {len(spec.q)}"))
        if item.kind in ("xavier", "he") and spec.form == "average" and spec.fan_out is None:
            found.append((where + ("fan_out",), "form: average needs fan_out"))
        if item.kind in ("depth_width", "dropout") and (not spec.units or min(spec.units) < 1):
            found.append((where + ("units",), "give at least one layer, each with at least one unit"))
        if item.kind == "training" and spec.drop_last and spec.samples < spec.batch:
            found.append((where + ("batch",), f"with drop_last a batch of {spec.batch} from {spec.samples} samples "
                                              "is never full: no iteration at all"))
        check = {"softmax": _softmax_issues, "dropout": _dropout_issues, "output_layer": _output_layer_issues}.get(item.kind)
        found += [(where + place, message) for place, message in (check(spec) if check else [])]
    return found


def _softmax_issues(s: Softmax):
    if s.temperature <= 0:
        yield ("temperature",), "the temperature must be positive"
    if isinstance(s.target, int):
        first = s.index_from
        if not first <= s.target < len(s.z) + first:
            yield ("target",), f"class {s.target} does not exist: {len(s.z)} logits are classes {first}…{len(s.z) - 1 + first}"
    elif s.target is not None:
        if len(s.target) != len(s.z):
            yield ("target",), f"{len(s.target)} target entries for {len(s.z)} logits"
        elif any(v < 0 for v in s.target) or sum(s.target) != 1:
            yield ("target",), "a target vector is one-hot or a distribution: entries ≥ 0 summing to 1"


def _dropout_issues(d: Dropout):
    if (d.p_drop is None) == (d.keep is None):
        yield (), "give exactly one of p_drop and keep"
        return
    name, rates = ("p_drop", d.p_drop) if d.p_drop is not None else ("keep", d.keep)
    if isinstance(rates, list) and len(rates) != len(d.units):
        yield (name,), f"{len(rates)} rates for {len(d.units)} layers: give one number, or one per layer"
        return
    if d.kept is not None:
        droppable = droppable_units(d)
        if d.kept > droppable:
            yield ("kept",), f"{d.kept} units kept of only {droppable} droppable (units of layers with p_drop > 0)"
    for v in rates if isinstance(rates, list) else [rates]:
        if not (0 <= v < 1 if name == "p_drop" else 0 < v <= 1):
            yield (name,), (f"{name} must be in {'[0, 1)' if name == 'p_drop' else '(0, 1]'}, got {float(v):g}: "
                            "a probability, and dropping every unit leaves no network")
            break


def keep_rates(d: Dropout) -> list:
    """q of each listed layer."""
    if d.keep is not None:
        return list(d.keep) if isinstance(d.keep, list) else [d.keep] * len(d.units)
    rates = d.p_drop if isinstance(d.p_drop, list) else [d.p_drop] * len(d.units)
    return [1 - r for r in rates]


def droppable_units(d: Dropout) -> int:
    """N: the units of the listed layers dropout may remove (those with p_drop > 0)."""
    return sum(n for n, q in zip(d.units, keep_rates(d)) if q < 1)


def _output_layer_issues(o: OutputLayer):
    if o.activation is None and o.loss is None:
        yield (), "give the activation, the loss, or both"
