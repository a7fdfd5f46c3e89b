"""Read the answers a key or a student gives: which quantity each names, and the numbers as written.

An answer names a quantity id (`u1`, `dL/dW1`), an alias (`y`, `delta2`) or one element of either
(`u1[0]`, `dL/dW1[1][0]`, 0-based). Its value keeps the text of every number, because the decimals a
key writes are the precision it claims. Anything that cannot be read is a located format error,
never a wrong answer.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..engine.number import beyond_exact_range, mp, to_mpf
from ..engine.symbolic import Symbolic, Written
from ..problems.errors import Issue, ProblemError, format_path
from ..problems.loader import Literal
from ..solution import Solution

_ELEMENT = re.compile(r"^(?P<base>.*?)(?P<index>(?:\[\s*-?\d+\s*\])+)$")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_SCIENTIFIC = re.compile(r"^[+-]?(?P<whole>\d*)(?:\.(?P<frac>\d*))?[eE](?P<exp>[+-]?\d+)$")


@dataclass(frozen=True)
class KeyAnswer:
    """One given answer: what it names, where it was written, and its numbers as typed."""

    name: str                       # as written under `answers:`
    quantity: str                   # the solution step it refers to (aliases resolved)
    index: tuple[int, ...]          # element of that step's value; () for the whole value
    value: np.ndarray               # object array of Literals
    line: int | None
    order: int                      # position of the quantity in the solution's step order

    @property
    def target(self) -> str:
        """The quantity with its element, in the answer's own notation (`dL/dW1[1][0]`)."""
        return self.quantity + "".join(f"[{i}]" for i in self.index)

    @property
    def decimals(self) -> int | None:
        """The finest precision the answer claims: the most decimals written in any of its numbers (what the
        computed value is shown to, and which intermediate rounding is tried first).

        None when every number is an integer or a fraction: such an answer claims to be exact.
        """
        places = [p for p in self.places if p is not None]
        return max(places) if places else None

    @property
    def places(self) -> list[int | None]:
        """The decimals each number claims, as written: [0.5, 0.3333] is 1 and 4. An integer among decimals
        ([0.04, 0]) is written to the coarsest of them (0 for 0.00); an answer of integers or fractions alone
        claims exactness (None)."""
        numbers = list(self.value.reshape(-1))
        written = [decimals_written(v) if isinstance(v, (Literal, WideNumber, KeyNumber)) else None
                   for v in numbers]
        decimal = [d for d in written if d is not None]
        coarsest = min(decimal) if decimal else None
        return [coarsest if d is None and _integer(v) else d for v, d in zip(numbers, written)]


def decimals_written(number: Literal) -> int | None:
    """Decimals as typed: "0.80" → 2, "1.83e-6" → 8 (the last written digit's place), "138M" → −6,
    "3" or "1/3" or "-log(1/8)" → None."""
    if isinstance(number, Written):
        return None
    if isinstance(number, (KeyNumber, WideNumber)) and number.places is not _UNSAID:
        return number.places
    text = number.text.strip().replace("−", "-").replace("_", "")
    if "/" in text:
        return None
    sci = _SCIENTIFIC.match(text)
    if sci:
        return len(sci.group("frac") or "") - int(sci.group("exp"))
    if "." not in text:
        return None
    return len(text.partition(".")[2])


def _integer(number) -> bool:
    """Written as a whole number (`3`, `-12`, `34,944`), not a fraction or a formula."""
    text = getattr(number, "text", "").strip().replace("−", "-").replace(",", "").lstrip("+-")
    return text.isdigit()


def read_answers(raw: dict, solution: Solution, locate, source: str | None) -> list[KeyAnswer]:
    """Resolve and read every answer; raise one ProblemError listing every unreadable one."""
    issues: list[Issue] = []
    answers: list[KeyAnswer] = []
    position = {step_id: i for i, step_id in enumerate(solution.ids)}
    names = sorted(set(solution.ids) | {a for a, q in solution.aliases.items() if q in position})
    for name, given in raw.items():
        line = locate(("answers", name))
        try:
            quantity, index = resolve(str(name), solution, position, names)
            symbolic = any(isinstance(v, Symbolic) for v in np.asarray(solution.value(quantity)).reshape(-1))
            value = read_written(given) if symbolic else read_value(given, value_at_shape(solution, quantity, index))
        except AnswerError as e:
            issues.append(Issue(format_path(("answers", str(name)) + e.loc), e.message,
                                locate(("answers", name) + e.loc) or line))
            continue
        answers.append(KeyAnswer(str(name), quantity, index, value, line, position[quantity]))
    if issues:
        raise ProblemError(issues, source)
    return sorted(answers, key=lambda a: (a.order, a.index))


class AnswerError(Exception):
    def __init__(self, message: str, loc: tuple = ()):
        super().__init__(message)
        self.message = message
        self.loc = loc


def resolve(name: str, solution: Solution, position: dict, names: list[str]) -> tuple[str, tuple[int, ...]]:
    """`delta2[0]` → ('dL/du2', (0,)): the step an answer names and the element it picks."""
    base, index = name.strip(), ()
    element = _ELEMENT.match(base)
    if element and _canonical(base, solution, position) is None:
        base = element.group("base").strip()
        index = tuple(int(i) for i in _INDEX.findall(element.group("index")))
    quantity = _canonical(base, solution, position)
    if quantity is None:
        close = difflib.get_close_matches(base, names, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else f"; quantities are named like {', '.join(names[:6])}"
        raise AnswerError(f"no quantity {base!r} in this problem's solution" + hint)
    shape = solution.step(quantity).value.shape
    if len(index) > len(shape):
        raise AnswerError(f"{quantity} is {shape_text(shape)}; {name!r} gives {len(index)} indices")
    for i, size in zip(index, shape):
        if i < 0 or i >= size:
            raise AnswerError(f"index {i} is out of range: {quantity} is {shape_text(shape)} "
                              f"(indices are 0-based)")
    return quantity, index


def quantity_name(name: str) -> str:
    """The answer's name without element indices: `dL/dW1[1][0]` → `dL/dW1`."""
    element = _ELEMENT.match(str(name).strip())
    return element.group("base").strip() if element else str(name).strip()


def _canonical(name: str, solution: Solution, position: dict) -> str | None:
    quantity = solution.aliases.get(name, name)
    return quantity if quantity in position else None


def value_at_shape(solution: Solution, quantity: str, index: tuple[int, ...]) -> tuple[int, ...]:
    return solution.step(quantity).value.shape[len(index):]


def read_value(given, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A number or a rectangular nesting of numbers → an object array of Literals. A text of sizes (`55x55x96`,
    `(768,)`) is the vector of them. `shape` is the quantity's: a number with thousands separators (`34,944`)
    where a vector of as many numbers is expected is ambiguous, and refused."""
    if isinstance(given, str) and not isinstance(given, Literal):
        sizes = _sizes(given)
        if sizes is not None:
            given = sizes
    value = _read_nested(given, read_number, "a number, a vector or a matrix")
    if value.ndim == 0 and shape is not None and isinstance(value[()], KeyNumber) and value[()].groups:
        groups = value[()].groups
        if int(np.prod(shape)) == groups and groups > 1:
            raise AnswerError(f"{value[()].text} reads as one number, {value[()].numerator}, with a thousands "
                              f"separator, yet {shape_text(shape)} is expected: write a list as "
                              f"[{value[()].text.replace(',', ', ')}], or the number without commas")
    return value


_SIZE_LIST = re.compile(r"^\s*\d+(?:\s*[x×]\s*\d+)+\s*$")
_TUPLE = re.compile(r"^\s*[(\[](?P<inside>[^()\[\]]*)[)\]]\s*$")


def _sizes(text: str) -> list | None:
    """`55x55x96` / `55×55×96` → [55, 55, 96]; `(768,)` → [768]; `(2, 3)` or `[2, 3]` → [2, 3]; None for
    anything else (a number, `2.5x10^7`)."""
    if _SIZE_LIST.match(text):
        return [Literal(p.strip()) for p in re.split(r"[x×]", text)]
    found = _TUPLE.match(text)
    if found:
        parts = [p.strip() for p in found.group("inside").split(",")]
        if parts and parts[-1] == "":
            parts = parts[:-1]          # Python's one-element tuple (768,)
        if parts and all(parts):
            return parts
    return None


def read_written(given) -> np.ndarray:
    """Where a formula or a verdict is expected, each entry as written (a number too: ∂E/∂w3 = 0)."""
    return _read_nested(given, _written, "a formula or a list of them")


def _written(given) -> Written:
    if given is None or isinstance(given, (bool, dict)):
        raise AnswerError(f"expected a formula or a word, got {_describe(given)}")
    return Written(given.text if isinstance(given, Literal) else str(given))


def _read_nested(given, entry, expected: str) -> np.ndarray:
    nested = _nested(given.tolist() if isinstance(given, np.ndarray) else given, (), entry, expected)
    if not isinstance(nested, list):
        arr = np.empty((), dtype=object)
        arr[()] = nested
        return arr
    return np.array(nested, dtype=object)


def _nested(given, loc: tuple, entry, expected: str):
    """The entries of the nesting of `given`, each read by `entry`, checked to be rectangular."""
    if not isinstance(given, (list, tuple)):
        try:
            return entry(given)
        except AnswerError as e:
            raise AnswerError(e.message, loc) from None
    if not given:
        raise AnswerError(f"is an empty list; expected {expected}", loc)
    rows = [_nested(item, loc + (i,), entry, expected) for i, item in enumerate(given)]
    shapes = {_shape(r) for r in rows}
    if len(shapes) != 1:
        if all(isinstance(r, list) for r in rows):
            lengths = sorted({len(r) for r in rows})
            raise AnswerError(f"rows have different lengths {lengths}; expected a rectangular matrix", loc)
        raise AnswerError("mixes numbers and lists", loc)
    return rows


def _shape(nested) -> tuple:
    return (len(nested),) + _shape(nested[0]) if isinstance(nested, list) else ()


_UNSAID = object()       # the precision is read from the text (decimals_written)


class WideNumber:
    """A number written past the range a key is read exactly in (`1e-999999999` would be a billion-digit fraction;
    a Python int of 5,000 digits), or an irrational one written as a formula (`-log(1/8)`): read to 50 significant
    digits, and compared as such. Its text is as given."""

    def __init__(self, text: str, value, places=_UNSAID):
        self.text = text
        self.value = value
        self.places = places

    def __repr__(self) -> str:
        return self.text


class KeyNumber(Fraction):
    """An exact number a key wrote in a form of its own: `138M` (138·10⁶, claiming its 3 significant figures),
    `34,944` (thousands separated), `2.5x10^7`, `e^2/(1 + e^2)` when rational. Its text is as written."""

    def __new__(cls, value: Fraction, text: str, places=None, groups: int = 0, figures: int | None = None):
        self = super().__new__(cls, value.numerator, value.denominator)
        self.text = text
        self.places = places        # decimals claimed: −6 for 138M; None = exact
        self.groups = groups        # the comma-separated groups of `34,944` (2), 0 otherwise
        self.figures = figures      # significant figures of an abbreviated magnitude (3 for 138M)
        return self

    def __repr__(self) -> str:
        return self.text


# magnitudes keys abbreviate: 138M parameters, 1.2K MACs, 3.5B FLOPs
MAGNITUDES = {"K": 3, "k": 3, "M": 6, "B": 9, "G": 9, "T": 12}
_ABBREVIATED = re.compile(r"^(?P<sign>[+-]?)(?P<digits>\d+(?:\.\d*)?|\.\d+)\s*(?P<suffix>[KkMBGT])$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TIMES_TEN = re.compile(r"^(?P<mantissa>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[x×*·]\s*10\s*\^\s*(?P<exp>[+-]?\d+)$")
_FORMULA_CONSTANTS = {"e", "pi", "π"}


def read_written_number(text: str) -> KeyNumber | WideNumber | None:
    """A number in one of the ways keys write them that a plain Literal does not read; None when `text` is none
    of them. Raises AnswerError for a formula that is not a number (it names a variable)."""
    plain = text.strip().replace("−", "-")
    abbreviated = _ABBREVIATED.match(plain)
    if abbreviated:
        digits, power = abbreviated.group("digits"), MAGNITUDES[abbreviated.group("suffix")]
        decimals = len(digits.partition(".")[2])
        value = Fraction(digits) * 10 ** power * (-1 if abbreviated.group("sign") == "-" else 1)
        figures = len(digits.replace(".", "").lstrip("0")) or 1
        return KeyNumber(value, text.strip(), decimals - power, figures=figures)
    if _THOUSANDS.match(plain):
        whole = plain.replace(",", "")
        return KeyNumber(Fraction(whole), text.strip(), len(whole.partition(".")[2]) or None,
                         groups=plain.split(".")[0].count(",") + 1)
    times_ten = _TIMES_TEN.match(plain)
    if times_ten:
        mantissa, exponent = times_ten.group("mantissa"), int(times_ten.group("exp"))
        if abs(exponent) <= 1000:       # as 2.5e7 would be read: the last written digit's place
            return KeyNumber(Fraction(mantissa) * Fraction(10) ** exponent, text.strip(),
                             len(mantissa.partition(".")[2]) - exponent)
    if "," in plain and not any(c.isalpha() for c in plain):
        raise AnswerError(f"expected a number, got {text.strip()!r}: a comma only separates thousands (34,944); "
                          f"write a decimal point, and a list as [a, b]")
    if any(c in plain for c in "()^"):       # a formula of numbers; a word ("zero point five") is not read as one
        return _formula_number(text.strip())
    return None


def _formula_number(text: str) -> KeyNumber | WideNumber | None:
    """`-log(1/8)`, `e^12/(e^10 + e^8 + e^12 + e^5)`: a formula of numbers, evaluated exactly by nnsolve's own
    expression parser (a rational stays a fraction, anything else is a 50-digit number); it claims exactness."""
    from ..expr import ExprError, names_in, parse
    try:
        tree = parse(text)
    except ExprError as e:
        raise AnswerError(f"expected a number, got {text!r}: {e}") from None
    free = [n for n in names_in(tree) if n not in _FORMULA_CONSTANTS]
    if free:
        raise AnswerError(f"expected a number, got {text!r}: it names {', '.join(free)}")
    from ..expr.symbolic import BeyondRange, to_exact, to_sympy
    try:
        value = to_exact(to_sympy(tree))
    except (BeyondRange, ValueError, ArithmeticError) as e:
        raise AnswerError(f"expected a number, got {text!r}: {e}") from None
    if isinstance(value, Fraction):
        return KeyNumber(value, text)
    return WideNumber(text, value, places=None)


def read_number(given) -> Literal | WideNumber | KeyNumber:
    """A number as typed in the file, or given from Python (a float's shortest repr is what was meant)."""
    if isinstance(given, Literal):
        return given
    if isinstance(given, bool) or given is None or isinstance(given, dict):
        raise AnswerError(f"expected a number, got {_describe(given)}")
    if isinstance(given, (Fraction, int, np.integer)):
        exact = Fraction(int(given)) if isinstance(given, np.integer) else Fraction(given)
        if beyond_exact_range(exact):
            value = to_mpf(exact)
            return WideNumber(mp.nstr(value, mp.dps), value)
        text = str(exact.numerator) if exact.denominator == 1 else f"{exact.numerator}/{exact.denominator}"
    elif isinstance(given, (float, np.floating)):
        text = _float_text(float(given)) if math.isfinite(given) else str(float(given))
    else:
        text = str(given)
    try:
        return Literal(text)
    except ZeroDivisionError:
        raise AnswerError(f"expected a number, got {text!r} (a division by zero)") from None
    except ValueError as e:
        wide = _wide(text)
        if wide is not None:
            return wide
        written = read_written_number(text)
        if written is not None:
            return written
        message = str(e)
        raise AnswerError(message if message.startswith("expected") or text in message
                          else f"expected a number, got {text!r}: {message}") from None


_INFINITY = re.compile(r"^(?P<sign>[+-]?)(inf|infinity|∞)$", re.IGNORECASE)


def _wide(text: str) -> WideNumber | None:
    """A decimal in scientific form past the exact range, read to 50 digits, or an infinity (KL(P‖Q) = ∞ where Q
    misses P's support); None for anything else."""
    plain = text.strip().replace("−", "-").replace("_", "")
    infinite = _INFINITY.match(plain)
    if infinite:
        return WideNumber(text.strip(), -mp.inf if infinite.group("sign") == "-" else mp.inf)
    if not _SCIENTIFIC.match(plain) or len(plain) > 200:
        return None
    value = mp.mpf(plain)
    return WideNumber(text.strip(), value) if mp.isfinite(value) else None


def _float_text(x: float) -> str:
    """A float's shortest repr is what a caller typed (0.5758); a computed float such as
    0.30000000000000004 claims no more than the 12 significant digits float arithmetic keeps."""
    text = repr(x)
    digits = text.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0")
    return text if len(digits) <= 12 else f"{x:.11e}"


def parse_tolerance(tolerance) -> Fraction | None:
    """The `--tolerance` option: a non-negative decimal (text, int, float or Fraction)."""
    if tolerance is None:
        return None
    try:
        value = read_number(tolerance)
    except AnswerError:
        value = None
    if not isinstance(value, Fraction):
        value = None            # a tolerance past 10^±1000 is no tolerance
    if value is None or value < 0:
        raise ProblemError([Issue("--tolerance", f"expected a non-negative number such as 0.005, got {tolerance!r}")])
    return value


def shape_text(shape: tuple) -> str:
    if not shape:
        return "a scalar"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return "a " + "×".join(str(n) for n in shape) + (" matrix" if len(shape) == 2 else " array")


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
