"""Our expression trees as SymPy expressions, and back to exam notation.

SymPy does the algebra (derivatives, simplification, solving ∇f = 0, eigenvalues) but never reads user
text: every SymPy object is built node by node from the tree our own parser made. Importing this module
imports SymPy (about half a second), so only the calculus family and the checker of formulas do.
"""
from __future__ import annotations

import re
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from ..engine.number import mp
from ..engine.symbolic import Symbolic
from .parser import Call, Name, Num, Op, name_readings, parse

PRECISION = 50        # significant digits of an irrational value, as everywhere in nnsolve


def _powered(latex: str, exp: str | None) -> str:
    """SymPy's printer hands a function its power (σ(x)²) as `exp`, already in LaTeX."""
    return latex if exp is None else rf"{latex}^{{{exp}}}"


class sigmoid(sp.Function):
    """σ(x) = 1 / (1 + e^(−x)), kept as σ so that σ' = σ(1 − σ) reads as in the lectures."""

    @classmethod
    def eval(cls, x):
        # σ(0) = 1/2 where the argument is 0 as written: asking SymPy whether a numeric argument is zero makes it
        # evaluate it numerically (seconds for σ of nine nested σ's at a point)
        if x == 0:
            return sp.Rational(1, 2)

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_evalf(self, prec):
        return (1 / (1 + sp.exp(-self.args[0])))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _powered(rf"\sigma\left({printer._print(self.args[0])}\right)", exp)


class softplus(sp.Function):
    """softplus(x) = ln(1 + eˣ), whose derivative is σ(x)."""

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    def _eval_evalf(self, prec):
        return sp.log(1 + sp.exp(self.args[0]))._eval_evalf(prec)

    def _latex(self, printer, exp=None):
        return _powered(rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)", exp)


class step(sp.Function):
    """The unit step [x > 0] (0 at 0): the derivative of ReLU, and itself of derivative 0 where it has one."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_real:
            return sp.Integer(1) if x > 0 else sp.Integer(0)

    def fdiff(self, argindex=1):
        return sp.Integer(0)

    def _eval_rewrite_as_Heaviside(self, x, **kwargs):
        return sp.Heaviside(x, 0)

    def _latex(self, printer, exp=None):
        return _powered(rf"\left[{printer._print(self.args[0])} > 0\right]", exp)


class relu(sp.Function):
    """max(0, x) with relu'(0) = 0 (the convention every framework uses)."""

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_real:
            return sp.Max(0, x)

    def fdiff(self, argindex=1):
        return step(self.args[0])

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(0, x)

    def _latex(self, printer, exp=None):
        return _powered(rf"\operatorname{{ReLU}}\left({printer._print(self.args[0])}\right)", exp)


CONSTANTS = {"e": sp.E, "pi": sp.pi, "π": sp.pi}


def symbol(name: str) -> sp.Symbol:
    # every exam quantity is real: |x|' = sign(x), √(x²) = |x|
    return sp.Symbol(name, real=True)


def to_sympy(tree, constants: dict | None = None) -> sp.Expr:
    """The SymPy expression of a parsed tree; `constants` maps names to numbers or SymPy expressions,
    `e` and `pi` are the constants unless the problem names them otherwise."""
    constants = constants or {}

    def walk(t):
        if isinstance(t, Num):
            return sp.Rational(t.value.numerator, t.value.denominator)
        if isinstance(t, Name):
            if t.name in constants:
                return constants[t.name]
            return CONSTANTS.get(t.name) or symbol(t.name)
        if isinstance(t, Op):
            args = [walk(a) for a in t.operands]
            if t.op == "neg":
                return -args[0]
            a, b = args
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                    "^": lambda: a ** b}[t.op]()
        assert isinstance(t, Call)
        args = [walk(a) for a in t.args]
        return _FUNCTIONS[t.function](*args)

    return walk(tree)


_FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "ln": sp.log, "log2": lambda x: sp.log(x, 2), "log10": lambda x: sp.log(x, 10),
    "sqrt": sp.sqrt, "abs": sp.Abs, "relu": relu, "sigmoid": sigmoid, "tanh": sp.tanh, "softplus": softplus,
    "max": sp.Max, "min": sp.Min, "step": step, "sign": sp.sign, "σ": sigmoid,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "atan": sp.atan, "arctan": sp.atan,
}


def from_text(text: str, constants: dict | None = None) -> sp.Expr:
    return to_sympy(parse(text), constants)


def as_sympy_number(x) -> sp.Expr:
    if isinstance(x, Fraction):
        return sp.Rational(x.numerator, x.denominator)
    return sp.Float(mp.nstr(x, PRECISION), PRECISION)


EXACT_BITS = 4000        # a fraction beyond about 1200 digits is carried as a 50-digit decimal
RANGE_BITS = 3300        # |value| < 2^3300 ≈ 10^993: the range numbers are handled in, as typed ones are


class BeyondRange(ValueError):
    """A real value too large to carry: the iteration ran away, or e^(e^10) was asked for."""


def to_exact(expr: sp.Expr):
    """A Fraction for a rational value, else a 50-digit mpf; ValueError for a value that is not a real
    number (log(0), √−1, |x|'' at 0), BeyondRange for one beyond about 10^±1000."""
    if expr.is_Rational and max(int(expr.p).bit_length(), int(expr.q).bit_length()) <= EXACT_BITS:
        return Fraction(int(expr.p), int(expr.q))
    if expr in (sp.oo, -sp.oo):
        return mp.inf if expr == sp.oo else -mp.inf
    value = numeric(expr)
    if value is None:                      # a part the fast walk does not know: SymPy's own evaluation
        _check_growth(expr)
        try:
            found = sp.N(expr, PRECISION + 5)
        except (ArithmeticError, ValueError, RecursionError):     # exp(exp(exp(exp(10)))) overflows mpmath
            raise BeyondRange("a value beyond 10^±1000") from None
        if not isinstance(found, sp.Float) or not found.is_finite:
            raise ValueError(f"{text_of(expr)} is not a real number")
        value = mp.mpf(found._mpf_)
    return _in_range(value, expr)


def _in_range(value, expr: sp.Expr):
    if not mp.isfinite(value):
        raise ValueError(f"{text_of(expr)} is not a real number")
    _, mantissa, exponent, bits = value._mpf_
    if mantissa and exponent + bits > RANGE_BITS:
        raise BeyondRange("a value beyond 10^±1000")
    return value


def value_at(expr: sp.Expr, values: dict):
    """`expr` at a point given by numbers, as to_exact would give it for the substituted expression — but
    without rebuilding the tree when a value is already a 50-digit number (a descent's iterate after an Adam
    step): the result is then such a number too, and one walk finds it. None when the fast walk cannot say
    (the caller substitutes and evaluates)."""
    if not values or any(isinstance(v, (Fraction, sp.Expr)) for v in values.values()) or \
            not expr.free_symbols <= set(values):
        return None
    value = numeric(expr, values)
    return None if value is None else _in_range(value, expr)


CANCELLATION = mp.mpf(10) ** -12       # a sum smaller than its largest term by this has lost that many digits


class _Unknown(Exception):
    """A part the fast walk does not evaluate itself."""


def numeric(expr: sp.Expr, values: dict | None = None):
    """The value of a constant expression as an mpf at nnsolve's precision, by one walk over its distinct parts
    (the derivative of ten nested sigmoids shares its parts thousands of times: SymPy's evalf walks each copy,
    in seconds; this walk computes each part once, in milliseconds). It is done at two working precisions and
    kept only where both agree to the digits shown, so cancellation cannot hide in it; otherwise, or for a part
    it does not know, None (and SymPy evaluates). ValueError where a part has no real value, BeyondRange where
    a part leaves the range."""
    try:
        low, cancelled = _walk(expr, PRECISION + 15, values)
        if not cancelled:
            return mp.mpf(low)
        high, _ = _walk(expr, PRECISION + 40, values)
    except (_Unknown, RecursionError, ZeroDivisionError, OverflowError):
        return None
    if low == high or (high and abs(low - high) <= abs(high) * mp.mpf(10) ** -(PRECISION + 2)):
        return mp.mpf(high)
    return None


CANCELLED = "cancelled"        # memo key: a sum lost digits to cancellation somewhere in the walk


def _walk(expr: sp.Expr, dps: int, values: dict | None) -> tuple:
    """(the value at `dps` working digits, whether a sum in it cancelled more than 12 of them)."""
    with mp.workdps(dps):
        memo: dict = {symbol_: +mp.mpf(value) for symbol_, value in (values or {}).items()}
        value = _value(expr, memo)
        return value, CANCELLED in memo


def _value(e: sp.Expr, memo: dict):
    if e in memo:
        return memo[e]
    if e.is_Number:
        if e.is_Rational:
            v = mp.mpf(int(e.p)) / int(e.q)
        elif e.is_Float:
            v = mp.mpf(e._mpf_)
        else:                                  # oo, nan, zoo
            raise ValueError("not a real number")
    elif e.is_Symbol:                          # a name the point gives no number for
        raise _Unknown(str(e))
    elif e is sp.pi:
        v = +mp.pi
    elif e is sp.E:
        v = +mp.e
    else:
        args = [_value(a, memo) for a in e.args]
        v = _apply(e, args, memo)
    memo[e] = v
    return v


def _apply(e: sp.Expr, args: list, memo: dict):
    if e.is_Add:
        total = mp.fsum(args)
        largest = max(abs(a) for a in args)
        if largest and abs(total) < largest * CANCELLATION:
            memo[CANCELLED] = True
        return total
    if e.is_Mul:
        out = args[0]
        for a in args[1:]:
            out *= a
        return out
    if e.is_Pow:
        base, exponent = args
        if e.exp.is_Integer:
            if base == 0 and exponent < 0:
                raise ValueError("a division by 0")
            # x² as x·x: one rounding either way, without the general power's set-up (a descent's hot path)
            return base * base if e.exp == 2 else mp.power(base, int(e.exp))
        if base < 0:
            raise ValueError("the root of a negative number")
        if base == 0:
            if exponent <= 0:
                raise ValueError("a division by 0")
            return mp.mpf(0)
        if abs(exponent * mp.log(base)) > MAX_GROWTH:
            raise BeyondRange("a value beyond 10^±1000")
        return mp.power(base, exponent)
    (x, *rest) = args
    kind = type(e)
    if kind is sp.exp:
        if x > MAX_GROWTH:
            raise BeyondRange("a value beyond 10^±1000")
        return mp.exp(x)
    if kind is sp.log:
        if x <= 0:
            raise ValueError("the log of a number ≤ 0")
        return mp.log(x) if not rest else mp.log(x) / mp.log(rest[0])
    if kind in (sigmoid, softplus):
        if abs(x) > MAX_SATURATION:
            raise BeyondRange("a value beyond 10^±1000")
        return 1 / (1 + mp.exp(-x)) if kind is sigmoid else mp.log1p(mp.exp(x))
    if kind in (sp.sinh, sp.cosh) and abs(x) > MAX_GROWTH:
        raise BeyondRange("a value beyond 10^±1000")
    simple = {sp.tanh: mp.tanh, sp.sin: mp.sin, sp.cos: mp.cos, sp.tan: mp.tan, sp.atan: mp.atan,
              sp.sinh: mp.sinh, sp.cosh: mp.cosh, sp.Abs: abs}
    if kind in simple:
        return simple[kind](x)
    if kind is sp.sign:
        return mp.mpf((x > 0) - (x < 0))
    if kind is step:
        return mp.mpf(1 if x > 0 else 0)
    if kind is relu:
        return x if x > 0 else mp.mpf(0)
    if kind is sp.Heaviside:
        return mp.mpf(1 if x > 0 else 0 if x < 0 else (rest[0] if rest else mp.mpf(1) / 2))
    if kind is sp.Max:
        return max(args)
    if kind is sp.Min:
        return min(args)
    raise _Unknown(kind.__name__)


MAX_GROWTH = 2400             # e^2400 ≈ 10^1042: an exponential of a larger argument is beyond the range
MAX_SATURATION = 10 ** 6      # σ and softplus of a larger argument: mpmath's exp of it takes seconds


def _check_growth(expr: sp.Expr) -> None:
    """BeyondRange before evaluating a value whose exponentials or powers leave the range: mpmath computes
    e^(e^(e^(e^(e^100)))) digit by digit for as long as that takes. Inner parts are checked first, so each
    argument evaluated here is itself in range."""
    for part in sp.postorder_traversal(expr):
        if isinstance(part, (sp.exp, sp.sinh, sp.cosh)):
            limit, growth = MAX_GROWTH, _magnitude(part.args[0])
        elif isinstance(part, (sigmoid, softplus)):
            limit, growth = MAX_SATURATION, _magnitude(part.args[0])
        elif isinstance(part, sp.Pow) and not part.exp.is_Integer and part.free_symbols == set():
            base = _magnitude(part.base)
            limit, growth = MAX_GROWTH, (_magnitude(part.exp) * abs(mp.log(base)) if base else 0)
        else:
            continue
        if growth > limit:
            raise BeyondRange("a value beyond 10^±1000")


def _magnitude(expr: sp.Expr):
    """|expr| at 15 digits (0 when it has no number: the full evaluation then says why)."""
    try:
        value = sp.N(sp.Abs(expr), 15)
    except (TypeError, ValueError, ArithmeticError):
        return 0
    return mp.mpf(value._mpf_) if isinstance(value, sp.Float) else 0


# -- exam notation ------------------------------------------------------------------------------
def _terms(expr: sp.Expr) -> list[tuple[bool, sp.Expr]]:
    """A sum's terms as (negative?, magnitude), a positive one first: 1 − tanh(u)², not −tanh(u)² + 1."""
    terms = expr.as_ordered_terms() if expr.is_Add else [expr]
    signed = [(t.could_extract_minus_sign(), -t if t.could_extract_minus_sign() else t) for t in terms]
    first = next((i for i, (negative, _) in enumerate(signed) if not negative), 0)
    return [signed[first]] + signed[:first] + signed[first + 1:]


def _joined(expr: sp.Expr, show) -> str:
    out = ""
    for i, (negative, term) in enumerate(_terms(expr)):
        body = show(term)
        if i == 0:
            out = ("-" if negative else "") + body
        else:
            out += (" - " if negative else " + ") + body
    return out


def text_of(expr: sp.Expr) -> str:
    """`3·w1^2 − 6·w1·w2`: exam symbols, a positive term first, readable back by our parser."""
    def show(term):
        text = sp.sstr(term).replace("**", "^").replace("*", "·").replace("Abs", "abs")
        return re.sub(r"\bE\b", "e", text)
    return _joined(expr, show)


def latex_of(expr: sp.Expr, mul_symbol: str | None = None) -> str:
    return _joined(expr, lambda term: sp.latex(term, ln_notation=True, mul_symbol=mul_symbol))


class Expression(Symbolic):
    """A formula as a step's value; a written formula matches when it is the same function of the same
    names (their difference simplifies to 0), however it is arranged."""

    def __init__(self, expr: sp.Expr, definitions: dict[str, sp.Expr] | None = None):
        self.expr = expr
        self.text = text_of(expr)
        self.latex = latex_of(expr)
        self.definitions = definitions or {}     # names an answer may use for a part (z = y·w·x)
        self.meaning = expr                       # the formula with every named part written out
        for name, part in reversed(list(self.definitions.items())):
            self.meaning = self.meaning.subs(symbol(name), part)

    def written(self, written: str) -> sp.Expr | None:
        names = {str(s) for s in self.meaning.free_symbols | self.expr.free_symbols} | set(self.definitions)
        try:
            return to_sympy(split_names(parse(str(written), names), names), dict(self.definitions))
        except (ValueError, ArithmeticError):       # 1/0 in a written formula
            return None

    def matches(self, written: str) -> bool:
        other = self.written(written)
        return other is not None and equivalent(self.meaning, other)

    def mismatch(self, written: str) -> str:
        other = self.written(written)
        if other is None:
            return "cannot be read as a formula"
        difference = sp.simplify(other - self.meaning)
        return f"differs by {text_of(difference)}"


def split_names(tree, known: set[str]):
    """`tree` with each unknown name that is exactly one run of known names read as their product: a key's
    2ax is 2·a·x when a and x are the problem's names and ax is not (a name with two readings stays)."""
    if isinstance(tree, Name):
        if tree.name in known or tree.name in CONSTANTS:
            return tree
        _, reading = name_readings(tree.name, known)
        if reading is None:
            return tree
        factors = [Name(n, tree.column) for n in reading]
        product = factors[0]
        for factor in factors[1:]:
            product = Op("*", (product, factor), tree.column)
        return product
    if isinstance(tree, Op):
        return Op(tree.op, tuple(split_names(t, known) for t in tree.operands), tree.column)
    if isinstance(tree, Call):
        return Call(tree.function, tuple(split_names(t, known) for t in tree.args), tree.column)
    return tree


MAX_SIMPLIFIED_OPERATIONS = 400     # SymPy's simplify has no time bound: a larger difference is not given to it
PROBES = (Fraction(3, 7), Fraction(-5, 11), Fraction(13, 17), Fraction(-2, 3))


def equivalent(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether a − b is identically 0 (σ, softplus and ReLU rewritten first so SymPy can see it).

    Bounded: the difference is first evaluated at a few points (each name a different small fraction, at 50
    digits, cancellation checked); a value that is not 0 there settles it — they differ. Then SymPy simplifies
    a difference of at most MAX_SIMPLIFIED_OPERATIONS operations; a larger one is judged by the points alone
    (0 at every one of them, at 50 digits)."""
    difference = a - b
    if difference == 0:
        return True
    probed = _probe(difference)
    if probed is False:
        return False
    if probed and sp.count_ops(difference) > MAX_SIMPLIFIED_OPERATIONS:
        return True
    difference = difference.rewrite(sp.exp)
    if difference == 0 or sp.simplify(difference) == 0:
        return True
    return sp.simplify(sp.expand(difference)) == 0


def _probe(difference: sp.Expr) -> bool | None:
    """False when the difference is certainly not 0 at one of the probe points; True when it is 0 at all of
    them (at least three evaluated); None when too few points could be evaluated. A rational difference is
    evaluated exactly, any other at 50 digits with its cancellation checked."""
    names = sorted(difference.free_symbols, key=str)
    zero, seen = mp.mpf(10) ** -(PRECISION - 10), 0
    for shift in range(len(PROBES)):
        # each name its own value, of both signs across the points (a kink such as relu's is crossed)
        point = {n: PROBES[(i + shift) % len(PROBES)] * (i + 1) + Fraction(i, 13) for i, n in enumerate(names)}
        try:
            at = difference.xreplace({n: sp.Rational(v.numerator, v.denominator) for n, v in point.items()})
            if at.is_Rational:
                if at != 0:
                    return False
                seen += 1
                continue
            value = numeric(at)
        except (ValueError, ArithmeticError, TypeError):
            continue
        if value is None:
            continue
        if abs(value) > zero:
            return False
        seen += 1
    return True if seen >= 3 else None


def formula_of(expr: sp.Expr, ids: dict[str, str]):
    """A Formula writing `expr` with each variable in `ids` as a placeholder for that quantity id, so a
    printer can show it with symbols or with numbers (8·{0} + 12)."""
    from ..engine.formula import Formula

    names = tuple(name for name in ids if symbol(name) in expr.free_symbols)
    latex, text = _templates(expr, names)
    return Formula(latex, text, tuple(ids[name] for name in names))


@lru_cache(maxsize=256)
def _templates(expr: sp.Expr, names: tuple[str, ...]) -> tuple[str, str]:
    """The LaTeX and text templates of `expr` with placeholders for `names`: printed once per expression,
    however many iterates of a descent show it with their own numbers."""
    # marks sort after the problem's other names, so a·{0} + c reads as written, not {0}·a + c
    marks = {symbol(name): sp.Symbol(f"zzQQ{_letters(i)}QQ", real=True) for i, name in enumerate(names)}
    marked = expr.xreplace(marks)
    # a literal group such as \frac{1}{2} must not read as placeholder {1}
    # with numbers in place of the variables, 4 \cdot 2^{3} must not read as 42³
    latex = re.sub(r"\{(\d+)\}", r"{ \1 }", latex_of(marked, "dot"))
    text = text_of(marked)
    for i in range(len(names)):
        latex = latex.replace(f"zzQQ{_letters(i)}QQ", "{%d}" % i)
        text = text.replace(f"zzQQ{_letters(i)}QQ", "{%d}" % i)
    return latex, text


def _letters(i: int) -> str:
    return chr(65 + i // 26) + chr(65 + i % 26)
