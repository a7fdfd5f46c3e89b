"""Checks that need several fields at once: every matrix fits the layer before it, the target fits
the output, the loss has what it needs, and the problem is small enough to solve exactly. Each finding
names its place; all of them run before anything is computed, so nothing oversized is ever allocated."""
from __future__ import annotations

from .schema import DenseProblem

MAX_PARAMETERS = 100_000     # exact arithmetic on more than this is a float job, not an exam question
MAX_BATCH = 10_000
MAX_OPERATIONS = 5_000_000   # exact multiplications over every pass and step: minutes of work already


def _shape(m) -> tuple[int, int]:
    return len(m), len(m[0])


def _is_batch(values) -> bool:
    return isinstance(values[0], list)


def consistency(p: DenseProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    x = p.data.x
    samples, width = (len(x), len(x[0])) if _is_batch(x) else (1, len(x))
    if samples > MAX_BATCH:
        found.append((("data", "x"), f"{samples:,} samples; at most {MAX_BATCH:,} are solved exactly"))
    widths = _layer_widths(p, width, found)
    out_width = widths[-1][1] if widths else width
    _check_target(p, samples, out_width, found)
    _check_requirements(p, found)
    _check_size(p, samples, widths, found)
    # --- optimizer settings (owned with nnsolve/optim) ---
    if p.optimizer is not None:
        from ...optim.checks import optimizer_issues
        found += optimizer_issues(p.optimizer)
    # --- end optimizer settings ---
    return found


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
        if layer.b is not None and len(layer.b) != n_out:
            found.append((loc + ("b",), f"expected {_count(n_out, 'bias', 'biases')} (one per unit of W), "
                                        f"got {len(layer.b)}"))
        if layer.batch_norm is not None:
            _check_batch_norm(p, layer.batch_norm, n_out, loc + ("batch_norm",), found)
        if layer.activation.name == "softmax" and n_out < 2:
            found.append((loc + ("activation",), "softmax over a single unit is always 1; use sigmoid"))
        widths.append((n_in, n_out))
        width = n_out
    total = sum(a * b for a, b in widths)
    if total > MAX_PARAMETERS:
        found.append((("network", "layers"), f"{total:,} weights; at most {MAX_PARAMETERS:,} are solved exactly"))
    return widths


def _units_elsewhere(p: DenseProblem, i: int, units: int) -> bool:
    """Does layer i's bias, or the next layer's W, say layer i has `units` units?"""
    layers = p.network.layers
    if layers[i].b is not None:
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
    if p.loss is not None and p.loss.type in ("bce", "binary_cross_entropy"):
        flat = [v for row in t for v in row] if _is_batch(t) else t
        if any(v < 0 or v > 1 for v in flat):
            found.append((("data", "target"), "binary cross-entropy needs targets between 0 and 1"))


# which loss keys each loss reads (a squared-error key on a cross-entropy is a mistake, not a no-op)
LOSS_KEYS = {
    "squared error": {"half", "over_outputs", "over_samples"},
    "cross-entropy": {"log_base", "log_zero", "over_outputs", "over_samples"},
    "gaussian_nll": {"sigma", "over_samples"},
}


def _family(loss_type: str) -> str:
    if loss_type in ("squared_error", "sse", "mse", "half_sse"):
        return "squared error"
    if loss_type == "gaussian_nll":
        return "gaussian_nll"
    return "cross-entropy"


def _check_requirements(p: DenseProblem, found: list) -> None:
    if p.loss is not None and p.data.target is None:
        found.append((("data", "target"), f"is required: the loss ({p.loss.type}) compares the output with it"))
    if p.optimizer is not None and p.loss is None:
        found.append((("optimizer",), "needs a loss to minimise: add a loss section, e.g. loss: {type: mse}"))
    if p.loss is not None:
        # a key the chosen loss never reads would be silently ignored: say so instead
        for key in sorted(p.loss.model_fields_set - {"type"}):
            owners = [name for name, keys in LOSS_KEYS.items() if key in keys]
            if p.loss.type not in owners and _family(p.loss.type) not in owners:
                found.append((("loss", key), f"does not apply to {p.loss.type} (only to {', '.join(owners)})"))
        if p.loss.type == "gaussian_nll" and (p.loss.sigma is None or p.loss.sigma <= 0):
            found.append((("loss", "sigma"), "gaussian_nll needs the noise's standard deviation σ > 0"))
    if p.penalty is not None and p.loss is None:
        found.append((("penalty",), "is added to a loss: add a loss section, e.g. loss: {type: mse}"))
    if p.penalty is not None and p.penalty.strength < 0:
        found.append((("penalty", "lambda"), "λ must be at least 0"))
    if p.optimizer is not None and p.optimizer.type == "perceptron":
        acts = {layer.activation.name for layer in p.network.layers}
        if len(p.network.layers) != 1 or not acts <= {"step", "threshold", "sign"}:
            found.append((("optimizer", "type"), "the perceptron rule needs a single layer with a step or sign "
                                                 "activation"))


def _check_size(p: DenseProblem, samples: int, widths: list[tuple[int, int]], found: list) -> None:
    """Refuse, before anything is allocated, a problem whose exact solution would take too long or too
    much memory: every pass multiplies each weight once per sample (forward) and twice (backward)."""
    steps = p.optimizer.steps if p.optimizer is not None else 0
    per_sample = sum(3 * n_in * n_out + 4 * n_out for n_in, n_out in widths)
    work = (steps + 1) * samples * per_sample
    if work <= MAX_OPERATIONS:
        return
    message = (f"about {work:,} exact operations ({_count(samples, 'sample', 'samples')}, "
               f"{sum(a * b for a, b in widths):,} weights, {_count(steps + 1, 'pass', 'passes')}); at most "
               f"{MAX_OPERATIONS:,} are done exactly — a problem this size is a job for floating point")
    if steps and work // (steps + 1) <= MAX_OPERATIONS:
        found.append((("optimizer", "steps"), "too many steps: " + message))
    elif samples > 1 and work // samples <= MAX_OPERATIONS:
        found.append((("data", "x"), "too many samples: " + message))
    else:
        found.append((("network", "layers"), "too large: " + message))


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"
