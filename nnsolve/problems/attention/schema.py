"""The problem file of an attention block: the sequence(s), the projections, the mask, what flows back."""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ...training.schema import Activation, ActivationSpec, Conventions, Loss, Training
from ..common import Common
from ..fields import Matrix, Model, Number, Vector, register_model


class Mask(Model):
    causal: bool = Field(default=False, description="query i sees keys 1 … i only")
    padding: list[int] = Field(default_factory=list,
                               description="key positions (from 1) that are padding: no query sees them")
    keep: Optional[Matrix] = Field(default=None, description="an explicit 0/1 matrix, queries × keys (1 = kept)")


class AttentionLoss(Loss):
    target: Matrix = Field(description="one row per query")


class EncoderBlock(Model):
    d_ff: int = Field(ge=1, description="hidden width of the position-wise feed-forward network")


@register_model
class AttentionProblem(Common, Training):
    problem: Literal["attention"]
    layout: Optional[Literal["in_out", "out_in"]] = Field(
        default=None,
        description="in_out: Q = X W_Q (W has a row per input feature); out_in: q = W_Q x, i.e. Q = X W_Qᵀ "
                    "(PyTorch's layout). X has one token per row either way. Required with any projection")
    X: Optional[Matrix] = Field(default=None, description="the query sequence, one token per row")
    memory: Optional[Matrix] = Field(
        default=None, description="cross-attention: the sequence keys and values come from (one token per row)")
    W_Q: Optional[Matrix] = None
    W_K: Optional[Matrix] = None
    W_V: Optional[Matrix] = None
    Q: Optional[Matrix] = Field(default=None, description="the queries given directly, one per row (instead of X "
                                                          "and the projections)")
    K: Optional[Matrix] = Field(default=None, description="the keys given directly, one per row")
    V: Optional[Matrix] = Field(default=None, description="the values given directly, one per row (as many as keys)")
    b_Q: Optional[Vector] = None
    b_K: Optional[Vector] = None
    b_V: Optional[Vector] = None
    heads: int = Field(default=1, ge=1, description="heads split Q, K, V into contiguous column blocks")
    W_O: Optional[Matrix] = Field(default=None, description="output projection after concatenating the heads")
    b_O: Optional[Vector] = None
    d_k: Optional[Number] = Field(
        default=None, description="the d_k under the root in QKᵀ/√d_k (default: a head's key width); "
                                  "1 means no scaling")
    mask: Mask = Mask()
    activation: ActivationSpec = Field(
        default=Activation(name="identity"), description="an activation of the output, by rows (Y = f(output)): "
                                                         "softmax for a classifier over each token")
    upstream: Optional[Matrix] = Field(
        default=None, description="∂L/∂output as given: the backward pass starts from it (L = Σ G ⊙ output)")
    loss: Optional[AttentionLoss] = Field(default=None, description="a loss of the output against `target` "
                                                                    "(rows are samples: mse averages over all entries)")
    conventions: Conventions = Conventions()
    encoder_block: Optional[EncoderBlock] = Field(
        default=None, description="also count the parameters of a transformer encoder block around it")
