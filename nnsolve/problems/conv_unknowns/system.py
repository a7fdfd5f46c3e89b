"""The linear system a convolution with unknown kernel entries gives, and its exact solution.

Each known output is one equation: O[i,j] = Σ I_pad[c, i·s + m·d, j·s + n·d] · K'[c,m,n] + b, where K'
is the kernel (cross-correlation) or the kernel rotated by 180° (convolution). Unknown entries keep
their input value as coefficient; known ones add to the constant. Gaussian elimination over Fractions
(first nonzero pivot, so every step is exact and shown) decides between one, none and many solutions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from ...geometry import Axis, slide
from .schema import ConvUnknownsProblem, Unknown

ZERO = Fraction(0)


@dataclass(frozen=True)
class Geometry:
    channels: int
    height: int
    width: int
    axes: tuple[Axis, Axis]               # rows, columns: sizes and padding from nnsolve.geometry

    @property
    def kernel(self) -> tuple[int, int]:
        return tuple(a.kernel for a in self.axes)

    @property
    def stride(self) -> tuple[int, int]:
        return tuple(a.stride for a in self.axes)

    @property
    def dilation(self) -> tuple[int, int]:
        return tuple(a.dilation for a in self.axes)

    @property
    def pad_before(self) -> tuple[int, int]:          # top, left
        return tuple(a.before for a in self.axes)

    @property
    def pad_after(self) -> tuple[int, int]:           # bottom, right
        return tuple(a.after for a in self.axes)

    @property
    def output(self) -> tuple[int, int]:
        return tuple(a.output for a in self.axes)


def geometry(p: ConvUnknownsProblem) -> Geometry:
    """The convolution's sizes; GeometryError for a setting out of range or a kernel that does not fit.
    `same` pads like TensorFlow (PyTorch too at stride 1): ⌈n/s⌉ outputs, the odd zero after."""
    channels, height, width = len(p.input), len(p.input[0]), len(p.input[0][0])
    kernel = (len(p.kernel[0]), len(p.kernel[0][0]))
    return Geometry(channels, height, width, slide((height, width), kernel, p.stride, p.padding, p.dilation))


@dataclass
class Term:
    """One product of the written-out sum: an input value times a kernel entry (number or name)."""
    input: Fraction
    entry: Fraction | Unknown


@dataclass
class Equation:
    label: int                            # 1-based: E1, E2, …
    position: tuple[int, int]             # 0-based output position
    terms: list[Term]
    bias: Fraction | Unknown | None
    value: Fraction                       # the known output
    coefficients: list[Fraction]          # per unknown
    constant: Fraction                    # the known part of the sum

    @property
    def rhs(self) -> Fraction:
        return self.value - self.constant


def unknown_names(p: ConvUnknownsProblem) -> list[str]:
    """The unknowns in reading order: kernel (channel, row, column), then the bias."""
    names: list[str] = []
    entries = [e for channel in p.kernel for row in channel for e in row] + [p.bias]
    for e in entries:
        if isinstance(e, Unknown) and e not in names:
            names.append(str(e))
    return names


def equations(p: ConvUnknownsProblem, geo: Geometry, names: list[str], positions) -> list[Equation]:
    index = {n: k for k, n in enumerate(names)}
    kh, kw = geo.kernel
    flip = p.operation == "convolution"
    out = []
    for label, ((i, j), value) in enumerate(zip(positions, (o.value for o in p.outputs)), start=1):
        coefficients = [ZERO] * len(names)
        constant = ZERO
        terms = []
        for c in range(geo.channels):
            for m in range(kh):
                for n in range(kw):
                    r, s = geo.axes[0].position(i, m), geo.axes[1].position(j, n)
                    x = p.input[c][r][s] if 0 <= r < geo.height and 0 <= s < geo.width else ZERO
                    entry = p.kernel[c][kh - 1 - m][kw - 1 - n] if flip else p.kernel[c][m][n]
                    terms.append(Term(Fraction(x), entry))
                    if isinstance(entry, Unknown):
                        coefficients[index[entry]] += x
                    else:
                        constant += x * entry
        if isinstance(p.bias, Unknown):
            coefficients[index[p.bias]] += 1
        elif p.bias is not None:
            constant += p.bias
        out.append(Equation(label, (i, j), terms, p.bias, Fraction(value), coefficients, constant))
    return out


@dataclass
class Row:
    """An equation during elimination: Σ coefficients·unknowns = rhs, and which original equations
    (with what factors) it is the combination of."""
    name: str                             # E3, E3′, E3″ …
    coefficients: list[Fraction]
    rhs: Fraction
    combination: list[Fraction]


@dataclass
class RowOperation:
    result: Row
    target: str                           # the row's name before the operation
    pivot: str
    factor: Fraction                      # result = target − factor·pivot


@dataclass
class Elimination:
    operations: list[RowOperation] = field(default_factory=list)
    echelon: list[Row] = field(default_factory=list)     # in pivot order, zero rows last
    pivots: list[int] = field(default_factory=list)      # pivot column of echelon[k]
    swapped: bool = False

    @property
    def rank(self) -> int:
        return len(self.pivots)

    @property
    def zero_rows(self) -> list[Row]:
        return self.echelon[self.rank:]

    @property
    def contradictions(self) -> list[Row]:
        return [r for r in self.zero_rows if r.rhs != 0]


def eliminate(system: list[Equation]) -> Elimination:
    size = len(system)
    rows = [Row(f"E{e.label}", list(e.coefficients), e.rhs, [Fraction(k == i) for k in range(size)])
            for i, e in enumerate(system)]
    result = Elimination()
    columns = len(system[0].coefficients) if system else 0
    top = 0
    for col in range(columns):
        pick = next((k for k in range(top, len(rows)) if rows[k].coefficients[col] != 0), None)
        if pick is None:
            continue
        if pick != top:
            rows[top], rows[pick] = rows[pick], rows[top]
            result.swapped = True
        pivot = rows[top]
        for k in range(top + 1, len(rows)):
            factor = rows[k].coefficients[col] / pivot.coefficients[col]
            if factor == 0:
                continue
            target = rows[k]
            rows[k] = Row(target.name + "′",
                          [a - factor * b for a, b in zip(target.coefficients, pivot.coefficients)],
                          target.rhs - factor * pivot.rhs,
                          [a - factor * b for a, b in zip(target.combination, pivot.combination)])
            result.operations.append(RowOperation(rows[k], target.name, pivot.name, factor))
        result.pivots.append(col)
        top += 1
    result.echelon = rows
    return result


def positions(p: ConvUnknownsProblem) -> list[tuple[int, int]]:
    """The known outputs' positions counted from 0."""
    return [(o.at[0] - p.index_base, o.at[1] - p.index_base) for o in p.outputs]
