"""Which output activation and loss go with which task: the textbook pairs, and why another choice is not one.

A verdict is a number (1: the standard choice, 0: not), as the boolean family's `separable`; the step's note
says what to use instead.
"""
from __future__ import annotations

from fractions import Fraction

# the standard (activation, loss) pairs of each task; the first is the one recommended
STANDARD = {
    "binary": (("sigmoid", "bce"), ("softmax", "cross_entropy")),
    "multiclass": (("softmax", "cross_entropy"),),
    "multilabel": (("sigmoid", "bce"),),
    "regression": (("identity", "mse"), ("identity", "mae"), ("identity", "huber")),
}
NAMES = {"sigmoid": "sigmoid", "softmax": "softmax", "identity": "identity (linear)", "relu": "ReLU", "tanh": "tanh",
         "bce": "binary cross-entropy", "cross_entropy": "cross-entropy", "mse": "MSE", "mae": "MAE",
         "huber": "Huber", "hinge": "hinge"}
WHY_NOT = {
    ("multiclass", "sigmoid"): "sigmoid scores each class on its own: the outputs need not sum to 1",
    ("multilabel", "softmax"): "softmax makes the labels compete (they sum to 1), but several can be true at once",
    ("regression", "sigmoid"): "sigmoid squashes the output into (0, 1): an unbounded target cannot be reached",
    ("regression", "softmax"): "softmax outputs sum to 1: not a free real value",
    ("regression", "tanh"): "tanh squashes the output into (−1, 1)",
    ("regression", "relu"): "ReLU cannot output a negative value (only for targets known to be ≥ 0)",
    ("mse", "classification"): "MSE on a probability output: the gradient vanishes where the output saturates "
                               "(σ' → 0), while cross-entropy's gradient at the logit is ŷ − t",
}
PROBABILITY = "the output must be a probability"


def _said(name: str) -> str:
    return NAMES[name]


def verdicts(task: str, activation: str | None, loss: str | None) -> list[tuple[str, Fraction, str, str]]:
    """(id, 1 or 0, the choice in words, the note) for the activation, the loss, and the pair when both are given."""
    activation = "identity" if activation == "linear" else activation
    pairs = STANDARD[task]
    best = pairs[0]
    out = []
    if activation is not None:
        ok = any(a == activation for a, _ in pairs)
        use = sorted({a for a, _ in pairs}, key=[a for a, _ in pairs].index)
        reason = WHY_NOT.get((task, activation), PROBABILITY if task != "regression" else "")
        note = ("standard" + (" (with two output units)" if (task, activation) == ("binary", "softmax") else "")
                if ok else f"not standard{': ' + reason if reason else ''}; use {' or '.join(map(_said, use))}")
        out.append(("activation_ok", Fraction(int(ok)), f"{task}: {_said(activation)}", note))
    if loss is not None:
        # with a standard activation the loss must be its partner; otherwise any standard loss of the task
        partners = [l for a, l in pairs if a == activation] or [l for _, l in pairs]
        ok = loss in partners
        reason = WHY_NOT.get((loss, "classification")) if loss == "mse" and task != "regression" else ""
        note = "standard" if ok else (f"not standard{': ' + reason if reason else ''}; "
                                      f"use {' or '.join(map(_said, partners))}")
        out.append(("loss_ok", Fraction(int(ok)), f"{task}: {_said(loss)}", note))
    if activation is not None and loss is not None:
        ok = (activation, loss) in pairs
        note = "the standard pair" if ok else f"use {_said(best[0])} with {_said(best[1])}"
        out.append(("output_ok", Fraction(int(ok)), f"{task}: {_said(activation)} + {_said(loss)}", note))
    return out
