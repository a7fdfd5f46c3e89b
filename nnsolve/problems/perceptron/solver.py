"""The perceptron rule row by row: net = w·x + b, y = step(net vs θ), Δw = η(t − y)x, Δb = η(t − y).

Ids per epoch e and row r: `e<e>.r<r>.net`, `.y`, `.dw`, `.w` (and `.db`, `.b` with a bias); after
training `w`, `b`, `epochs_run`, `converged` (1 when the last epoch made no update) and `separable` (exact
check of the data, so a run that cannot converge is explained).
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Computation, Policy, Symbol
from ...engine.number import decimal_string
from ...solution import Solution
from ..common import solution_of
from ..boolean.threshold import described
from ..boolean.separability import TooLarge, separating_weights
from ..boolean.solver import gate_table
from .schema import PerceptronProblem


def training_data(p: PerceptronProblem) -> tuple[list[list[Fraction]], list[Fraction]]:
    if p.inputs is not None:
        return [list(r) for r in p.inputs], list(p.targets)
    rows, outputs = gate_table(p.gate, 2)
    if p.encoding == "bipolar":
        return [[Fraction(2 * v - 1) for v in r] for r in rows], [Fraction(2 * y - 1) for y in outputs]
    return [[Fraction(v) for v in r] for r in rows], [Fraction(y) for y in outputs]


def output(net, p: PerceptronProblem) -> Fraction:
    fired = net > p.threshold if p.compare == ">" else net >= p.threshold
    return Fraction(1) if fired else Fraction(0 if p.encoding == "binary" else -1)


def solve_perceptron(p: PerceptronProblem, policy: Policy | None = None) -> Solution:
    comp = Computation(policy or Policy())
    X, T = training_data(p)
    has_bias = p.bias is not None
    w, b = list(p.weights), (p.bias if has_bias else Fraction(0))

    def show(node_id, symbol, value, formula, section, note=""):
        return comp.derived(node_id, Symbol(symbol, symbol), value, described(formula), section, note=note)

    # every given the rule uses, so that the Given section states the whole problem (a handout prints it alone)
    show("X", "X", X, "training inputs, a row per example, in table order", "Given")
    show("t", "t", T, "targets", "Given")
    show("eta", "η", p.eta, "learning rate", "Given")
    show("w0", "w", w, "initial weights", "Given")
    if has_bias:
        show("b0", "b", b, "initial bias", "Given")
    converged = False
    epoch = 0
    for epoch in range(1, p.epochs + 1):
        updates = 0
        for r, (x, t) in enumerate(zip(X, T), start=1):
            key, section = f"e{epoch}.r{r}", f"Epoch {epoch}"
            net = comp.derived(f"{key}.net", Symbol(f"net_{{{r}}}", f"net{r}"),
                               sum((wi * xi for wi, xi in zip(w, x)), b), described(
                                   "w·x + b" if has_bias else "w·x"),
                               section, note=f"x = [{', '.join(decimal_string(v) for v in x)}], t = {decimal_string(t)}").value[()]
            y = show(f"{key}.y", f"y{r}", output(net, p), f"step(net {p.compare} {decimal_string(p.threshold)})", section).value[()]
            error = t - y
            updates += error != 0
            dw = show(f"{key}.dw", f"Δw{r}", [p.eta * error * xi for xi in x], "η (t − y) x", section).value
            w = list(show(f"{key}.w", f"w{r}", [wi + d for wi, d in zip(w, dw)], "w + Δw", section).value)
            if has_bias:
                db = show(f"{key}.db", f"Δb{r}", p.eta * error, "η (t − y)", section).value[()]
                b = show(f"{key}.b", f"b{r}", b + db, "b + Δb", section).value[()]
        last = f"e{epoch}.r{len(X)}"
        show(f"e{epoch}.w", f"w(e{epoch})", comp.value(f"{last}.w"), "weights after the epoch", f"Epoch {epoch}")
        if has_bias:
            show(f"e{epoch}.b", f"b(e{epoch})", b, "bias after the epoch", f"Epoch {epoch}")
        if updates == 0:
            converged = True
            break
    show("w", "w", comp.value(f"e{epoch}.w"), "final weights", "Result")
    if has_bias:
        show("b", "b", b, "final bias", "Result")
    show("epochs_run", "epochs", epoch, "epochs run", "Result")
    show("converged", "converged", int(converged), "1 when an epoch made no update", "Result")
    try:
        separable = separating_weights([tuple(x) for x in X], [t == 1 for t in T]) is not None
        note = "" if separable else "not linearly separable: the perceptron rule can never converge on this data"
    except TooLarge:
        separable, note = None, "too large to decide exactly"
    if separable is not None:
        show("separable", "separable", int(separable), "exact linear separability of the data", "Result", note)

    steps = comp.to_steps(lambda n: n.phase, givens_first=False)       # each step's phase names its section
    conventions = [
        ("output", f"y = 1 when net {p.compare} {decimal_string(p.threshold)}, else {0 if p.encoding == 'binary' else -1} "
                   f"({p.encoding} encoding)"),
        ("rule", f"online, in table order: Δw = η (t − y) x with η = {decimal_string(p.eta)}" +
                 ("; the bias is a weight on a constant 1 and learns the same way" if has_bias else
                  "; no bias: the threshold stays fixed")),
        ("stopping", f"at most {p.epochs} epoch(s); stops after an epoch without any update"),
    ]
    return solution_of(p, "perceptron_learning", conventions, steps, policy=comp.policy)

