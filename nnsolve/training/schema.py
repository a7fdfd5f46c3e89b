"""The keys every family that trains shares: activations, the loss, a penalty, the optimizer and the
conventions of derivatives at kinks. One definition, so a loss or an option the schema accepts in one
family is accepted — and honoured — in every other."""
from __future__ import annotations

from typing import Any, Literal, Optional, Union

from pydantic import BeforeValidator, ConfigDict, Field, field_validator
from typing_extensions import Annotated

from ..limits import MAX_OPTIMIZER_STEPS
from ..problems.fields import Model, Number, Tensor, at_most

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
    if isinstance(value, str):
        return {"name": value}
    if isinstance(value, (dict, Activation)):
        return value
    raise ValueError("expected an activation name such as relu, or a mapping such as {name: leaky_relu, "
                     "slope: 0.1}")


ActivationSpec = Annotated[Activation, BeforeValidator(_activation)]

LOSS_TYPES = ("squared_error", "sse", "mse", "half_sse", "binary_cross_entropy", "bce", "cross_entropy",
              "categorical_cross_entropy", "gaussian_nll")


class Loss(Model):
    type: Literal[LOSS_TYPES] = Field(  # type: ignore[valid-type]
        description="a preset: sse, mse, half_sse, bce, cross_entropy (and their long names), gaussian_nll")
    half: Optional[bool] = Field(default=None, description="squared error: multiply by ½ (overrides the preset)")
    over_outputs: Optional[Literal["sum", "mean"]] = Field(
        default=None, description="sum or mean over output units (overrides the preset)")
    over_samples: Optional[Literal["sum", "mean"]] = Field(
        default=None, description="sum or mean over the samples of a batch (overrides the preset)")
    log_base: Union[Literal["e"], Literal[2], Literal[10]] = Field(
        default="e", description="base of the logarithm in cross-entropy: e, 2 or 10")
    log_zero: Optional[Number] = Field(default=None, description="value used for log(0), e.g. -1e9")
    sigma: Optional[Number] = Field(default=None, description="gaussian_nll: the noise's standard deviation σ")
    from_logits: bool = Field(
        default=False, description="cross-entropy / BCE on raw scores: softmax (sigmoid for bce) is applied inside "
                                   "the loss, as PyTorch's CrossEntropyLoss / BCEWithLogitsLoss and Keras' "
                                   "from_logits=True do; the output layer must then be linear")
    output_delta: Optional[Literal["prediction_minus_target"]] = Field(
        default=None, description="prediction_minus_target: the gradient at the output's pre-activation is taken "
                                  "as δ = ŷ − t, whatever the loss's own derivative is (as an exam prescribes "
                                  "it); the loss's value is still the loss's")

    @field_validator("log_base", mode="before")
    @classmethod
    def _base(cls, v):
        if isinstance(v, str) and v.strip().lower() in ("e", "ln", "natural"):
            return "e"
        if v in (2, 10):
            return int(v)
        raise ValueError(f"log base must be e, 2 or 10, got {v!r}")


class Penalty(Model):
    type: Literal["l2", "l1"] = Field(description="l2: λ Σ w²; l1: λ Σ |w|")
    strength: Number = Field(alias="lambda", description="λ, written `lambda:` in the file")
    half: bool = Field(default=False, description="l2 only: ½ λ Σ w²")
    include_biases: bool = Field(default=False, description="penalise the biases too")


class StepDecay(Model):
    factor: Number = Field(description="what η is multiplied by at each decay")
    every: int = Field(default=1, ge=1, description="the number of updates between decays")


class Optimizer(Model):
    """Hyperparameters of every supported optimizer; which apply depends on `type` (others are refused)."""

    model_config = ConfigDict(validate_default=True)    # the decimal-text defaults become exact numbers

    type: Literal["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "rprop", "perceptron"]
    lr: Number = Field(default="0.01", alias="learning_rate", description="η (not used by rprop: see step_init)")
    steps: Annotated[int, at_most(MAX_OPTIMIZER_STEPS)] = Field(default=1, ge=1, description="number of full-batch "
                                                                                             "updates")
    momentum: Number = Field(default="0.9", alias="beta", description="β of momentum and nesterov")
    form: Literal["pytorch", "sutskever", "ema", "lookahead"] = Field(
        default="pytorch", description="momentum: pytorch | sutskever | ema; nesterov: pytorch | lookahead "
                                       "(sutskever is the same as lookahead)")
    beta1: Number = Field(default="0.9", description="Adam: decay of the gradient mean")
    beta2: Number = Field(default="0.999", description="Adam: decay of the squared-gradient mean")
    rho: Number = Field(default="0.99", description="RMSProp: decay of the squared-gradient mean (PyTorch alpha)")
    eps: Optional[Number] = Field(default=None, description="ε; default 1e-10 for adagrad, 1e-8 otherwise")
    eps_inside_sqrt: bool = Field(default=False, description="divide by √(s + ε) instead of √s + ε")
    bias_correction: bool = Field(default=True, description="Adam: divide the moments by 1 − βᵗ")
    initial_accumulator: Number = Field(default="0", description="Adagrad: G₀")
    initial_state: dict[Literal["v", "m", "s", "G"], Union[Number, dict[str, Tensor]]] = Field(
        default_factory=dict, description="the optimizer's state before the first update, by the letter its rule "
        "names (momentum/nesterov v, Adam m and s, RMSProp s, Adagrad G): one number for every entry, or a "
        "value per parameter id ({W1: [[…]], b1: […]})")
    previous_weights: Optional[dict[str, Tensor]] = Field(
        default=None, description="momentum (and look-ahead Nesterov): the weights w(−1) before the given ones; the "
                                  "initial velocity follows from w(0) − w(−1)")
    previous_steps: int = Field(default=0, ge=0, description="Adam: updates already made before the first one "
                                                           "shown; bias correction uses t = previous_steps + 1, …")
    lr_schedule: Optional[list[Number]] = Field(
        default=None, description="a learning rate per update, in order (one per step); replaces lr")
    lr_decay: Optional[StepDecay] = Field(
        default=None, description="step decay: η is multiplied by `factor` every `every` updates")
    variant: Literal["rprop+", "rprop-", "irprop+", "irprop-"] = Field(
        default="irprop-", description="Rprop variant (irprop- is PyTorch's Rprop)")
    eta_plus: Number = Field(default="1.2", description="Rprop: step growth η⁺ > 1")
    eta_minus: Number = Field(default="0.5", description="Rprop: step shrink 0 < η⁻ < 1")
    step_init: Number = Field(default="0.1", description="Rprop: initial step Δ₀ (PyTorch lr)")
    step_min: Number = Field(default="0.000001", description="Rprop: Δmin")
    step_max: Number = Field(default="50", description="Rprop: Δmax")


class Conventions(Model):
    relu_derivative_at_zero: Number = Field(default="0", description="ReLU'(0) (also leaky ReLU's and ELU's)")
    step_derivative: Number = Field(default="0", description="derivative used for step and sign")
    sign_at_zero: Number = Field(default="0", description="sign(0)")
    fused_output_gradient: bool = Field(
        default=True, description="softmax+CE and sigmoid+BCE back-propagate ŷ − t straight to the logits")


class Training(Model):
    """What a family that trains adds to its problem file (its own conventions extend `Conventions`)."""

    loss: Optional[Loss] = None
    penalty: Optional[Penalty] = None
    optimizer: Optional[Optimizer] = None
    upstream: Optional[Tensor] = Field(
        default=None, description="∂L/∂output as given (G = ∂L/∂ŷ): the backward pass starts from it "
                                  "(L = Σ G ⊙ output), instead of a loss")
    frozen: list[str] = Field(
        default_factory=list, description="parameters that are not trained, by id (W1, b2), or `weights` / "
                                          "`biases` for all of them: no gradient, no update")
