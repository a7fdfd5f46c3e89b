"""The problem file of a fully-connected network: layers, data, loss, penalty, optimizer, answers."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BeforeValidator, Field, field_validator
from typing_extensions import Annotated

from ..common import Common
from ..fields import Matrix, Model, Number, Vector, VectorOrMatrix, register_model

ACTIVATION_NAMES = ("identity", "linear", "sigmoid", "logistic", "tanh", "relu", "leaky_relu", "elu",
                    "softplus", "step", "threshold", "sign", "softmax")


class Activation(Model):
    name: Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
    slope: Number = Field(default="0.01", description="leaky ReLU slope for u < 0")
    alpha: Number = Field(default="1", description="ELU scale")
    threshold: Number = Field(default="0", description="step: where the output switches")
    strict: bool = Field(default=False, description="step: output high when u > threshold (true) or u ≥ threshold")
    output: Literal["binary", "bipolar"] = Field(default="binary", description="step output 0/1 or −1/+1")


def _activation(value: Any):
    return {"name": value} if isinstance(value, str) else value


class Layer(Model):
    W: Matrix
    b: Optional[Vector] = None
    activation: Annotated[Activation, BeforeValidator(_activation)] = Activation(name="identity")
    name: Optional[str] = None


class Network(Model):
    layout: Literal["in_out", "out_in"] = Field(
        description="in_out: W has a row per input (u = Wᵀx + b); out_in: a row per output unit (u = Wx + b)")
    layers: list[Layer] = Field(description="may be empty: then the data's x is the prediction itself")


class Data(Model):
    x: VectorOrMatrix = Field(description="one sample as a list, or a batch as a list of rows")
    target: Optional[VectorOrMatrix] = None


class Loss(Model):
    type: Literal["squared_error", "sse", "mse", "half_sse", "binary_cross_entropy", "bce",
                  "cross_entropy", "categorical_cross_entropy"]
    half: Optional[bool] = None
    over_outputs: Optional[Literal["sum", "mean"]] = None
    over_samples: Optional[Literal["sum", "mean"]] = None
    log_base: Union[Literal["e"], Literal[2], Literal[10]] = "e"
    log_zero: Optional[Number] = Field(default=None, description="value used for log(0), e.g. -1e9")

    @field_validator("log_base", mode="before")
    @classmethod
    def _base(cls, v):
        if isinstance(v, str) and v.strip().lower() in ("e", "ln", "natural"):
            return "e"
        if v in (2, 10):
            return int(v)
        raise ValueError(f"log base must be e, 2 or 10, got {v!r}")


class Penalty(Model):
    type: Literal["l2", "l1"]
    strength: Number = Field(alias="lambda")
    half: bool = False
    include_biases: bool = False


class Optimizer(Model):
    """Hyperparameters of every supported optimizer; which apply depends on `type`."""

    type: Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rprop", "perceptron"]
    lr: Number = Field(default="0.01", alias="learning_rate")
    steps: int = Field(default=1, ge=1, le=1000)
    momentum: Number = Field(default="0.9", alias="beta")
    form: Literal["pytorch", "sutskever", "ema", "lookahead"] = "pytorch"
    beta1: Number = "0.9"
    beta2: Number = "0.999"
    rho: Number = "0.99"
    eps: Number = "1e-8"
    eps_inside_sqrt: bool = False
    bias_correction: bool = True
    initial_accumulator: Number = "0"
    variant: Literal["rprop+", "rprop-", "irprop+", "irprop-"] = "irprop-"
    eta_plus: Number = "1.2"
    eta_minus: Number = "0.5"
    step_init: Number = "0.1"
    step_min: Number = "0.000001"
    step_max: Number = "50"


class Conventions(Model):
    relu_derivative_at_zero: Number = "0"
    step_derivative: Number = "0"
    sign_at_zero: Number = "0"
    fused_output_gradient: bool = Field(
        default=True, description="softmax+CE and sigmoid+BCE back-propagate ŷ − t straight to the logits")


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
class DenseProblem(Common):
    problem: Literal["dense_network"]
    network: Network
    data: Data
    loss: Optional[Loss] = None
    penalty: Optional[Penalty] = None
    optimizer: Optional[Optimizer] = None
    conventions: Conventions = Conventions()
    notation: Notation = Notation()
