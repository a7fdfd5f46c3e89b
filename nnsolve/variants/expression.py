"""A constraint written as a comparison over the solution's quantities, read with nnsolve's own expression parser
and evaluated here, exactly, over the quantities' values (never `eval`).

    loss(1) < loss          abs(u1[0]) >= 0.1          W1[0][0] != W1[1][1]          dL/dW1[1][0] > 0

A quantity is named by its id as the solution names it (`dL/dW1`, `loss(1)`: an id is read whole, before the
parser sees the text), with `[i][j]` for one entry; it must stand for a single number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from ..expr.parser import ARITHMETIC, Call, ExprError, Name, Num, Op, names_in, parse
from ..ops import scalar

FUNCTIONS = {"exp": scalar.exp, "log": scalar.log, "ln": scalar.log, "sqrt": scalar.sqrt, "abs": scalar.absolute,
             "tanh": scalar.tanh, "sigmoid": scalar.sigmoid, "σ": scalar.sigmoid, "max": max, "min": min,
             "relu": lambda x: x if x > 0 else Fraction(0), "sign": scalar.sign,
             "log2": lambda x: scalar.log(x, 2), "log10": lambda x: scalar.log(x, 10)}

COMPARISONS = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
               "!=": lambda a, b: a != b, "<": lambda a, b: a < b, ">": lambda a, b: a > b,
               "≤": lambda a, b: a <= b, "≥": lambda a, b: a >= b, "≠": lambda a, b: a != b}
_COMPARISON = re.compile(r"<=|>=|==|!=|≤|≥|≠|<|>")
_INDEX = re.compile(r"(?:\s*\[\s*\d+\s*\])+")


class ExpressionError(ValueError):
    pass


@dataclass(frozen=True)
class Comparison:
    text: str
    left: object
    operator: str
    right: object
    quantities: dict      # placeholder name → (quantity id, index tuple)

    def holds(self, solution) -> bool:
        values = {}
        for name, (qid, index) in self.quantities.items():
            value = solution.value(qid)
            values[name] = value[index] if index or value.shape == () else value.reshape(-1)[0]
        return bool(COMPARISONS[self.operator](_value(self.left, values), _value(self.right, values)))


def compile_comparison(text: str, solution) -> Comparison:
    """The comparison `text` over the quantities of `solution` (the problem as the file gives it: a variant has the
    same quantities); ExpressionError says what is wrong."""
    operators = _COMPARISON.findall(text)
    if len(operators) != 1:
        raise ExpressionError(f"expected one comparison (<, <=, >, >=, ==, !=) between two expressions, "
                              f"got {len(operators)}: {text!r}")
    left_text, right_text = _COMPARISON.split(text)
    quantities: dict = {}
    sides = []
    for side in (left_text, right_text):
        named = _name_quantities(side, solution, quantities)
        try:
            tree = parse(named)
        except ExprError as e:
            call = re.search(r"unknown function '([^']+)'", str(e))
            if call:          # `loss(2)`: a quantity the solution does not have, read as a call
                from ..problems.errors import suggestion
                name = _unnamed(call.group(1), quantities)
                raise ExpressionError(f"no quantity or function {name}(…)"
                                      + suggestion(name, [*solution.ids, *FUNCTIONS])) from None
            raise ExpressionError(f"{side.strip()!r}: {_unnamed(str(e), quantities)}") from None
        for name in names_in(tree):
            if name not in quantities:
                from ..problems.errors import suggestion
                raise ExpressionError(f"no quantity {name!r}" + suggestion(name, solution.ids))
        _functions_known(tree)
        sides.append(tree)
    return Comparison(text, sides[0], operators[0], sides[1], quantities)


def _name_quantities(text: str, solution, quantities: dict) -> str:
    """`text` with every quantity id (longest first, whole words) and its index replaced by a plain name the
    parser reads."""
    ids = sorted(set(solution.ids) | set(solution.aliases), key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        found = None
        if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
            for qid in ids:
                end = i + len(qid)
                if text.startswith(qid, i) and (end == len(text) or not (text[end].isalnum() or text[end] == "_")):
                    found = qid
                    break
        if found is None:
            out.append(text[i])
            i += 1
            continue
        end = i + len(found)
        m = _INDEX.match(text, end)
        index = tuple(int(k) for k in re.findall(r"\d+", m.group(0))) if m else ()
        value = solution.value(found)
        if index:
            if len(index) != value.ndim or any(k >= n for k, n in zip(index, value.shape)):
                raise ExpressionError(f"{found}{m.group(0).strip()}: {found} has the shape "
                                      f"{tuple(value.shape)}")
        elif value.size != 1:
            raise ExpressionError(f"{found} is not one number (shape {tuple(value.shape)}): name one entry, "
                                  f"e.g. {found}{'[0]' * value.ndim}")
        name = f"q_{len(quantities)}"
        quantities[name] = (solution.aliases.get(found, found), index)
        out.append(f" {name} ")
        i = m.end() if m else end
    return "".join(out)


def _unnamed(message: str, quantities: dict) -> str:
    for name, (qid, index) in quantities.items():
        message = message.replace(name, qid + "".join(f"[{k}]" for k in index))
    return message


def _functions_known(tree) -> None:
    if isinstance(tree, Call) and tree.function not in FUNCTIONS:
        raise ExpressionError(f"the function {tree.function} is not available in a constraint; use one of "
                              f"{', '.join(FUNCTIONS)}")
    for inner in getattr(tree, "operands", ()) + getattr(tree, "args", ()):
        _functions_known(inner)


def _value(tree, values: dict):
    if isinstance(tree, Num):
        return tree.value
    if isinstance(tree, Name):
        return values[tree.name]
    if isinstance(tree, Op):
        args = [_value(t, values) for t in tree.operands]
        if tree.op == "neg":
            return -args[0]
        a, b = args
        if tree.op in ARITHMETIC:
            return ARITHMETIC[tree.op](a, b)
        if tree.op == "/":
            if b == 0:
                raise ZeroDivisionError("division by 0")
            return Fraction(a) / b if isinstance(a, int) else a / b
        if isinstance(b, Fraction) and b.denominator == 1 and isinstance(a, Fraction) and abs(b) <= 64:
            return a ** int(b)
        from ..engine.number import mp, to_mpf
        return mp.power(to_mpf(a), to_mpf(b))
    if isinstance(tree, Call):
        return FUNCTIONS[tree.function](*[_value(t, values) for t in tree.args])
    raise ExpressionError(f"cannot evaluate {tree!r}")
