"""Each item of `compute:` becomes named steps with its formula and exact value.

Ids: entropy `H`, KL `KL` (in the direction asked, named in its symbol), cross-entropy `H(P,Q)`, Jensen–Shannon
`M`, `KL(P||M)`, `KL(Q||M)`, `JS`, `JS_distance`; initialization
`var_xavier`, `var_he` (and `limit_xavier`, `limit_he` for a uniform distribution); training `batches_per_epoch`,
`iterations`, `last_batch`, `forward_passes_per_epoch`, `backward_passes_per_epoch`, `forward_passes`,
`backward_passes`, `passes_per_epoch`, `passes`, `sample_passes`; `depth`, `width`; an untrained classifier's cross-entropy `CE`; softmax `exp_z`,
`sum_exp`, `softmax` (and `cross_entropy` with a target); dropout `active_units`, `active_units_total`,
`droppable_units`, `subnetworks`, `subnetworks_kept`, `train_scale`, `test_scale`, `test_active_units`,
`test_active_units_total`; output layer `activation_ok`, `loss_ok`, `output_ok`
(1 or 0). The k-th item of a kind (k ≥ 2) prefixes its ids with `<kind><k>.` (e.g. `js2.JS`), so a file can ask
the same divergence in several log bases.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

from ...engine.formula import Formula
from ...engine.computation import Policy
from ...engine.number import exact_string, mp
from ...engine.tensor import as_tensor
from ...limits import MAX_DROPPABLE_UNITS    # 2^N for N dropped units: an exact integer of ~30,000 digits by default
from ...ops.activations import SOFTMAX
from ...ops.scalar import DomainError, exp, log, sqrt
from ...solution import Solution, Step
from ..common import solution_of
from .output_layer import verdicts
from .schema import ClassicsProblem, droppable_units, keep_rates

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
    """Records each value as the policy settles it (pinned, or rounded as a person goes), so what comes after
    is computed from the settled value."""

    def __init__(self, policy: Policy):
        self.steps: list[Step] = []
        self.policy = policy

    @property
    def round_places(self):
        return self.policy.round_places

    def add(self, id_, symbol, value, section, latex, text, note="", uses: tuple[str, ...] = ()):
        """Record a step; `uses` names the earlier steps its formula's {0}, {1} … stand for (the checker follows
        a key's slip through them)."""
        settled = self.policy.settle(id_, as_tensor(value))
        value = list(settled) if isinstance(value, list) else settled[()]
        if not uses:
            # a formula naming no quantities: a group such as \frac{1}{2} must not read as placeholder {1}
            latex = re.sub(r"\{(\d+)\}", r"{ \1 }", latex)
        self.steps.append(Step(id_, symbol[0], symbol[1], settled, section, Formula(latex, text, uses), note))
        return value

    @property
    def by_hand(self) -> bool:
        """Values are rounded or pinned as they go: each is computed from the ones before, as a person does."""
        return self.policy.round_places is not None or bool(self.policy.pins)


def _dist(values) -> str:
    return "[" + ", ".join(exact_string(v) for v in values) + "]"


def _entropy(out, name, spec):
    (lg, tg) = LOG[spec.base]
    out.add(name("H"), ("H(P)", "H(P)"), entropy(spec.p, spec.base), "Entropy",
            rf"-\sum_i p_i {lg} p_i", f"−Σ p_i {tg} p_i, P = {_dist(spec.p)}", f"in {UNIT[spec.base]}; 0 log 0 = 0")


def _kl(out, name, spec):
    (lg, tg) = LOG[spec.base]
    # the direction asked: KL(P‖Q) weighs by P, KL(Q‖P) by Q; the step's name says which
    (a, b), (first, second) = ((spec.p, spec.q), ("P", "Q")) if spec.direction == "P||Q" else ((spec.q, spec.p), ("Q", "P"))
    i, j = first.lower(), second.lower()
    value = kl(a, b, spec.base)
    uncovered = [k + 1 for k, (u, v) in enumerate(zip(a, b)) if u > 0 and v == 0]
    note = (f"undefined (infinite): {first} > 0 where {second} = 0 at outcome(s) {uncovered}, {second} does not "
            f"cover {first}" if uncovered else f"in {UNIT[spec.base]}; terms with {i}_k = 0 are 0")
    if spec.direction == "Q||P":
        note += "; the direction asked, KL(Q‖P), not KL(P‖Q): KL is not symmetric"
    out.add(name("KL"), (rf"D_{{KL}}({first} \| {second})", f"KL({first}‖{second})"), value, "KL divergence",
            rf"\sum_k {i}_k {lg} \frac{{{i}_k}}{{{j}_k}}",
            f"Σ {i}_k {tg}({i}_k / {j}_k), P = {_dist(spec.p)}, Q = {_dist(spec.q)}", note)


def _cross_entropy(out, name, spec):
    (lg, tg) = LOG[spec.base]
    uncovered = [k + 1 for k, (u, v) in enumerate(zip(spec.p, spec.q)) if u > 0 and v == 0]
    value = mp.inf if uncovered else -sum((pk * log(qk, spec.base) for pk, qk in zip(spec.p, spec.q) if pk != 0),
                                          Fraction(0))
    note = (f"infinite: P > 0 where Q = 0 at outcome(s) {uncovered}" if uncovered else
            f"in {UNIT[spec.base]}; terms with p_k = 0 are 0; H(P, Q) = H(P) + KL(P‖Q) ≥ H(P)")
    out.add(name("H(P,Q)"), ("H(P, Q)", "H(P, Q)"), value, "Cross-entropy H(P, Q)", rf"-\sum_k p_k {lg} q_k",
            f"−Σ p_k {tg} q_k, P = {_dist(spec.p)} (true), Q = {_dist(spec.q)} (model)", note)


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
    js_value = out.add(name("JS"), ("JSD(P \\| Q)", "JSD(P‖Q)"), (halves[0] + halves[1]) / 2, "Jensen–Shannon divergence",
            r"\tfrac12 \cdot {0} + \tfrac12 \cdot {1}", "½·{0} + ½·{1}", f"in {UNIT[spec.base]}",
            uses=(name("KL(P||M)"), name("KL(Q||M)")))
    out.add(name("JS_distance"), (r"d_{JS}(P, Q)", "d_JS(P, Q)"), sqrt(js_value), "Jensen–Shannon divergence",
            r"\sqrt{ {0} }", "√{0}", "the Jensen–Shannon distance: the square root of the divergence (a metric), "
            f"of JS in {UNIT[spec.base]}", uses=(name("JS"),))


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
            out.add(name(f"limit_{kind}"), ("a", "a"), sqrt(3 * var), f"{title} initialization", r"\sqrt{3 \cdot {0}}",
                    "√(3·{0})", "w ~ U(−a, a) has variance a²/3", uses=(name(f"var_{kind}"),))
    return add


def _training(out, name, spec):
    per_epoch = spec.samples // spec.batch if spec.drop_last else -(-spec.samples // spec.batch)
    rounding = ("floor", "⌊", "⌋", r"\lfloor", r"\rfloor") if spec.drop_last else ("ceil", "⌈", "⌉", r"\lceil", r"\rceil")
    section = "Training arithmetic"
    batches = out.add(name("batches_per_epoch"), ("B", "batches/epoch"), Fraction(per_epoch), section,
                      rf"{rounding[3]} {spec.samples} / {spec.batch} {rounding[4]}",
                      f"{rounding[1]}{spec.samples} / {spec.batch}{rounding[2]}",
                      "the last incomplete batch is " + ("dropped" if spec.drop_last else "kept"))
    per_run = (rf"{{0}} \times {spec.epochs}", f"{{0}} × {spec.epochs} epochs")
    out.add(name("iterations"), ("T", "iterations"), batches * spec.epochs, section, *per_run,
            "one weight update per batch", uses=(name("batches_per_epoch"),))
    rest = spec.samples % spec.batch
    if spec.drop_last or rest == 0:
        out.add(name("last_batch"), ("b_{last}", "last batch"), Fraction(spec.batch), section, str(spec.batch), str(spec.batch),
                f"every batch is full; {rest} sample(s) left out of each epoch" if rest else "the batches divide the samples")
    else:
        out.add(name("last_batch"), ("b_{last}", "last batch"), Fraction(rest), section,
                rf"{spec.samples} - ({per_epoch} - 1) \times {spec.batch}", f"{spec.samples} − ({per_epoch} − 1) × {spec.batch}",
                f"{spec.samples} mod {spec.batch}: the last batch is smaller")
    for direction in ("forward", "backward"):
        out.add(name(f"{direction}_passes_per_epoch"), (rf"\text{{{direction} passes/epoch}}", f"{direction} passes/epoch"),
                batches, section, "{0}", "{0}", f"one {direction} pass per mini-batch (the whole batch at once)",
                uses=(name("batches_per_epoch"),))
        out.add(name(f"{direction}_passes"), (rf"\text{{{direction} passes}}", f"{direction} passes"), batches * spec.epochs,
                section, *per_run, f"one {direction} pass per iteration", uses=(name("batches_per_epoch"),))
    # "passes" without forward/backward: one reading per option, the other is check's alternative
    each = spec.pass_counting == "each"
    reading = ("forward and backward passes counted separately: 2 per iteration" if each else
               "a forward pass and its backward pass counted as one pass: 1 per iteration")
    factor = 2 if each else 1
    out.add(name("passes_per_epoch"), (r"\text{passes/epoch}", "passes/epoch"), batches * factor, section,
            r"2 \times {0}" if each else "{0}", "2 × {0}" if each else "{0}", reading,
            uses=(name("batches_per_epoch"),))
    out.add(name("passes"), (r"\text{passes}", "passes"), batches * factor * spec.epochs, section,
            rf"{factor} \times {{0}} \times {spec.epochs}" if each else per_run[0],
            f"2 × {{0}} × {spec.epochs} epochs" if each else per_run[1], reading + ", every epoch",
            uses=(name("batches_per_epoch"),))
    used = per_epoch * spec.batch if spec.drop_last else spec.samples
    out.add(name("sample_passes"), ("N_{samples}", "sample passes"), Fraction(used * spec.epochs), section,
            rf"{used} \times {spec.epochs}", f"{used} samples × {spec.epochs} epochs",
            "counted per sample: each sample used goes forward (and backward) once per epoch")


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


def _softmax(out, name, spec):
    (lg, tg) = LOG[spec.base]
    section, t = "Softmax", spec.temperature
    scaled = [v / t for v in spec.z]
    power = ("z_i", "z_i") if t == 1 else (rf"z_i / {exact_string(t)}", f"z_i / {exact_string(t)}")
    exps = out.add(name("exp_z"), (r"e^{z}", "e^z"), [exp(v) for v in scaled], section, rf"e^{{{power[0]}}}",
                   f"e^({power[1]})", f"z = {_dist(spec.z)}" + ("" if t == 1 else f", temperature T = {exact_string(t)}"))
    total = out.add(name("sum_exp"), (r"S", "S"), sum(exps[1:], exps[0]), section, r"\sum {0}", "Σ {0}",
                    "the normaliser", uses=(name("exp_z"),))
    # exact: the softmax op (max-shifted, exact 1/k for equal logits); by hand: from the values before, as written
    probs = [e / total for e in exps] if out.by_hand else list(SOFTMAX.forward(as_tensor(scaled)))
    probs = out.add(name("softmax"), ("p", "p"), probs, section, r"\frac{ {0} }{ {1} }", "{0} / {1}",
                    "softmax(z)_i = e^{z_i} / Σ_j e^{z_j}; the probabilities sum to 1",
                    uses=(name("exp_z"), name("sum_exp")))
    if spec.target is None:
        return
    if isinstance(spec.target, int):
        k = spec.target - spec.index_from
        terms, latex, text = [(Fraction(1), probs[k])], rf"-{lg} p_{{{spec.target}}}", f"−{tg} p_{spec.target}"
        note = f"class {spec.target}, classes counted from {spec.index_from}"
    else:
        terms = [(ti, pi) for ti, pi in zip(spec.target, probs) if ti != 0]
        latex, text = rf"-\sum_i t_i {lg} p_i", f"−Σ t_i {tg} p_i, t = {_dist(spec.target)}"
        note = "terms with t_i = 0 are 0"
    out.add(name("cross_entropy"), ("L_{CE}", "L_CE"), -sum((ti * log(pi, spec.base) for ti, pi in terms), Fraction(0)),
            section, latex, text, f"{note}; in {UNIT[spec.base]}")


def _dropout(out, name, spec):
    section, units = "Dropout", spec.units
    keeps = keep_rates(spec)
    active = out.add(name("active_units"), (r"E[n_{active}]", "E[active units]"), [n * k for n, k in zip(units, keeps)],
                     section, r"n_l \cdot q_l", f"{units} × keep {_dist(keeps)}",
                     "each unit is kept independently with probability q = 1 − p_drop: n·q are kept on average")
    out.add(name("active_units_total"), (r"E[N_{active}]", "E[N active]"), sum(active[1:], active[0]), section,
            r"\sum {0}", "Σ {0}", "over the listed layers", uses=(name("active_units"),))
    droppable = out.add(name("droppable_units"), ("N", "N"), Fraction(droppable_units(spec)),
                        section, r"\sum_{l: p_l > 0} n_l", "Σ n_l over layers with p_drop > 0",
                        "the units dropout may remove: those of the listed layers only")
    most = MAX_DROPPABLE_UNITS.value
    count = 2 ** int(droppable) if droppable.denominator == 1 and 0 <= droppable <= most else None
    if count is None:
        raise DomainError(f"2^{droppable} sub-networks: the unit count must be a whole number up to {most}"
                          + (f" {MAX_DROPPABLE_UNITS.hint}" if droppable.denominator == 1 and droppable > 0 else ""))
    out.add(name("subnetworks"), ("2^N", "2^N"), Fraction(count), section, "2^{ {0} }", "2^{0}",
            "each droppable unit is kept or dropped: 2^N thinned sub-networks sharing one set of weights",
            uses=(name("droppable_units"),))
    if spec.kept is not None:
        k = spec.kept
        out.add(name("subnetworks_kept"), (rf"\binom{{N}}{{{k}}}", f"C(N, {k})"),
                Fraction(math.comb(int(droppable), k)) if k <= droppable else Fraction(0), section,
                rf"\binom{{ {{0}} }}{{ {k} }}", f"C({{0}}, {k})",
                f"the sub-networks with exactly {k} of the N droppable units kept: choose which {k}",
                uses=(name("droppable_units"),))
    scalar = not isinstance(spec.keep if spec.keep is not None else spec.p_drop, list)
    shape = (lambda values: values[0]) if scalar else list
    if spec.inverted:
        train, test = shape([1 / k for k in keeps]), shape([Fraction(1)] * len(keeps))
        notes = ("inverted dropout: kept activations are divided by q in training", "no scaling at test time")
        weights = "the weights are used as trained (inverted dropout already scaled by 1/q in training)"
    else:
        train, test = shape([Fraction(1)] * len(keeps)), shape(keeps)
        notes = ("no scaling in training", "weights (or activations) multiplied by q at test time")
        weights = "the outgoing weights (or activations) are multiplied by q (plain dropout)"
    out.add(name("train_scale"), ("s_{train}", "training scale"), train, section,
            r"1 / q" if spec.inverted else "1", "1 / q" if spec.inverted else "1", notes[0])
    out.add(name("test_scale"), ("s_{test}", "test scale"), test, section,
            "1" if spec.inverted else "q", "1" if spec.inverted else "q", notes[1] + ": the expected activation matches training")
    test_units = out.add(name("test_active_units"), (r"n_{test}", "active units at test time"), [Fraction(n) for n in units],
                         section, "n_l", f"{units}", f"at test time no unit is dropped: every unit is active; {weights}")
    out.add(name("test_active_units_total"), (r"N_{test}", "N active at test time"), sum(test_units[1:], test_units[0]),
            section, r"\sum {0}", "Σ {0}", "every unit of the listed layers, at test time",
            uses=(name("test_active_units"),))


def _output_layer(out, name, spec):
    for id_, verdict, choice, note in verdicts(spec.task, spec.activation, spec.loss):
        out.add(name(id_), (rf"\text{{{id_.replace('_', ' ')}}}", id_), verdict, "Output layer and loss", rf"\text{{{choice}}}", choice,
                f"{note}; 1 = standard, 0 = not")


SOLVERS = {"entropy": _entropy, "kl": _kl, "js": _js, "cross_entropy": _cross_entropy, "xavier": _init(1, "xavier"), "he": _init(2, "he"), "training": _training,
           "depth_width": _depth_width, "cross_entropy_uniform": _uniform_ce, "softmax": _softmax, "dropout": _dropout,
           "output_layer": _output_layer}


def solve_classics(p: ClassicsProblem, policy: Policy | None = None) -> Solution:
    policy = policy or Policy()
    out = _Steps(policy)
    seen: dict[str, int] = {}
    for i, item in enumerate(p.compute):
        seen[item.kind] = seen.get(item.kind, 0) + 1
        prefix = f"{item.kind}{seen[item.kind]}." if seen[item.kind] > 1 else ""
        try:
            SOLVERS[item.kind](out, lambda base, prefix=prefix: prefix + base, item.spec)
        except DomainError as error:
            error.loc = getattr(error, "loc", None) or ("compute", i, item.kind)     # the item that could not be
            raise
    kinds = {item.kind for item in p.compute}
    conventions = []
    if kinds & {"entropy", "kl", "js", "cross_entropy", "cross_entropy_uniform", "softmax"}:
        conventions.append(("logarithms", "0 log 0 = 0; each step states its log base (e: nats, 2: bits)"))
    if kinds & {"kl", "js"}:
        conventions.append(("KL support", "KL(P‖Q) is +∞ (undefined) when P(x) > 0 = Q(x) for some x"))
    if "js" in kinds:
        conventions.append(("Jensen–Shannon", "JS = ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q)/2; the JS distance is √JS"))
    if "cross_entropy" in kinds:
        conventions.append(("cross-entropy", "H(P, Q) = −Σ p log q: P the true distribution, Q the model's; "
                                             "+∞ when Q(x) = 0 < P(x)"))
    if kinds & {"xavier", "he"}:
        conventions.append(("initialization", "Xavier Var(w) = 1/n_in, He Var(w) = 2/n_in (fan-in form), or "
                                              "2g/(n_in + n_out) where the item says form: average"))
    if "softmax" in kinds:
        conventions.append(("softmax", "p_i = e^{z_i/T} / Σ_j e^{z_j/T}; a target index counts classes from 0 unless "
                                       "index_from: 1; cross-entropy −Σ t_i log p_i = −log p_target"))
    if "training" in kinds:
        conventions.append(("passes", "one forward and one backward pass per mini-batch (an iteration), batches "
                                      "per epoch ⌈N / batch⌉ (⌊N / batch⌋ with drop_last); `passes` counts a forward "
                                      "pass and its backward pass as one (pass_counting: pair) or as two "
                                      "(pass_counting: each); sample_passes counts samples × epochs instead"))
    if "dropout" in kinds:
        conventions.append(("dropout", "p_drop is the probability a unit is removed, q = 1 − p_drop; inverted dropout "
                                       "divides kept activations by q in training, plain dropout multiplies by q at test "
                                       "time; sub-networks 2^N count the units of the listed layers; at test time no unit is dropped"))
    if "output_layer" in kinds:
        conventions.append(("output layer", "standard: binary → sigmoid + binary cross-entropy (or softmax + "
                                            "cross-entropy over two units), multiclass → softmax + cross-entropy, "
                                            "multilabel → sigmoid + binary cross-entropy per label, regression → "
                                            "identity + MSE (MAE, Huber); a verdict is 1 (standard) or 0"))
    results = [s.id for s in out.steps if s.id.split(".")[-1] not in ("M",)]
    return solution_of(p, "classics", conventions, out.steps, policy=policy, groups={"results": results})
