"""Realise a Boolean function with threshold units: one unit when the function is linearly separable
(decided exactly), else one hidden layer; every proposed network is checked on the whole truth table.

Ids: `x` (input rows), `t` (targets), `separable` (1 or 0); one unit: `w`, `b`, `net`, `y`; a two-layer
network: `W1` (one row per hidden unit), `b1`, `w2`, `b2`, `u1`, `h1`, `u2`, `y`; then `errors` (rows the
network gets wrong, 0 when verified), `hidden_units`, `layers`, `neurons`.
"""
from __future__ import annotations

import itertools
from fractions import Fraction

from ...engine.computation import Computation, Policy, Symbol
from ...solution import Solution, Step
from . import threshold as th
from .schema import BooleanProblem
from .separability import TooLarge, separating_weights


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
        return [tuple(int(v) for v in row[:-1]) for row in p.truth_table], [int(row[-1]) for row in p.truth_table]
    return gate_table(p.function, p.inputs)


def _fr(values):
    if isinstance(values, (list, tuple)):
        return [_fr(v) for v in values]
    return Fraction(values)


def solve_boolean(p: BooleanProblem, policy: Policy | None = None) -> Solution:
    comp = Computation(policy or Policy())
    rows, outputs = truth_rows(p)
    n = len(rows[0])
    cmp = p.compare

    def show(node_id, latex, text, value, formula_text, section, note=""):
        return comp.derived(node_id, Symbol(latex, text), _fr(value), th.described(formula_text), section,
                            note=note)

    show("x", "X", "X", [list(r) for r in rows], "the truth table's input rows", "Truth table")
    show("t", "t", "t", outputs, "the truth table's outputs", "Truth table")
    try:
        witness = separating_weights(rows, [y == 1 for y in outputs])
        decided = True
    except TooLarge:
        witness, decided = None, False
    show("separable", r"\text{separable}", "separable", int(witness is not None),
         "exists (w, b) with w·x + b ≥ 1 on every 1-row and ≤ −1 on every 0-row", "Separability",
         note="decided exactly by Fourier–Motzkin elimination" if decided else
              "too many inequalities to decide exactly; treated as not separable")

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
        w, b = single
        show("w", "w", "w", list(w), "a separating weight vector", "One threshold unit")
        show("b", "b", "b", b, "its bias (weight on a constant input 1)", "One threshold unit")
        nets = [th.net(w, b, x) for x in rows]
        produced = [th.fires(v, cmp) for v in nets]
        show("net", "w^T x + b", "w·x + b", nets, "w·x + b for every row", "Verification")
        sizes = (0, 1, 1)
    elif network is not None:
        W1, b1, w2, b2 = network
        for node_id, value, text in (("W1", W1, "hidden weights, one row per unit"), ("b1", b1, "hidden biases"),
                                     ("w2", w2, "output weights"), ("b2", b2, "output bias")):
            show(node_id, node_id, node_id, value, text, "Two-layer threshold network")
        hidden = [th.layer(W1, b1, x, cmp) for x in rows]
        show("u1", "u_1", "u1", [[th.net(w, bi, x) for w, bi in zip(W1, b1)] for x in rows],
             "W1 x + b1 for every row", "Verification")
        show("h1", "h_1", "h1", hidden, f"step(u1), firing when u1 {cmp} 0", "Verification")
        show("u2", "u_2", "u2", [th.net(w2, b2, h) for h in hidden], "w2·h1 + b2 for every row", "Verification")
        produced = [th.two_layer(W1, b1, w2, b2, x, cmp) for x in rows]
        sizes = (len(W1), 2, len(W1) + 1)
    else:
        produced, sizes = None, (0, 0, 0)

    if produced is not None:
        show("y", "y", "y", produced, f"step(net), firing when net {cmp} 0", "Verification")
        wrong = sum(a != b for a, b in zip(produced, outputs))
        show("errors", r"\#\text{errors}", "errors", wrong, "rows where y ≠ t (checked on every row)",
             "Verification", note="verified on the whole truth table" if wrong == 0 else "NOT verified")
    for node_id, value in zip(("hidden_units", "layers", "neurons"), sizes):
        show(node_id, node_id, node_id, value, "size of the network found" if produced is not None
             else "no network found from the allowed weights", "Size")

    steps = [Step(s.id, s.symbol.latex, s.symbol.text, s.value, s.phase, s.formula, s.note) for s in comp.order]
    conventions = [
        ("unit", f"y = step(w·x + b): 1 when w·x + b {cmp} 0, else 0; the bias is a weight on a constant 1"),
        ("separability", "exact: Fourier–Motzkin elimination over fractions, no floating point"),
        ("two layers", "when not separable: one hidden unit per true row (OR of minterms), or, when the output "
                       "depends only on the number of 1s (parity, XNOR chains), n hidden units 'at least k ones'"),
    ]
    if p.allowed_weights:
        conventions.append(("weights", f"searched in {sorted(set(p.allowed_weights))}, fewest Σ|w| first"))
    default = ["separable", "w", "b"] if single is not None else (
        ["separable", "W1", "b1", "w2", "b2", "errors"] if network is not None else ["separable"])
    solution = Solution(p.title, "boolean_network", conventions, steps, [], {}, p.digits if p.digits is not None else 4,
                        p.source.model_dump(exclude_none=True) if p.source else None)
    solution.asked = list(p.ask) or default
    return solution
