"""The problem file of a small convolutional network on explicit numbers: an input tensor, a list of
layers (each one key: conv2d, conv1d, conv_transpose2d, max_pool2d, avg_pool2d, global_avg_pool,
activation, flatten, dense), an optional target, loss and optimizer, conventions, ask and answers."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BeforeValidator, Field, model_validator
from typing_extensions import Annotated

from ..common import Common
from ...training.schema import ACTIVATION_NAMES, Activation, Conventions as TrainingConventions, Training, _activation
from ..fields import Matrix, Model, Tensor, Vector, _number, describe, register_model


PairOrInt = Union[int, list[int]]
Padding = Union[Literal["valid", "same"], int, list[int]]


class Conv(Model):
    kernel: Tensor = Field(description="(out, in/groups, k…) as PyTorch stores it; a k×k matrix is one "
                                       "filter over one channel; (in, k, k) is one filter over several channels")
    bias: Optional[Vector] = Field(default=None, description="one per output channel; omitted means none")
    stride: PairOrInt = 1
    padding: Padding = Field(default=0, description="a number per side, one per axis, valid or same")
    dilation: PairOrInt = 1
    groups: int = Field(default=1, ge=1, description="groups = in channels is a depthwise convolution")


class TransposedConv(Model):
    kernel: Tensor = Field(description="(in, out/groups, kh, kw) as PyTorch stores it; a matrix is one channel")
    bias: Optional[Vector] = None
    stride: PairOrInt = 1
    padding: PairOrInt = 0
    output_padding: PairOrInt = 0
    dilation: PairOrInt = 1
    groups: int = Field(default=1, ge=1)


class Pool(Model):
    pool: PairOrInt = Field(description="the window, e.g. 2 or [2, 3]")
    stride: Optional[PairOrInt] = Field(default=None, description="default: the window (no overlap)")
    padding: PairOrInt = 0
    ceil_mode: bool = Field(default=False, description="keep a last partial window (PyTorch ceil_mode)")
    count_include_pad: bool = Field(default=True, description="average pooling: padded cells count in the mean")


class Empty(Model):
    pass


class Flatten(Model):
    order: Literal["channels_first", "channels_last"] = Field(
        default="channels_first", description="C×H×W order (torch) or H×W×C (Keras)")


class Dense(Model):
    W: Matrix = Field(description="weights: in_out has a row per input, out_in a row per unit")
    layout: Literal["in_out", "out_in"] = Field(default="in_out", description="as in dense_network")
    b: Optional[Vector] = None
    activation: Annotated[Activation, BeforeValidator(_activation)] = Activation(name="identity")


class BatchNorm(Model):
    gamma: Vector = Field(description="scale γ, one per channel (feature maps) or feature (vectors)")
    beta: Vector = Field(description="shift β, one per channel or feature")
    eps: Annotated[Any, BeforeValidator(_number)] = Field(default="0", description="ε added to σ²")


class Dropout(Model):
    mask: Tensor = Field(description="0 (dropped) / 1 (kept), the shape of the layer's input (with the batch)")
    p: Annotated[Any, BeforeValidator(_number)] = Field(description="the drop rate")
    scale: Literal["inverted", "none"] = Field(default="inverted", description="inverted: kept × 1/(1 − p)")


class AddFrom(Model):
    from_: str = Field(alias="from", description="the name of an earlier layer (or x) whose output is added")


class ConcatFrom(Model):
    from_: list[str] = Field(alias="from", min_length=2, description="names of earlier layers (or x), in order")
    axis: Literal["channels"] = "channels"


LAYER_KINDS = ("conv2d", "conv1d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "global_avg_pool",
               "activation", "flatten", "dense", "batch_norm", "dropout", "add", "concat")
LAYER_OPTIONS = ("name", "input")


class Layer(Model):
    conv2d: Optional[Conv] = None
    conv1d: Optional[Conv] = None
    conv_transpose2d: Optional[TransposedConv] = None
    max_pool2d: Optional[Pool] = None
    avg_pool2d: Optional[Pool] = None
    global_avg_pool: Optional[Empty] = None
    activation: Optional[Annotated[Activation, BeforeValidator(_activation)]] = None
    flatten: Optional[Flatten] = None
    dense: Optional[Dense] = None
    batch_norm: Optional[BatchNorm] = None
    dropout: Optional[Dropout] = None
    add: Optional[AddFrom] = None
    concat: Optional[ConcatFrom] = None
    name: Optional[str] = Field(default=None, description="a name later layers refer to (add, concat, input)")
    input: Optional[str] = Field(default=None, description="take the input from this named layer (or x), "
                                                           "not the previous one")

    @model_validator(mode="before")
    @classmethod
    def _one_key(cls, value):
        if not isinstance(value, dict):
            raise ValueError(f"a layer is a mapping such as {{max_pool2d: {{pool: 2}}}}, got {describe(value)}")
        kinds = [k for k in value if k not in LAYER_OPTIONS]
        if len(kinds) != 1:
            raise ValueError(f"a layer is one key ({', '.join(LAYER_KINDS)}) besides name and input, got "
                             f"{len(kinds)}: {', '.join(map(str, kinds)) or 'none'}")
        return {k: ({} if v is None and k not in LAYER_OPTIONS else v) for k, v in value.items()}

    @property
    def kind(self) -> str:
        return next(k for k in LAYER_KINDS if getattr(self, k) is not None)

    @property
    def spec(self):
        return getattr(self, self.kind)


class Conventions(TrainingConventions):
    operation: Literal["cross_correlation", "convolution"] = Field(
        default="cross_correlation", description="convolution rotates the kernel by 180°")
    max_pool_pad_value: Literal["-inf", "0"] = Field(default="-inf", description="what max pooling pads with")
    max_pool_ties: Literal["first", "all", "split"] = Field(
        default="first", description="which tied maximum gets the gradient (first: PyTorch)")

    @model_validator(mode="before")
    @classmethod
    def _pad_text(cls, value):
        if isinstance(value, dict) and "max_pool_pad_value" in value:
            v = value["max_pool_pad_value"]
            value = {**value, "max_pool_pad_value": "0" if v == 0 else str(v).strip().replace("inf", "-inf")
                     .replace("--", "-").replace("−", "-")}
        return value


class Notation(Model):
    """The letters the worked solution writes (ids do not change: K1, z1, dL/dK1 whatever the letters)."""

    input: str = Field(default="x", description="the input (X in the input/filter/output convention)")
    kernel: str = Field(default="K", description="a conv layer's kernel (F: filter, W, w)")
    bias: str = Field(default="b", description="a conv or dense layer's bias")
    output: str = Field(default="z", description="each layer's output (O, y, a)")
    weight: str = Field(default="W", description="a dense layer's weights")
    target: str = Field(default="t", description="the target (y, T)")
    layer_index: Literal["subscript", "none"] = Field(
        default="subscript", description="K₁, z₁ (subscript), or K, z without the layer number (none: a network of "
                                         "one layer)")

    @model_validator(mode="after")
    def _letters(self):
        for key in ("input", "kernel", "bias", "output", "weight", "target"):
            if not getattr(self, key).strip():
                raise ValueError(f"{key}: a symbol must have at least one letter")
        return self


@register_model
class ConvProblem(Common, Training):
    problem: Literal["conv_network"]
    layout: Literal["CHW", "HWC"] = Field(default="CHW", description="how x is written (a matrix is one channel)")
    batch: bool = Field(default=False, description="x (and target) hold one sample per entry of the first axis")
    x: Tensor = Field(description="the input: a matrix (one channel), or channels as layout says")
    layers: list[Layer] = Field(min_length=1)
    target: Optional[Tensor] = None
    conventions: Conventions = Conventions()
    notation: Notation = Notation()


__all__ = ["ConvProblem", "Layer", "LAYER_KINDS", "ACTIVATION_NAMES"]
