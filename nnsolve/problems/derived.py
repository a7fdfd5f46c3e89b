"""Derived asks: what `ask` and `answers` may name beyond a computed quantity, in every family.

- one element of a quantity: `softmax[2]`, `W1[0][1]`, `y[1]` (0-based, as every list in a problem file);
- the index of a quantity's largest entry: `argmax(y)`, 0-based like every index (`argmax(y) + 1` is the class
  numbered from 1); on a tie the first (lowest) index is taken, as NumPy and PyTorch do, and the step says so;
- an expression over computed quantities and numbers: `p[1] - p[3]`, `2*h1[0] + 1`, `log(y[0]) / 2`, read by
  the project's own expression parser (nnsolve.expr; nothing is ever evaluated by Python) and computed entry by
  entry (quantities of the same shape added or subtracted, a number with a quantity); a product or quotient of two
  vectors or matrices is refused, as a dot or matrix product may be meant.

Each becomes a Step of the Solution under its name as written, with its formula and the numbers in it, so printers
show it and the checker matches an answer to it like any other quantity. A name inside that is no quantity is
refused with the closest id. The family registry calls `add_derived` once after every solve (re-solves of the
checker included), so a pinned or hand-rounded solve recomputes the derived values too.
"""
from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from ..engine.formula import Formula
from ..engine.tensor import as_tensor
from ..solution import Solution, Step
from .errors import suggestion

SECTION = "Derived quantities"
TIE_DIGITS = Fraction(1, 10 ** 45)
ERRORS = "derived_errors"       # Solution.meta key: name as written → why it is not a derived quantity
_INDEX = re.compile(r"\s*\[\s*(-?\d+)\s*\]")
_ELEMENT = re.compile(r"^(?P<base>.*?)(?P<index>(?:\[\s*-?\d+\s*\])+)$")
_ARGMAX = re.compile(r"argmax\s*\(\s*")
_CLOSE = re.compile(r"\s*\)")
_INDEXED_NAME = re.compile(r"([^\W\d][\w./@<>']*(?:\([\w<>]*\))?)\s*\[")
_TOKEN = re.compile(r"[^\W\d][\w./@<>']*(?:\(\w+\))?")
_WORD = re.compile(r"[\w./@<>']+(?:\([\w<>]*\))?")


class DerivedError(ValueError):
    pass


def named_inside(problem) -> list[str]:
    """The ids a derived ask or answer may name (`loss(1)` and `loss` in `loss(1) - loss`): solvers compute some
    quantities only when `ask` or the answers name them (the pass after the last update, its gradients)."""
    out: list[str] = []
    for item in [*problem.ask, *(getattr(problem, "answers", {}) or {})]:
        text = str(item).strip()
        tokens = _TOKEN.findall(text)
        if tokens != [text]:
            out += [t for t in tokens if t not in out and t != text]
    return out


def add_derived(problem, solution: Solution, groups, policy=None) -> None:
    """Add a step for each item of `ask` and each answer that is a derived quantity; record in
    `solution.meta[ERRORS]` why an item that looks like one is not."""
    items = [(str(item).strip(), True) for item in problem.ask] + \
            [(str(name).strip(), False) for name in getattr(problem, "answers", {}) or {}]
    pending = [(text, asked) for text, asked in items
               if text and text not in groups and not solution.has(text)
               and (asked or not _plain_element(text, solution))]
    if not pending:
        return
    maker = _Maker(solution, policy)
    errors: dict[str, str] = {}
    for text, _ in pending:
        if solution.has(text) or text in errors:
            continue
        try:
            maker.derive(text)
        except DerivedError as e:
            errors[text] = str(e)
    if errors:
        solution.meta.setdefault(ERRORS, {}).update(errors)


def _plain_element(text: str, solution: Solution) -> bool:
    """`u1[0]` of a computed u1: the checker reads such an answer as that element of u1 itself (its pins and
    follow-through work on u1), so it needs no step of its own."""
    element = _ELEMENT.match(text)
    return bool(element) and solution.has(element.group("base").strip())


class _Maker:
    def __init__(self, solution: Solution, policy):
        self.solution = solution
        self.policy = policy
        names = {n for n in set(solution.ids) | set(solution.aliases) if n}     # an empty name refers to nothing
        self.names = names
        self.lengths = sorted({len(n) for n in names}, reverse=True)

    # -- reading the text -------------------------------------------------------------------
    def derive(self, text: str) -> None:
        from ..expr import ExprError, Name, names_in, parse
        from ..expr.parser import require_text
        from ..limits import MAX_FORMULA_LENGTH

        try:
            require_text(text, MAX_FORMULA_LENGTH)
        except ExprError as e:
            raise DerivedError(f"cannot read it: {e}") from None
        refs, substituted, shifts = self.references(text)
        if len(refs) == 1 and substituted.strip() == refs[0][0]:
            self.reference_step(refs[0][1], text)            # a single element or argmax: no expression
            return
        indexed = _INDEXED_NAME.search(substituted)          # zz[1]: a name the problem does not have
        if indexed and indexed.group(1) not in dict(refs):
            raise DerivedError(self.unknown(text, indexed.start(1) + 1, shifts))
        try:
            tree = parse(substituted)
        except ExprError as e:
            raise DerivedError(f"cannot read {text!r}: column {_original(e.column, shifts)}: "
                               f"{str(e).partition(': ')[2]}") from None
        if isinstance(tree, Name) and tree.name not in dict(refs):
            return          # one unknown word: the registry refuses it with the closest id or group
        if not refs and not names_in(tree):
            raise DerivedError(f"{text!r} names no quantity of this problem")
        for name in names_in(tree):
            if name not in dict(refs):
                raise DerivedError(self.unknown(text, _column_of(tree, name), shifts))
        args = {placeholder: self.reference_step(ref) for placeholder, ref in refs}
        try:
            value = self.evaluate(tree, args)
        except DerivedError as e:
            raise DerivedError(f"{text!r}: {e}") from None
        order = list(dict.fromkeys(args[n] for n in names_in(tree)))
        latex, plain = _template(tree, {p: order.index(q) for p, q in args.items() if q in order})
        formula = Formula(latex, plain, tuple(order))
        symbol = Formula(latex, plain, tuple(order))
        self.add(text, symbol.fill(True, lambda q: self.step(q).latex_symbol), text, value, formula,
                 "computed entry by entry" if np.asarray(value).ndim else "")

    def unknown(self, text: str, column: int, shifts) -> str:
        start = _original(column, shifts) - 1
        word = _WORD.match(text, start)
        name = word.group(0) if word else text[start:start + 1]
        known = [*self.solution.ids, *self.solution.aliases]
        return f"{text!r}: no quantity {name!r} (column {start + 1})" + suggestion(name, known)

    def references(self, text: str):
        """The quantities `text` names, each replaced by a placeholder name the expression parser reads:
        ([(placeholder, reference)], substituted text, [(substituted column, shift)])."""
        out, parts, shifts, pos, last = [], [], [], 0, 0
        while pos < len(text):
            # a quantity's name starts a word (a number's digits are the number, even where a graph names a
            # constant node by its text)
            boundary = (pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_./")) and \
                not text[pos].isdigit() and text[pos] != "."
            found = self.reference_at(text, pos) if boundary else None
            if found is None:
                pos += 1
                continue
            ref, end = found
            placeholder = f" _r{len(out)} "      # spaced: y[0]y[1] reads as two names (a product)
            parts.append(text[last:pos])
            column = sum(len(p) for p in parts) + 1
            parts.append(placeholder)
            shifts.append((column, len(placeholder), end - pos))
            out.append((placeholder.strip(), ref))
            pos = last = end
        parts.append(text[last:])
        return out, "".join(parts), shifts

    def reference_at(self, text: str, pos: int):
        """(reference, end) for a quantity named at `pos`: the longest id or alias there, its element indices;
        or argmax(…) of one; None if none starts there."""
        argmax = _ARGMAX.match(text, pos)
        if argmax:
            inner = self.reference_at(text, argmax.end())
            close = _CLOSE.match(text, inner[1]) if inner else None
            if inner is None or close is None or inner[0][0] == "argmax":
                raise DerivedError(f"{text!r}: argmax takes one quantity, e.g. argmax(y) or argmax(Y[0]) "
                                   f"(column {pos + 1})")
            return ("argmax", inner[0]), close.end()
        for length in self.lengths:
            if pos + length > len(text):
                continue
            name = text[pos:pos + length]
            if name in self.names and (pos + length == len(text) or not _continues(name, text[pos + length])):
                if text[pos + length:].lstrip().startswith("(") and name in _function_names():
                    continue
                indices, end = [], pos + length
                while (m := _INDEX.match(text, end)):
                    indices.append(int(m.group(1)))
                    end = m.end()
                return ("element", name, tuple(indices)), end
        return None

    # -- the steps ------------------------------------------------------------------------------
    def step(self, quantity: str) -> Step:
        return self.solution.step(quantity)

    def reference_step(self, ref, as_written: str | None = None) -> str:
        """The id of the step holding `ref`'s value, recorded if it is new."""
        if ref[0] == "argmax":
            return self.argmax_step(ref[1], as_written)
        _, name, index = ref
        if not index:
            return self.solution.aliases.get(name, name)
        quantity = self.solution.aliases.get(name, name)
        value = self.step(quantity).value
        if len(index) > value.ndim:
            raise DerivedError(f"{name} is {_shape_text(value.shape)}; {name}{_indices(index)} gives "
                               f"{len(index)} indices")
        for i, size in zip(index, value.shape):
            if i < 0 or i >= size:
                raise DerivedError(f"index {i} of {name}{_indices(index)} is out of range: {name} is "
                                   f"{_shape_text(value.shape)} (indices are 0-based: 0 to {size - 1})")
        step_id = as_written or f"{name}{_indices(index)}"
        if not self.solution.has(step_id):
            base = self.step(quantity)
            picked = as_tensor(value[index])
            latex_index = "".join(f"[{i}]" for i in index)
            formula = Formula("{0}" + latex_index, "{0}" + _indices(index), (quantity,))
            self.add(step_id, f"{{{base.latex_symbol}}}{latex_index}", step_id,
                     picked, formula, "indices from 0")
        return step_id

    def argmax_step(self, ref, as_written: str | None) -> str:
        of = self.reference_step(ref)
        step_id = as_written or f"argmax({ref[1]}{_indices(ref[2])})"
        if self.solution.has(step_id):
            return step_id
        value = self.step(of).value
        if value.ndim != 1:
            raise DerivedError(f"argmax({of}): {of} is {_shape_text(value.shape)}; argmax takes a vector "
                               f"(one row of a matrix: argmax({of}[0]))")
        entries = list(value)
        if any(not isinstance(v, Fraction) and not hasattr(v, "_mpf_") for v in entries):
            raise DerivedError(f"argmax({of}): {of} is not a vector of numbers")
        top = max(entries)
        exact = all(isinstance(v, Fraction) for v in entries)
        # 50-digit values equal in truth may differ in their last digits (e^1·e^1 and e^2): within 45 digits they tie
        tied = [i for i, v in enumerate(entries)
                if v == top or (not exact and abs(v - top) <= TIE_DIGITS * max(1, abs(top)))]
        note = "indices from 0 (argmax + 1 numbers the classes from 1)"
        if len(tied) > 1:
            note += (f"; entries {', '.join(map(str, tied))} tie for the largest"
                     f"{'' if all(entries[i] == top for i in tied) else ' (equal to 45 significant digits)'}: "
                     "the first is taken")
        base = self.step(of)
        self.add(step_id, rf"\operatorname{{argmax}}({base.latex_symbol})", step_id,
                 as_tensor(Fraction(tied[0])), Formula(r"\operatorname{argmax}({0})", "argmax({0})", (of,)), note)
        return step_id

    def add(self, step_id, latex, text, value, formula, note="") -> None:
        value = as_tensor(value)
        if self.policy is not None:
            value = as_tensor(self.policy.settle(step_id, value))
        self.solution.add_steps([Step(step_id, latex, text, value, SECTION, formula, note)])

    # -- the value ------------------------------------------------------------------------------
    def evaluate(self, tree, args: dict[str, str]) -> np.ndarray:
        from ..expr import Call, Name, Num, Op, constant_value
        from ..ops.scalar import DomainError
        from .graph.primitives import BINARY, FUNCTIONS, NEG, power

        def walk(t) -> np.ndarray:
            if isinstance(t, Num):
                return as_tensor(t.value)
            if isinstance(t, Name):
                value = self.step(args[t.name]).value
                if any(not isinstance(v, Fraction) and not hasattr(v, "_mpf_") for v in value.reshape(-1)):
                    raise DerivedError(f"{args[t.name]} is not a number or an array of numbers")
                return value
            if isinstance(t, Op) and t.op == "^":
                exponent = constant_value(t.operands[1])
                if exponent is None:
                    raise DerivedError(f"column {t.column}: an exponent must be a number")
                return entrywise(lambda a: power(a, exponent), walk(t.operands[0]))
            if isinstance(t, Op):
                operands = [walk(o) for o in t.operands]
                if t.op in "*/" and all(o.ndim for o in operands):
                    # h1·h2 may mean a dot product, W·x a matrix product: neither is read entry by entry
                    raise DerivedError(f"column {t.column}: {'a product' if t.op == '*' else 'a quotient'} of two "
                                       "vectors or matrices is ambiguous (entry by entry, a dot product or a matrix "
                                       "product?); name their elements, e.g. h1[0]*h2[0] + h1[1]*h2[1]")
                fn = NEG.value if t.op == "neg" else BINARY[t.op].value
                return entrywise(fn, *operands)
            assert isinstance(t, Call)
            return entrywise(FUNCTIONS[t.function].value, *[walk(a) for a in t.args])

        def entrywise(fn, *operands):
            shapes = {o.shape for o in operands if o.ndim}
            if len(shapes) > 1:
                raise DerivedError("combines quantities of different shapes "
                                   f"({' and '.join(_shape_text(s) for s in sorted(shapes))}); name one element "
                                   "of each, e.g. h1[0]")
            try:
                return as_tensor(np.vectorize(fn, otypes=[object])(*operands))
            except (DomainError, ZeroDivisionError) as e:
                raise DerivedError(str(e) or "division by zero") from None

        return walk(tree)


def _continues(name: str, nxt: str) -> bool:
    """Whether the character after a matched id makes it part of a longer word (`h1` in `h10`)."""
    return (nxt.isalnum() or nxt == "_") and (name[-1].isalnum() or name[-1] == "_")


def _function_names():
    from ..expr import FUNCTIONS
    return FUNCTIONS


def _template(tree, index: dict[str, int]) -> tuple[str, str]:
    """LaTeX and text templates of the expression, a placeholder {k} for each quantity; parentheses where the
    precedence needs them."""
    from ..expr import Call, Name, Num

    rank = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "^": 4}

    def go(t) -> tuple[str, str, int]:
        if isinstance(t, Num):
            return f"{{ {t.text} }}", t.text, 5
        if isinstance(t, Name):
            return f"{{{index[t.name]}}}", f"{{{index[t.name]}}}", 5
        if isinstance(t, Call):
            parts = [go(a) for a in t.args]
            return (rf"\operatorname{{{t.function}}}\left(" + ", ".join(p[0] for p in parts) + r"\right)",
                    f"{t.function}(" + ", ".join(p[1] for p in parts) + ")", 5)
        r = rank[t.op]
        if t.op == "neg":
            latex, text, inner = go(t.operands[0])
            return ("-" + _paren(latex, inner <= 2, True), "−" + _paren(text, inner <= 2, False), r)
        (al, at, ar), (bl, bt, br) = go(t.operands[0]), go(t.operands[1])
        if t.op == "/":
            return rf"\frac{{ {al} }}{{ {bl} }}", f"{_paren(at, ar < 5, False)} / {_paren(bt, br < 5, False)}", r
        if t.op == "^":
            return (f"{_paren(al, ar < 5, True)}^{{ {bl} }}", f"{_paren(at, ar < 5, False)}^{_paren(bt, br < 5, False)}",
                    r)
        symbol = {"+": ("+", "+"), "-": ("-", "−"), "*": (r"\cdot", "·")}[t.op]
        right_paren = br < r or (br == r and t.op == "-")
        return (f"{_paren(al, ar < r, True)} {symbol[0]} {_paren(bl, right_paren, True)}",
                f"{_paren(at, ar < r, False)} {symbol[1]} {_paren(bt, right_paren, False)}", r)

    latex, text, _ = go(tree)
    return latex, text


def _paren(s: str, needed: bool, latex: bool) -> str:
    if not needed:
        return s
    return rf"\left({s}\right)" if latex else f"({s})"


def _column_of(tree, name: str) -> int:
    from ..expr import Name
    if isinstance(tree, Name) and tree.name == name:
        return tree.column
    for child in getattr(tree, "operands", ()) + getattr(tree, "args", ()):
        col = _column_of(child, name)
        if col:
            return col
    return 0


def _original(column: int, shifts) -> int:
    """A column of the substituted text as a column of the text as written."""
    delta = 0
    for at, length, written in shifts:
        if column >= at + length:
            delta += written - length
        elif column >= at:
            return at + delta
    return column + delta


def _indices(index) -> str:
    return "".join(f"[{i}]" for i in index)


def _shape_text(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return "a " + "×".join(str(n) for n in shape) + (" matrix" if len(shape) == 2 else " array")
