"""Tokenizer and recursive-descent parser for exam expressions.

Grammar (usual precedence; `^` binds tighter than unary minus, so -x^2 = -(x^2), and is right-associative):
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/' | '·' | '×')? unary)*     juxtaposition multiplies: 2w1, 3(a - b), (a)(b)
    unary   := ('-' | '+') unary | power
    power   := atom (('^' | '**') unary)?
    atom    := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
Numbers are read exactly (0.1 is 1/10). Every error names its column (counted from 1).
"""
from __future__ import annotations

import operator

import re
from dataclasses import dataclass
from fractions import Fraction

from ..limits import (MAX_FORMULA_DEPTH, MAX_FORMULA_EXPONENT, MAX_FORMULA_LENGTH, MAX_FORMULA_TOKENS,
                      MAX_POWER_BITS)
from ..problems.errors import suggestion
from ..problems.loader import read_number

# An exam formula is a line, not a program. Its tokens keep a left-deep chain a + a + … and its nesting
# (parentheses and operators) keep the recursion well inside Python's limit; a constant exponent and a
# power of constants bound the numbers SymPy would build (x^(10^10), 9^9^9).

# function name -> number of arguments
FUNCTIONS = {"exp": 1, "log": 1, "ln": 1, "log2": 1, "log10": 1, "sqrt": 1, "abs": 1, "relu": 1,
             "sigmoid": 1, "σ": 1, "tanh": 1, "softplus": 1, "max": 2, "min": 2, "step": 1, "sign": 1,
             "sin": 1, "cos": 1, "tan": 1, "atan": 1, "arctan": 1}


class ExprError(ValueError):
    def __init__(self, message: str, column: int):
        self.column = column
        super().__init__(f"column {column}: {message}")


@dataclass(frozen=True)
class Num:
    value: Fraction
    text: str
    column: int


@dataclass(frozen=True)
class Name:
    name: str
    column: int


@dataclass(frozen=True)
class Op:
    """A binary operator (+ - * / ^) or unary minus (`neg`, one operand)."""
    op: str
    operands: tuple
    column: int


@dataclass(frozen=True)
class Call:
    function: str
    args: tuple
    column: int


_NAME = r"[^\W\d]\w*"      # a letter or _ first, then letters, digits or _
_TOKEN = re.compile(r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>" + _NAME + r")"
                    r"|(?P<op>\*\*|[-+*/^(),·×−]))")
_WHOLE_NAME = re.compile(_NAME)


def is_name(text) -> bool:
    """Whether `text` is one name as an expression writes it (w1, x_2, η)."""
    return isinstance(text, str) and _WHOLE_NAME.fullmatch(text) is not None


def name_issues(places) -> list[tuple[tuple, str]]:
    """(place, message) for each declared name of `places` ((place, name) pairs) that an expression cannot write as
    a name: a node or a constant named 0 would never be the one the text means (the number 0 is written there)."""
    return [(loc, f"{name!r} is not a name: a name starts with a letter or _, then letters, digits or _ "
                  f"(w1, x_2, eta)") for loc, name in places if not is_name(str(name))]


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise ExprError(f"unexpected character {text[col - 1]!r}", col)
        kind = m.lastgroup
        value = m.group(kind)
        value = {"·": "*", "×": "*", "−": "-", "**": "^"}.get(value, value) if kind == "op" else value
        out.append((kind, value, m.start(kind) + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class TokenCursor:
    """The reading position of a recursive-descent parser over (kind, value, column) tokens ending in an
    ("end", "", column) token, with a guard on how deep the recursion nests (Boolean expressions use it too)."""

    def __init__(self, tokens: list[tuple[str, str, int]]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.deepest = MAX_FORMULA_DEPTH.value

    def peek(self):
        return self.tokens[self.i]

    def take(self):
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def expect(self, op: str):
        kind, value, col = self.take()
        if kind != "op" or value != op:
            raise ExprError(f"expected {op!r}, found {describe(kind, value)}", col)

    def nest(self, col: int):
        self.depth += 1
        if self.depth > self.deepest:
            raise ExprError(f"nested more than {self.deepest} deep {MAX_FORMULA_DEPTH.hint}", col)


class _Parser(TokenCursor):
    def __init__(self, text: str, factors: frozenset = frozenset()):
        super().__init__(_tokens(text))
        self.text = text
        self.factors = factors      # names that multiply a following '(' instead of calling it: w(1 − w)
        self.readings: list[str] = []     # "H(θ − t) read as H·(θ − t)", as the parse meets them

    def binary(self, ops: str, operand) -> object:
        left = operand()
        while self.peek()[0] == "op" and self.peek()[1] in ops:
            _, op, col = self.take()
            left = Op(op, (left, operand()), col)
        return left

    def sum(self):
        return self.binary("+-", self.product)

    def product(self):
        left = self.binary("*/", self.unary)
        while self.juxtaposed():
            col = self.peek()[2]
            left = Op("*", (left, self.binary("*/", self.unary)), col)
        return left

    def juxtaposed(self) -> bool:
        """An exam's 2w1, 3(w1 − w2)² or (2p + 3)2: a name, a number or '(' right after an operand, with no
        operator between, multiplies (but not a number right after a number: "2 3" is a missing operator)."""
        kind, value, _ = self.peek()
        if kind == "name" or (kind == "op" and value == "("):
            return True
        return kind == "number" and self.tokens[self.i - 1][0] != "number"

    def unary(self):
        kind, value, col = self.peek()
        if kind == "op" and value in "+-":
            self.take()
            self.nest(col)
            inner = self.unary()
            self.depth -= 1
            return Op("neg", (inner,), col) if value == "-" else inner
        return self.power()

    def power(self):
        base = self.atom()
        kind, value, col = self.peek()
        if kind == "op" and value == "^":
            self.take()
            self.nest(col)
            exponent = self.unary()
            self.depth -= 1
            _check_power(base, exponent, col)
            return Op("^", (base, exponent), col)
        return base

    def atom(self):
        kind, value, col = self.take()
        if kind == "number":
            try:
                return Num(read_number(value), value, col)
            except ValueError as e:          # 1e999999999 would build a billion-digit integer
                raise ExprError(str(e), col) from None
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                if value not in self.factors:
                    return self.call(value, col)
                inside = _bracketed(self.text, self.peek()[2] - 1)
                self.readings.append(f"{value}{inside} read as {value}·{inside}")
            if value in FUNCTIONS:
                raise ExprError(f"function {value!r} needs its argument in parentheses", col)
            return Name(value, col)
        if kind == "op" and value == "(":
            self.nest(col)
            inner = self.sum()
            self.depth -= 1
            self.expect(")")
            return inner
        raise ExprError(f"expected a number, a name or '(', found {describe(kind, value)}", col)

    def call(self, function: str, col: int):
        if function not in FUNCTIONS:
            raise ExprError(f"unknown function {function!r}" + suggestion(function, FUNCTIONS, list_if_none=True), col)
        self.take()
        self.nest(col)
        args = [self.sum()]
        while self.peek()[:2] == ("op", ","):
            self.take()
            args.append(self.sum())
        self.depth -= 1
        self.expect(")")
        if len(args) != FUNCTIONS[function]:
            want = FUNCTIONS[function]
            raise ExprError(f"{function} takes {want} argument{'s' if want > 1 else ''}, got {len(args)}", col)
        return Call(function, tuple(args), col)


def _bracketed(text: str, start: int) -> str:
    """The bracketed group of `text` opening at index `start`, as written (shortened past 40 characters)."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            group = text[start:i + 1]
            return group if len(group) <= 40 else group[:18] + "…" + group[-18:]
    return "(…)"


def _check_power(base, exponent, col: int) -> None:
    """A constant exponent of exam size, and a constant power of at most MAX_POWER_BITS bits: SymPy
    computes 9^(9^9) or ((10^900)^64)^64 exactly, for as long as that takes."""
    power = constant_value(exponent)
    largest = MAX_FORMULA_EXPONENT.value
    if power is None:
        if _only_numbers(exponent):     # constant, but past what constant_value folds (10^400): too large
            raise ExprError(f"the exponent is too large (at most {largest} in size) {MAX_FORMULA_EXPONENT.hint}", col)
        return
    if abs(power) > largest:
        raise ExprError(f"the exponent {_short(power)} is too large (at most {largest} in size) "
                        f"{MAX_FORMULA_EXPONENT.hint}", col)
    base_bits, most = _size_in_bits(base), MAX_POWER_BITS.value
    if base_bits is not None and base_bits * abs(power) > most:
        raise ExprError(f"the power has more than {most * 3 // 10:,} digits {MAX_POWER_BITS.hint}", col)


def _only_numbers(tree) -> bool:
    """A tree of numbers and operators only (no name, no function)."""
    if isinstance(tree, Num):
        return True
    return isinstance(tree, Op) and all(_only_numbers(t) for t in tree.operands)


def _size_in_bits(tree) -> int | None:
    """About how many bits the numerator or denominator of a constant tree has (None: not a constant)."""
    if isinstance(tree, Num):
        return max(tree.value.numerator.bit_length(), tree.value.denominator.bit_length())
    if not isinstance(tree, Op):
        return None
    sizes = [_size_in_bits(t) for t in tree.operands]
    if any(s is None for s in sizes):
        return None
    if tree.op == "^":
        power = constant_value(tree.operands[1])
        return None if power is None else sizes[0] * max(1, abs(power.numerator))
    return sum(sizes) + 1


def _short(x: Fraction) -> str:
    text = str(x)
    return text if len(text) <= 20 else f"{text[:8]}…({len(text)} digits)"


def describe(kind: str, value: str) -> str:
    """A token as an error message names it."""
    return "the end of the expression" if kind == "end" else repr(value)


def parse(text: str, factors=frozenset()):
    """The expression tree of `text`, or ExprError with the column of the first mistake.

    A name followed by '(' is a function call (so `sigmod(x)` is an error that names it) unless it is one
    of `factors`, the quantities of the problem at hand, where an answer's w(1 − w) is a product."""
    require_text(text, MAX_FORMULA_LENGTH)
    return _whole(_Parser(text, frozenset(factors) - set(FUNCTIONS)))


def _whole(parser: _Parser):
    most = MAX_FORMULA_TOKENS.value
    if len(parser.tokens) > most:
        raise ExprError(f"more than {most} numbers, names and operators {MAX_FORMULA_TOKENS.hint}",
                        parser.tokens[most][2])
    tree = parser.sum()
    kind, value, col = parser.peek()
    if kind != "end":
        raise ExprError(f"unexpected {describe(kind, value)} (an operator missing before it?)", col)
    return tree


def parse_declared(text: str, declared) -> tuple[object, list[str]]:
    """The tree of a problem's formula read with the names the problem declares (its variables, constants,
    values, named parts): a declared name before '(' multiplies it — H(θ − t) is H·(θ − t), unless H is a
    function's name — and an undeclared name that is exactly one run of declared ones is their product — ab
    is a·b when a and b are declared and ab is not. Returns the tree and how such names were read ("ab read
    as a·b"), for the worked solution to say; a name with two readings is refused at its column."""
    declared = frozenset(declared)
    require_text(text, MAX_FORMULA_LENGTH)
    parser = _Parser(text, declared - set(FUNCTIONS))
    tree = _whole(parser)
    readings = list(dict.fromkeys(parser.readings))
    return split_products(tree, declared, readings), readings


def split_products(tree, declared: frozenset, readings: list[str] | None = None):
    """`tree` with each undeclared name that is one run of declared names as their product (see
    parse_declared); ExprError at the name's column when it has more than one such reading."""
    if isinstance(tree, Name):
        if tree.name in declared:
            return tree
        ways, reading = name_readings(tree.name, declared)
        if ways > 1:
            raise ExprError(f"{tree.name!r} is not a name of the problem and reads as a product of its names in "
                            "more than one way: write the product with * (or declare the name)", tree.column)
        if reading is None:
            return tree
        if readings is not None:
            said = f"{tree.name} read as {'·'.join(reading)}"
            if said not in readings:
                readings.append(said)
        product = Name(reading[0], tree.column)
        for factor in reading[1:]:
            product = Op("*", (product, Name(factor, tree.column)), tree.column)
        return product
    if isinstance(tree, Op):
        return Op(tree.op, tuple(split_products(t, declared, readings) for t in tree.operands), tree.column)
    if isinstance(tree, Call):
        return Call(tree.function, tuple(split_products(t, declared, readings) for t in tree.args), tree.column)
    return tree


def name_readings(name: str, known) -> tuple[int, list[str] | None]:
    """How many ways (capped at 2) `name` is a run of two or more `known` names, and the way when there is
    one. The ways are counted from the end, so a long name costs one pass, not one per way."""
    ways = [0] * len(name) + [1]          # ways[i]: readings of name[i:], capped at 2
    first: list[str | None] = [None] * len(name) + [None]
    for i in range(len(name) - 1, -1, -1):
        for k in known:
            if k and name.startswith(k, i) and ways[i + len(k)]:
                ways[i] = min(2, ways[i] + ways[i + len(k)])
                first[i] = k
    if ways[0] == 0 or first[0] == name:
        return (0, None) if ways[0] <= 1 else (ways[0], None)
    if ways[0] > 1:
        return ways[0], None
    reading, i = [], 0
    while i < len(name):
        reading.append(first[i])
        i += len(first[i])
    return 1, reading


def require_text(text, limit) -> None:
    """ExprError unless `text` is a non-empty string of at most `limit` characters (a Limit)."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError("the expression is empty", 1)
    most = limit.value
    if len(text) > most:
        raise ExprError(f"longer than {most} characters {limit.hint}", most + 1)


# the operations every reader of a tree does alike (division and powers each reader bounds its own way)
ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def constant_value(tree) -> Fraction | None:
    """The exact value of a tree made only of numbers and + − × ÷ and integer powers; None otherwise."""
    if isinstance(tree, Num):
        return tree.value
    if not isinstance(tree, Op):
        return None
    values = [constant_value(t) for t in tree.operands]
    if any(v is None for v in values):
        return None
    if tree.op == "neg":
        return -values[0]
    a, b = values
    if tree.op in ARITHMETIC:
        return ARITHMETIC[tree.op](a, b)
    if tree.op == "/":
        return None if b == 0 else a / b
    if b.denominator == 1 and abs(b) <= 64 and not (a == 0 and b < 0):
        return a ** int(b)
    return None


def names_in(tree) -> list[str]:
    """Names the expression uses, in order of first appearance."""
    out: list[str] = []

    def walk(t):
        if isinstance(t, Name) and t.name not in out:
            out.append(t.name)
        for child in getattr(t, "operands", ()) + getattr(t, "args", ()):
            walk(child)
    walk(tree)
    return out
