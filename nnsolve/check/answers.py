"""Read the answers a key or a student gives: which quantity each names, and the numbers as written.

An answer names a quantity id (`u1`, `dL/dW1`), an alias (`y`, `delta2`) or one element of either
(`u1[0]`, `dL/dW1[1][0]`, 0-based). Its value keeps the text of every number, because the decimals a
key writes are the precision it claims. Anything that cannot be read is a located format error,
never a wrong answer.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..engine.symbolic import Symbolic, Written
from ..problems.derived import SECTION as DERIVED_SECTION
from ..problems.errors import Issue, ProblemError, format_path
from ..problems.loader import Literal
from ..solution import Solution
from .numbers import (AnswerError, KeyNumber, WideNumber, decimals_written, describe, integer_written, read_number,
                      sizes)

__all__ = ["KeyAnswer", "read_answers", "read_value", "read_written", "read_number", "decimals_written", "AnswerError",
           "KeyNumber", "WideNumber", "parse_tolerance", "quantity_name", "shape_text"]

_ELEMENT = re.compile(r"^(?P<base>.*?)(?P<index>(?:\[\s*-?\d+\s*\])+)$")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")


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
        return [coarsest if d is None and integer_written(v) else d for v, d in zip(numbers, written)]


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


def value_at_shape(solution: Solution, quantity: str, index: tuple[int, ...]) -> tuple[int, ...]:
    return solution.step(quantity).value.shape[len(index):]


def read_value(given, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A number or a rectangular nesting of numbers → an object array of Literals. A text of sizes (`55x55x96`,
    `(768,)`) is the vector of them. `shape` is the quantity's: a number with thousands separators (`34,944`)
    where a vector of as many numbers is expected is ambiguous, and refused."""
    if isinstance(given, str) and not isinstance(given, Literal):
        listed = sizes(given)
        if listed is not None:
            given = listed
    value = _read_nested(given, read_number, "a number, a vector or a matrix")
    if value.ndim == 0 and shape is not None and isinstance(value[()], KeyNumber) and value[()].groups:
        groups = value[()].groups
        if int(np.prod(shape)) == groups and groups > 1:
            raise AnswerError(f"{value[()].text} reads as one number, {value[()].numerator}, with a thousands "
                              f"separator, yet {shape_text(shape)} is expected: write a list as "
                              f"[{value[()].text.replace(',', ', ')}], or the number without commas")
    return value


def read_written(given) -> np.ndarray:
    """Where a formula or a verdict is expected, each entry as written (a number too: ∂E/∂w3 = 0)."""
    return _read_nested(given, _written, "a formula or a list of them")


def _written(given) -> Written:
    if given is None or isinstance(given, (bool, dict)):
        raise AnswerError(f"expected a formula or a word, got {describe(given)}")
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
