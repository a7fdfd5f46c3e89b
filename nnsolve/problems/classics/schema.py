"""The problem file of the small classics: a list `compute:` of items, each naming one calculation."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import BeforeValidator, Field, model_validator

from ..common import Common
from ..fields import Model, Text, Vector, register_model

LogBase = Annotated[Literal["e", "2", "10"], BeforeValidator(lambda v: str(v.text if hasattr(v, "text") else v))]


class Entropy(Model):
    p: Vector = Field(description="a probability distribution")
    base: LogBase = Field(default="e", description="log base: e (nats), 2 (bits) or 10")


class Divergence(Model):
    p: Vector = Field(description="the first distribution P")
    q: Vector = Field(description="the second distribution Q")
    base: LogBase = Field(default="e", description="log base: e (nats), 2 (bits) or 10")


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


class DepthWidth(Model):
    units: list[int] = Field(description="units of each dense (weight) layer, input and dropout not counted")


class UniformCrossEntropy(Model):
    classes: int = Field(ge=1, description="number of classes of an untrained (uniform) classifier")
    base: LogBase = Field(default="e")


KINDS = ("entropy", "kl", "js", "xavier", "he", "training", "depth_width", "cross_entropy_uniform")


class Item(Model):
    entropy: Optional[Entropy] = None
    kl: Optional[Divergence] = Field(default=None, description="KL(P‖Q)")
    js: Optional[Divergence] = Field(default=None, description="Jensen–Shannon divergence")
    xavier: Optional[Initialization] = Field(default=None, description="Var(w) = 1/n (gain 1)")
    he: Optional[Initialization] = Field(default=None, description="Var(w) = 2/n (gain 2, for ReLU)")
    training: Optional[Training] = None
    depth_width: Optional[DepthWidth] = None
    cross_entropy_uniform: Optional[UniformCrossEntropy] = None

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


def consistency(p: ClassicsProblem) -> list[tuple[tuple, str]]:
    found = []
    for i, item in enumerate(p.compute):
        spec, where = item.spec, ("compute", i, item.kind)
        for name in ("p", "q"):
            dist = getattr(spec, name, None) if item.kind in ("entropy", "kl", "js") else None
            if dist is None:
                continue
            if any(v < 0 for v in dist):
                found.append((where + (name,), "probabilities cannot be negative"))
            elif sum(dist) != 1:
                found.append((where + (name,), f"probabilities sum to {float(sum(dist)):g}, not 1"))
        if item.kind in ("kl", "js") and len(spec.p) != len(spec.q):
            found.append((where + ("q",), f"P has {len(spec.p)} outcomes, Q has {len(spec.q)}"))
        if item.kind in ("xavier", "he") and spec.form == "average" and spec.fan_out is None:
            found.append((where + ("fan_out",), "form: average needs fan_out"))
        if item.kind == "depth_width" and (not spec.units or min(spec.units) < 1):
            found.append((where + ("units",), "give at least one layer, each with at least one unit"))
    return found
