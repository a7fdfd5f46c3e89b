"""Realise a Boolean function with threshold units: one unit when the function is linearly separable
(decided exactly), else one hidden layer; a proposed network or a decision region's network is checked
exactly on every row or test point.

Ids: `x` (input rows or test points), `t` (targets), `separable` (1 or 0); the network's ids are those of
`steps.Recorder` (`w`, `b` for one unit; `W1`, `b1`, `w2`, `b2` for two layers; `errors`, `hidden_units`,
`layers`, `neurons`); an expression adds the per-term network `terms.*`; XOR/XNOR/parity add `tree_depth`,
`tree_units`, `tree_width`, `tree_errors`.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

from ...engine.computation import Computation, Policy
from ...limits import MAX_INEQUALITIES, MAX_WEIGHT_SEARCH
from ...solution import Solution
from ..common import solution_of
from . import expression as bx
from . import region as rg
from . import threshold as th
from . import tree
from .schema import BooleanProblem, expression_inputs
from .separability import TooLarge, separating_weights
from .steps import Recorder


def gate_table(name: str, n: int) -> tuple[list[tuple], list[int]]:
    rows = list(itertools.product((0, 1), repeat=n))
    ones = [sum(x) for x in rows]
    rule = {"AND": lambda k: k == n, "OR": lambda k: k >= 1, "NAND": lambda k: k < n, "NOR": lambda k: k == 0,
            "XOR": lambda k: k % 2 == 1, "parity": lambda k: k % 2 == 1,
            # a chain x1 xnor x2 xnor … xnor xn = parity xor (n − 1 mod 2)
            "XNOR": lambda k: (k + n - 1) % 2 == 1}[name]
    return rows, [int(rule(k)) for k in ones]


def truth_rows(p: BooleanProblem) -> tuple[list[tuple], list[int]]:
    if p.truth_table is not None:
        # the table's own order, so row k of every step is row k of the file
        return [tuple(int(v) for v in row[:-1]) for row in p.truth_table], [int(row[-1]) for row in p.truth_table]
    if p.expression is not None:
        parsed, names = expression_inputs(p)
        rows = list(itertools.product((0, 1), repeat=len(names)))
        return rows, [bx.evaluate(parsed, dict(zip(names, x))) for x in rows]
    return gate_table(p.function, p.inputs)


def _minimality(separable: bool, hidden: int) -> str:
    if separable:
        return "minimal: one threshold unit, no hidden layer (the function is linearly separable)"
    if hidden == 2:
        return ("minimal: a function that is not linearly separable needs at least 2 hidden units "
                "(one hidden unit's output is itself linearly separable), and this network has 2")
    return f"at most {hidden} (this construction); minimality not established"


def _separability(rec: Recorder, rows, outputs):
    try:
        witness, decided = separating_weights(rows, [y == 1 for y in outputs]), True
    except TooLarge:
        witness, decided = None, False
    rec.show("separable", r"\text{separable}", "separable", int(witness is not None),
             "exists (w, b) with w·x + b ≥ 1 on every 1-row and ≤ −1 on every 0-row", "Separability",
             note="decided exactly by Fourier–Motzkin elimination" if decided else
                  f"too many inequalities to decide exactly; treated as not separable {MAX_INEQUALITIES.hint}")
    return witness


def _construct(rec: Recorder, p: BooleanProblem, rows, outputs, witness) -> list[str]:
    cmp, n = p.compare, len(rows[0])
    single = None
    if witness is not None:
        single = th.search_unit(rows, outputs, p.allowed_weights, cmp) if p.allowed_weights else witness
    network = None
    if single is None and p.allowed_weights and p.hidden_units:
        network = th.search_two_layer(rows, outputs, p.allowed_weights, p.hidden_units, cmp)
    elif single is None and not p.allowed_weights:
        profile = th.symmetric_profile(rows, outputs)
        network = th.counting_network(n, profile) if profile is not None else th.minterm_network(rows, outputs)
    if single is not None:
        layers = [([single[0]], [single[1]])]
        rec.network(layers, rows, outputs, cmp, "One threshold unit")
    elif network is not None:
        W1, b1, w2, b2 = network
        layers = [(W1, b1), ([w2], [b2])]
        rec.network(layers, rows, outputs, cmp, "Two-layer threshold network")
    else:
        note = "no network found from the allowed weights"
        widths = [n] + ([p.hidden_units] if p.hidden_units else [])
        if p.allowed_weights and any(len(p.allowed_weights) ** (k + 1) > MAX_WEIGHT_SEARCH.value for k in widths):
            note += (f" (a unit's search of more than {MAX_WEIGHT_SEARCH.shown} weight vectors is not made: raise "
                     f"it with {MAX_WEIGHT_SEARCH.variable})")
        for node_id in ("hidden_units", "layers", "neurons"):
            rec.show(node_id, node_id, node_id, 0, note, "Size")
        return ["separable"]
    rec.sizes(layers, "Size", hidden_note=_minimality(witness is not None, len(layers[0][0]) if network else 0))
    return ["separable", "w", "b"] if single is not None else ["separable", "W1", "b1", "w2", "b2", "errors"]


def _per_term(rec: Recorder, p: BooleanProblem, rows, outputs) -> str | None:
    parsed, names = expression_inputs(p)
    terms = bx.product_terms(parsed)
    where = "one AND unit per product term of the expression (a sum of products)"
    if terms is None:
        terms = [dict(zip(names, x)) for x, y in zip(rows, outputs) if y == 1]
        where = "one AND unit per true row (the minterms of the DNF; the expression is not a sum of products)"
    if not terms:
        return None
    index = {name: j for j, name in enumerate(names)}
    W1, b1, w2, b2 = th.term_network([{index[v]: s for v, s in term.items()} for term in terms], len(names))
    layers = [(W1, b1), ([w2], [b2])]
    rec.network(layers, rows, outputs, p.compare, "Per-term network (OR of ANDs)", prefix="terms.",
                notes={"W1": where})
    rec.sizes(layers, "Per-term network (OR of ANDs)", prefix="terms.")
    return where


def _parity_tree(rec: Recorder, p: BooleanProblem, rows, outputs):
    n, xnor = p.inputs, p.function == "XNOR"
    sizes = tree.layer_sizes(n)
    section = "Tree of 2-input blocks"
    block = "XNOR" if xnor else "XOR"
    rec.show("tree_depth", "d", "tree_depth", len(sizes), "2·⌈log2 n⌉ layers of units", section,
             note=f"⌈log2 {n}⌉ = {math.ceil(math.log2(n))} rounds of {block} blocks, 2 layers each")
    rec.show("tree_units", "N", "tree_units", sum(sizes), "3(n − 1): 3 units per block, n − 1 blocks", section)
    rec.show("tree_width", "w", "tree_width", max(sizes), "the largest layer of units", section,
             note="layer sizes " + ", ".join(map(str, sizes)) + "; an unpaired signal skips to the next round")
    wrong = sum(tree.evaluate(x, xnor, p.compare) != y for x, y in zip(rows, outputs))
    rec.show("tree_errors", r"\#\text{errors}", "tree_errors", wrong, "rows where the tree's output ≠ t", section,
             note="verified on every row" if wrong == 0 else "NOT verified")


def _proposed(rec: Recorder, p: BooleanProblem, rows, outputs) -> list[str]:
    net = p.network
    if net.w is not None:
        layers = [([net.w], [net.b if net.b is not None else -net.theta])]
    else:
        b1 = net.b1 if net.b1 is not None else [-v for v in net.theta1]
        layers = [(net.W1, b1), ([net.w2], [net.b2 if net.b2 is not None else -net.theta2])]
    rec.network(layers, rows, outputs, p.compare, "The proposed network")
    rec.sizes(layers, "Size")
    return ["errors"]


def _region(rec: Recorder, p: BooleanProblem) -> list[str]:
    polygons = [[tuple(Fraction(v) for v in vertex) for vertex in poly] for poly in p.region.polygons]
    closed = p.compare == ">="
    points = rg.test_points(polygons)
    label = p.region.inside
    targets = [rg.inside(x, polygons, closed) if label == 1 else 1 - rg.inside(x, polygons, closed) for x in points]
    rec.show("x", "X", "X", [list(x) for x in points], "test points: centroids, vertices nudged inwards, "
             "edge midpoints nudged outwards (1/100 of the way)", "Test points")
    rec.show("t", "t", "t", targets, f"{label} inside the region, {1 - label} outside", "Test points")
    layers = rg.network(polygons, label)
    lines = []
    for j, (w, b) in enumerate(zip(*layers[0])):
        lines.append(f"unit {j + 1}: {w[0]}·x1 + {w[1]}·x2 + {b} {p.compare} 0")
    rec.network(layers, points, targets, p.compare, "Decision-region network",
                notes={"W1": "one unit per edge, the half-plane holding its polygon: " + "; ".join(lines)})
    kind = ("two layers: edge units, then one AND unit" if len(polygons) == 1 else
            "three layers: edge units, one AND unit per polygon, then an OR unit")
    rec.sizes(layers, "Size", hidden_note=kind + "; minimality not established")
    last = len(layers)
    return [i for l in range(1, last + 1) for i in (f"{'W' if l < last else 'w'}{l}", f"b{l}")] + ["errors", "layers"]


def solve_boolean(p: BooleanProblem, policy: Policy | None = None) -> Solution:
    comp = Computation(policy or Policy())
    rec = Recorder(comp)
    cmp = p.compare
    conventions = [("unit", f"y = step(w·x + b): 1 when w·x + b {cmp} 0, else 0; the bias is a weight on a "
                            "constant 1 (a threshold θ is the bias −θ)")]
    if p.region is not None:
        default = _region(rec, p)
        conventions += [("region", f"the union of the polygons is labelled {p.region.inside}; a point on an edge "
                                   f"counts as inside only when units fire at net = 0 (compare '{cmp}')"),
                        ("edge unit", "the line through an edge, scaled to coprime integers, signed so the "
                                      "polygon's side is positive"),
                        ("AND / OR", "AND of m units: weights 1, threshold m − ½; OR: weights 1, threshold ½")]
    else:
        rows, outputs = truth_rows(p)
        rec.show("x", "X", "X", [list(r) for r in rows], "the truth table's input rows", "Truth table")
        rec.show("t", "t", "t", outputs, "the truth table's outputs", "Truth table")
        if p.expression is not None:
            conventions.append(("expression", bx.PRECEDENCE + "; inputs " + ", ".join(expression_inputs(p)[1])
                                + (" (as listed in inputs_named)" if p.inputs_named else " (in order of appearance)")))
        witness = _separability(rec, rows, outputs)
        conventions.append(("separability", "exact: Fourier–Motzkin elimination over fractions, no floating point"))
        if p.network is not None:
            default = _proposed(rec, p, rows, outputs)
            conventions.append(("verification", "the proposed network is evaluated exactly on every row"))
        else:
            default = _construct(rec, p, rows, outputs, witness)
            conventions.append(("two layers", "when not separable: one hidden AND unit per true row (OR of "
                                "minterms), or, when the output depends only on the number of 1s (parity, XNOR "
                                "chains), n hidden units, unit k firing when at least k inputs are 1 (w = 1, "
                                "threshold k − ½), output weights the jumps of f (±1 alternating for parity)"))
            if p.allowed_weights:
                conventions.append(("weights", f"searched in {sorted(set(p.allowed_weights))}, fewest Σ|w| first"))
        if p.expression is not None and p.network is None:
            where = _per_term(rec, p, rows, outputs)
            if where:
                conventions.append(("per-term network", where + "; AND unit: +1 plain, −1 negated literal, "
                                    "threshold (plain literals) − ½; OR unit: weights 1, threshold ½"))
        if p.function in ("XOR", "XNOR", "parity") and p.inputs >= 2:
            _parity_tree(rec, p, rows, outputs)
            conventions.append(("tree", "balanced tree of 2-input blocks, each 2 hidden units (a AND NOT b, "
                                        "NOT a AND b) and 1 output unit (OR for XOR, NOR for XNOR)"))
    steps = comp.to_steps(lambda n: n.phase, givens_first=False)       # each step's phase names its section
    return solution_of(p, "boolean_network", conventions, steps, policy=comp.policy, groups={"result": default})
