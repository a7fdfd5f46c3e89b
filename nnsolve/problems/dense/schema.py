"""The problem file of a fully-connected network: layers, data, loss, penalty, optimizer, answers."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BeforeValidator, Field
from typing_extensions import Annotated

from ...training.schema import Activation, ActivationSpec, Conventions, Optimizer, Training
from ..common import Common
from ..fields import Matrix, Model, Number, Vector, VectorOrMatrix, _number, _vector, register_model


def _bias(value: Any):
    """One bias per unit as a list, or one number: a single bias shared by every unit of the layer."""
    return _vector(value) if isinstance(value, list) else _number(value)


Bias = Annotated[Any, BeforeValidator(_bias)]


class BatchNorm(Model):
    gamma: Vector = Field(description="scale γ, one per feature (channel)")
    beta: Vector = Field(description="shift β, one per feature (channel)")
    eps: Number = Field(default="0", description="ε added to σ² under the root")


class Layer(Model):
    W: Matrix = Field(description="weights: in_out has a row per input, out_in a row per unit")
    b: Optional[Bias] = Field(default=None, description="biases, one per unit; one number is a single bias shared "
                                                        "by every unit (its gradient sums over them); omitted means "
                                                        "no bias")
    trainable: Union[bool, dict[Literal["W", "b"], bool]] = Field(
        default=True, description="false: the layer's W and b are not trained (no gradient, no update); "
                                  "{b: false} or {W: false} freezes one of them")
    activation: ActivationSpec = Field(
        default=Activation(name="identity"), description="a name, or a mapping of name and its parameters")
    name: Optional[str] = Field(default=None, description="a label for the layer (not shown in formulas)")
    batch_norm: Optional[BatchNorm] = Field(default=None, description="normalize the pre-activation over the "
                                                                      "batch (training mode) before the activation")


class Network(Model):
    layout: Literal["in_out", "out_in"] = Field(
        description="in_out: W has a row per input (u = Wᵀx + b); out_in: a row per output unit (u = Wx + b)")
    layers: list[Layer] = Field(description="may be empty: then the data's x is the prediction itself")


class Data(Model):
    x: VectorOrMatrix = Field(description="one sample as a list, or a batch as a list of rows")
    target: Optional[VectorOrMatrix] = Field(
        default=None, description="one value per output unit; a list of rows (one per sample) for a batch")


class Notation(Model):
    input: str = "x"
    pre_activation: str = "u"
    activation: str = "h"
    output: str = "ŷ"
    target: str = "t"
    loss: str = "L"
    weight: str = "W"
    bias: str = "b"
    layer_index: Literal["subscript", "superscript"] = "subscript"


@register_model
class DenseProblem(Common, Training):
    problem: Literal["dense_network"]
    network: Network
    data: Data
    conventions: Conventions = Conventions()
    notation: Notation = Notation()


# Optimizer and Activation are read from here by families written before the shared training schema
__all__ = ["DenseProblem", "Network", "Layer", "Data", "BatchNorm", "Notation", "Activation", "Conventions", "Optimizer"]
