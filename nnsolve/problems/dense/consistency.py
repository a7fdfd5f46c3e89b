"""Checks that need several fields at once: every matrix fits the layer before it, the target fits
the output, the loss has what it needs, and the problem is small enough to solve exactly. Each finding
names its place; all of them run before anything is computed, so nothing oversized is ever allocated."""
from __future__ import annotations

from ...limits import MAX_DENSE_BATCH, MAX_DENSE_OPERATIONS, MAX_DENSE_WEIGHTS
from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import DenseProblem

# exact arithmetic on more weights than MAX_DENSE_WEIGHTS is a float job, not an exam question; more than
# MAX_DENSE_OPERATIONS exact multiplications in one pass are minutes of work already


def _shape(m) -> tuple[int, int]:
    return len(m), len(m[0])


def _is_batch(values) -> bool:
    return isinstance(values[0], list)


def consistency(p: DenseProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    x = p.data.x
    samples, width = (len(x), len(x[0])) if _is_batch(x) else (1, len(x))
    if samples > MAX_DENSE_BATCH.value:
        found.append((("data", "x"), f"{samples:,} samples; at most {MAX_DENSE_BATCH.shown} are solved exactly "
                                     f"{MAX_DENSE_BATCH.hint}"))
    widths = _layer_widths(p, width, found)
    out_width = widths[-1][1] if widths else width
    _check_target(p, samples, out_width, found)
    found += training_issues(p, _output(p), perceptron=_perceptron_applies(p))
    _check_size(p, samples, widths, found)
    return found


def _output(p: DenseProblem) -> Output:
    """What feeds the loss: the last layer's activation, or the data's x itself when there are no layers."""
    layers, t = p.network.layers, p.data.target
    targets = ([v for row in t for v in row] if _is_batch(t) else list(t)) if t is not None else []
    common = {"targets": targets, "target_at": ("data", "target"), "has_target": t is not None}
    if not layers:
        return Output(None, "the prediction x (no layers)", ("data", "x"), **common)
    last = len(layers) - 1
    return Output(canonical(layers[-1].activation), f"layer {last + 1}'s output",
                  ("network", "layers", last, "activation"), **common)


def _perceptron_applies(p: DenseProblem) -> bool:
    acts = {layer.activation.name for layer in p.network.layers}
    return len(p.network.layers) == 1 and acts <= {"step", "threshold", "sign"}


def _check_batch_norm(p: DenseProblem, spec, units: int, loc: tuple, found: list) -> None:
    if not _is_batch(p.data.x):
        found.append((loc, "batch normalization needs a batch: give data.x one sample per row"))
    for key in ("gamma", "beta"):
        if len(getattr(spec, key)) != units:
            found.append((loc + (key,), f"has {len(getattr(spec, key))} entries, one per unit ({units})"))
    if spec.eps < 0:
        found.append((loc + ("eps",), "ε must not be negative"))


def _layer_widths(p: DenseProblem, width: int, found: list) -> list[tuple[int, int]]:
    """(inputs, units) of every layer as written; each W must take the previous layer's width."""
    layout = p.network.layout
    widths = []
    for i, layer in enumerate(p.network.layers):
        loc = ("network", "layers", i)
        rows, cols = _shape(layer.W)
        n_in, n_out = (rows, cols) if layout == "in_out" else (cols, rows)
        if n_in != width:
            hint = ""
            if n_out == width and _units_elsewhere(p, i, n_in):
                # written the other way round (its bias or the next layer counts its units on the other
                # side): read it as meant, so the layers after it are checked with that many and one
                # mistake is reported once
                n_in, n_out = n_out, n_in
                other = "out_in" if layout == "in_out" else "in_out"
                hint = (f" — the transpose of what {layout} expects: transpose W, or set network.layout: "
                        f"{other} if every W is written that way")
            expected = f"{width}×{n_out}" if layout == "in_out" else f"{n_out}×{width}"
            what = f"the {width} values of h{i}" if i else f"the {width} values of x"
            rule = "a row per input" if layout == "in_out" else "a row per unit"
            found.append((loc + ("W",), f"expected a {expected} matrix ({layout}: {rule}, taking {what}), "
                                        f"got {rows}×{cols}{hint}"))
        if isinstance(layer.b, list) and len(layer.b) != n_out:
            found.append((loc + ("b",), f"expected {_count(n_out, 'bias', 'biases')} (one per unit of W), "
                                        f"got {len(layer.b)}"))
        if isinstance(layer.trainable, dict) and "b" in layer.trainable and layer.b is None:
            found.append((loc + ("trainable", "b"), "the layer has no bias"))
        if layer.batch_norm is not None:
            _check_batch_norm(p, layer.batch_norm, n_out, loc + ("batch_norm",), found)
        if layer.activation.name == "softmax" and n_out < 2:
            found.append((loc + ("activation",), "softmax over a single unit is always 1; use sigmoid"))
        widths.append((n_in, n_out))
        width = n_out
    total = sum(a * b for a, b in widths)
    if total > MAX_DENSE_WEIGHTS.value:
        found.append((("network", "layers"), f"{total:,} weights; at most {MAX_DENSE_WEIGHTS.shown} are solved "
                                             f"exactly {MAX_DENSE_WEIGHTS.hint}"))
    return widths


def _units_elsewhere(p: DenseProblem, i: int, units: int) -> bool:
    """Does layer i's bias, or the next layer's W, say layer i has `units` units?"""
    layers = p.network.layers
    if isinstance(layers[i].b, list):
        return len(layers[i].b) == units
    if i + 1 < len(layers):
        rows, cols = _shape(layers[i + 1].W)
        return (rows if p.network.layout == "in_out" else cols) == units
    return True


def _check_target(p: DenseProblem, samples: int, width: int, found: list) -> None:
    t = p.data.target
    if t is None:
        return
    batched = _is_batch(p.data.x)
    t_samples, t_width = (len(t), len(t[0])) if _is_batch(t) else (1, len(t))
    if (t_samples, t_width) != (samples, width) or (_is_batch(t) and not batched):
        want = f"a {samples}×{width} matrix (a row per sample)" if batched else _count(width, "value", "values")
        got = f"a {t_samples}×{t_width} matrix" if _is_batch(t) else _count(t_width, "value", "values")
        hint = ""
        if batched and not _is_batch(t) and width == 1 and t_width == samples:
            hint = " — write one row per sample: [[t₁], [t₂], …]"
        found.append((("data", "target"), f"expected {want}, one per output unit of the network, got {got}{hint}"))


def _check_size(p: DenseProblem, samples: int, widths: list[tuple[int, int]], found: list) -> None:
    """Refuse, before anything is allocated, a problem whose one pass would take too long or too much memory:
    a pass multiplies each weight once per sample (forward) and twice (backward). (How many updates a run may
    take is the training pipeline's to judge, for every family alike.)"""
    per_sample = sum(3 * n_in * n_out + 4 * n_out for n_in, n_out in widths)
    work, most = samples * per_sample, MAX_DENSE_OPERATIONS.value
    if work <= most:
        return
    message = (f"about {work:,} exact operations in one pass ({_count(samples, 'sample', 'samples')}, "
               f"{sum(a * b for a, b in widths):,} weights); at most {most:,} are done exactly — a problem "
               f"this size is a job for floating point {MAX_DENSE_OPERATIONS.hint}")
    if samples > 1 and per_sample <= most:
        found.append((("data", "x"), "too many samples: " + message))
    else:
        found.append((("network", "layers"), "too large: " + message))


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"
