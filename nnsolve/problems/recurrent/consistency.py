"""Cross-field checks of a recurrent problem, each with its place: the named weights exist, every xₜ has one
width, every product fits (W·xₜ, V·hₜ₋₁, U·hₜ), h₀ (and y₀ for Jordan feedback) has the state's width."""
from __future__ import annotations

import re

import numpy as np

from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import RecurrentProblem

DIFFERENTIATE = re.compile(r"[hyzo]\d+(\[\d+\])?")


def _width(v) -> int | None:
    """Length of a vector, None for a number (a matrix is not a state)."""
    return len(v) if isinstance(v, list) else None


def _product(w, v_width, layout):
    """Width of w·v, or a message; a scalar weight scales element-wise."""
    shape = np.shape(np.array(w, dtype=object))
    if len(shape) == 0:
        return v_width, None
    if len(shape) == 1:                       # a vector weight against a scalar value (one input)
        return (shape[0], None) if v_width is None else (None, f"a vector weight cannot multiply a "
                                                               f"{v_width}-vector; write it as a matrix")
    rows, cols = shape if layout == "out_in" else shape[::-1]
    if (v_width or 1) != cols:
        return None, f"is {shape[0]}×{shape[1]} ({layout}) but multiplies a {v_width or 1}-value quantity"
    return (rows if rows > 1 or v_width is not None else None), None


def _per_step_issues(p: RecurrentProblem) -> list[tuple[tuple, str]]:
    """time_varying: every weight is a list of one entry per step, all of one shape."""
    found = []
    for name, value in p.weights.items():
        if not isinstance(value, list) or len(value) != len(p.x):
            found.append((("weights", name), f"time_varying: expected one entry per time step ({len(p.x)})"))
        elif len({np.shape(np.array(v, dtype=object)) for v in value}) > 1:
            found.append((("weights", name), "time_varying: every step's entry must have the same shape"))
    return found


def consistency(p: RecurrentProblem) -> list[tuple[tuple, str]]:
    if p.time_varying:
        found = _per_step_issues(p)
        if found:
            return found
        # the shapes are the same at every step, so step 1's weights stand for all in the checks below
        p = p.model_copy(update={"weights": {k: v[0] for k, v in p.weights.items()}, "time_varying": False})
    found: list[tuple[tuple, str]] = []
    named = [("cell", "input_weight"), ("cell", "recurrent_weight"), ("cell", "bias")]
    if p.output is not None:
        named += [("output", "weight"), ("output", "bias")]
    for loc in named:
        name = getattr(getattr(p, loc[0]), loc[1])
        if name is not None and name not in p.weights:
            found.append((loc, f"names {name!r}, which is not among weights ({', '.join(p.weights)})"))
    if found:
        return found
    widths = [_width(v) for v in p.x]
    for t, w in enumerate(widths[1:], 1):
        if w != widths[0]:
            found.append((("x", t), f"x{t + 1} has {w or 1} value(s) but x1 has {widths[0] or 1}: every step "
                                    "of the sequence has one width"))
    hidden = _width(p.h0)
    cell = p.cell
    width, msg = _product(p.weights[cell.input_weight], widths[0], p.layout)
    if msg:
        found.append((("weights", cell.input_weight), msg + " (xₜ)"))
    elif width != hidden and (width or 1) != (hidden or 1):
        found.append((("h0",), f"has {hidden or 1} value(s) but {cell.input_weight}·xₜ has {width or 1}"))
    out_width = None
    if p.output is not None:
        out_width, msg = _product(p.weights[p.output.weight], hidden, p.layout)
        if msg:
            found.append((("weights", p.output.weight), msg + " (hₜ)"))
    if cell.feedback == "output":
        if p.output is None:
            found.append((("cell", "feedback"), "output feedback needs an output layer"))
        elif p.y0 is None:
            found.append((("y0",), "is required with output feedback (the y₀ fed into the first step)"))
        fed = _width(p.y0) if p.y0 is not None else out_width
    else:
        fed = hidden
    _, msg = _product(p.weights[cell.recurrent_weight], fed, p.layout)
    if msg:
        found.append((("weights", cell.recurrent_weight), msg + " (the fed-back state)"))
    if p.differentiate is not None:
        if not DIFFERENTIATE.fullmatch(p.differentiate):
            found.append((("differentiate",), "expected a quantity such as h3, y2 or h3[0]"))
        elif int(re.sub(r"\D", "", p.differentiate.split("[")[0])) not in range(1, len(p.x) + 1):
            found.append((("differentiate",), f"names a time step outside 1…{len(p.x)}"))
        elif p.differentiate[0] in "oy" and p.output is None:
            found.append((("differentiate",), "names an output, but there is no output layer"))
    if p.loss is not None:
        steps = p.loss.steps or list(range(1, len(p.x) + 1))
        if len(p.loss.targets) != len(steps):
            found.append((("loss", "targets"), f"{len(p.loss.targets)} targets for {len(steps)} time steps"))
        if p.loss.over == "y" and p.output is None:
            found.append((("loss", "over"), "y, but there is no output layer"))
    if p.loss is not None and p.differentiate is not None:
        found.append((("differentiate",), "give either a loss or a quantity to differentiate, not both"))
    found += training_issues(p, loss_output(p), objective=p.differentiate is not None)
    return found


def loss_output(p: RecurrentProblem) -> Output:
    """What the loss compares with its targets: yₜ through the output activation, or hₜ through the cell's."""
    over_y = p.loss is not None and p.loss.over == "y" and p.output is not None
    activation = p.output.activation if over_y else p.cell.activation
    at = ("output", "activation") if over_y else ("cell", "activation")
    targets = [v for t in (p.loss.targets if p.loss is not None else []) for v in _flat(t)]
    return Output(canonical(activation), "yₜ" if over_y else "hₜ", at, targets=targets,
                  target_at=("loss", "targets"))


def _flat(value) -> list:
    return [v for item in value for v in _flat(item)] if isinstance(value, list) else [value]
