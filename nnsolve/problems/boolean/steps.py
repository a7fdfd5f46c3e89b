"""Recording a threshold network and its evaluation on every test row as named steps.

Ids: one unit `w`, `b`, `theta` (θ = −b), `net`, `y`; L layers `W1`, `b1`, `theta1`, …, `w<L>`, `b<L>`,
`theta<L>` (the output unit), nets `u1`, …, `u<L>`, hidden outputs `h1`, …, `h<L−1>`, output `y`; then `errors`
(rows where y ≠ t, listed in its note), `hidden_units`, `layers`, `width`, `neurons`. A prefix (`terms.`) keeps a second network's ids apart.
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Computation, Symbol
from . import threshold as th


def _fr(values):
    if isinstance(values, (list, tuple)):
        return [_fr(v) for v in values]
    return Fraction(values)


def _row(x) -> str:
    return "(" + ", ".join(str(v) for v in x) + ")"


class Recorder:
    def __init__(self, comp: Computation, low: int = 0):
        self.comp = comp
        self.low = low          # what a unit outputs when it does not fire: 0, or −1 in the ±1 encoding

    def show(self, node_id, latex, text, value, formula_text, section, note=""):
        return self.comp.derived(node_id, Symbol(latex, text), _fr(value), th.described(formula_text), section,
                                 note=note)

    def network(self, layers, rows, outputs, compare, section, prefix="", notes=None) -> int:
        """Record the network's weights, evaluate it exactly on every row, and return how many it gets wrong."""
        notes = notes or {}
        last = len(layers)
        evaluated = [th.forward(layers, x, compare, self.low) for x in rows]
        for l, (W, b) in enumerate(layers, start=1):
            if last == 1:
                ids = ("w", "b", "net")
            else:
                ids = (f"W{l}" if l < last else f"w{l}", f"b{l}", f"u{l}")
            weights, bias, nets = (prefix + i for i in ids)
            what = "hidden layer" if l < last else "output unit"
            if l < last:
                self.show(weights, ids[0], ids[0], W, f"{what} {l}: weights, one row per unit", section,
                          note=notes.get(ids[0], ""))
                self.show(bias, ids[1], ids[1], b, f"{what} {l}: biases (− thresholds)", section,
                          note=notes.get(ids[1], ""))
            else:
                self.show(weights, ids[0], ids[0], W[0], f"{what}: weights", section, note=notes.get(ids[0], ""))
                self.show(bias, ids[1], ids[1], b[0], f"{what}: bias (− threshold)", section,
                          note=notes.get(ids[1], ""))
            # the threshold θ = −b, as an exam may ask it (the unit fires when w·x > θ)
            theta = "theta" if last == 1 else f"theta{l}"
            thresholds = [-v for v in b] if l < last else -b[0]
            self.show(prefix + theta, r"\theta" if last == 1 else rf"\theta_{{{l}}}", "θ" if last == 1 else f"θ{l}",
                      thresholds, f"{what}{f' {l}' if l < last else ''}: threshold{'s' if l < last else ''} θ = −b (fires when weights·input "
                      f"{compare} θ)", section)
        for l in range(1, last + 1):
            nets_id = prefix + ("net" if last == 1 else f"u{l}")
            source = "x" if l == 1 else f"h{l - 1}"
            per_row = [e[l - 1][0] if l < last else e[l - 1][0][0] for e in evaluated]
            self.show(nets_id, nets_id.removeprefix(prefix), nets_id.removeprefix(prefix), per_row,
                      f"weights·{source} + bias for every row", "Verification" if not prefix else section)
            if l < last:
                self.show(f"{prefix}h{l}", f"h_{l}", f"h{l}", [e[l - 1][1] for e in evaluated],
                          f"{self.step_name}(u{l}): 1 when u{l} {compare} 0, else {self.low_text}",
                          "Verification" if not prefix else section)
        produced = [e[-1][1][0] for e in evaluated]
        self.show(prefix + "y", "y", "y", produced,
                  f"{self.step_name} of the output net: 1 when it is {compare} 0, else {self.low_text}",
                  "Verification" if not prefix else section)
        wrong = [(x, t, y) for x, t, y in zip(rows, outputs, produced) if t != y]
        listed = "; ".join(f"x = {_row(x)}: t = {t}, y = {y}" for x, t, y in wrong[:16])
        self.show(prefix + "errors", r"\#\text{errors}", "errors", len(wrong), "rows where y ≠ t (every row checked)",
                  "Verification" if not prefix else section,
                  note="verified on every row" if not wrong else
                  f"NOT verified: wrong on {len(wrong)} row{'s' if len(wrong) > 1 else ''}: {listed}"
                  + (" …" if len(wrong) > 16 else ""))
        return len(wrong)

    @property
    def step_name(self) -> str:
        return "step" if self.low == 0 else "sign"

    @property
    def low_text(self) -> str:
        return "0" if self.low == 0 else "−1"

    def sizes(self, layers, section, prefix="", hidden_note=""):
        units = [len(W) for W, _ in layers]
        for node_id, value, text in (("hidden_units", sum(units[:-1]), "threshold units outside the output layer"),
                                     ("layers", len(units), "layers of threshold units (inputs not counted): "
                                                            "the depth"),
                                     ("width", max(units), "units in the widest layer"),
                                     ("neurons", sum(units), "threshold units in all")):
            self.show(prefix + node_id, node_id, node_id, value, text, section,
                      note=hidden_note if node_id == "hidden_units" else "")
