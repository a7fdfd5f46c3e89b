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
from ..problems.derived import SECTION as DERIVED_SECTION
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
        """The precision the answer claims: the most decimals written in any of its numbers.

        None when every number is an integer or a fraction: such an answer claims to be exact.
        """
        places = [decimals_written(v) for v in self.value.reshape(-1)]
        places = [p for p in places if p is not None]
        return max(places) if places else None


def decimals_written(number: Literal) -> int | None:
    """Decimals as typed: "0.80" → 2, "1.83e-6" → 8 (the last written digit's place), "3" or "1/3" → None."""
    if isinstance(number, Written):
        return None
    text = number.text.strip().replace("−", "-").replace("_", "")
    if "/" in text:
        return None
    sci = _SCIENTIFIC.match(text)
    if sci:
        return len(sci.group("frac") or "") - int(sci.group("exp"))
    if "." not in text:
        return None
    return len(text.partition(".")[2])


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
            value = read_written(given) if symbolic else read_value(given)
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
    # an element of a computed quantity is read as such (its pins reach what follows) even where `ask` made it a
    # derived step too (nnsolve.problems.derived); `u1 - y[1]` stays itself where `u1 - y` is also asked
    inner = _canonical(element.group("base").strip(), solution, position) if element else None
    if element and (_canonical(base, solution, position) is None
                    or (inner is not None and solution.step(inner).section != DERIVED_SECTION)):
        base = element.group("base").strip()
        index = tuple(int(i) for i in _INDEX.findall(element.group("index")))
    quantity = _canonical(base, solution, position)
    if quantity is None and name.strip() in solution.meta.get("derived_errors", {}):
        raise AnswerError(solution.meta["derived_errors"][name.strip()])     # nnsolve.problems.derived says why
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
    """The answer's name without element indices: `dL/dW1[1][0]` → `dL/dW1`; a derived answer (`p[1] - p[3]`,
    `2*h1[0]`: an expression, see nnsolve.problems.derived) is kept whole, its indices being its own."""
    element = _ELEMENT.match(str(name).strip())
    if element and not _DERIVED.search(element.group("base")):
        return element.group("base").strip()
    return str(name).strip()


_DERIVED = re.compile(r"[\s\[\]+*^·×−-]")


def _canonical(name: str, solution: Solution, position: dict) -> str | None:
    quantity = solution.aliases.get(name, name)
    return quantity if quantity in position else None


def read_value(given) -> np.ndarray:
    """A number or a rectangular nesting of numbers → an object array of Literals."""
    return _read_nested(given, read_number, "a number, a vector or a matrix")


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


class WideNumber:
    """A number written past the range a key is read exactly in (`1e-999999999` would be a billion-digit fraction;
    a Python int of 5,000 digits): read to 50 significant digits, and compared as such. Its text is as given."""

    def __init__(self, text: str, value):
        self.text = text
        self.value = value

    def __repr__(self) -> str:
        return self.text


def read_number(given) -> Literal | WideNumber:
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
