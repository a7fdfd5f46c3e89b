"""The snippet as text: parsed into a syntax tree once its size, its bytes and its numbers are known to be
an exam snippet's (so Python's parser never builds a billion-digit number or recurses out of its
stack), and the input shape a `# input: 3x224x224` comment gives. Errors name their line."""
from __future__ import annotations

import ast
import io
import re
import tokenize
from fractions import Fraction

from ...limits import MAX_INPUT_AXES, MAX_SIZE, MAX_SNIPPET_CHARS, MAX_SNIPPET_DIGITS, MAX_TENSOR_ELEMENTS, count_text
from .common import SnippetError, is_number, shortened, shown


def too_long() -> SnippetError:
    return SnippetError(f"a snippet longer than {MAX_SNIPPET_CHARS.shown} characters is not an exam snippet "
                        f"{MAX_SNIPPET_CHARS.hint}", None)


def parse_python(text: str) -> ast.Module:
    """The syntax tree of `text`; SnippetError with the line of a NUL byte, an over-long number, a syntax
    error or an expression too deep for Python's parser."""
    if len(text) > MAX_SNIPPET_CHARS.value:
        raise too_long()
    if "\0" in text:
        raise SnippetError("a NUL byte (\\0) is not Python source: is this a binary file?",
                           text.count("\n", 0, text.index("\0")) + 1)
    _check_numbers(text)
    try:
        return ast.parse(text)
    except SyntaxError as e:
        raise SnippetError(f"not valid Python: {e.msg}", e.lineno) from None
    except (RecursionError, MemoryError, ValueError):
        # the parser's own stack: thousands of operators inside each other (- - - … 1, 1 + 1 + … + 1)
        raise SnippetError("the snippet nests too deeply for Python's parser (thousands of operators inside "
                           "each other)", _busiest_line(text)) from None


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The tokens up to the first that does not tokenize (the parser then names that mistake)."""
    out = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            out.append(token)
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return out


def _check_numbers(text: str) -> None:
    """A number literal of more than MAX_SNIPPET_DIGITS digits (or exponent; far beyond any layer size) is
    refused at its line before Python builds it: 1e-999999999 would be an exact fraction of a billion digits."""
    most = MAX_SNIPPET_DIGITS.value
    for token in _tokens(text):
        if token.type != tokenize.NUMBER:
            continue
        mantissa, _, exponent = token.string.lower().replace("_", "").partition("e") \
            if not token.string.lower().startswith(("0x", "0o", "0b")) else (token.string, "", "")
        if len(mantissa.lstrip("0")) > most or len(exponent.lstrip("+-0")) > 2 \
                or (exponent and abs(int(exponent)) > most):
            raise SnippetError(f"the number {shortened(token.string)} is far beyond any layer size "
                               f"{MAX_SNIPPET_DIGITS.hint}", token.start[0])


def _busiest_line(text: str) -> int | None:
    """The line with the most operators: where an expression too deep for the parser is."""
    counts: dict[int, int] = {}
    for token in _tokens(text):
        if token.type == tokenize.OP and token.string not in "()[]{},:.;=":
            counts[token.start[0]] = counts.get(token.start[0], 0) + 1
    return max(counts, key=counts.get) if counts else None


_INPUT_COMMENT = re.compile(r"#\s*input(?:[ _]shape)?\s*[:=]\s*\(?\s*(\d+(?:\s*[x×,*]\s*\d+)*)", re.IGNORECASE)


def input_shape_comment(text: str) -> tuple[tuple[int, ...], int] | None:
    """`# input: 3x224x224` (or `# input shape = (3, 32, 32)`) anywhere in the snippet: the sizes, checked
    like any input shape (`checked_input_shape`), and the comment's line."""
    match = _INPUT_COMMENT.search(text)
    if not match:
        return None
    line = text.count("\n", 0, match.start()) + 1
    parts = re.split(r"\s*[x×,*]\s*", match.group(1))
    if any(len(p.lstrip("0")) > MAX_SNIPPET_DIGITS.value for p in parts):
        raise SnippetError(f"the input shape {shortened(match.group(1))} is far beyond any input "
                           f"{MAX_SNIPPET_DIGITS.hint}", line)
    return checked_input_shape(tuple(int(n) for n in parts), line), line


def checked_input_shape(shape, where: ast.AST | int | None, what: str = "the input shape") -> tuple[int, ...]:
    """Sizes of an input without the batch axis, each a whole number from 1 to MAX_SIZE, at most
    MAX_TENSOR_ELEMENTS values in all; SnippetError at `where` otherwise."""
    sizes = (shape,) if is_number(shape) else shape
    if not isinstance(sizes, (tuple, list)) or not sizes or not all(is_number(v) and v >= 1 for v in sizes):
        unknown = " (an unknown size, None, cannot be counted: give every size)" \
            if isinstance(sizes, (tuple, list)) and None in sizes else ""
        raise SnippetError(f"{what} {shown(shape)}: expected whole sizes ≥ 1{unknown}", where)
    if any(isinstance(v, Fraction) for v in sizes):
        raise SnippetError(f"{what} {shown(shape)}: expected whole sizes ≥ 1", where)
    if len(sizes) > MAX_INPUT_AXES.value:
        raise SnippetError(f"{what}: {MAX_INPUT_AXES.refusal(f'{len(sizes):,} sizes')}", where)
    if max(sizes) > MAX_SIZE.value:
        raise SnippetError(f"{what} {shown(shape)}: a size is beyond {MAX_SIZE.shown} {MAX_SIZE.hint}", where)
    values = 1
    for v in sizes:
        values *= v
    if values > MAX_TENSOR_ELEMENTS.value:
        raise SnippetError(f"{what} {shown(shape)} holds {count_text(values)} values; at most {MAX_TENSOR_ELEMENTS.shown} "
                           f"{MAX_TENSOR_ELEMENTS.hint}", where)
    return tuple(sizes)
