"""Each item of `compute:` becomes named steps with its formula and exact value.

Ids: entropy `H`, KL(P‖Q) `KL`, Jensen–Shannon `M`, `KL(P||M)`, `KL(Q||M)`, `JS`; initialization
`var_xavier`, `var_he` (and `limit_xavier`, `limit_he` for a uniform distribution); training `batches_per_epoch`, `iterations`; `depth`,
`width`; an untrained classifier's cross-entropy `CE`. The k-th item of a kind (k ≥ 2) prefixes its
ids with `<kind><k>.` (e.g. `js2.JS`), so a file can ask the same divergence in several log bases.
"""
from __future__ import annotations

import re
from fractions import Fraction

from ...engine.formula import Formula
from ...engine.number import exact_string, mp, round_decimal
from ...engine.tensor import as_tensor
from ...ops.scalar import log, sqrt
from ...solution import Solution, Step
from .schema import ClassicsProblem

UNIT = {"e": "nats", "2": "bits", "10": "log base 10"}
LOG = {"e": (r"\ln", "ln"), "2": (r"\log_2", "log2"), "10": (r"\log_{10}", "log10")}


def entropy(p, base="e"):
    """H(P) = −Σ p log p, with 0 log 0 = 0."""
    return -sum((pi * log(pi, base) for pi in p if pi != 0), Fraction(0))


def kl(p, q, base="e"):
    """KL(P‖Q) = Σ p log(p/q) over P's support; +inf when some p > 0 has q = 0."""
    if any(pi > 0 and qi == 0 for pi, qi in zip(p, q)):
        return mp.inf
    return sum((pi * log(Fraction(pi) / qi, base) for pi, qi in zip(p, q) if pi != 0), Fraction(0))


class _Steps:
    def __init__(self, round_places):
        self.steps: list[Step] = []
        self.round_places = round_places

    def add(self, id_, symbol, value, section, latex, text, note=""):
        if self.round_places is not None and not isinstance(value, list) and value != mp.inf:
            value = round_decimal(value, self.round_places)
        # these formulas name no quantities: a group such as \frac{1}{2} must not read as placeholder {1}
        latex = re.sub(r"\{(\d+)\}", r"{ \1 }", latex)
        self.steps.append(Step(id_, symbol[0], symbol[1], as_tensor(value), section, Formula(latex, text), note))
        return value


def _dist(values) -> str:
    return "[" + ", ".join(exact_string(v) for v in values) + "]"


def _entropy(out, name, spec):
    (lg, tg) = LOG[spec.base]
    out.add(name("H"), ("H(P)", "H(P)"), entropy(spec.p, spec.base), "Entropy",
            rf"-\sum_i p_i {lg} p_i", f"−Σ p_i {tg} p_i, P = {_dist(spec.p)}", f"in {UNIT[spec.base]}; 0 log 0 = 0")


def _kl(out, name, spec):
    (lg, tg) = LOG[spec.base]
    value = kl(spec.p, spec.q, spec.base)
    uncovered = [i + 1 for i, (a, b) in enumerate(zip(spec.p, spec.q)) if a > 0 and b == 0]
    note = (f"undefined (infinite): P > 0 where Q = 0 at outcome(s) {uncovered}, Q does not cover P"
            if uncovered else f"in {UNIT[spec.base]}; terms with p_i = 0 are 0")
    out.add(name("KL"), (r"D_{KL}(P \| Q)", "KL(P‖Q)"), value, "KL divergence",
            rf"\sum_i p_i {lg} \frac{{p_i}}{{q_i}}", f"Σ p_i {tg}(p_i / q_i), P = {_dist(spec.p)}, Q = {_dist(spec.q)}",
            note)


def _js(out, name, spec):
    (lg, tg) = LOG[spec.base]
    m = [(a + b) / 2 for a, b in zip(spec.p, spec.q)]
    out.add(name("M"), ("M", "M"), m, "Jensen–Shannon divergence", r"\frac{P + Q}{2}", "(P + Q) / 2",
            f"P = {_dist(spec.p)}, Q = {_dist(spec.q)}")
    halves = []
    for d, dist in (("P", spec.p), ("Q", spec.q)):
        halves.append(out.add(name(f"KL({d}||M)"), (rf"D_{{KL}}({d} \| M)", f"KL({d}‖M)"), kl(dist, m, spec.base),
                              "Jensen–Shannon divergence", rf"\sum_i {d.lower()}_i {lg} \frac{{{d.lower()}_i}}{{m_i}}",
                              f"Σ {d.lower()}_i {tg}({d.lower()}_i / m_i)", "M covers both: always finite"))
    out.add(name("JS"), ("JSD(P \\| Q)", "JSD(P‖Q)"), (halves[0] + halves[1]) / 2, "Jensen–Shannon divergence",
            r"\tfrac12 D_{KL}(P \| M) + \tfrac12 D_{KL}(Q \| M)", "½ KL(P‖M) + ½ KL(Q‖M)", f"in {UNIT[spec.base]}")


def _init(gain, kind):
    def add(out, name, spec):
        title = "Xavier" if gain == 1 else "He (Kaiming)"
        if spec.form == "average":
            var = Fraction(2 * gain, spec.fan_in + spec.fan_out)
            latex, text = rf"\frac{{{2 * gain}}}{{n_{{in}} + n_{{out}}}}", f"{2 * gain} / ({spec.fan_in} + {spec.fan_out})"
            note = "Glorot's fan average"
        else:
            var = Fraction(gain, spec.fan_in)
            latex, text = rf"\frac{{{gain}}}{{n_{{in}}}}", f"{gain} / {spec.fan_in}"
            note = "fan-in form (as in the lectures)"
        var = out.add(name(f"var_{kind}"), (r"\mathrm{Var}(w)", "Var(w)"), var, f"{title} initialization", latex, text, note)
        if spec.distribution == "uniform":
            out.add(name(f"limit_{kind}"), ("a", "a"), sqrt(3 * var), f"{title} initialization", r"\sqrt{3\,\mathrm{Var}(w)}",
                    "√(3 Var(w))", "w ~ U(−a, a) has variance a²/3")
    return add


def _training(out, name, spec):
    per_epoch = spec.samples // spec.batch if spec.drop_last else -(-spec.samples // spec.batch)
    rounding = ("floor", "⌊", "⌋", r"\lfloor", r"\rfloor") if spec.drop_last else ("ceil", "⌈", "⌉", r"\lceil", r"\rceil")
    out.add(name("batches_per_epoch"), ("B", "batches/epoch"), Fraction(per_epoch), "Training arithmetic",
            rf"{rounding[3]} {spec.samples} / {spec.batch} {rounding[4]}", f"{rounding[1]}{spec.samples} / {spec.batch}{rounding[2]}",
            "the last incomplete batch is " + ("dropped" if spec.drop_last else "kept"))
    out.add(name("iterations"), ("T", "iterations"), Fraction(per_epoch * spec.epochs), "Training arithmetic",
            rf"{per_epoch} \times {spec.epochs}", f"{per_epoch} × {spec.epochs} epochs", "one weight update per batch")


def _depth_width(out, name, spec):
    out.add(name("depth"), ("depth", "depth"), Fraction(len(spec.units)), "Depth and width",
            r"\#\text{weight layers}", f"count of {spec.units}", "input and dropout layers have no weights: not counted")
    out.add(name("width"), ("width", "width"), Fraction(max(spec.units)), "Depth and width",
            r"\max_l n_l", f"max of {spec.units}", "the largest number of units in a layer")


def _uniform_ce(out, name, spec):
    (lg, tg) = LOG[spec.base]
    out.add(name("CE"), ("L", "L"), log(Fraction(spec.classes), spec.base), "Cross-entropy of a uniform guess",
            rf"-{lg} \frac{{1}}{{{spec.classes}}}", f"−{tg}(1/{spec.classes})",
            f"an untrained classifier gives every class 1/{spec.classes}; in {UNIT[spec.base]}")


SOLVERS = {"entropy": _entropy, "kl": _kl, "js": _js, "xavier": _init(1, "xavier"), "he": _init(2, "he"), "training": _training,
           "depth_width": _depth_width, "cross_entropy_uniform": _uniform_ce}


def solve_classics(p: ClassicsProblem, policy=None) -> Solution:
    round_places = getattr(policy, "round_places", None)
    out = _Steps(round_places)
    seen: dict[str, int] = {}
    for item in p.compute:
        seen[item.kind] = seen.get(item.kind, 0) + 1
        prefix = f"{item.kind}{seen[item.kind]}." if seen[item.kind] > 1 else ""
        SOLVERS[item.kind](out, lambda base, prefix=prefix: prefix + base, item.spec)
    kinds = {item.kind for item in p.compute}
    conventions = []
    if kinds & {"entropy", "kl", "js", "cross_entropy_uniform"}:
        conventions.append(("logarithms", "0 log 0 = 0; each step states its log base (e: nats, 2: bits)"))
    if kinds & {"kl", "js"}:
        conventions.append(("KL support", "KL(P‖Q) is +∞ (undefined) when P(x) > 0 = Q(x) for some x"))
    if kinds & {"xavier", "he"}:
        conventions.append(("initialization", "Xavier Var(w) = 1/n_in, He Var(w) = 2/n_in (fan-in form), or "
                                              "2g/(n_in + n_out) where the item says form: average"))
    if round_places is not None:
        conventions.append(("rounding", f"every value rounded to {round_places} decimals"))
    solution = Solution(p.title, "classics", conventions, out.steps, [], {},
                        p.digits if p.digits is not None else 4,
                        p.source.model_dump(exclude_none=True) if p.source else None)
    solution.asked = list(p.ask) or [s.id for s in out.steps if s.id.split(".")[-1] not in ("M",)]
    return solution
