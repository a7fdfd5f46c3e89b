"""Solve for unknown kernel entries: write each known output as an equation, eliminate, then say whether
the solution is unique (and give it), absent (and which equations contradict) or not unique (the free
unknowns, and the others in terms of them).

Quantity ids: `I` (the input), `bias` (a known bias), `E1`, `E2`, … (the equation of each known output,
its value the output), the rows elimination produces (`E3′`), `rank`, and each unknown by its name.
"""
from __future__ import annotations

from fractions import Fraction

from ...engine.computation import Policy
from ...engine.formula import Formula
from ...engine.number import exact_string
from ...engine.tensor import as_tensor
from ...solution import Solution, Step
from ..common import solution_of
from .schema import ConvUnknownsProblem, Unknown
from .system import Elimination, Equation, Row, eliminate, equations, geometry, positions, unknown_names

SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


# -- writing numbers and sums --------------------------------------------------------------------
def _number(x: Fraction, latex: bool) -> str:
    text = exact_string(x)
    if latex and "/" in text:
        sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
        top, bottom = body.split("/")
        text = sign + r"\tfrac{ " + top + " }{ " + bottom + " }"
    return text


def _factor(x, latex: bool) -> str:
    """A number or name as a factor of a product: negative numbers bracketed."""
    if isinstance(x, Unknown):
        return x
    text = _number(x, latex)
    return f"({text})" if text.startswith("-") else text


def _product(a, b, latex: bool) -> str:
    return _factor(a, latex) + (r" \cdot " if latex else "·") + _factor(b, latex)


def _signed_sum(parts: list[tuple[Fraction, str]], latex: bool, constant: Fraction = Fraction(0)) -> str:
    """(constant +) c₁x + c₂y − c₃z: coefficients 1 and −1 unwritten, zero terms left out."""
    minus = "-" if latex else "−"
    out = ""
    items = ([(constant, "")] if constant != 0 else []) + [(c, name) for c, name in parts if c != 0]
    for c, name in items:
        size = _number(abs(c), latex)
        if name:
            joint = "" if len(name) == 1 and Fraction(c).denominator == 1 else (r" \cdot " if latex else "·")
            size = name if abs(c) == 1 else size + joint + name
        if not out:
            out = (minus if c < 0 else "") + size
        else:
            out += f" {minus if c < 0 else '+'} {size}"
    return out or "0"


class UnknownsSolver:
    def __init__(self, problem: ConvUnknownsProblem, policy: Policy):
        self.p = problem
        self.policy = policy
        self.geo = geometry(problem)
        self.names = unknown_names(problem)
        self.system = equations(problem, self.geo, self.names, positions(problem))
        self.steps: list[Step] = []

    def add(self, quantity_id: str, symbol: tuple[str, str], value, section: str,
            formula: Formula | None = None, note: str = "") -> None:
        self.steps.append(Step(quantity_id, symbol[0], symbol[1], as_tensor(value), section, formula, note))

    def lhs(self, coefficients: list[Fraction], latex: bool) -> str:
        return _signed_sum(list(zip(coefficients, self.names)), latex)

    # -- building ----------------------------------------------------------------------------
    def solve(self) -> Solution:
        p = self.p
        kernel = "; ".join("[" + ", ".join("[" + ", ".join(map(_entry_text, row)) + "]" for row in channel) + "]"
                           for channel in p.kernel)
        self.add("I", ("I", "I"), p.input[0] if len(p.input) == 1 else p.input, "Given",
                 note=f"kernel K = {kernel}; unknowns {', '.join(self.names)}")
        if p.bias is not None and not isinstance(p.bias, Unknown):
            self.add("bias", ("b", "b"), p.bias, "Given")
        for eq in self.system:
            self._equation(eq)
        elimination = eliminate(self.system)
        self._elimination(elimination)
        asked = self._conclusion(elimination)
        return solution_of(p, "conv_unknowns", self._conventions(), self.steps, policy=self.policy,
                           groups={"unknowns": asked})

    def _equation(self, eq: Equation) -> None:
        """O[i,j] = Σ products + b = value, noted in the simplified form E: Σ c·u = value − constant."""
        i, j = (k + self.p.index_base for k in eq.position)
        written = {}
        for latex in (True, False):
            products = [_product(t.input, t.entry, latex) for t in eq.terms]
            if eq.bias is not None:
                products.append(_factor(eq.bias, latex))
            written[latex] = " + ".join(products)
        label = f"E{eq.label}".translate(SUBSCRIPT)
        note = f"{label}: {self.lhs(eq.coefficients, False)} = {exact_string(eq.rhs)}"
        if eq.constant:
            note += f" (the known entries give {exact_string(eq.constant)})"
        self.add(f"E{eq.label}", (f"O_{{{i},{j}}}", f"O[{i},{j}]"), eq.value, "Equations (one per known output)",
                 Formula(written[True], written[False]), note)

    def _row_symbol(self, row: Row) -> tuple[str, str]:
        return self.lhs(row.coefficients, True), self.lhs(row.coefficients, False)

    def _elimination(self, e: Elimination) -> None:
        section = "Gaussian elimination"
        for op in e.operations:
            sign = "−" if op.factor > 0 else "+"
            size = abs(op.factor)
            factor = "" if size == 1 else exact_string(size) + "·"
            name = _row_name(op.result.name)
            self.add(_row_id(op.result.name), self._row_symbol(op.result), op.result.rhs, section,
                     note=f"{name} = {_row_name(op.target)} {sign} {factor}{_row_name(op.pivot)}")
        if not e.operations:
            self.add("rank", ("rank", "rank"), e.rank, section,
                     note="no elimination needed: each equation already starts with its own unknown")
        else:
            self.add("rank", ("rank", "rank"), e.rank, section,
                     note=f"{e.rank} pivots for {len(self.names)} unknowns" + (
                         " (equations reordered so each pivot is nonzero)" if e.swapped else ""))

    def _conclusion(self, e: Elimination) -> list[str]:
        contradictions = e.contradictions
        if contradictions:
            for n, row in enumerate(contradictions, start=1):
                self.add(f"contradiction{n}", ("0", "0"), row.rhs, "No solution",
                         note=f"{_row_name(row.name)} reads 0 = {exact_string(row.rhs)}: impossible. It is "
                              f"{_combination(row.combination)}, so these equations contradict each other "
                              f"and no kernel gives the known outputs")
            self.verdict = "none: the equations contradict each other"
            return ["rank"] + [f"contradiction{n}" for n in range(1, len(contradictions) + 1)]
        free = [k for k in range(len(self.names)) if k not in e.pivots]
        section = "Solution (unique)" if not free else \
            f"Solution (not unique: {', '.join(self.names[k] for k in free)} free)"
        values: dict[int, Fraction] = {}
        for k in free:
            values[k] = self._settle(k, Fraction(0))
            self.add(self.names[k], (self.names[k], self.names[k]), values[k], section,
                     note="free: any value solves the system; 0 is taken here, and the other unknowns are "
                          "given in terms of it")
        for row, col in reversed(list(zip(e.echelon, e.pivots))):
            values[col] = self._back_substitute(row, col, values, section)
        self.verdict = "unique" if not free else \
            f"not unique: {len(free)} free unknown(s) ({', '.join(self.names[k] for k in free)}), shown at 0"
        return list(self.names)

    def _settle(self, k: int, value: Fraction) -> Fraction:
        # a key's own (rounded or pinned) value of an unknown is carried into the ones solved after it
        return self.policy.settle(self.names[k], as_tensor(value))[()]

    def _back_substitute(self, row: Row, col: int, values: dict, section: str) -> Fraction:
        """From the pivot row: unknown = (rhs − Σ others)/pivot coefficient, with the others known."""
        lead = row.coefficients[col]
        others = [k for k in range(col + 1, len(self.names)) if row.coefficients[k] != 0]
        value = (row.rhs - sum((row.coefficients[k] * values[k] for k in others), Fraction(0))) / lead
        value = self._settle(col, value)
        formula = None
        if others:
            parts = [(-row.coefficients[k] / lead, "{" + str(n) + "}") for n, k in enumerate(others)]
            args = tuple(self.names[k] for k in others)
            latex = _signed_sum(parts, True, row.rhs / lead)
            text = _signed_sum(parts, False, row.rhs / lead)
            formula = Formula(latex, text, args)
        name = self.names[col]
        row_text = f"{self.lhs(row.coefficients, False)} = {exact_string(row.rhs)}"
        self.add(name, (name, name), value, section, formula, note=f"from {_row_name(row.name)}: {row_text}")
        return value

    def _conventions(self) -> list[tuple[str, str]]:
        p, geo = self.p, self.geo
        if p.operation == "cross_correlation":
            op = "cross-correlation (no flip): O[i,j] = Σ I[i·s + m·d, j·s + n·d]·K[m,n] + b"
        else:
            op = "true convolution (kernel rotated 180°): O[i,j] = Σ I[i·s + m·d, j·s + n·d]·K[k−1−m, k−1−n] + b"
        if geo.channels > 1:
            op += ", summed over the input channels"
        out = [("operation", op),
               ("stride, dilation", f"stride {_axes(geo.stride)}, dilation {_axes(geo.dilation)}"),
               ("padding", "none (valid)" if geo.pad_before == geo.pad_after == (0, 0) else
                f"zeros: {_axes(geo.pad_before)} before, {_axes(geo.pad_after)} after"
                + (" (same)" if p.padding == "same" else "")),
               ("output size", f"{geo.output[0]}×{geo.output[1]}"),
               ("positions", f"O[row, column] counted from {p.index_base}"),
               ("bias", "none" if p.bias is None else "unknown" if isinstance(p.bias, Unknown) else "given")]
        out.append(("solution", self.verdict))
        return out


def _entry_text(entry) -> str:
    return str(entry) if isinstance(entry, Unknown) else getattr(entry, "text", None) or exact_string(entry)


def _axes(pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _row_id(name: str) -> str:
    return name.replace("′", "'")


def _row_name(name: str) -> str:
    base = name.rstrip("′")
    return "E" + base[1:].translate(SUBSCRIPT) + name[len(base):]


def _combination(weights: list[Fraction]) -> str:
    return _signed_sum([(w, f"E{k + 1}".translate(SUBSCRIPT)) for k, w in enumerate(weights)], False)


def solve_unknowns(problem: ConvUnknownsProblem, policy: Policy | None = None) -> Solution:
    return UnknownsSolver(problem, policy or Policy()).solve()
