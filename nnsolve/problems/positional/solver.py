"""PE(pos, 2i) = sin(pos / base^(2i/d)), PE(pos, 2i + 1) = cos(pos / base^(2i/d)).

The parity that picks sine or cosine is the dimension's, not the position's (a key that conditions on
an even position computes something else). Each dimension shows its angle, then its value.
Ids: `angle<k>` and `dim<k>` for one position; `pos<p>.angle<k>` and `pos<p>.dim<k>` for several;
`PE` (or `PE<p>`) is the vector over the dimensions asked for.
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Computation, Policy, Symbol
from ...engine.formula import Formula
from ...engine.number import exact_string, mp, to_mpf
from ...solution import Solution
from ..common import solution_of
from .schema import PositionalProblem


def angle(pos: int, dim: int, d_model: int, base=Fraction(10000)):
    """pos / base^(2i/d) for dimension `dim` = 2i or 2i + 1; exact when the exponent is 0."""
    exponent = Fraction(2 * (dim // 2), d_model)
    if exponent == 0 or pos == 0:
        return Fraction(pos)
    return to_mpf(Fraction(pos)) / mp.power(to_mpf(base), to_mpf(exponent))


def encoding(pos: int, dim: int, d_model: int, base=Fraction(10000), degrees: bool = False):
    return wave(angle(pos, dim, d_model, base), dim, degrees)


def wave(theta, dim: int, degrees: bool = False):
    """sin θ for an even dimension, cos θ for an odd one."""
    theta = to_mpf(theta)
    if degrees:
        theta = mp.radians(theta)
    return mp.sin(theta) if dim % 2 == 0 else mp.cos(theta)


def solve_positional(p: PositionalProblem, policy: Policy | None = None) -> Solution:
    comp = Computation(policy or Policy())
    first, last = p.dimensions or (0, p.d_model - 1)
    degrees = p.angle_unit == "degrees"
    base = exact_string(p.base)
    aliases: dict[str, str] = {}
    for pos in p.positions:
        prefix = f"pos{pos}." if len(p.positions) > 1 else ""
        for dim in range(first, last + 1):
            i = dim // 2
            exponent = f"{2 * i}/{p.d_model}"
            a = comp.derived(f"{prefix}angle{dim}", Symbol(rf"\theta_{{ {pos},{dim} }}", f"θ({pos},{dim})"),
                             angle(pos, dim, p.d_model, p.base),
                             Formula(rf"\frac{{ {pos} }}{{ {base}^{{ {exponent} }} }}", f"{pos} / {base}^({exponent})"),
                             "forward", note=f"i = {i}, 2i = {2 * i}")
            trig = "sin" if dim % 2 == 0 else "cos"
            unit = r"^\circ" if degrees else ""
            comp.derived(f"{prefix}dim{dim}", Symbol(rf"PE_{{ {pos},{dim} }}", f"PE({pos},{dim})"),
                         wave(a.value[()], dim, degrees),     # from the recorded angle, as pinned or rounded
                         Formula(rf"\{trig}({{0}}{unit})", f"{trig}({{0}}{'°' if degrees else ''})", (a.id,)),
                         "forward", note=f"dimension {dim} is {'even' if dim % 2 == 0 else 'odd'}: {trig}")
        vector = comp.derived(f"PE{pos}" if prefix else "PE", Symbol(rf"PE_{{ {pos} }}", f"PE({pos})"),
                              [comp.value(f"{prefix}dim{d}")[()] for d in range(first, last + 1)],
                              Formula(rf"[PE_{{ {pos},{first} }}, \ldots, PE_{{ {pos},{last} }}]",
                                      f"[PE({pos},{first}) … PE({pos},{last})]"), "forward")
        aliases.setdefault("PE", vector.id)
    sections = {n.id: (f"Position {n.id.split('.')[0][3:]}" if "." in n.id else "Encoding") for n in comp.order}
    steps = comp.to_steps(lambda n: sections[n.id], givens_first=False)
    conventions = [
        ("formula", f"PE(pos, 2i) = sin(pos / {base}^(2i/d)), PE(pos, 2i+1) = cos(pos / {base}^(2i/d)), "
                    f"d = {p.d_model}"),
        ("interleaving", "even dimensions take the sine, odd dimensions the cosine; the parity is the "
                         "dimension's, not the position's; dimensions and positions count from 0"),
        ("angles", "degrees (as a calculator in degree mode reads them)" if degrees else "radians"),
    ]
    encoded = [s.id for s in steps if ".dim" in s.id or s.id.startswith("dim")]
    return solution_of(p, "positional_encoding", conventions, steps, policy=comp.policy, aliases=aliases,
                       groups={"encoding": encoded})
