"""Checks across fields, each with its place: the kernel fits the input, every known output lies in
the output, no position is given twice, names do not clash with the solution's own quantities, and
the system is small enough to eliminate exactly."""
from __future__ import annotations

import re

from ...geometry import GeometryError
from ...limits import MAX_KERNEL_EQUATIONS, MAX_KERNEL_OPERATIONS, MAX_KERNEL_UNKNOWNS
from .schema import ConvUnknownsProblem, Unknown
from .system import geometry, positions, unknown_names

RESERVED = re.compile(r"(I|rank|bias|E\d+|contradiction\d+)\Z")     # ids of the solution's own steps


def consistency(p: ConvUnknownsProblem) -> list[tuple[tuple, str]]:
    found: list[tuple[tuple, str]] = []
    if len(p.kernel) != len(p.input):
        found.append((("kernel",), f"has {len(p.kernel)} channel(s), the input {len(p.input)}: a kernel has one "
                                   f"matrix per input channel"))
    _check_names(p, found)
    if found:
        return found
    try:
        geo = geometry(p)
    except GeometryError as e:
        return [((e.setting or "kernel",), f"{e}; there is no output" if e.setting is None else str(e))]
    rows, cols = geo.output
    if not p.outputs:
        found.append((("outputs",), "is empty: give at least one known output"))
    seen: dict[tuple[int, int], int] = {}
    base = p.index_base
    for k, (i, j) in enumerate(positions(p)):
        if not (0 <= i < rows and 0 <= j < cols):
            found.append((("outputs", k, "at"), f"position {list(p.outputs[k].at)} is outside the {rows}×{cols} "
                                                f"output (rows and columns {base}…{rows - 1 + base}, "
                                                f"{base}…{cols - 1 + base}, index_base {base})"))
        elif (i, j) in seen:
            found.append((("outputs", k, "at"), f"position {list(p.outputs[k].at)} is given twice (also "
                                                f"outputs[{seen[(i, j)]}])"))
        else:
            seen[(i, j)] = k
    names = unknown_names(p)
    if len(names) > MAX_KERNEL_UNKNOWNS.value:
        found.append((("kernel",), f"{len(names)} unknowns; at most {MAX_KERNEL_UNKNOWNS.value} are solved exactly "
                                   f"{MAX_KERNEL_UNKNOWNS.hint}"))
    if len(p.outputs) > MAX_KERNEL_EQUATIONS.value:
        found.append((("outputs",), f"{len(p.outputs)} equations; at most {MAX_KERNEL_EQUATIONS.value} are solved "
                                    f"exactly {MAX_KERNEL_EQUATIONS.hint}"))
    products = len(p.outputs) * (geo.channels * geo.kernel[0] * geo.kernel[1] + len(names) ** 2)
    if products > MAX_KERNEL_OPERATIONS.value:
        found.append((("outputs",), f"about {products:,} exact operations; at most {MAX_KERNEL_OPERATIONS.shown} "
                                    f"{MAX_KERNEL_OPERATIONS.hint}"))
    return found


def _check_names(p: ConvUnknownsProblem, found: list) -> None:
    places = [(("kernel", c, i, j) if len(p.kernel) > 1 else ("kernel", i, j), e)
              for c, channel in enumerate(p.kernel) for i, row in enumerate(channel) for j, e in enumerate(row)]
    places.append((("bias",), p.bias))
    named = [(loc, e) for loc, e in places if isinstance(e, Unknown)]
    for loc, e in named:
        if RESERVED.match(e):
            found.append((loc, f"the name {e!s} is taken by the worked solution (I is the input, E1, E2, … the "
                               f"equations, rank the rank, bias a known bias): choose another"))
    if not named:
        found.append((("kernel",), "has no unknown entries: name the unknown ones, e.g. [[a, 1], [0, b]]"))
