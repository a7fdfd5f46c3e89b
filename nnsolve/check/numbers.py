"""A number as a key writes it: `0.80` (claiming 2 decimals), `1/9` (exact), `138M` (3 significant figures),
`34,944`, `2.5x10^7`, `-log(1/8)` (a formula of numbers, evaluated exactly by nnsolve's own parser), a size list
`55x55x96`; and how many decimals each claims. Anything else is an AnswerError, located by the caller."""
from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np

from ..engine.number import beyond_exact_range, mp, to_mpf
from ..engine.symbolic import Written
from ..problems.loader import Literal

_SCIENTIFIC = re.compile(r"^[+-]?(?P<whole>\d*)(?:\.(?P<frac>\d*))?[eE](?P<exp>[+-]?\d+)$")


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


def integer_written(number) -> bool:
    """Written as a whole number (`3`, `-12`, `34,944`), not a fraction or a formula."""
    text = getattr(number, "text", "").strip().replace("−", "-").replace(",", "").lstrip("+-")
    return text.isdigit()


class AnswerError(Exception):
    """An answer that cannot be read; `loc` is where inside it (a list index)."""

    def __init__(self, message: str, loc: tuple = ()):
        message = _shortened(message)
        super().__init__(message)
        self.message = message
        self.loc = loc


LONGEST_RUN = 60         # a message quotes at most this many characters of one unbroken run of what was written


def _shortened(message: str) -> str:
    """A message that quotes a 100,000-digit cell quotes its start and says how long it is."""
    return re.sub(r"[^\s,;:'\"]{%d,}" % (LONGEST_RUN + 1),
                  lambda m: f"{m.group(0)[:LONGEST_RUN - 20]}…({len(m.group(0)):,} characters)", message)

_SIZE_LIST = re.compile(r"^\s*\d+(?:\s*[x×]\s*\d+)+\s*$")
_TUPLE = re.compile(r"^\s*[(\[](?P<inside>[^()\[\]]*)[)\]]\s*$")


def sizes(text: str) -> list | None:
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
        return KeyNumber(value, text.strip(), decimals - power, figures=_figures(digits))
    if _THOUSANDS.match(plain):
        whole = plain.replace(",", "")
        return KeyNumber(Fraction(whole), text.strip(), len(whole.partition(".")[2]) or None,
                         groups=plain.split(".")[0].count(",") + 1)
    times_ten = _TIMES_TEN.match(plain)
    if times_ten:
        mantissa, exponent = times_ten.group("mantissa"), int(times_ten.group("exp"))
        if abs(exponent) <= 1000:       # as 2.5e7 would be read: the last written digit's place
            return KeyNumber(Fraction(mantissa) * Fraction(10) ** exponent, text.strip(),
                             len(mantissa.partition(".")[2]) - exponent, figures=_figures(mantissa))
    if "," in plain and not any(c.isalpha() for c in plain):
        raise AnswerError(f"expected a number, got {text.strip()!r}: a comma only separates thousands (34,944); "
                          f"write a decimal point, and a list as [a, b]")
    if any(c in plain for c in "()^"):       # a formula of numbers; a word ("zero point five") is not read as one
        return _formula_number(text.strip())
    return None


def _figures(digits: str) -> int:
    """Significant figures of a mantissa as written: `138` → 3, `2.50` → 3, `0.5` → 1."""
    return len(digits.lstrip("+-").replace(".", "").lstrip("0")) or 1


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
        raise AnswerError(f"expected a number, got {describe(given)}")
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


def describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
