"""A dense network as Graphviz DOT source: one box per unit, a cluster per layer, forward values in blue
and gradients in red, each edge with its weight."""
from __future__ import annotations

from ...engine.number import format_number
from ...render.formulas import symbolic
from ...render.picture import FORWARD, GRADIENT, cluster, head, html_label, numbers, quote
from ...solution import Solution, Step


def to_dot(solution: Solution) -> str:
    """Units x₁…, then each layer's units with u, h (and z under batch normalization) in blue, δ = ∂L/∂u
    in red and the bias; each edge carries its weight (and ∂L/∂w in red). Units are numbered from 1."""
    d = solution.digits
    depth = solution.meta["layers"]
    in_out = solution.meta["network.layout"] == "in_out"
    lines = head("network", "forward values in blue, gradients ∂L/∂· in red; units numbered from 1")
    x = solution.step("x")
    width = x.value.shape[-1]
    lines += cluster("input", f"input {x.text_symbol}",
                     [(f"x.{j}", _unit_label(solution, [x], j, f"dL/d{x.id}")) for j in range(width)])
    for i in range(1, depth + 1):
        h = solution.step(f"h{i}")
        layer = [solution.step(q) for q in (f"u{i}", f"z{i}", f"h{i}") if q in solution.ids]
        units = h.value.shape[-1]
        extra = {"bias": solution.step(f"b{i}") if f"b{i}" in solution.ids else None}
        if i == depth and "t" in solution.ids:
            extra["target"] = solution.step("t")
        lines += cluster(f"layer{i}", f"layer {i}: {h.text_symbol} = {symbolic(solution, h, latex=False)}",
                         [(f"{i}.{j}", _unit_label(solution, layer, j, f"dL/du{i}", **extra))
                           for j in range(units)])
        lines += _weight_edges(solution, i, width, units, in_out)
        width = units
    if "loss" in solution.ids and depth:
        loss = solution.step("loss")
        label = html_label([(loss.text_symbol, None), (numbers(loss.value, d), FORWARD)])
        lines.append(f'  "loss" [label={label}];')
        lines += [f"  {quote(f'{depth}.{j}')} -> \"loss\" [style=dashed];" for j in range(width)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _unit_label(solution: Solution, forward: list[Step], j: int, gradient: str,
                bias: Step | None = None, target: Step | None = None) -> str:
    d = solution.digits
    lines: list[tuple[str, str | None]] = [
        (f"{s.text_symbol}[{j + 1}] = {numbers(s.value[..., j], d)}", FORWARD) for s in forward]
    if gradient in solution.ids:
        g = solution.step(gradient)
        lines.append((f"{g.text_symbol}[{j + 1}] = {numbers(g.value[..., j], d)}", GRADIENT))
    for s in (bias, target):
        if s is not None:     # a shared bias is one number for every unit
            value = s.value if s.value.ndim == 0 else s.value[..., j]
            lines.append((f"{s.text_symbol}[{j + 1}] = {numbers(value, d)}", None))
    return html_label(lines)


def _weight_edges(solution: Solution, layer: int, width: int, units: int, in_out: bool) -> list[str]:
    W = solution.value(f"W{layer}")
    gradient = solution.value(f"dL/dW{layer}") if f"dL/dW{layer}" in solution.ids else None
    source = "x" if layer == 1 else str(layer - 1)
    lines = []
    for k in range(width):
        for j in range(units):
            at = (k, j) if in_out else (j, k)
            label = [(format_number(W[at], solution.digits), None)]
            if gradient is not None:
                label.append((format_number(gradient[at], solution.digits), GRADIENT))
            lines.append(f"  {quote(f'{source}.{k}')} -> {quote(f'{layer}.{j}')} [label={html_label(label)}];")
    return lines
