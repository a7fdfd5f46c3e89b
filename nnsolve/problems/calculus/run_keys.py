"""What shapes a descent besides its optimizer: the learning rate of each update (`schedule`) and the
optimizer's state before the first one (`initial`: a velocity, Adam's moments and count)."""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Symbol
from ...engine.number import exact_string, mp
from ...expr import parse
from ...expr.symbolic import symbol, to_sympy
from ..errors import Issue, ProblemError
from .schema import variables_of


class Schedule:
    """The learning rate of each update: `lr`, or `schedule` — a list (update t uses its t-th number) or a
    formula in t, evaluated exactly for the recorded updates and compiled for the carried ones."""

    def __init__(self, spec):
        self.spec = spec
        given = getattr(spec, "schedule", None)
        self.text = None
        self.formula = self.program = None
        self.numbers = None
        if given is None:
            self.first = spec.lr
            return
        if isinstance(given, list):
            self.numbers = list(given)
            self.text = "[" + ", ".join(exact_string(x) for x in given[:6]) + (", …]" if len(given) > 6 else "]")
        else:
            from ...expr.program import Program
            self.formula = to_sympy(parse(given))
            self.program = Program([self.formula], [symbol("t")])
            self.text = f"η(t) = {given}"
        self.first = self.exact(1)

    def first_spec(self):
        return self.spec if self.text is None else self.spec.model_copy(update={"lr": self.first})

    def exact(self, t: int):
        if self.text is None:
            return self.spec.lr
        if self.numbers is not None:
            return self.numbers[t - 1]
        from .analysis import evaluate
        value = evaluate(self.formula, {symbol("t"): Fraction(t)})
        if not value > 0:
            raise ProblemError([Issue("descent.schedule", f"η({t}) = {exact_string(value)}: a learning rate is "
                                                         "positive")])
        return value

    def carried(self, t: int):
        if self.text is None:
            return self.spec.lr
        if self.program is None:
            return self.exact(t)
        value = self.program.run([Fraction(t)])[0]
        if not value > 0:
            raise ProblemError([Issue("descent.schedule", f"η({t}) = {mp.nstr(value, 8)}: a learning rate is "
                                                         "positive")])
        return value

    def set_rate(self, optimizer, comp, t: int) -> None:
        """Update t's rate as the given η[t] the optimizer's formulas name (rates from a schedule only)."""
        if self.text is not None:
            optimizer._hyper["eta"] = comp.given(f"eta({t})", Symbol(rf"\eta^{{[{t}]}}", f"η[{t}]"), self.exact(t),
                                                 note="the schedule's rate for this update")


def initial_state(solver, optimizer, params: dict) -> None:
    """The optimizer's state before the first update, where `initial` gives it (velocity, moments, Adam's t₀)."""
    for name, values in given_state(solver.p).items():
        if name == "t":
            _count_from(optimizer, int(values))
            continue
        for (key, w), value in zip(params.items(), values):
            node = optimizer.comp.given(f"{name}.{key}(0)", optimizer.state_symbol(name, name, w, 0), value,
                                        note="given initial state")
            solver.section("Start", node)
            if name == "v":
                optimizer.velocity[key] = node
            else:
                optimizer.state[f"{name}.{key}"] = node


def given_state(p) -> dict:
    """`initial` by nnsolve's names of the state (Adam's second moment v, as the Adam paper writes it, is s
    here), each a list in the variables' order (t a whole number)."""
    out = {}
    for name, values in (p.descent.initial or {}).items():
        name = "s" if p.descent.type == "adam" and name == "v" else name
        out[name] = values if name == "t" else \
            [values[v] for v in variables_of(p)] if isinstance(values, dict) else list(values)
    return out


def _count_from(optimizer, t0: int) -> None:
    """Adam resumed after t₀ updates: update s divides its moments by 1 − βᵗ with t = t₀ + s (Adam's own
    bias correction with the count moved on; its ids keep s)."""
    import unicodedata

    from ...optim.base import latex_power, superscript

    def corrected(step, key, w, moment, beta):
        name, t = moment.id.split(".")[0], t0 + step
        symbol_ = optimizer.state_symbol(rf"\hat{{{name}}}", unicodedata.normalize("NFC", f"{name}\u0302"), w, step)
        return optimizer.record(f"{name}_hat.{key}({step})", symbol_, moment.value / (1 - beta.value[()] ** t),
                                r"\frac{{0}}{1 - {1}" + latex_power(t) + "}", "{0} / (1 − {1}" + superscript(t) + ")",
                                (moment, beta), note=f"t = t₀ + {step} = {t}")
    optimizer.corrected = corrected
