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
from ...limits import MAX_HIDDEN_SEARCH, MAX_INEQUALITIES, MAX_WEIGHT_SEARCH
from ...solution import Solution
from ..common import solution_of
from . import expression as bx
from . import region as rg
from . import threshold as th
from . import tree
from .schema import BooleanProblem, expression_inputs
from .separability import TooLarge, argument_text, contradiction, separating_weights
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
    """The function's rows and outputs in 0/1 (a bipolar file's ±1 read as 0/1)."""
    if p.truth_table is not None:
        # the table's own order, so row k of every step is row k of the file
        bit = (lambda v: int(v)) if p.encoding == "binary" else (lambda v: int(v + 1) // 2)
        return [tuple(bit(v) for v in row[:-1]) for row in p.truth_table], [bit(row[-1]) for row in p.truth_table]
    if p.ones is not None:
        n = len(p.ones[0]) if p.ones else p.inputs
        ones = {tuple(int(v) if p.encoding == "binary" else int(v + 1) // 2 for v in row) for row in p.ones}
        rows = list(itertools.product((0, 1), repeat=n))
        return rows, [int(x in ones) for x in rows]
    if p.minterms is not None:
        # row m is m in binary, x1 the most significant bit: itertools.product lists the rows in that order
        rows = list(itertools.product((0, 1), repeat=p.inputs))
        return rows, [int(m in set(p.minterms)) for m in range(len(rows))]
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


def _separability(rec: Recorder, rows, outputs, compare):
    try:
        witness, decided = separating_weights(rows, [y == 1 for y in outputs]), True
    except TooLarge:
        witness, decided = None, False
    argument = contradiction(rows, outputs) if witness is None else None
    if decided:
        note = "decided exactly by Fourier–Motzkin elimination"
    elif argument is not None:
        note = "not separable: the argument below (the elimination itself was too large)"
    else:
        note = f"too many inequalities to decide exactly; treated as not separable {MAX_INEQUALITIES.hint}"
    rec.show("separable", r"\text{separable}", "separable", int(witness is not None),
             "exists (w, b) with w·x + b ≥ 1 on every 1-row and ≤ −1 on every 0-row", "Separability", note=note)
    if argument is not None:
        positive, negative, total = argument
        rec.show("contradiction", r"\Sigma x", "Σx", list(total),
                 f"Σ x over {len(positive)} rows with t = 1 = Σ x over {len(negative)} rows with t = {rec.low_text}",
                 "Separability", note=argument_text(positive, negative, compare, rec.low_text))
    return witness


def _encoded(rows, outputs, low):
    if low == 0:
        return rows, outputs
    return [tuple(2 * v - 1 for v in x) for x in rows], [2 * y - 1 for y in outputs]


def _as_encoded(layers, low):
    return th.bipolar_layers(layers) if low else layers


def _construct(rec: Recorder, p: BooleanProblem, rows, outputs, witness) -> list[str]:
    """The network shown: one unit when separable (from the allowed sets when given), else one hidden layer:
    searched in the allowed sets (the smallest that works), or built (counting or one AND unit per minterm)."""
    cmp, n, low = p.compare, len(rows[0]), rec.low
    weights, biases = p.allowed_weights, p.allowed_biases if p.allowed_biases is not None else p.allowed_weights
    single = network = None
    searched, stopped, trying, single_ruled_out = [], None, "a single unit", False
    budget = th.Budget()
    try:
        if witness is not None:
            single = th.search_unit(rows, outputs, weights, cmp, low, biases, budget) if weights else witness
        single_ruled_out = single is None        # not separable, or the whole allowed set was tried
        if single is None and weights:
            for k in [p.hidden_units] if p.hidden_units else range(1, MAX_HIDDEN_SEARCH.value + 1):
                trying = f"a hidden layer of {_count(k, 'unit')}"
                network = th.search_two_layer(rows, outputs, weights, k, cmp, low, biases, budget)
                searched.append(k)
                if network is not None:
                    break
    except th.SearchTooLarge:
        stopped = (f"the search stopped at the limit of {MAX_WEIGHT_SEARCH.shown} row evaluations (raise it "
                   f"with {MAX_WEIGHT_SEARCH.variable})")
    if single is None and network is None and not weights:
        bits = [int(y == 1) for y in outputs]
        profile = th.symmetric_profile(_decoded_rows(rows), bits)
        built = (th.counting_network(n, profile) if profile is not None else
                 th.minterm_network(_decoded_rows(rows), bits))
        W1, b1, w2, b2 = built
        (W1, b1), ((w2,), (b2,)) = _as_encoded([(W1, b1), ([w2], [b2])], low)
        network = W1, b1, w2, b2
    if single is not None:
        layers = [([single[0]], [single[1]])]
        rec.network(layers, rows, outputs, cmp, "One threshold unit")
    elif network is not None:
        W1, b1, w2, b2 = network
        layers = [(W1, b1), ([w2], [b2])]
        rec.network(layers, rows, outputs, cmp, "Two-layer threshold network")
    else:
        sets = (f"weights from {sorted(set(weights))} and biases from {sorted(set(biases))}"
                if p.allowed_biases is not None else f"weights and biases from {sorted(set(weights))}")
        if single_ruled_out:
            what = ("no single unit" + (f" nor any network of one hidden layer of {_sizes(searched)}" if searched
                                        else "") + f" with {sets} realises the function")
        else:
            what = f"nothing found or ruled out with {sets}"
        if stopped:
            what += f"; {stopped} while trying {trying}: a larger network was not searched"
        rec.show("found", r"\text{found}", "found", 0, "a network from the allowed sets: 1 found, 0 none",
                 "Search", note=what)
        return ["separable", "found"]
    if single is not None:
        minimal = _minimality(True, 0)
        if p.hidden_units:
            minimal += f"; hidden_units: {p.hidden_units} not searched, one unit from the allowed sets suffices"
    elif weights:
        k = len(layers[0][0])
        minimal = (f"the hidden-layer size asked (hidden_units: {k})" if p.hidden_units else
                   "minimal for the allowed sets: no single unit" + (
                       f" and no hidden layer of {_sizes(searched[:-1])}" if searched[:-1] else "")
                   + " works (searched exhaustively)")
        if p.hidden_units and witness is None and k == 2:
            minimal = _minimality(False, 2)
    else:
        minimal = _minimality(witness is not None, len(layers[0][0]))
    rec.sizes(layers, "Size", hidden_note=minimal)
    return ["separable", "w", "b"] if single is not None else ["separable", "W1", "b1", "w2", "b2", "errors"]


def _count(k: int, what: str) -> str:
    return f"{k} {what}{'' if k == 1 else 's'}"


def _sizes(sizes: list[int]) -> str:
    """[1] → '1 unit', [1, 2, 3] → '1 to 3 units'."""
    return _count(sizes[0], "unit") if len(sizes) == 1 else f"{sizes[0]} to {sizes[-1]} units"


def _decoded_rows(rows):
    return [tuple(int(v == 1) for v in x) for x in rows]


def _canonical(rec: Recorder, p: BooleanProblem, rows, outputs):
    """The textbook construction beside the network shown: one AND unit per minterm (a row with t = 1, all n
    literals), then their OR."""
    bits = [int(y == 1) for y in outputs]
    if not any(bits):
        return False
    W1, b1, w2, b2 = th.minterm_network(_decoded_rows(rows), bits)
    layers = _as_encoded([(W1, b1), ([w2], [b2])], rec.low)
    section = "Canonical network: one AND unit per minterm"
    rec.network(layers, rows, outputs, p.compare, section, prefix="minterms.",
                notes={"W1": f"one AND unit per row with t = 1 ({_count(sum(bits), 'minterm')})"})
    rec.sizes(layers, section, prefix="minterms.",
              hidden_note=f"{_count(sum(bits), 'AND unit')}, one per minterm; depth 2, width {sum(bits)}")
    return True


def _per_term(rec: Recorder, p: BooleanProblem, rows, outputs) -> str | None:
    parsed, names = expression_inputs(p)
    terms = bx.product_terms(parsed)
    where = "one AND unit per product term of the expression (a sum of products)"
    if terms is None:
        terms = [dict(zip(names, x)) for x, y in zip(_decoded_rows(rows), outputs) if y == 1]
        where = "one AND unit per true row (the minterms of the DNF; the expression is not a sum of products)"
    if not terms:
        return None
    index = {name: j for j, name in enumerate(names)}
    W1, b1, w2, b2 = th.term_network([{index[v]: s for v, s in term.items()} for term in terms], len(names))
    layers = _as_encoded([(W1, b1), ([w2], [b2])], rec.low)
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
    # the tree's units are written for 0/1 signals; in ±1 each unit is (w, 2b + Σw), the same nets doubled
    wrong = sum(tree.evaluate(x, xnor, p.compare) != int(y == 1) for x, y in zip(_decoded_rows(rows), outputs))
    rec.show("tree_errors", r"\#\text{errors}", "tree_errors", wrong, "rows where the tree's output ≠ t", section,
             note=("verified on every row" if wrong == 0 else "NOT verified")
             + ("" if rec.low == 0 else " (the tree's 0/1 units, equivalent to their ±1 form)"))


def _rows_note(p: BooleanProblem) -> str:
    if p.ones is not None:
        return "every row, in order; t = 1 on the rows listed in ones, 0 on the rest"
    if p.minterms is not None:
        return (f"row m is m in {p.inputs} binary digits (x1 the most significant); t = 1 on minterms "
                f"{sorted(set(p.minterms))}, 0 on the rest")
    return ""


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
    signs = [rg.orientation(vertices) for vertices in polygons]
    targets = [rg.inside(x, polygons, closed, signs) if label == 1 else 1 - rg.inside(x, polygons, closed, signs)
               for x in points]
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
    rec = Recorder(comp, low=p.levels[0])
    cmp = p.compare
    if p.encoding == "binary":
        conventions = [("unit", f"y = step(w·x + b): 1 when w·x + b {cmp} 0, else 0; the bias is a weight on a "
                                "constant 1 (a threshold θ is the bias −θ: the unit fires when w·x "
                                f"{cmp} θ)")]
    else:
        conventions = [("unit", f"y = sign(w·x + b): +1 when w·x + b {cmp} 0, else −1; the bias is a weight on a "
                                "constant 1 (a threshold θ is the bias −θ: the unit fires when w·x "
                                f"{cmp} θ)"),
                       ("encoding", "bipolar: inputs and outputs are ±1, −1 for false and +1 for true; a "
                                    "construction made for 0/1 signals becomes (w, 2b + Σw) per unit (x = (s + 1)/2: "
                                    "the same nets, doubled)")]
    if p.region is not None:
        default = _region(rec, p)
        conventions += [("region", f"the union of the polygons is labelled {p.region.inside}; a point on an edge "
                                   f"counts as inside only when units fire at net = 0 (compare '{cmp}')"),
                        ("edge unit", "the line through an edge, scaled to coprime integers, signed so the "
                                      "polygon's side is positive"),
                        ("AND / OR", "AND of m units: weights 1, threshold m − ½; OR: weights 1, threshold ½")]
    else:
        rows, outputs = _encoded(*truth_rows(p), rec.low)
        rec.show("x", "X", "X", [list(r) for r in rows], "the truth table's input rows", "Truth table",
                 note=_rows_note(p))
        rec.show("t", "t", "t", outputs, "the truth table's outputs", "Truth table")
        if p.expression is not None:
            conventions.append(("expression", bx.PRECEDENCE + "; inputs " + ", ".join(expression_inputs(p)[1])
                                + (" (as listed in inputs_named)" if p.inputs_named else " (in order of appearance)")))
        witness = _separability(rec, rows, outputs, cmp)
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
                sets = (f"weights searched in {sorted(set(p.allowed_weights))}" +
                        (f", biases in {sorted(set(p.allowed_biases))}" if p.allowed_biases is not None else
                         " (biases too)"))
                conventions.append(("weights", sets + ", fewest Σ|w| first; when no single unit realises the "
                                    "function, hidden layers of " + (f"{p.hidden_units} units" if p.hidden_units else
                                    f"1, 2, … {MAX_HIDDEN_SEARCH.value} units, the first that works") +
                                    ", every weight and bias from the sets"))
            if _canonical(rec, p, rows, outputs):
                conventions.append(("canonical network", "one AND unit per minterm (+1 on a 1-input, −1 on a "
                                    "0-input, threshold (number of 1-inputs) − ½), then their OR (weights 1, "
                                    "threshold ½): depth 2, width the number of minterms"))
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
