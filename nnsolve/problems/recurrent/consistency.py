"""Cross-field checks of a recurrent problem, each with its place: the named weights exist, every xₜ has one
width, every product fits (W·xₜ, V·hₜ₋₁, U·hₜ), h₀ (and y₀ for Jordan feedback) has the state's width."""
from __future__ import annotations

import re

import numpy as np

from ...limits import MAX_RECURRENT_STEPS
from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import RecurrentProblem

DIFFERENTIATE = re.compile(r"[hyzo]\d+(\[\d+\])?")


class ShapeError(Exception):
    """A product or a sum the forward pass could not form: the message, at the place given."""

    def __init__(self, loc: tuple, message: str):
        super().__init__(message)
        self.loc, self.message = loc, message


def _shape(value) -> tuple[int, ...]:
    return np.shape(np.array(value, dtype=object))


def _text(shape: tuple) -> str:
    return "a number" if not shape else f"a {shape[0]}-vector" if len(shape) == 1 else "×".join(map(str, shape))


def _count(shape: tuple) -> str:
    return f"{shape[0] if shape else 1} value(s)"


def _times(name: str, w: tuple, v: tuple, layout: str, what: str) -> tuple:
    """The shape of weight·value as the cell forms it (cell_ops._times): a number scales element-wise, a matrix
    multiplies a vector (W·v in out_in, Wᵀ·v in in_out)."""
    loc = ("weights", name)
    if 0 in w:
        raise ShapeError(loc, "has an empty row: every weight is a number, a vector or a full matrix")
    if len(w) > 2:
        raise ShapeError(loc, f"is {_text(w)}: a weight is a number, a vector or a matrix")
    if not w or not v:
        return v or w
    if len(w) == 1:
        raise ShapeError(loc, f"a vector weight cannot multiply {_text(v)} ({what}); write it as a matrix")
    if len(v) != 1:
        raise ShapeError(loc, f"multiplies {_text(v)} ({what}); a state or an input is a number or a vector")
    rows, cols = w if layout == "out_in" else w[::-1]
    if v[0] != cols:
        raise ShapeError(loc, f"is {w[0]}×{w[1]} ({layout}) but multiplies {_text(v)} ({what})")
    return (rows,)


def _same(shapes: list[tuple[tuple, tuple, str]]) -> tuple:
    """The common shape of terms that are added (a number may stand for a 1-vector, as numpy broadcasts it);
    each term is (shape, place, what)."""
    # the first term that is not a number sets the units (W·xₜ usually); the others must fit it
    wanted = next((shape for shape, _, _ in shapes if shape), ())
    for shape, loc, what in shapes:
        if shape != wanted and {shape, wanted} != {(), (1,)} and shape != ():
            raise ShapeError(loc, f"{what} is {_text(shape)}, but {_text(wanted)} is expected")
    return wanted


def _state_shapes(p: RecurrentProblem) -> None:
    """Walk one step of the cell on shapes alone: W·xₜ + V·(hₜ₋₁ or yₜ₋₁) + b, the output U·hₜ + c, and the
    targets, so that every product and sum the forward pass forms is known to fit."""
    cell, layout, w = p.cell, p.layout, {name: _shape(value) for name, value in p.weights.items()}
    x = _shape(p.x[0])
    for t, value in enumerate(p.x[1:], 1):
        if _shape(value) != x:
            raise ShapeError(("x", t), f"x{t + 1} has {_count(_shape(value))} but x1 has {_count(x)}: every step "
                                       "of the sequence has one width")
    if len(x) > 1:
        raise ShapeError(("x", 0), f"x1 is {_text(x)}: each step of the sequence is a number or a vector")
    hidden = _shape(p.h0)
    if len(hidden) > 1 or 0 in hidden:
        raise ShapeError(("h0",), f"is {_text(hidden)}: a state is a number or a vector")
    out = None
    if p.output is not None:
        terms = [(_times(p.output.weight, w[p.output.weight], hidden, layout, "hₜ"), ("weights", p.output.weight),
                  f"{p.output.weight}·hₜ")]
        if p.output.bias:
            terms.append((w[p.output.bias], ("weights", p.output.bias), f"the bias {p.output.bias}"))
        out = _same(terms)
    if cell.feedback == "output":
        if p.output is None:
            raise ShapeError(("cell", "feedback"), "output feedback needs an output layer")
        if p.y0 is None:
            raise ShapeError(("y0",), "is required with output feedback (the y₀ fed into the first step)")
        _same([(out, ("output", "weight"), "yₜ"), (_shape(p.y0), ("y0",), "y₀")])
        fed, fed_what = _shape(p.y0), "the fed-back yₜ₋₁"
    else:
        fed, fed_what = hidden, "the fed-back hₜ₋₁"
    terms = [(_times(cell.input_weight, w[cell.input_weight], x, layout, "xₜ"), ("weights", cell.input_weight),
              f"{cell.input_weight}·xₜ"),
             (_times(cell.recurrent_weight, w[cell.recurrent_weight], fed, layout, fed_what),
              ("weights", cell.recurrent_weight), f"{cell.recurrent_weight}·{fed_what.split()[-1]}")]
    if cell.bias:
        terms.append((w[cell.bias], ("weights", cell.bias), f"the bias {cell.bias}"))
    z = _same(terms)
    _same([(z, ("weights", cell.input_weight), f"{cell.input_weight}·xₜ"), (hidden, ("h0",), "h₀")])
    # from step 2 on the fed-back state is the cell's own hₜ (or yₜ): the product must fit it too
    again = out if cell.feedback == "output" else z
    _same([(z, ("weights", cell.input_weight), f"{cell.input_weight}·xₜ"),
           (_times(cell.recurrent_weight, w[cell.recurrent_weight], again, layout, fed_what),
            ("weights", cell.recurrent_weight), f"{cell.recurrent_weight}·{fed_what.split()[-1]}")])
    if p.loss is not None:
        compared = out if p.loss.over == "y" and out is not None else z
        for t, target in enumerate(p.loss.targets):
            _same([(compared, ("loss", "over"), f"{p.loss.over}ₜ"), (_shape(target), ("loss", "targets", t),
                                                                     "the target")])


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
    if len(p.x) > MAX_RECURRENT_STEPS.value:        # an exam unrolls a handful of steps; BPTT over 30,000 takes seconds
        return [(("x",), f"{len(p.x):,} steps; at most {MAX_RECURRENT_STEPS.value:,} are solved exactly "
                         f"{MAX_RECURRENT_STEPS.hint}")]
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
    try:
        _state_shapes(p)
    except ShapeError as e:
        found.append((e.loc, e.message))
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
    if p.upstream is not None and p.differentiate is not None:
        found.append((("differentiate",), "give either upstream (∂L/∂output) or a quantity to differentiate, not "
                                          "both"))
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
