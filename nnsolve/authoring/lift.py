"""The givens of an exam question, lifted from its own LaTeX or Markdown into a family's template.

The question is scanned, never evaluated, for `NAME = VALUE`: a name as exams write it (`W_1`, `W^{(1)}`,
`\\mathbf{x}`, `\\eta`, `b_{2}`) and a value that is a matrix environment (bmatrix, pmatrix, matrix, array:
rows by `\\\\`, entries by `&`), a vector in brackets (`(1, 2)^T`, `[1, 2]`), or a number (`-0.5`, `−0.5`,
`\\frac{1}{2}`, `1/2`). Each value goes to the template line marked `# [name]`, in the shape the template
writes there; names are matched in the exam's words (η and lr are the learning rate, y and t the target,
x₁, x₂ … the entries or steps of x). What has no place, or could not be read, is listed, never guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..problems.errors import Issue, ProblemError

MATRIX_ENVIRONMENTS = ("bmatrix", "pmatrix", "Bmatrix", "vmatrix", "matrix", "array", "smallmatrix")

# the exam's word → the template marker it fills
SYNONYMS = {"eta": "lr", "alpha": "lr", "learningrate": "lr", "lr": "lr", "y": "target", "t": "target",
            "target": "target", "d": "target", "w": "w", "theta": "w", "G": "G",
            # an RNN's weights by the units they join: input → hidden, hidden → hidden, hidden → output
            "W_xh": "W", "W_ih": "W", "W_hh": "V", "W_hy": "U", "W_ho": "U", "b_h": "b", "dL/dO": "G", "dL/dY": "G", "dL/dy": "G", "dL/dZ": "G"}

_GRADIENT = r"\\partial\s*L\s*/\s*\\partial\s*[A-Za-z]|\\frac\s*\{\s*\\partial\s*L\s*\}\s*\{\s*\\partial\s*[A-Za-z]\s*\}"
_NAME = r"(?:" + _GRADIENT + r"|\\(?:mathbf|boldsymbol|bm|vec|mathrm|mathit|hat|bar)\s*\{\s*[A-Za-z]+\s*\}|\\[A-Za-z]+|lr|[A-Za-z])" \
        r"(?:\s*(?:_|\^)\s*(?:\{[^{}=]{1,12}\}|[A-Za-z0-9]))*"
_ASSIGNMENT = re.compile(r"(?<![\\A-Za-z0-9_{])(" + _NAME + r")\s*&?\s*(?:=|:=)\s*")
_ENV = re.compile(r"\\begin\s*\{(" + "|".join(MATRIX_ENVIRONMENTS) + r")\}(\{[^{}]*\})?(.*?)\\end\s*\{\1\}", re.S)
_BRACKETED = re.compile(r"(?:\\left\s*)?([(\[])(.{1,2000}?)(?:\\right\s*)?([)\]])", re.S)
_TRANSPOSE = re.compile(r"\s*\^\s*(?:\{\s*)?(?:T|\\top|\\intercal|\\mathsf\{T\}|\\mathrm\{T\}|t)(?:\s*\})?")
_NUMBER = r"[-+−–]?\s*(?:\\[dt]?frac\s*\{\s*-?\d+(?:\.\d+)?\s*\}\s*\{\s*-?\d+(?:\.\d+)?\s*\}|\d+(?:\.\d+)?(?:\s*/\s*\d+)?|\.\d+)"
# a number that is not the start of a product or a longer expression (`2x`, `2(a + b)`, `2 \cdot x`, `2^3`); a
# sentence's full stop or words after a space end it
_SCALAR = re.compile(_NUMBER + r"(?!\d|\.\d|[A-Za-z(]|\\[A-Za-z]|\s*(?:\\(?:cdot|times)|\*|\^|_|&|[-+/]\s*[\w.\\(]))")
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}\s*\{\s*(-?\d+(?:\.\d+)?)\s*\}")
_OPENING = re.compile(r"(?:\s*\\left\s*[\[(.])?\s*")
_CLOSING = re.compile(r"(?:\s*\\right\s*[\]).])?")
_LAYOUT_NOISE = re.compile(r"\\[,;:!]|\\(?:h?phantom|vphantom)\s*\{[^{}]*\}|\\quad|\\qquad|~|\$")


@dataclass(frozen=True)
class Lifted:
    name: str           # as the question writes it
    key: str            # normalised: W1, x, eta, W_Q
    value: object       # a number's text, a vector (list of texts) or a matrix (list of rows)
    line: int


def read_question(path: Path) -> str:
    from ..problems.reading import read_text
    text, _ = read_text(path)
    return text


def find_givens(text: str) -> tuple[list[Lifted], list[str]]:
    """Every `name = value` of the question that reads as numbers, and the lines of those that did not."""
    found: list[Lifted] = []
    unread: list[str] = []
    text = re.sub(r"(?<!\\)%.*", "", text)          # LaTeX comments
    for match in _ASSIGNMENT.finditer(text):
        name, start = match[1], match.end()
        line = text.count("\n", 0, match.start()) + 1
        value = _value_at(text, start)
        key = normalise(name)
        if value is _NOT_A_VALUE:
            continue        # `f(x) = …`, `y = Wx + b`: a formula, not a given
        if value is None:
            unread.append(f"line {line}: {name} = … is not numbers nnsolve can read")
            continue
        found.append(Lifted(name, key, value, line))
    return found, unread


_NOT_A_VALUE = object()


def _value_at(text: str, start: int):
    """The value written at `start`: a matrix, a vector, a number; None if it looks like one but is not
    readable; _NOT_A_VALUE if it is something else (a formula)."""
    env = _ENV.match(text, _OPENING.match(text, start).end())     # `\left[\begin{array}…\end{array}\right]`
    if env:
        rows = [r for r in re.split(r"\\\\|\\cr\b", env[3]) if r.strip() and not re.fullmatch(r"\s*\\hline\s*", r)]
        cells = [[_number(c) for c in row.split("&")] for row in rows]
        if not cells or any(c is None for row in cells for c in row) or len({len(r) for r in cells}) != 1:
            return None
        if _TRANSPOSE.match(text, _CLOSING.match(text, env.end()).end()):
            cells = [list(col) for col in zip(*cells)]
        return cells
    bracket = _BRACKETED.match(text, start)
    if bracket and (bracket[1] + bracket[3]) in ("()", "[]", "(]", "[)"):
        inside = bracket[2]
        if "=" in inside or "\\begin" in inside:
            return _NOT_A_VALUE
        entries = [_number(e) for e in re.split(r",|;|\\\\|&", inside) if e.strip()]
        if not entries or any(e is None for e in entries):
            return _NOT_A_VALUE if re.search(r"[A-Za-z]", _LAYOUT_NOISE.sub("", inside).replace("frac", "")) \
                else None
        if len(entries) == 1:
            return entries[0]     # `(0.5)`: a number in brackets
        return entries
    scalar = _SCALAR.match(text, start)
    if scalar:
        return _number(scalar[0])
    return _NOT_A_VALUE


def _number(cell: str) -> str | None:
    """An entry as exact text (`-0.5`, `1/2`), or None when it is not a plain number."""
    cell = _LAYOUT_NOISE.sub("", cell).replace("−", "-").replace("–", "-").replace("{", "").replace("}", "") \
        if "frac" not in cell else _LAYOUT_NOISE.sub("", cell).replace("−", "-").replace("–", "-")
    cell = re.sub(r"\s+", "", cell)
    sign = ""
    if cell[:1] in "+-":
        sign, cell = ("-" if cell[0] == "-" else ""), cell[1:]
    frac = _FRAC.fullmatch(cell)
    if frac:
        numerator, denominator = frac[1], frac[2]
        if numerator.startswith("-"):
            sign, numerator = ("" if sign else "-"), numerator[1:]
        cell = f"{numerator}/{denominator}"
    if not re.fullmatch(r"\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?)?|\.\d+", cell):
        return None
    if "/" in cell and Fraction(cell.split("/")[1]) == 0:
        return None
    return sign + cell


def normalise(name: str) -> str:
    """`W_1`, `W_{1}`, `W^{(1)}`, `\\mathbf{W}_1` → W1; `\\eta` → eta; `W_Q`, `W_{Q}` → W_Q; `h_0` → h0;
    `\\partial L/\\partial O` → dL/dO."""
    gradient = re.fullmatch(r"\\partial\s*L\s*/\s*\\partial\s*([A-Za-z])|\\frac\s*\{\s*\\partial\s*L\s*\}\s*\{\s*"
                            r"\\partial\s*([A-Za-z])\s*\}", name.strip())
    if gradient:
        return "dL/d" + (gradient[1] or gradient[2])
    name = re.sub(r"\\(?:mathbf|boldsymbol|bm|vec|mathrm|mathit)\s*\{\s*([A-Za-z]+)\s*\}", r"\1", name)
    name = re.sub(r"\\(?:hat|bar)\s*\{\s*([A-Za-z]+)\s*\}", r"\1", name)
    name = name.replace("\\", "").replace(" ", "")
    name = re.sub(r"\^\{?[(\[]?(\d+)[)\]]?\}?", r"\1", name)  # W^{(1)}, W^{[1]} → W1
    name = re.sub(r"_\{?(\d+)\}?", r"\1", name)                # W_1, W_{1} → W1
    name = re.sub(r"_\{([A-Za-z]+)\}", r"_\1", name)           # W_{Q} → W_Q
    return name.replace("{", "").replace("}", "")


# -- the template -----------------------------------------------------------------------------------
_MARKED = re.compile(r"^(?P<head>\s*(?:- )?[A-Za-z_][\w]*:\s+)(?P<value>.*?)(?P<tail>\s+#\s*\[(?P<name>[A-Za-z_]\w*)\].*)$")


def lift_into(template: str, question: str, source: str = "<question>") -> tuple[str, list[str]]:
    """The template with each given of the question on its marked line, and the report: what went where, what
    found no place, what could not be read. A question with no given at all is refused."""
    found, unread = find_givens(question)
    if not found:
        why = "; ".join(unread[:3]) or "no `name = value` with numbers (a matrix environment, a vector or a number)"
        raise ProblemError([Issue("--from", f"found no givens to lift: {why}")], source)
    lines = template.split("\n")
    slots = {m["name"]: (i, m) for i, line in enumerate(lines) if (m := _MARKED.match(line))}
    chosen = _placed(found, slots)
    report: list[str] = []
    done: set[str] = set()
    for slot, (given, value) in chosen.items():
        i, m = slots[slot]
        shaped = _shaped(value, _depth_of(m["value"]))
        if shaped is None:
            report.append(f"not placed: {given.name} (line {given.line}) is {_describe(value)}, the template's "
                          f"{slot} is {_describe_depth(_depth_of(m['value']))}")
            continue
        lines[i] = m["head"] + _flow(shaped).ljust(len(m["value"])) + m["tail"]    # the comments stay in their column
        done.update(given.key.split(","))
        role = m["tail"].split("]", 1)[1].strip()         # the template's words for the line: `input → hidden`
        report.append(f"lifted: {given.name} (line {given.line}) → {slot}" + (f" ({role})" if role else ""))
    for given in found:
        if given.key not in done:
            report.append(f"not placed: {given.name} (line {given.line}) = {_flow(given.value)}: the template has no "
                          f"place for it; add it by hand")
    report += [f"not read: {what}" for what in unread]
    report.append("left as in the template: " + (", ".join(s for s in slots if s not in chosen) or "nothing")
                  + "; check every value and complete the file by hand")
    text = _with_statement("\n".join(lines), question)
    return text, report


def _placed(found: list[Lifted], slots: dict) -> dict:
    """slot → (the given, its value): by the same name, then by the exam's word for it; x₁, x₂ … stacked into
    x when the question gives no x itself."""
    chosen: dict = {}
    for given in found:
        slot = given.key if given.key in slots else SYNONYMS.get(given.key)
        if slot not in slots and given.key[:1].isalpha():        # w_1 for W1, x for X: the case of the letter
            swapped = given.key[0].swapcase() + given.key[1:]
            slot = swapped if swapped in slots else slot
        if slot in slots and slot not in chosen:
            chosen[slot] = (given, given.value)
    if "x" in slots and "x" not in chosen:
        parts = sorted((int(g.key[1:]), g) for g in found if re.fullmatch(r"x\d+", g.key))
        if parts and [k for k, _ in parts] == list(range(1, len(parts) + 1)) and \
                len({_depth(g.value) for _, g in parts}) == 1:
            first = parts[0][1]
            chosen["x"] = (Lifted(", ".join(g.name for _, g in parts), ",".join(g.key for _, g in parts), None,
                                  first.line),
                           [g.value for _, g in parts])
    return chosen


def _depth(value) -> int:
    return 0 if not isinstance(value, list) else 1 + _depth(value[0])


def _depth_of(text: str) -> int:
    return len(text) - len(text.lstrip("[")) if text.lstrip().startswith("[") else 0


def _shaped(value, depth: int):
    """The value in the template's shape: a one-row or one-column matrix is a vector where one is wanted, a
    vector a one-row matrix, a matrix one channel of a tensor of three axes; None when it cannot be."""
    have = _depth(value)
    if have == depth:
        return value
    if have == 2 and depth == 1 and (len(value) == 1 or all(len(r) == 1 for r in value)):
        return [c for row in value for c in row]
    if have == 1 and depth == 2:
        return [value]
    if have == 2 and depth == 3:
        return [value]
    if have == 0 and depth == 1:
        return [value]
    return None


def _flow(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def _describe(value) -> str:
    return _describe_depth(_depth(value))


def _describe_depth(depth: int) -> str:
    return ("a number", "a vector", "a matrix")[depth] if depth < 3 else "a tensor"


def _with_statement(text: str, question: str) -> str:
    """The template's example statement replaced by the question itself (its body, braces made literal), for the
    author to fit its words and placeholders: the example's would describe other numbers."""
    body = re.search(r"\\begin\{document\}(.*?)\\end\{document\}", question, re.S)
    words = (body[1] if body else question).strip("\n")
    words = re.sub(r"<!--.*?-->\n?", "", re.sub(r"(?<!\\)%.*\n?", "", words), flags=re.S).strip("\n")
    words = words.replace("{", "{{").replace("}", "}}").replace("\t", "    ")
    block = "statement: |\n" + "\n".join(("  " + line).rstrip() for line in words.split("\n"))
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith("statement:")), None)
    if start is None:
        at = next(i for i, line in enumerate(lines) if line.startswith("title:")) + 1
        return "\n".join(lines[:at] + [block] + lines[at:])
    end = start + 1
    while end < len(lines) and (lines[end].startswith("  ") or not lines[end].strip()):
        end += 1
    return "\n".join(lines[:start] + [block] + lines[end:])
