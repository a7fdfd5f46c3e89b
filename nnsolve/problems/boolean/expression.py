"""Boolean expressions read by our own recursive-descent parser (nothing typed is ever executed).

Precedence, loosest first (stated in the solution's conventions):
    or    := xor (('OR' | '|' | '||' | '∨' | '+' | 'NOR') xor)*
    xor   := and (('XOR' | '⊕' | '^' | 'XNOR') and)*
    and   := not (('AND' | '&' | '&&' | '∧' | '·' | '*' | 'NAND') not)*
    not   := ('NOT' | '~' | '!' | '¬') not | atom
    atom  := name | 0 | 1 | '(' or ')'
Operators of one level group from the left (a NAND b NAND c = (a NAND b) NAND c). Keywords are read in any
case; every error names its column (counted from 1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...expr.parser import ExprError, TokenCursor, describe, require_text
from ...limits import MAX_BOOLEAN_LENGTH
from ..errors import suggestion

PRECEDENCE = "NOT binds tightest, then AND (and NAND), then XOR (and XNOR), then OR (and NOR); " \
             "equal operators group from the left"

_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT", "xor": "XOR", "xnor": "XNOR", "nand": "NAND", "nor": "NOR"}
_SYMBOLS = {"&&": "AND", "||": "OR", "&": "AND", "∧": "AND", "·": "AND", "*": "AND", "|": "OR", "∨": "OR",
            "+": "OR", "⊕": "XOR", "^": "XOR", "~": "NOT", "!": "NOT", "¬": "NOT", "(": "(", ")": ")"}
_TOKEN = re.compile(r"\s*(?:(?P<const>[01](?![\w.]))|(?P<name>[^\W\d]\w*)|(?P<op>&&|\|\||[&∧·*|∨+⊕^~!¬()]))")
LEVELS = (("OR", "NOR"), ("XOR", "XNOR"), ("AND", "NAND"))
RULES = {"AND": lambda a, b: a & b, "OR": lambda a, b: a | b, "XOR": lambda a, b: a ^ b,
         "XNOR": lambda a, b: 1 - (a ^ b), "NAND": lambda a, b: 1 - (a & b), "NOR": lambda a, b: 1 - (a | b)}


@dataclass(frozen=True)
class Var:
    name: str
    column: int


@dataclass(frozen=True)
class Const:
    value: int


@dataclass(frozen=True)
class Gate:
    """NOT (one operand) or a two-operand gate of RULES."""
    op: str
    operands: tuple


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while text[pos:].strip():
        m = _TOKEN.match(text, pos)
        if m is None:
            col = len(text) - len(text[pos:].lstrip()) + 1
            bad = text[col - 1]
            hint = "; a constant is 0 or 1" if bad.isdigit() else \
                "; operators are AND OR NOT XOR XNOR NAND NOR & | ~ ! ¬ ∧ ∨ ⊕ and parentheses"
            raise ExprError(f"unexpected character {bad!r}{hint}", col)
        kind = m.lastgroup
        value, col = m.group(kind), m.start(kind) + 1
        if kind == "name" and value.lower() in _KEYWORDS:
            kind, value = "op", _KEYWORDS[value.lower()]
        elif kind == "op":
            value = _SYMBOLS[value]
        out.append((kind, value, col))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser(TokenCursor):
    def level(self, k: int):
        if k == len(LEVELS):
            return self.negation()
        left = self.level(k + 1)
        while self.peek()[0] == "op" and self.peek()[1] in LEVELS[k]:
            op = self.take()[1]
            left = Gate(op, (left, self.level(k + 1)))
        return left

    def negation(self):
        kind, value, col = self.peek()
        if (kind, value) == ("op", "NOT"):
            self.take()
            self.nest(col)
            inner = self.negation()
            self.depth -= 1
            return Gate("NOT", (inner,))
        return self.atom()

    def atom(self):
        kind, value, col = self.take()
        if kind == "const":
            return Const(int(value))
        if kind == "name":
            return Var(value, col)
        if (kind, value) == ("op", "("):
            self.nest(col)
            inner = self.level(0)
            self.depth -= 1
            self.expect(")")
            return inner
        raise ExprError(f"expected a variable, 0, 1, NOT or '(', found {describe(kind, value)}", col)


def parse(text: str):
    """The tree of `text`, or ExprError with the column of the first mistake."""
    require_text(text, MAX_BOOLEAN_LENGTH)
    parser = _Parser(_tokens(text))
    tree = parser.level(0)
    kind, value, col = parser.peek()
    if kind != "end":
        hint = "; join terms with AND, OR, … (juxtaposition is not an operator)" if kind in ("name", "const") else ""
        raise ExprError(f"unexpected {describe(kind, value)} after a complete expression{hint}", col)
    return tree


def variables(tree) -> list[Var]:
    """Each variable's first occurrence, in order of appearance."""
    found: dict[str, Var] = {}

    def walk(node):
        if isinstance(node, Var):
            found.setdefault(node.name, node)
        elif isinstance(node, Gate):
            for operand in node.operands:
                walk(operand)
    walk(tree)
    return list(found.values())


def check_names(tree, names: list[str]) -> None:
    """Every variable of the expression is one of `names` (the declared inputs)."""
    for var in variables(tree):
        if var.name not in names:
            raise ExprError(f"variable {var.name!r} is not among inputs_named"
                                     + suggestion(var.name, names, list_if_none=True), var.column)


def evaluate(tree, values: dict[str, int]) -> int:
    if isinstance(tree, Const):
        return tree.value
    if isinstance(tree, Var):
        return values[tree.name]
    if tree.op == "NOT":
        return 1 - evaluate(tree.operands[0], values)
    return RULES[tree.op](*(evaluate(o, values) for o in tree.operands))


def product_terms(tree) -> list[dict[str, int]] | None:
    """The expression as a sum of products, each term {variable: 1 (plain) or 0 (negated)}, when it is
    written as one (an OR of ANDs of possibly negated variables); None otherwise. A term containing both x
    and NOT x is never true and is dropped."""
    def split(node, op):
        if isinstance(node, Gate) and node.op == op:
            return split(node.operands[0], op) + split(node.operands[1], op)
        return [node]

    terms = []
    for term in split(tree, "OR"):
        literals: dict[str, int] = {}
        contradictory = False
        for literal in split(term, "AND"):
            if isinstance(literal, Gate) and literal.op == "NOT" and isinstance(literal.operands[0], Var):
                name, polarity = literal.operands[0].name, 0
            elif isinstance(literal, Var):
                name, polarity = literal.name, 1
            else:
                return None
            contradictory |= literals.setdefault(name, polarity) != polarity
        if not contradictory:
            terms.append(literals)
    return terms
