"""What the training keys of a problem must satisfy together, for every family that trains: a loss
has a target, reads only keys that apply to it, and is fed what it can take (cross-entropy needs
probabilities, or `from_logits`); an optimizer has something to minimise. Each finding names its place.""" 
from __future__ import annotations

from dataclasses import dataclass, field

from ..optim.checks import optimizer_issues
from .activation import PROBABILITIES
from .loss import INSIDE, LOG_LOSSES, PRESETS

# which loss keys each loss reads (a squared-error key on a cross-entropy is a mistake, not a no-op)
LOSS_KEYS = {
    "squared_error": {"half", "over_outputs", "over_samples", "output_delta"},
    "binary_cross_entropy": {"log_base", "log_zero", "over_outputs", "over_samples", "from_logits", "output_delta"},
    "cross_entropy": {"log_base", "log_zero", "over_outputs", "over_samples", "from_logits", "output_delta"},
    "gaussian_nll": {"sigma", "over_samples", "output_delta"},
}
LOSS_NAMES = {"squared_error": "squared error", "binary_cross_entropy": "bce", "cross_entropy": "cross_entropy",
              "gaussian_nll": "gaussian_nll"}
# keys a family adds to its loss section (a sequence's targets, attention's target): never "does not apply"
FAMILY_LOSS_KEYS = {"targets", "steps", "over", "target"}


@dataclass(frozen=True)
class Output:
    """What feeds the loss, as a family's file states it."""

    activation: str | None                 # canonical name of the output activation; None: numbers given as is
    where: str = "the output"              # how the message names the output ("layer 3", "yₜ")
    activation_at: tuple = ()              # where the output activation is set in the file
    targets: list = field(default_factory=list)     # every target number, flattened
    target_at: tuple = ("target",)         # where the targets are (for "is required" and range messages)
    has_target: bool = True


def training_issues(p, output: Output, *, objective: bool = False, perceptron: bool = False) -> list[tuple[tuple, str]]:
    """`objective`: the family has another thing to minimise than a loss (a given ∂L/∂output, a quantity
    to differentiate); `perceptron`: the perceptron rule applies to this problem."""
    found: list[tuple[tuple, str]] = []
    loss, optimizer, penalty = p.loss, p.optimizer, getattr(p, "penalty", None)
    upstream = getattr(p, "upstream", None) is not None
    objective = objective or upstream
    if upstream and loss is not None:
        found.append((("upstream",), "give either upstream (∂L/∂output as given) or a loss, not both: the backward "
                                     "pass starts from one of them"))
    if upstream and penalty is not None:
        found.append((("penalty",), "is added to a loss, and upstream gives ∂L/∂output without one: remove one"))
    if optimizer is not None and loss is None and not objective:
        found.append((("optimizer",), "needs a loss to minimise: add a loss section, e.g. loss: {type: mse}"))
    if penalty is not None and loss is None and not upstream:
        found.append((("penalty",), "is added to a loss: add a loss section, e.g. loss: {type: mse}"))
    if penalty is not None and penalty.strength < 0:
        found.append((("penalty", "lambda"), "λ must be at least 0"))
    if loss is not None:
        found += _loss_issues(loss, output)
    if optimizer is not None:
        if optimizer.type == "perceptron" and not perceptron:
            found.append((("optimizer", "type"), "the perceptron rule needs a single dense layer with a step or sign "
                                                 "activation"))
        found += optimizer_issues(optimizer)
    return found


def _loss_issues(loss, output: Output) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    kind = PRESETS[loss.type][0]
    if not output.has_target:
        found.append((output.target_at, f"is required: the loss ({loss.type}) compares the output with it"))
    # a key the chosen loss never reads would be silently ignored: say so instead
    for key in sorted(loss.model_fields_set - {"type"} - FAMILY_LOSS_KEYS):
        if key not in LOSS_KEYS[kind]:
            owners = [LOSS_NAMES[k] for k, keys in LOSS_KEYS.items() if key in keys]
            found.append((("loss", key), f"does not apply to {loss.type} (only to {', '.join(owners)})"))
    if kind == "gaussian_nll" and (loss.sigma is None or loss.sigma <= 0):
        found.append((("loss", "sigma"), "gaussian_nll needs the noise's standard deviation σ > 0"))
    if kind == "binary_cross_entropy" and any(v < 0 or v > 1 for v in output.targets):
        found.append((output.target_at, "binary cross-entropy needs targets between 0 and 1"))
    if kind in LOG_LOSSES:
        found += _probability_issues(loss, kind, output)
    return found


def _probability_issues(loss, kind: str, output: Output) -> list[tuple[tuple, str]]:
    """`from_logits` on an output that is already a probability would apply sigmoid/softmax twice. (An output
    that is not a probability is refused when its values are known: see `LossBuilder.check_probabilities`.)"""
    inside = INSIDE[kind]
    if loss.from_logits and output.activation in PROBABILITIES:
        return [(("loss", "from_logits"), f"applies {inside} inside the loss, but {output.where} already applies "
                                          f"{output.activation}: remove from_logits, or make the output linear")]
    return []
