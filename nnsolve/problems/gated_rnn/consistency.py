"""Shapes that must agree across fields, each finding at its place; and the per-gate, per-step arrays
the solver reads (the stacked weights split in gate order, numbers widened to 1×1 matrices)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...limits import MAX_GATED_STEPS
from ...training.activation import canonical
from ...training.checks import Output, training_issues
from .schema import GatedRnnProblem

KINDS = ("input", "recurrent", "bias", "recurrent_bias")


def _array(value, dims: int) -> np.ndarray:
    a = np.array(value, dtype=object)
    while a.ndim < dims:
        a = a.reshape((1,) + a.shape)
    return a


def sequence(p: GatedRnnProblem) -> list[np.ndarray]:
    return [_array(v, 1) for v in p.x]


def gate_arrays(p: GatedRnnProblem, found: list | None = None) -> dict[str, dict[str, list[np.ndarray]]]:
    """gate → kind → one array per step (a single array unless time_varying)."""
    found = [] if found is None else found
    out: dict[str, dict[str, list[np.ndarray]]] = {g: {} for g in p.gate_names}
    steps = len(p.x)
    order = p.stacked_order
    if sorted(order) != sorted(p.gate_names):
        # checked with per-gate weights too: a gate_order naming one gate four times is a mistake either way
        found.append((("gate_order",), f"a {p.cell.upper()} ({p.formulation}) stacks each of its gates "
                                       f"{p.file_gate_names} once, got {', '.join(p.gate_order or ())}"))
        if p.weights is not None:
            return out
    elif p.weights is not None:
        if not _concatenation_issues(p, p.weights, ("weights",), found):
            return out
        for kind in KINDS + ("concatenated",):
            value = getattr(p.weights, kind)
            if value is None:
                continue
            for t, block in enumerate(_per_step(p, value, kind, ("weights", kind), steps, found)):
                axis = 0 if kind.endswith("bias") or p.weight_layout == "out_in" else 1
                if block.shape[axis] % len(order):
                    found.append((("weights", kind), f"{block.shape[axis]} stacked rows do not split into "
                                                     f"{len(order)} gates ({', '.join(order)})"))
                    return out
                for gate, part in zip(order, np.split(block, len(order), axis=axis)):
                    out[gate].setdefault(kind, []).append(part)
        for gate in order:
            _split_concatenated(p, out[gate], ("weights", "concatenated"), gate, found)
    for name, spec in (p.gates or {}).items():
        gate = p.gate_role(name)
        if gate is None:
            found.append((("gates", name), f"a {p.cell.upper()} ({p.formulation} formulation) has gates "
                                           f"{p.file_gate_names}, not {name!r}"))
            continue
        if not _concatenation_issues(p, spec, ("gates", name), found):
            continue
        for kind in KINDS + ("concatenated",):
            value = getattr(spec, kind)
            if value is not None:
                out[gate][kind] = _per_step(p, value, kind, ("gates", name, kind), steps, found)
        _split_concatenated(p, out[gate], ("gates", name, "concatenated"), gate, found)
    if p.concatenation is not None and not any(
            spec.concatenated is not None for spec in [p.weights, *(p.gates or {}).values()] if spec is not None):
        found.append((("concatenation",), "no weights are given as `concatenated`: remove concatenation, or give "
                                          "each gate's W · [hₜ₋₁, xₜ] as concatenated"))
    return out


def _concatenation_issues(p, spec, loc: tuple, found: list) -> bool:
    """Whether `spec`'s weights can be read: concatenated or input and recurrent, not both; concatenated needs
    the order of its concatenation."""
    if spec.concatenated is None:
        return True
    both = [k for k in ("input", "recurrent") if getattr(spec, k) is not None]
    if both:
        found.append((loc + (both[0],), "the weights are given concatenated already: give either concatenated "
                                        "(over [hₜ₋₁, xₜ]) or input and recurrent, not both"))
        return False
    if p.concatenation is None:
        found.append((loc + ("concatenated",), "needs `concatenation` to say the order of the concatenated vector: "
                                               "h_x (W · [hₜ₋₁, xₜ]) or x_h (W · [xₜ, hₜ₋₁])"))
        return False
    return True


def concatenated_split(p) -> tuple[int, int, int]:
    """(axis, hidden size, input width) of a concatenated matrix: its columns (out_in) or rows (in_out) are the
    entries of [hₜ₋₁, xₜ] (h_x) or [xₜ, hₜ₋₁] (x_h)."""
    return (1 if p.weight_layout == "out_in" else 0), _array(p.h0, 1).size, sequence(p)[0].size


def _split_concatenated(p, kinds: dict, loc: tuple, gate: str, found: list) -> None:
    """Replace a gate's concatenated blocks by their parts multiplying xₜ (input) and hₜ₋₁ (recurrent)."""
    blocks = kinds.pop("concatenated", None)
    if blocks is None:
        return
    axis, hidden, width = concatenated_split(p)
    first = hidden if p.concatenation == "h_x" else width
    for block in blocks:
        if block.shape[axis] != hidden + width:
            side = "columns" if axis == 1 else "rows"
            order = "[hₜ₋₁, xₜ]" if p.concatenation == "h_x" else "[xₜ, hₜ₋₁]"
            found.append((loc, f"gate {p.gate_name(gate)}: {order} has {hidden} + {width} = {hidden + width} entries, "
                               f"so the concatenated matrix needs {hidden + width} {side} ({p.weight_layout}), "
                               f"got {block.shape[axis]}"))
            return
        head, tail = np.split(block, [first], axis=axis)
        h_part, x_part = (head, tail) if p.concatenation == "h_x" else (tail, head)
        kinds.setdefault("input", []).append(x_part)
        kinds.setdefault("recurrent", []).append(h_part)


def _per_step(p, value, kind: str, loc: tuple, steps: int, found: list) -> list[np.ndarray]:
    dims = 1 if kind.endswith("bias") else 2
    if not p.time_varying:
        return [_array(value, dims)]
    if not isinstance(value, list) or len(value) != steps:
        found.append((loc, f"time_varying: expected one entry per time step ({steps})"))
        return [_array(value, dims)] * steps
    return [_array(v, dims) for v in value]


def consistency(p: GatedRnnProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    if not p.x:
        return [(("x",), "the sequence needs at least one step")]
    if len(p.x) > MAX_GATED_STEPS.value:
        found.append((("x",), f"{len(p.x)} steps; at most {MAX_GATED_STEPS.value} are solved exactly "
                              f"{MAX_GATED_STEPS.hint}"))
    xs = sequence(p)
    width = xs[0].size
    found += [(("x", t), f"has {v.size} entries, step 1 has {width}: every step has the same width")
              for t, v in enumerate(xs) if v.shape != (width,)]
    for key in ("h0", "c0"):
        state = getattr(p, key)
        if state is not None and np.array(state, dtype=object).ndim > 1:
            found.append(((key,), f"is a state vector (one number per unit, e.g. [0, 0]), got "
                                  f"{np.array(state, dtype=object).ndim} nested lists"))
    if found:
        return found
    hidden = _array(p.h0, 1).size
    if p.cell == "lstm" and p.c0 is None:
        found.append((("c0",), "is required: an LSTM starts from a given cell state c₀ (e.g. c0: [0, 0])"))
    cell = cell_size(p)
    if p.projection is not None and p.cell != "lstm":
        found.append((("projection",), "only an LSTM projects its hidden state (PyTorch proj_size); a GRU's "
                                       "hidden state is its only state: remove projection"))
    elif p.projection is not None:
        _check_projection(p, hidden, cell, found)
    elif p.c0 is not None and cell != hidden:
        found.append((("c0",), f"has {cell} entries, h₀ has {hidden} (for a cell size different from the "
                               f"hidden size give projection: W_hr, {hidden}×{cell})"))
    if (p.weights is None) == (p.gates is None):
        found.append((("weights",), "give the weights either stacked (weights:) or per gate (gates:), one of them"))
        return found
    arrays = gate_arrays(p, found)
    _check_gate_shapes(p, arrays, width, hidden, cell, found)
    _check_output_and_target(p, hidden, cell, found)
    found += training_issues(p, loss_output(p))
    return found


def loss_output(p: GatedRnnProblem) -> Output:
    """What the loss compares with the targets: the output layer's yₜ, or the hidden state itself."""
    if p.output is not None:
        what = Output(canonical(p.output.activation), "yₜ", ("output", "activation"))
    else:
        squash = f"{p.gate_name('o')}ₜ ⊙ {p.cell_activation}(cₜ)" if p.cell == "lstm" else "a mix of tanh states"
        what = Output(squash, "hₜ (no output layer)", ("cell",))
    targets = [v for t in (p.target or []) for v in _array(t, 1).reshape(-1)]
    return replace(what, targets=targets, has_target=p.target is not None)


def cell_size(p: GatedRnnProblem) -> int:
    """The LSTM's cell size: c₀'s, which differs from h₀'s only under a projection."""
    return _array(p.c0, 1).size if p.cell == "lstm" and p.c0 is not None else _array(p.h0, 1).size


def _shape(p, rows: int, cols: int) -> tuple[int, int]:
    """A weight taking `cols` inputs to `rows` units, in the problem's layout."""
    return (rows, cols) if p.weight_layout == "out_in" else (cols, rows)


def _check_projection(p, hidden: int, cell: int, found: list) -> None:
    for t, block in enumerate(_per_step(p, p.projection, "input", ("projection",), len(p.x), found)):
        if block.shape != _shape(p, hidden, cell):
            found.append((("projection",) + ((t,) if p.time_varying else ()),
                          f"W_hr maps the cell's {cell} units to the {hidden} hidden units: expected "
                          f"{'×'.join(map(str, _shape(p, hidden, cell)))} ({p.weight_layout}), "
                          f"got {'×'.join(map(str, block.shape))}"))


def _check_gate_shapes(p, arrays: dict, width: int, hidden: int, cell: int, found: list) -> None:
    layout = p.weight_layout
    want = {"input": _shape(p, cell, width), "recurrent": _shape(p, cell, hidden),
            "bias": (cell,), "recurrent_bias": (cell,)}
    for gate, kinds in arrays.items():
        loc = ("weights",) if p.weights is not None else ("gates", _file_name(p, gate))
        spec = p.weights if p.weights is not None else (p.gates or {}).get(_file_name(p, gate))
        joined = spec is not None and spec.concatenated is not None
        for kind in ("input", "recurrent"):
            if kind not in kinds and not joined:
                found.append((loc, f"gate {gate} has no {kind} weights (or give both as concatenated)"))
        for kind, blocks in kinds.items():
            for block in blocks[:1]:
                if block.shape != want[kind] and joined and kind in ("input", "recurrent"):
                    part = "xₜ" if kind == "input" else "hₜ₋₁"
                    found.append((loc + ("concatenated",), f"gate {p.gate_name(gate)}: the part multiplying {part} "
                                                           f"should be {'×'.join(map(str, want[kind]))} ({layout}), "
                                                           f"got {'×'.join(map(str, block.shape))}"))
                elif block.shape != want[kind]:
                    rule = "a row per unit" if layout == "out_in" else "a row per input"
                    units = f"{cell} cell units, {hidden} hidden" if cell != hidden else f"{hidden} hidden units"
                    found.append((loc + (kind,), f"gate {p.gate_name(gate)}: expected "
                                                 f"{'×'.join(map(str, want[kind]))} "
                                                 f"({layout}: {rule}; {units}, {width} inputs), "
                                                 f"got {'×'.join(map(str, block.shape))}"))


def _file_name(p, role: str) -> str:
    """The key the file used for a gate (Keras' c for g, say), so a finding points at it."""
    return next((name for name in p.gates or () if p.gate_role(name) == role), p.gate_name(role))


def _check_output_and_target(p, hidden: int, cell: int, found: list) -> None:
    units = hidden
    if p.output is not None:
        w = _per_step(p, p.output.W, "input", ("output", "W"), len(p.x), [])[0]
        n_in, units = w.shape if p.weight_layout == "in_out" else w.shape[::-1]
        source, size = ("cell", cell) if p.output.source == "cell" else ("hidden", hidden)
        if n_in != size:
            found.append((("output", "W"), f"takes {n_in} inputs, the cell has {size} {source} units"))
    if p.target is not None:
        wanted = len(p.x) if p.loss_at == "every" else 1
        if len(p.target) != wanted:
            found.append((("target",), f"expected {wanted} target(s), one per {'step' if wanted > 1 else 'last step'}"
                                       f", got {len(p.target)}"))
        for t, v in enumerate(p.target):
            if _array(v, 1).size != units:
                found.append((("target", t), f"has {_array(v, 1).size} entries, the output has {units}"))

